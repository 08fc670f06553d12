// pickOneNodeForPreemption: each rule narrows the candidates until one is left (upstream
// pickOneNodeForPreemption and the TestSelectBestCandidate cases): fewest PDB violations, lowest
// highest-priority victim, smallest sum of priorities (each offset by 2^31 so that negative
// priorities do not make more victims look cheaper), fewest victims, latest earliest start among
// the highest-priority victims, then the first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pickOneNodeForPreemption, type Candidate } from '../../../../src/scheduler/plugins/defaultpreemption/select.js';

const NEG = -100;
const LOW = 0;
const MID = 100;
const HIGH = 1000;
const MIN_INT32 = -(2 ** 31);

/** A victim: priority and start time in seconds after the epoch (null: not started). */
const v = (priority: number, startSec: number | null = 0): Pod => ({
  metadata: { name: `p${priority}-${startSec}` },
  spec: { containers: [], priority },
  status: startSec === null ? {} : { startTime: new Date(startSec * 1000).toISOString() },
});

/** A candidate; victims are given most important first, as selectVictimsOnNode returns them. */
const c = (nodeName: string, victims: Pod[], numPDBViolations = 0): Candidate => ({ nodeName, victims: { pods: victims, numPDBViolations } });

describe('pickOneNodeForPreemption', () => {
  const cases: { name: string; candidates: Candidate[]; want: string }[] = [
    {
      name: 'fewest PDB violations first, whatever the priorities',
      candidates: [c('n1', [v(LOW)], 1), c('n2', [v(HIGH), v(HIGH)], 0), c('n3', [v(NEG)], 2)],
      want: 'n2',
    },
    {
      name: 'then the lowest highest-priority victim (upstream: node with min highest priority pod)',
      candidates: [c('n1', [v(MID), v(MID)]), c('n2', [v(MID), v(LOW)]), c('n3', [v(LOW), v(LOW)])],
      want: 'n3',
    },
    {
      name: 'the highest-priority victim beats the count: one high victim loses to three low ones',
      candidates: [c('n1', [v(HIGH)]), c('n2', [v(LOW), v(LOW), v(LOW)])],
      want: 'n2',
    },
    {
      name: 'same highest priority: smallest sum (upstream: minimum sum of priorities)',
      candidates: [c('n1', [v(MID), v(MID)]), c('n2', [v(MID), v(LOW)]), c('n3', [v(MID), v(MID)])],
      want: 'n2',
    },
    {
      // Without the offset n1 would sum to -100 and win over n2 (0), although it evicts more pods.
      name: 'sum of adjusted priorities: negative priorities do not make more victims cheaper',
      candidates: [c('n1', [v(MID), v(NEG), v(NEG)]), c('n2', [v(MID), v(NEG)]), c('n3', [v(MID), v(LOW), v(NEG)])],
      want: 'n2',
    },
    {
      name: 'upstream: non-overlapping lowest high priority, sum priorities, and number of pods',
      candidates: [
        c('n1', [v(MID), v(LOW), v(LOW)]),
        c('n2', [v(HIGH)]),
        c('n3', [v(MID), v(LOW), v(LOW), v(LOW)]),
        c('n4', [v(MID), v(MID), v(MID), v(NEG)]),
      ],
      want: 'n1',
    },
    {
      // Adjusted sums: n1 = 0 + 2^31, n2 = (0 + 2^31) + (MIN_INT32 + 2^31) = 2^31: equal, so the count decides.
      name: 'same highest priority and adjusted sum: fewest victims',
      candidates: [c('n2', [v(LOW), v(MIN_INT32)]), c('n1', [v(LOW)])],
      want: 'n1',
    },
    {
      name: 'then the latest start among the top victims (upstream: different start time for each node)',
      candidates: [c('n1', [v(MID, 2), v(MID, 2)]), c('n2', [v(MID, 3), v(MID, 3)]), c('n3', [v(MID, 1), v(MID, 1)])],
      want: 'n2',
    },
    {
      name: 'the earliest of the top victims counts (upstream: different start time for all pods)',
      candidates: [c('n1', [v(MID, 4), v(MID, 2)]), c('n2', [v(MID, 5), v(MID, 1)]), c('n3', [v(MID, 3), v(MID, 6)])],
      want: 'n3',
    },
    {
      name: 'only the highest-priority victims start times count (upstream: different priority, same number of victims)',
      candidates: [c('n1', [v(MID, 2), v(LOW, 4)]), c('n2', [v(MID, 6), v(LOW, 1)]), c('n3', [v(MID, 5), v(LOW, 3)])],
      want: 'n2',
    },
    {
      name: 'a top victim not started yet counts as starting now: the latest',
      candidates: [c('n1', [v(MID, 10)]), c('n2', [v(MID, null)]), c('n3', [v(MID, 20)])],
      want: 'n2',
    },
    {
      name: 'all tied: the first',
      candidates: [c('n2', [v(MID, 1)]), c('n1', [v(MID, 1)]), c('n3', [v(MID, 1)])],
      want: 'n2',
    },
    {
      name: 'an earlier rule decides even when later rules would disagree',
      // n1 has fewer victims and a later start, but a higher top priority.
      candidates: [c('n1', [v(MID, 100)]), c('n2', [v(LOW, 1), v(LOW, 1), v(LOW, 1)])],
      want: 'n2',
    },
    { name: 'a single candidate', candidates: [c('only', [v(HIGH)], 3)], want: 'only' },
  ];
  for (const t of cases) {
    it(t.name, () => assert.equal(pickOneNodeForPreemption(t.candidates)?.nodeName, t.want));
  }

  it('returns the candidate itself, victims and all', () => {
    const best = c('n1', [v(LOW)]);
    assert.equal(pickOneNodeForPreemption([c('n0', [v(MID)]), best]), best);
  });

  it('no candidates: undefined', () => {
    assert.equal(pickOneNodeForPreemption([]), undefined);
  });

  it('does not reorder or change the candidates it is given', () => {
    const list = [c('n1', [v(MID)]), c('n2', [v(LOW)])];
    const copy = structuredClone(list);
    pickOneNodeForPreemption(list);
    assert.deepEqual(list, copy);
  });
});
