// The root CA publisher against a real API server: every namespace, old and new, gets
// kube-root-ca.crt; a deleted one comes back, an edited one is restored (keeping its labels);
// a terminating namespace is left alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import { CONFIG_MAPS, NAMESPACES } from '../../../src/client/resources.js';
import {
  DESCRIPTION_ANNOTATION,
  ROOT_CA_CONFIG_MAP,
  ROOT_CA_DESCRIPTION,
  RootCaCertPublisher,
  isPublished,
} from '../../../src/controllers/rootcacertpublisher/controller.js';
import { startControlPlane, waitFor, type ControlPlane } from '../harness.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n';

describe('isPublished', () => {
  const cm = (data: Record<string, string>, annotations?: Record<string, string>): ConfigMap => ({ metadata: { name: ROOT_CA_CONFIG_MAP, annotations }, data });
  const described = { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION };
  const cases: [string, ConfigMap, boolean][] = [
    ['the CA and a description', cm({ 'ca.crt': CA }, described), true],
    ['any description', cm({ 'ca.crt': CA }, { [DESCRIPTION_ANNOTATION]: 'mine' }), true],
    ['no description', cm({ 'ca.crt': CA }), false],
    ['another CA', cm({ 'ca.crt': 'other' }, described), false],
    ['an extra key', cm({ 'ca.crt': CA, extra: 'x' }, described), false],
    ['no data', { metadata: { annotations: described } }, false],
  ];
  for (const [what, obj, want] of cases) it(`${want ? 'accepts' : 'rewrites'} ${what}`, () => assert.equal(isPublished(obj, CA), want));
});

describe('root CA publisher', () => {
  let cp: ControlPlane;
  const ac = new AbortController();
  let running: Promise<unknown>;
  let publisher: RootCaCertPublisher;
  let ctx: ReturnType<ControlPlane['newContext']>;
  const cms = () => cp.client.resource<ConfigMap>(CONFIG_MAPS);
  const published = (ns: string) =>
    cms()
      .get(ns, ROOT_CA_CONFIG_MAP)
      .then((cm) => (isPublished(cm, CA) ? cm : undefined))
      .catch(() => undefined);

  before(async () => {
    cp = await startControlPlane();
    ctx = cp.newContext();
    publisher = new RootCaCertPublisher({ ...ctx, settings: { rootCA: CA } });
    ctx.informers.start(ac.signal);
    running = publisher.start(ac.signal);
  });

  after(async () => {
    ac.abort();
    await running;
    await cp.stop();
  });

  it('publishes the CA in every existing namespace, annotated as upstream', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      const cm = await waitFor(() => published(ns), 5000, `${ns}/kube-root-ca.crt`);
      assert.deepEqual(cm.data, { 'ca.crt': CA });
      assert.equal(cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION], ROOT_CA_DESCRIPTION);
    }
  });

  it('publishes in a new namespace and recreates a deleted ConfigMap', async () => {
    await cp.client.resource<Namespace>(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh' } });
    const first = await waitFor(() => published('fresh'), 5000, 'fresh/kube-root-ca.crt');
    await cms().delete('fresh', ROOT_CA_CONFIG_MAP);
    const again = await waitFor(() => published('fresh').then((cm) => (cm && cm.metadata?.uid !== first.metadata?.uid ? cm : undefined)), 5000, 'recreated');
    assert.notEqual(again.metadata?.uid, first.metadata?.uid);
  });

  it('restores edited data and a removed description, keeping what else the ConfigMap has', async () => {
    const cm = await waitFor(() => published('default'), 5000, 'default/kube-root-ca.crt');
    await cms().update({ ...cm, metadata: { ...cm.metadata, labels: { keep: 'me' }, annotations: {} }, data: { 'ca.crt': 'tampered', extra: 'x' } });
    const restored = await waitFor(() => published('default'), 5000, 'restored');
    assert.deepEqual(restored.data, { 'ca.crt': CA });
    assert.deepEqual(restored.metadata?.labels, { keep: 'me' });
    assert.equal(restored.metadata?.uid, cm.metadata?.uid, 'updated in place, not recreated');
  });

  it('does not fight the deletion of a terminating namespace', async () => {
    const namespaces = cp.client.resource<Namespace>(NAMESPACES);
    await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'going' } });
    await waitFor(() => published('going'), 5000, 'going/kube-root-ca.crt');
    await namespaces.delete('', 'going');
    // No namespace controller runs here: the namespace stays Terminating; its ConfigMap, once
    // deleted, must not come back.
    await cms().delete('going', ROOT_CA_CONFIG_MAP);
    const seen = ctx.informers.for<ConfigMap>(CONFIG_MAPS).store;
    const nsSeen = ctx.informers.for<Namespace>(NAMESPACES).store;
    await waitFor(() => !seen.get(`going/${ROOT_CA_CONFIG_MAP}`) && nsSeen.get('going')?.status?.phase === 'Terminating', 5000, 'caches caught up');
    await publisher.reconcile('going');
    assert.equal(await published('going'), undefined);
    assert.equal((await namespaces.get('', 'going')).status?.phase, 'Terminating');
  });
});
