// Static pod manifests as upstream's file source decodes them: API defaults, the node-suffixed
// name, a uid hashing node, path and pod, the config.* annotations, the NoExecute toleration,
// phase Pending; and the files it refuses, each with a message saying why.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isMirrorPod, isMirrorPodOf, isStaticPod, ManifestError, mirrorOf, parseManifest, podHash } from '../../../src/kubelet/config/index.js';

const SOURCE = { path: '/etc/kubets/manifests/web.yaml', nodeName: 'Node-1', seen: '2026-01-01T00:00:00.000Z' };
const WEB = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: app
    image: busybox
    command: [sleep, '3600']
`;

const parse = (text: string, source: Partial<typeof SOURCE> = {}): Pod => parseManifest(text, { ...SOURCE, ...source });

describe('parseManifest: defaulting', () => {
  const pod = parse(WEB);
  const cases: [string, unknown, unknown][] = [
    ['name gets the lower-cased node name as suffix', pod.metadata?.name, 'web-node-1'],
    ['namespace defaults to default', pod.metadata?.namespace, 'default'],
    ['spec.nodeName is the node', pod.spec?.nodeName, 'node-1'],
    ['restartPolicy defaults to Always', pod.spec?.restartPolicy, 'Always'],
    ['dnsPolicy defaults to ClusterFirst', pod.spec?.dnsPolicy, 'ClusterFirst'],
    ['terminationGracePeriodSeconds defaults to 30', pod.spec?.terminationGracePeriodSeconds, 30],
    ['schedulerName defaults', pod.spec?.schedulerName, 'default-scheduler'],
    ['enableServiceLinks defaults to true', pod.spec?.enableServiceLinks, true],
    ['containers are defaulted', pod.spec?.containers[0]?.terminationMessagePath, '/dev/termination-log'],
    ['imagePullPolicy from the tag', pod.spec?.containers[0]?.imagePullPolicy, 'Always'],
    ['every NoExecute taint is tolerated', pod.spec?.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]],
    ['status is Pending', pod.status, { phase: 'Pending' }],
    ['labels are kept', pod.metadata?.labels, { app: 'web' }],
    ['config.source is file', pod.metadata?.annotations?.['kubernetes.io/config.source'], 'file'],
    ['config.hash is the uid', pod.metadata?.annotations?.['kubernetes.io/config.hash'], pod.metadata?.uid],
    ['config.seen is the given time', pod.metadata?.annotations?.['kubernetes.io/config.seen'], SOURCE.seen],
  ];
  for (const [what, got, want] of cases) it(what, () => assert.deepEqual(got, want));

  it('the uid is an md5 hex digest', () => assert.match(pod.metadata!.uid!, /^[0-9a-f]{32}$/));

  it('keeps what the manifest says: namespace, restart policy, grace period, its own uid', () => {
    const p = parse(
      WEB.replace('  name: web', '  name: web\n  namespace: kube-system\n  uid: my-uid').replace('spec:', 'spec:\n  restartPolicy: Never\n  terminationGracePeriodSeconds: 5'),
    );
    assert.equal(p.metadata?.namespace, 'kube-system');
    assert.equal(p.spec?.restartPolicy, 'Never');
    assert.equal(p.spec?.terminationGracePeriodSeconds, 5);
    assert.equal(p.metadata?.uid, 'my-uid');
    assert.equal(podHash(p), 'my-uid');
  });

  it('does not add the toleration twice, and keeps other tolerations', () => {
    const p = parse(WEB.replace('spec:', 'spec:\n  tolerations: [{operator: Exists, effect: NoExecute}, {key: k, operator: Exists}]'));
    assert.deepEqual(p.spec?.tolerations, [
      { operator: 'Exists', effect: 'NoExecute' },
      { key: 'k', operator: 'Exists' },
    ]);
  });

  it('reads YAML as upstream (YAML 1.1): defaultMode 0644 is octal', () => {
    const p = parse(WEB.replace('spec:', 'spec:\n  volumes: [{name: v, configMap: {name: c, defaultMode: 0644}}]'));
    assert.equal(p.spec?.volumes?.[0]?.configMap?.defaultMode, 0o644);
  });

  it('reads JSON manifests', () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } });
    assert.equal(parse(json, { path: '/m/j.json' }).metadata?.name, 'j-node-1');
  });

  it('ignores a status in the manifest', () => {
    assert.deepEqual(parse(`${WEB}status: {phase: Running, podIP: 1.2.3.4}\n`).status, { phase: 'Pending' });
  });
});

describe('parseManifest: the uid', () => {
  const uid = (text: string, source: Partial<typeof SOURCE> = {}) => parse(text, source).metadata!.uid!;
  const base = uid(WEB);
  const cases: [string, string, boolean][] = [
    ['same file, same node, read again', uid(WEB, { seen: 'later' }), true],
    ['an edited command', uid(WEB.replace("'3600'", "'60'")), false],
    ['an added label', uid(WEB.replace('{app: web}', '{app: web, v: "2"}')), false],
    ['the same pod in another file', uid(WEB, { path: '/etc/kubets/manifests/web2.yaml' }), false],
    ['the same file on another node', uid(WEB, { nodeName: 'node-2' }), false],
    ['only key order and formatting differ', uid(WEB.replace('  name: web\n  labels: {app: web}', '  labels:\n    app: web\n  name: web')), true],
  ];
  for (const [what, other, same] of cases) it(`${what}: ${same ? 'same' : 'new'} uid`, () => (same ? assert.equal(other, base) : assert.notEqual(other, base)));
});

describe('parseManifest: refused files', () => {
  const cases: [string, string, RegExp][] = [
    ['an empty file', '', /the file is empty/],
    ['broken YAML', 'apiVersion: v1\nkind: Pod\nspec: {containers: [', /couldn't parse as pod/],
    ['two documents', `${WEB}---\n${WEB}`, /holds 2 YAML documents; a manifest file holds one Pod/],
    ['a list', '- a\n- b\n', /not a YAML or JSON object/],
    ['no kind', 'apiVersion: v1\nmetadata: {name: x}\n', /Object 'Kind' is missing/],
    ['no apiVersion', 'kind: Pod\nmetadata: {name: x}\n', /Object 'apiVersion' is missing/],
    ['a Deployment', WEB.replace('apiVersion: v1\nkind: Pod', 'apiVersion: apps/v1\nkind: Deployment'), /apps\/v1, Kind=Deployment is not v1, Kind=Pod/],
    ['no name', WEB.replace('  name: web\n', ''), /metadata\.name: Required value/],
    ['an invalid name', WEB.replace('name: web', 'name: Web_1'), /invalid pod: \[metadata\.name: Invalid value: "Web_1-node-1"/],
    ['no containers', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n', /spec\.containers: Required value/],
    ['containers of the wrong type', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: 5}\n', /couldn't parse as pod/],
    ['a bad restart policy', WEB.replace('spec:', 'spec:\n  restartPolicy: Sometimes'), /spec\.restartPolicy: Unsupported value: "Sometimes"/],
    ['spec not an object', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: 3\n', /spec must be an object/],
  ];
  for (const [what, text, message] of cases) {
    it(what, () => {
      assert.throws(() => parse(text), (e: unknown) => {
        assert.ok(e instanceof ManifestError, `a ManifestError, not ${String(e)}`);
        assert.match(e.message, message);
        return true;
      });
    });
  }
});

describe('static and mirror pods', () => {
  const pod = parse(WEB);
  const mirror: Pod = { metadata: { name: 'web-node-1', namespace: 'default', uid: 'api-uid', annotations: { 'kubernetes.io/config.mirror': podHash(pod)! } } };
  const apiPod: Pod = { metadata: { name: 'web-node-1', namespace: 'default', uid: 'x' } };
  const cases: [string, boolean, boolean][] = [
    ['a parsed manifest', isStaticPod(pod), true],
    ['a parsed manifest is no mirror', isMirrorPod(pod), false],
    ['a mirror', isMirrorPod(mirror), true],
    ['a mirror is not static', isStaticPod(mirror), false],
    ['a pod from the API', isStaticPod({ metadata: { annotations: { 'kubernetes.io/config.source': 'api' } } }), false],
    ['a mirror of this version', isMirrorPodOf(mirror, pod), true],
    ['a mirror of an older version', isMirrorPodOf(mirror, parse(WEB.replace("'3600'", "'1'"))), false],
    ['a pod of that name but no mirror', isMirrorPodOf(apiPod, pod), false],
  ];
  for (const [what, got, want] of cases) it(`${what}: ${want}`, () => assert.equal(got, want));

  it('mirrorOf finds the mirror by namespace/name, not one being deleted or of another version', () => {
    const lookup = (p: Pod) => (key: string) => (key === 'default/web-node-1' ? p : undefined);
    assert.equal(mirrorOf(pod, lookup(mirror)), mirror);
    assert.equal(mirrorOf(pod, lookup(apiPod)), undefined);
    assert.equal(mirrorOf(pod, lookup({ ...mirror, metadata: { ...mirror.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } })), undefined);
    assert.equal(mirrorOf(pod, () => undefined), undefined);
  });
});
