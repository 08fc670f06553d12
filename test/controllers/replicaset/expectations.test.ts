import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPECTATIONS_TIMEOUT_MS, Expectations } from '../../../src/controllers/replicaset/expectations.js';

const KEY = 'default/rs';

test('a controller with no record may act', () => {
  assert.equal(new Expectations().satisfied(KEY), true);
});

test('creations: pending until each is observed', () => {
  const e = new Expectations(() => 0);
  e.expectCreations(KEY, 3);
  const seen: boolean[] = [];
  for (let i = 0; i < 3; i++) {
    seen.push(e.satisfied(KEY));
    e.creationObserved(KEY);
  }
  seen.push(e.satisfied(KEY));
  assert.deepEqual(seen, [false, false, false, true]);
  assert.deepEqual(e.pending(KEY), { add: 0, del: 0 });
});

test('deletions: each awaited pod counts once, others not at all', () => {
  const e = new Expectations(() => 0);
  e.expectDeletions(KEY, ['default/a', 'default/b']);
  e.deletionObserved(KEY, 'default/a');
  e.deletionObserved(KEY, 'default/a'); // the update with deletionTimestamp, then the delete
  e.deletionObserved(KEY, 'default/zzz'); // not one of ours
  assert.equal(e.satisfied(KEY), false);
  assert.deepEqual(e.pending(KEY), { add: 0, del: 1 });
  e.deletionObserved(KEY, 'default/b');
  assert.equal(e.satisfied(KEY), true);
});

test('an unobserved record expires after the timeout', () => {
  let now = 1000;
  const e = new Expectations(() => now);
  e.expectCreations(KEY, 1);
  now += EXPECTATIONS_TIMEOUT_MS;
  assert.equal(e.satisfied(KEY), false, 'exactly at the timeout it still waits');
  now += 1;
  assert.equal(e.satisfied(KEY), true);
});

test('expectations replace each other, and delete forgets', () => {
  const e = new Expectations(() => 0);
  e.expectDeletions(KEY, ['default/a']);
  e.expectCreations(KEY, 2);
  assert.deepEqual(e.pending(KEY), { add: 2, del: 0 });
  e.deletionObserved(KEY, 'default/a');
  assert.deepEqual(e.pending(KEY), { add: 2, del: 0 }, 'the old delete set went with the old record');
  e.delete(KEY);
  assert.equal(e.pending(KEY), undefined);
  assert.equal(e.satisfied(KEY), true);
  e.creationObserved(KEY); // observing for nobody does nothing
  assert.equal(e.pending(KEY), undefined);
});

test('keys are independent', () => {
  const e = new Expectations(() => 0);
  e.expectCreations('ns/a', 1);
  e.creationObserved('ns/b');
  assert.equal(e.satisfied('ns/a'), false);
  assert.equal(e.satisfied('ns/b'), true);
});
