import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { adoptPatch, claimAction, type ClaimAction, releasePatch } from '../../../src/controllers/replicaset/claim.js';
import { podFromTemplate, podNamePrefix } from '../../../src/controllers/replicaset/pod-template.js';

const OWNER = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid' };
const ref = (uid: string, controller = true) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid, controller });

function pod(o: { refs?: ReturnType<typeof ref>[]; ns?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name: 'p',
      namespace: o.ns ?? 'default',
      uid: 'pod-uid',
      ...(o.refs ? { ownerReferences: o.refs } : {}),
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
  };
}

test('claimAction', () => {
  const live = { uid: 'rs-uid', namespace: 'default', deleting: false };
  const dying = { ...live, deleting: true };
  const cases: { name: string; pod: Pod; controller: typeof live; matches: boolean; want: ClaimAction }[] = [
    { name: 'ours, matching', pod: pod({ refs: [ref('rs-uid')] }), controller: live, matches: true, want: 'keep' },
    { name: 'ours, matching, while we are deleted', pod: pod({ refs: [ref('rs-uid')] }), controller: dying, matches: true, want: 'keep' },
    { name: 'ours, no longer matching', pod: pod({ refs: [ref('rs-uid')] }), controller: live, matches: false, want: 'release' },
    { name: 'ours, not matching, while we are deleted', pod: pod({ refs: [ref('rs-uid')] }), controller: dying, matches: false, want: 'ignore' },
    { name: 'another controller\'s', pod: pod({ refs: [ref('other')] }), controller: live, matches: true, want: 'ignore' },
    { name: 'orphan, matching', pod: pod(), controller: live, matches: true, want: 'adopt' },
    { name: 'orphan with a non-controller owner', pod: pod({ refs: [ref('other', false)] }), controller: live, matches: true, want: 'adopt' },
    { name: 'orphan, not matching', pod: pod(), controller: live, matches: false, want: 'ignore' },
    { name: 'orphan, while we are deleted', pod: pod(), controller: dying, matches: true, want: 'ignore' },
    { name: 'orphan being deleted', pod: pod({ deleting: true }), controller: live, matches: true, want: 'ignore' },
    { name: 'orphan in another namespace', pod: pod({ ns: 'other' }), controller: live, matches: true, want: 'ignore' },
  ];
  for (const c of cases) assert.equal(claimAction(c.pod, c.controller, c.matches), c.want, c.name);
});

test('adopt and release patches name the pod uid and merge ownerReferences by uid', () => {
  assert.deepEqual(adoptPatch(OWNER, 'pod-uid'), {
    metadata: {
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
      uid: 'pod-uid',
    },
  });
  assert.deepEqual(releasePatch('rs-uid', 'pod-uid'), { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'rs-uid' }], uid: 'pod-uid' } });
});

test('podFromTemplate copies labels, annotations, finalizers and spec, and names the controller', () => {
  const template: PodTemplateSpec = {
    metadata: { labels: { app: 'web' }, annotations: { a: 'b' }, finalizers: ['f'], name: 'ignored' },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  };
  const p = podFromTemplate(template, 'ns1', OWNER);
  assert.deepEqual(p.metadata, {
    namespace: 'ns1',
    generateName: 'web-',
    labels: { app: 'web' },
    annotations: { a: 'b' },
    finalizers: ['f'],
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
  });
  assert.deepEqual(p.spec, template.spec);
  p.spec!.containers[0]!.image = 'changed';
  p.metadata!.labels!.app = 'changed';
  assert.equal(template.spec!.containers[0]!.image, 'nginx', 'the template is not shared');
  assert.equal(template.metadata!.labels!.app, 'web');
});

test('podNamePrefix falls back to the bare name when the dash would not fit', () => {
  assert.equal(podNamePrefix('web'), 'web-');
  const long = 'a'.repeat(253);
  assert.equal(podNamePrefix(long), long);
  assert.equal(podNamePrefix('a'.repeat(252)), `${'a'.repeat(252)}-`);
});
