import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import {
  DependencyGraph,
  FOREGROUND_FINALIZER,
  type ObservedObject,
  ORPHAN_FINALIZER,
  referencesDiff,
} from '../../../src/controllers/garbagecollector/graph.js';

const ref = (uid: string, extra: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: `cm-${uid}`, uid, ...extra });

function obj(uid: string, owners: OwnerReference[] = [], extra: Partial<ObservedObject> = {}): ObservedObject {
  return { identity: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: `cm-${uid}`, uid }, ownerReferences: owners, ...extra };
}
const deleting = (finalizer: string) => ({ deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: [finalizer] });
const sorted = (a: string[]) => [...a].sort();

test('an owner not yet seen becomes a virtual node to verify', () => {
  const g = new DependencyGraph();
  assert.deepEqual(g.observe(obj('dep', [ref('own')])), ['own']);
  const owner = g.get('own')!;
  assert.equal(owner.observed, false);
  assert.deepEqual(owner.identity, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'cm-own', uid: 'own' });
  assert.deepEqual([...owner.dependents], ['dep']);
  // a second dependent of the same virtual owner asks for nothing more
  assert.deepEqual(g.observe(obj('dep2', [ref('own')])), []);
  // observing the owner makes it real, keeping its dependents; nothing to do for a live owner
  assert.deepEqual(g.observe(obj('own')), []);
  assert.equal(g.get('own')!.observed, true);
  assert.deepEqual(sorted(g.dependentsOf('own').map((d) => d.identity.uid)), ['dep', 'dep2']);
});

test('a foreground deletion starting asks for the owner and all its dependents, once', () => {
  const g = new DependencyGraph();
  g.observe(obj('own'));
  g.observe(obj('a', [ref('own')]));
  g.observe(obj('b', [ref('own', { blockOwnerDeletion: true })]));
  assert.deepEqual(sorted(g.observe(obj('own', [], deleting(FOREGROUND_FINALIZER)))), ['a', 'b', 'own']);
  assert.equal(g.get('own')!.deletingDependents, true);
  assert.deepEqual(g.observe(obj('own', [], deleting(FOREGROUND_FINALIZER))), [], 'no transition, no work');
  assert.deepEqual(g.blockingDependents('own').map((d) => d.identity.uid), ['b']);
});

test('an orphan deletion starting asks for the owner', () => {
  const g = new DependencyGraph();
  g.observe(obj('own'));
  g.observe(obj('a', [ref('own')]));
  assert.deepEqual(g.observe(obj('own', [], deleting(ORPHAN_FINALIZER))), ['own']);
  assert.equal(g.get('own')!.orphaningDependents, true);
  assert.equal(g.get('own')!.deletingDependents, false);
});

test('an owner first seen already being deleted in the foreground counts as a transition', () => {
  const g = new DependencyGraph();
  g.observe(obj('a', [ref('own')]));
  assert.deepEqual(sorted(g.observe(obj('own', [], deleting(FOREGROUND_FINALIZER)))), ['a', 'own']);
});

test('a dependent appearing while its owner waits in foreground deletion is processed', () => {
  const g = new DependencyGraph();
  g.observe(obj('own', [], deleting(FOREGROUND_FINALIZER)));
  assert.deepEqual(g.observe(obj('late', [ref('own')])), ['late']);
});

test('removing an owner asks for its dependents; removing a dependent asks for a waiting owner', () => {
  const g = new DependencyGraph();
  g.observe(obj('own'));
  g.observe(obj('a', [ref('own')]));
  g.observe(obj('b', [ref('own')]));
  assert.deepEqual(sorted(g.remove('own')), ['a', 'b']);
  assert.equal(g.get('own'), undefined);

  g.observe(obj('fg', [], deleting(FOREGROUND_FINALIZER)));
  g.observe(obj('c', [ref('fg', { blockOwnerDeletion: true })]));
  g.observe(obj('plain'));
  g.observe(obj('d', [ref('plain')]));
  assert.deepEqual(g.remove('c'), ['fg']);
  assert.deepEqual(g.get('fg')!.dependents.size, 0);
  assert.deepEqual(g.remove('d'), [], 'an owner not deleting its dependents is not asked for');
  assert.deepEqual(g.remove('nope'), []);
});

test('a virtual owner no dependent names any more is dropped', () => {
  const g = new DependencyGraph();
  g.observe(obj('a', [ref('ghost')]));
  g.remove('a');
  assert.equal(g.get('ghost'), undefined);
  assert.equal(g.size, 0);
});

test('references removed or unblocked release an owner; others do not', () => {
  const cases: { name: string; before: OwnerReference[]; after: OwnerReference[]; work: string[] }[] = [
    { name: 'blocking reference removed', before: [ref('own', { blockOwnerDeletion: true })], after: [], work: ['own'] },
    { name: 'blocking reference unblocked', before: [ref('own', { blockOwnerDeletion: true })], after: [ref('own', { blockOwnerDeletion: false })], work: ['own'] },
    { name: 'non-blocking reference removed', before: [ref('own')], after: [], work: [] },
    { name: 'reference made blocking', before: [ref('own')], after: [ref('own', { blockOwnerDeletion: true })], work: [] },
  ];
  for (const c of cases) {
    const g = new DependencyGraph();
    g.observe(obj('own'));
    g.observe(obj('dep', c.before));
    assert.deepEqual(g.observe(obj('dep', c.after)), c.work, c.name);
    assert.equal(g.get('own')!.dependents.has('dep'), c.after.length > 0, c.name);
  }
});

test('referencesDiff', () => {
  const a = ref('a');
  const b = ref('b');
  const b2 = ref('b', { controller: true });
  const c = ref('c');
  const d = referencesDiff([a, b], [b2, c]);
  assert.deepEqual(d.added, [c]);
  assert.deepEqual(d.removed, [a]);
  assert.deepEqual(d.changed, [[b, b2]]);
  const same = referencesDiff([ref('x', { controller: false })], [ref('x')]);
  assert.deepEqual(same, { added: [], removed: [], changed: [] }, 'false and unset are the same');
});
