// upstream MoreImportantPod: priority first, then start time; pods not started yet count as
// starting now, and two of them are equally important even when the clock ticks between reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { moreImportant } from '../../../../src/scheduler/plugins/defaultpreemption/victims.js';

const pod = (priority: number, startTime?: string): Pod => ({ spec: { priority, containers: [] }, status: startTime ? { startTime } : {} });

test('moreImportant: priority, then earlier start; unstarted pods tie whatever the clock does', (t) => {
  let clock = Date.parse('2025-01-01T00:00:00Z');
  t.mock.method(Date, 'now', () => clock++);
  assert.ok(moreImportant(pod(10), pod(5)) < 0);
  assert.ok(moreImportant(pod(5, '2024-01-01T00:00:00Z'), pod(5, '2024-01-02T00:00:00Z')) < 0);
  assert.ok(moreImportant(pod(5, '2024-01-01T00:00:00Z'), pod(5)) < 0, 'a started pod is older than one not started');
  for (let i = 0; i < 5; i++) assert.equal(moreImportant(pod(5), pod(5)), 0);
  const sorted = [pod(5), pod(5), pod(5)].map((p, i) => ({ ...p, metadata: { name: `p${i}` } })).sort(moreImportant);
  assert.deepEqual(sorted.map((p) => p.metadata.name), ['p0', 'p1', 'p2']);
});
