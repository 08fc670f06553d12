import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { EndpointSliceTracker } from '../../../../src/controllers/endpointslice/util/tracker.js';

const slice = (uid: string, generation: number, svc = 'web'): EndpointSlice => ({
  metadata: { name: `s-${uid}`, namespace: 'default', uid, generation, labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4',
  endpoints: [],
});
const SVC = { metadata: { namespace: 'default', name: 'web', uid: 'svc-1' } };

test('shouldSync: unknown slices and newer generations; not our own echo', () => {
  const t = new EndpointSliceTracker();
  assert.equal(t.shouldSync(slice('a', 1)), true);
  t.update(slice('a', 2));
  assert.equal(t.shouldSync(slice('a', 2)), false);
  assert.equal(t.shouldSync(slice('a', 1)), false);
  assert.equal(t.shouldSync(slice('a', 3)), true);
  assert.equal(t.shouldSync(slice('b', 1)), true);
});

test('staleSlices', () => {
  const t = new EndpointSliceTracker();
  assert.equal(t.staleSlices(SVC, []), false, 'nothing tracked');
  t.update(slice('a', 2));
  assert.equal(t.staleSlices(SVC, [slice('a', 2)]), false, 'cache caught up');
  assert.equal(t.staleSlices(SVC, [slice('a', 3)]), false, 'cache ahead (someone else wrote)');
  assert.equal(t.staleSlices(SVC, [slice('a', 1)]), true, 'older generation in cache');
  assert.equal(t.staleSlices(SVC, []), true, 'our slice is missing from the cache');
  t.expectDeletion(slice('a', 2));
  assert.equal(t.staleSlices(SVC, [slice('a', 2)]), true, 'deleted slice still cached');
  assert.equal(t.staleSlices(SVC, []), false, 'deletion seen');
});

test('staleSlices forgets writes made for an earlier service of the same name', () => {
  const t = new EndpointSliceTracker();
  t.staleSlices(SVC, []);
  t.update(slice('a', 1));
  assert.equal(t.staleSlices(SVC, []), true);
  assert.equal(t.staleSlices({ metadata: { ...SVC.metadata, uid: 'svc-2' } }, []), false);
});

test('handleDeletion tells expected deletions from others', () => {
  const t = new EndpointSliceTracker();
  t.update(slice('a', 1));
  t.update(slice('b', 1));
  t.expectDeletion(slice('b', 1));
  assert.equal(t.has(slice('a', 1)), true);
  assert.equal(t.handleDeletion(slice('a', 1)), false, 'someone else deleted our slice');
  assert.equal(t.has(slice('a', 1)), false);
  assert.equal(t.handleDeletion(slice('b', 1)), true, 'we deleted it');
  assert.equal(t.handleDeletion(slice('c', 1)), true, 'never tracked');
  assert.equal(t.handleDeletion(slice('d', 1, 'other')), true, 'untracked service');
});

test('deleteService drops everything tracked for it', () => {
  const t = new EndpointSliceTracker();
  t.update(slice('a', 1));
  t.deleteService('default', 'web');
  assert.equal(t.has(slice('a', 1)), false);
  assert.equal(t.staleSlices(SVC, []), false);
});

test('observe tracks a slice found in the cache, without overriding what we wrote', () => {
  const t = new EndpointSliceTracker();
  t.observe(slice('a', 3));
  assert.equal(t.has(slice('a', 3)), true);
  assert.equal(t.shouldSync(slice('a', 3)), false);
  assert.equal(t.handleDeletion(slice('a', 3)), false, 'a deletion by others is noticed');
  t.expectDeletion(slice('b', 1));
  t.observe(slice('b', 1));
  assert.equal(t.handleDeletion(slice('b', 1)), true, 'still expected to go');
});
