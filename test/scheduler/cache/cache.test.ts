import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { SchedulerCache } from '../../../src/scheduler/cache/cache.js';

const node = (name: string): Node => ({ metadata: { name }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } });
const pod = (name: string, cpu: string, nodeName?: string): Pod => ({
  metadata: { name, namespace: 'ns', uid: `uid-${name}` },
  spec: { nodeName, containers: [{ name: 'c', resources: { requests: { cpu } } }] },
});

describe('SchedulerCache', () => {
  it('counts bound and assumed pods on their nodes; forget and confirm adjust the sums', () => {
    const c = new SchedulerCache();
    c.addOrUpdateNode(node('n1'));
    c.addOrUpdatePod(pod('bound', '1', 'n1'));
    const n1 = () => c.snapshot().get('n1')!;
    assert.equal(n1().requested.milliCpu, 1000);
    c.assume(pod('a', '500m'), 'n1');
    assert.equal(n1().requested.milliCpu, 1500);
    assert.equal(c.isAssumed(pod('a', '500m')), true);
    c.forget(pod('a', '500m'));
    assert.equal(n1().requested.milliCpu, 1000);
    c.assume(pod('b', '250m'), 'n1');
    c.addOrUpdatePod(pod('b', '250m', 'n1')); // the informer confirms the binding
    assert.equal(c.isAssumed(pod('b', '250m')), false);
    assert.equal(n1().requested.milliCpu, 1250, 'counted once');
    c.removePod(pod('bound', '1', 'n1'));
    assert.equal(n1().requested.milliCpu, 250);
    assert.equal(n1().pods.length, 1);
  });

  it('pods seen before their node are counted when the node arrives; expired assumptions go', () => {
    let t = 0;
    const c = new SchedulerCache(() => t);
    c.addOrUpdatePod(pod('early', '2', 'late-node'));
    c.addOrUpdateNode(node('late-node'));
    assert.equal(c.snapshot().get('late-node')!.requested.milliCpu, 2000);
    c.assume(pod('x', '1'), 'late-node', 1000);
    t = 1001;
    c.cleanupExpired();
    assert.equal(c.snapshot().get('late-node')!.requested.milliCpu, 2000);
    c.removeNode('late-node');
    assert.equal(c.snapshot().nodeInfos().length, 0);
  });
});
