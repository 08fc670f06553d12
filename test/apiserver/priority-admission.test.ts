// The Priority admission plugin through a real API server: the system PriorityClasses bootstrap
// creates, a new pod's priority and preemption policy from its class (or the global default),
// upstream's Forbidden messages, and at most one global default class.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { StatusError, type StatusReason } from '../../src/apimachinery/errors.js';
import type { ResourceClient } from '../../src/client/types.js';
import { PODS } from '../../src/client/resources.js';
import { type ControlPlane, startControlPlane } from '../controllers/harness.js';

const PRIORITY_CLASSES = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  resource: 'priorityclasses',
  kind: 'PriorityClass',
  namespaced: false,
};

const priorityClass = (name: string, value: number, extra: Partial<PriorityClass> = {}): PriorityClass => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
  ...extra,
});

const pod = (name: string, spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
});

async function rejects(fn: () => Promise<unknown>, reason: StatusReason, code: number): Promise<StatusError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    assert.equal(e.reason, reason, e.message);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${reason}`);
}

describe('Priority admission', () => {
  let cp: ControlPlane;
  let pods: ResourceClient<Pod>;
  let classes: ResourceClient<PriorityClass>;

  before(async () => {
    cp = await startControlPlane();
    pods = cp.client.resource<Pod>(PODS);
    classes = cp.client.resource<PriorityClass>(PRIORITY_CLASSES);
    await classes.create(priorityClass('high', 1000));
    await classes.create(priorityClass('polite', 500, { preemptionPolicy: 'Never' }));
  });
  after(() => cp.stop());

  test('bootstrap creates the system PriorityClasses', async () => {
    const byName = new Map((await classes.list('')).items.map((pc) => [pc.metadata?.name, pc]));
    for (const [name, value, description] of [
      ['system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.'],
      ['system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.'],
    ] as const) {
      const pc = byName.get(name);
      assert.ok(pc, `${name} exists`);
      assert.equal(pc.value, value);
      assert.equal(pc.description, description);
      assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
      assert.ok(!pc.globalDefault);
    }
  });

  const admitted: { name: string; spec: Partial<Pod['spec']>; className?: string; priority: number; policy: string }[] = [
    { name: 'no-class', spec: {}, priority: 0, policy: 'PreemptLowerPriority' },
    { name: 'user-class', spec: { priorityClassName: 'high' }, className: 'high', priority: 1000, policy: 'PreemptLowerPriority' },
    { name: 'never-class', spec: { priorityClassName: 'polite' }, className: 'polite', priority: 500, policy: 'Never' },
    { name: 'system-class', spec: { priorityClassName: 'system-node-critical' }, className: 'system-node-critical', priority: 2000001000, policy: 'PreemptLowerPriority' },
    { name: 'same-priority', spec: { priorityClassName: 'high', priority: 1000 }, className: 'high', priority: 1000, policy: 'PreemptLowerPriority' },
    { name: 'same-policy', spec: { priorityClassName: 'polite', preemptionPolicy: 'Never' }, className: 'polite', priority: 500, policy: 'Never' },
    { name: 'zero-no-class', spec: { priority: 0 }, priority: 0, policy: 'PreemptLowerPriority' },
  ];
  for (const c of admitted) {
    test(`admits ${c.name}: priority ${c.priority}, ${c.policy}`, async () => {
      const created = await pods.create(pod(c.name, c.spec));
      assert.equal(created.spec?.priority, c.priority);
      assert.equal(created.spec?.preemptionPolicy, c.policy);
      assert.equal(created.spec?.priorityClassName, c.className);
      const stored = await pods.get('default', c.name);
      assert.equal(stored.spec?.priority, c.priority);
    });
  }

  const refused: { name: string; spec: Partial<Pod['spec']>; message: string }[] = [
    { name: 'missing-class', spec: { priorityClassName: 'nope' }, message: 'pods "missing-class" is forbidden: no PriorityClass with name nope was found' },
    {
      name: 'other-priority',
      spec: { priorityClassName: 'high', priority: 7 },
      message:
        'pods "other-priority" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
    },
    {
      name: 'priority-no-class',
      spec: { priority: 3 },
      message:
        'pods "priority-no-class" is forbidden: the integer value of priority (3) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name',
    },
    {
      name: 'other-policy',
      spec: { priorityClassName: 'polite', preemptionPolicy: 'PreemptLowerPriority' },
      message:
        'pods "other-policy" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name',
    },
  ];
  for (const c of refused) {
    test(`refuses ${c.name} with 403`, async () => {
      const err = await rejects(() => pods.create(pod(c.name, c.spec)), 'Forbidden', 403);
      assert.equal(err.message, c.message);
      await rejects(() => pods.get('default', c.name), 'NotFound', 404);
    });
  }

  test("an update may not change a pod's priority", async () => {
    const current = await pods.get('default', 'user-class');
    current.spec!.priority = 5;
    const err = await rejects(() => pods.update(current), 'Invalid', 422);
    assert.match(err.message, /spec: Forbidden: pod updates may not change fields/);
  });

  test('an update that leaves priority and preemptionPolicy out keeps them', async () => {
    const current = await pods.get('default', 'user-class');
    delete current.spec!.priority;
    delete current.spec!.preemptionPolicy;
    current.metadata!.labels = { replaced: 'yes' };
    const updated = await pods.update(current);
    assert.equal(updated.spec?.priority, 1000);
    assert.equal(updated.spec?.preemptionPolicy, 'PreemptLowerPriority');
    assert.equal(updated.metadata?.labels?.replaced, 'yes');
  });

  test('a pod without a class takes the global default class', async () => {
    await classes.create(priorityClass('fallback', 42, { globalDefault: true, preemptionPolicy: 'Never' }));
    const created = await pods.create(pod('defaulted'));
    assert.equal(created.spec?.priorityClassName, 'fallback');
    assert.equal(created.spec?.priority, 42);
    assert.equal(created.spec?.preemptionPolicy, 'Never');
    // A named class still wins over the default.
    const named = await pods.create(pod('named-over-default', { priorityClassName: 'high' }));
    assert.equal(named.spec?.priority, 1000);
    const err = await rejects(() => pods.create(pod('policy-vs-default', { preemptionPolicy: 'PreemptLowerPriority' })), 'Forbidden', 403);
    assert.match(err.message, /priority admission controller computed Never from the given PriorityClass name$/);
  });

  test('only one PriorityClass may be the global default', async () => {
    const second = await rejects(() => classes.create(priorityClass('another', 1, { globalDefault: true })), 'Forbidden', 403);
    assert.equal(second.message, 'priorityclasses.scheduling.k8s.io "another" is forbidden: PriorityClass fallback is already marked as default. Only one default can exist');
    await rejects(() => classes.get('', 'another'), 'NotFound', 404);

    const high = await classes.get('', 'high');
    high.globalDefault = true;
    const promoted = await rejects(() => classes.update(high), 'Forbidden', 403);
    assert.match(promoted.message, /PriorityClass fallback is already marked as default/);
    assert.ok(!(await classes.get('', 'high')).globalDefault);

    // The default itself may still be updated.
    const fallback = await classes.get('', 'fallback');
    fallback.description = 'the fallback';
    assert.equal((await classes.update(fallback)).description, 'the fallback');

    // Once it is gone, another class may take its place and pods follow it.
    await classes.delete('', 'fallback');
    await classes.create(priorityClass('another', 1, { globalDefault: true }));
    assert.equal((await pods.create(pod('after-switch'))).spec?.priority, 1);
  });
});
