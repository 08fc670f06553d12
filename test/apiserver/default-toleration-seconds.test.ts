// The DefaultTolerationSeconds admission plugin: new pods tolerate the not-ready and unreachable
// NoExecute taints for 300 s unless they already tolerate them (wildcards count).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { PODS } from '../../src/client/resources.js';
import { admitDefaultTolerationSeconds } from '../../src/apiserver/registry/hooks/pod-hooks.js';
import { type ControlPlane, startControlPlane } from '../controllers/harness.js';

const NOT_READY: Toleration = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const UNREACHABLE: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

const admitted = (tolerations?: Toleration[]): Toleration[] | undefined => {
  const pod: Pod = { spec: { containers: [], tolerations } };
  admitDefaultTolerationSeconds(pod);
  return pod.spec!.tolerations;
};

test('which tolerations are added', () => {
  const own: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 6000 };
  const cases: [string, Toleration[] | undefined, Toleration[] | undefined][] = [
    ['none: both, not-ready first', undefined, [NOT_READY, UNREACHABLE]],
    ['others kept in front', [{ key: 'gpu', operator: 'Exists' }], [{ key: 'gpu', operator: 'Exists' }, NOT_READY, UNREACHABLE]],
    ['its own unreachable toleration wins', [own], [own, NOT_READY]],
    ['any effect of the key counts', [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }], [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }, UNREACHABLE]],
    ['a wildcard tolerates both', [{ operator: 'Exists' }], [{ operator: 'Exists' }]],
    ['a NoSchedule toleration does not count', [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }], [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }, NOT_READY, UNREACHABLE]],
  ];
  for (const [name, input, want] of cases) assert.deepEqual(admitted(input), want, name);
});

describe('through the API server', () => {
  let cp: ControlPlane;
  before(async () => {
    cp = await startControlPlane();
  });
  after(async () => {
    await cp.stop();
  });

  test('a created pod carries the default tolerations; updates keep them', async () => {
    const pods = cp.client.resource<Pod>(PODS);
    const created = await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    assert.deepEqual(created.spec?.tolerations, [NOT_READY, UNREACHABLE]);
    const got = await pods.get('default', 'p');
    assert.deepEqual(got.spec?.tolerations, [NOT_READY, UNREACHABLE]);
    const updated = await pods.update({ ...got, metadata: { ...got.metadata, labels: { a: 'b' } } });
    assert.deepEqual(updated.spec?.tolerations, [NOT_READY, UNREACHABLE]);
  });
});
