import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import {
  AbsentOwnerCache,
  classifyReferences,
  type OwnerLookup,
  ownerReferencesPatch,
  type Plan,
  planFor,
  type PlanInput,
  removeFinalizerPatch,
  unblockedReferences,
  withoutReferences,
} from '../../../src/controllers/garbagecollector/decisions.js';
import { ResourceMapper, splitApiVersion } from '../../../src/controllers/garbagecollector/rest-mapper.js';

const ref = (uid: string, extra: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: uid, uid, ...extra });
const ABSENT: OwnerLookup = { absent: true };
const LIVE: OwnerLookup = { absent: false };
const FOREGROUND: OwnerLookup = { absent: false, deletionTimestamp: 'now', finalizers: ['foregroundDeletion'] };
const ORPHANING: OwnerLookup = { absent: false, deletionTimestamp: 'now', finalizers: ['orphan'] };

test('classifyReferences', () => {
  const refs = [ref('a'), ref('b'), ref('c'), ref('d')];
  const c = classifyReferences(refs, [ABSENT, LIVE, FOREGROUND, ORPHANING]);
  assert.deepEqual(c.dangling.map((r) => r.uid), ['a']);
  assert.deepEqual(c.waiting.map((r) => r.uid), ['c']);
  // an owner being deleted without the foreground finalizer still owns (upstream: solid)
  assert.deepEqual(c.solid.map((r) => r.uid), ['b', 'd']);
});

test('planFor', () => {
  const base: PlanInput = { solid: [], dangling: [], waiting: [], finalizers: [], hasDependents: false, dependentDeletingDependents: false };
  const cases: { name: string; input: Partial<PlanInput>; plan: Plan }[] = [
    { name: 'only live owners', input: { solid: [ref('a')] }, plan: { action: 'none' } },
    { name: 'a live owner and a gone one', input: { solid: [ref('a')], dangling: [ref('b')] }, plan: { action: 'removeReferences', uids: ['b'] } },
    {
      name: 'a live owner and a foreground-deleting one',
      input: { solid: [ref('a')], dangling: [ref('b')], waiting: [ref('c')] },
      plan: { action: 'removeReferences', uids: ['b', 'c'] },
    },
    { name: 'all owners gone', input: { dangling: [ref('a'), ref('b')] }, plan: { action: 'delete', policy: 'Background', unblockFirst: false } },
    { name: 'owners gone, own orphan finalizer honoured', input: { dangling: [ref('a')], finalizers: ['orphan'] }, plan: { action: 'delete', policy: 'Orphan', unblockFirst: false } },
    {
      name: 'owners gone, own foreground finalizer honoured',
      input: { dangling: [ref('a')], finalizers: ['foregroundDeletion'] },
      plan: { action: 'delete', policy: 'Foreground', unblockFirst: false },
    },
    { name: 'owner waiting, no dependents of its own', input: { waiting: [ref('a')] }, plan: { action: 'delete', policy: 'Background', unblockFirst: false } },
    { name: 'owner waiting, with dependents', input: { waiting: [ref('a')], hasDependents: true }, plan: { action: 'delete', policy: 'Foreground', unblockFirst: false } },
    {
      name: 'owner waiting, a dependent waiting too (cycle guard)',
      input: { waiting: [ref('a')], dangling: [ref('b')], hasDependents: true, dependentDeletingDependents: true },
      plan: { action: 'delete', policy: 'Foreground', unblockFirst: true },
    },
  ];
  for (const c of cases) assert.deepEqual(planFor({ ...base, ...c.input }), c.plan, c.name);
});

test('reference and finalizer patches', () => {
  const obj = {
    metadata: {
      uid: 'me',
      resourceVersion: '7',
      ownerReferences: [ref('a', { blockOwnerDeletion: true }), ref('b')],
      finalizers: ['orphan', 'example.com/x'],
    },
  };
  const kept = withoutReferences(obj, ['a']);
  assert.deepEqual(kept, [ref('b')]);
  assert.deepEqual(ownerReferencesPatch(obj, kept), { metadata: { uid: 'me', resourceVersion: '7', ownerReferences: [ref('b')] } });
  assert.deepEqual(ownerReferencesPatch(obj, []), { metadata: { uid: 'me', resourceVersion: '7', ownerReferences: null } }, 'an empty list removes the field');
  assert.deepEqual(unblockedReferences(obj), [ref('a', { blockOwnerDeletion: false }), ref('b')]);
  assert.deepEqual(removeFinalizerPatch(obj, 'orphan'), { metadata: { resourceVersion: '7', finalizers: ['example.com/x'] } });
  assert.equal(removeFinalizerPatch(obj, 'foregroundDeletion'), undefined, 'nothing to remove');
  assert.deepEqual(removeFinalizerPatch({ metadata: { resourceVersion: '1', finalizers: ['orphan'] } }, 'orphan'), {
    metadata: { resourceVersion: '1', finalizers: null },
  });
});

test('AbsentOwnerCache: keyed by namespace, least recently used goes first', () => {
  const c = new AbsentOwnerCache(2);
  c.add('ns1', 'u1');
  assert.equal(c.has('ns1', 'u1'), true);
  assert.equal(c.has('ns2', 'u1'), false, 'absent from one namespace says nothing of another');
  c.add('', 'u2');
  c.has('ns1', 'u1'); // u1 used last: u2 is the oldest now
  c.add('', 'u3');
  assert.deepEqual([c.has('ns1', 'u1'), c.has('', 'u2'), c.has('', 'u3')], [true, false, true]);
});

test('ResourceMapper', () => {
  const m = new ResourceMapper([
    { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true },
    { group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', namespaced: false },
  ]);
  assert.equal(m.resolve('v1', 'ConfigMap')?.resource, 'configmaps');
  assert.equal(m.resolve('autoscaling/v1', 'HorizontalPodAutoscaler')?.version, 'v2', 'another version of the group maps to the served one');
  assert.equal(m.resolve('example.com/v1', 'Widget')?.namespaced, false);
  assert.equal(m.resolve('apps/v1', 'ConfigMap'), undefined, 'the group counts');
  assert.equal(m.resolve('v1', 'Gadget'), undefined);
  assert.deepEqual(splitApiVersion('apps/v1'), { group: 'apps', version: 'v1' });
  assert.deepEqual(splitApiVersion('v1'), { group: '', version: 'v1' });
});
