// Which node to preempt on (upstream pickOneNodeForPreemption): each rule in turn narrows the
// candidates, and the first rule that leaves one node decides: fewest PodDisruptionBudget
// violations, then the lowest highest-priority victim, the smallest sum of victim priorities,
// the fewest victims, the latest start among the highest-priority victims; else the first.
import type { Victims } from './victims.js';
import { priorityOf, startTimeOf } from './victims.js';

export interface Candidate {
  nodeName: string;
  victims: Victims;
}

const INT32_OFFSET = 2 ** 31;

const rules: ((c: Candidate) => number)[] = [
  (c) => -c.victims.numPDBViolations,
  (c) => -priorityOf(c.victims.pods[0]!),
  // Offset so that pods of negative priority do not make more victims look cheaper.
  (c) => -c.victims.pods.reduce((sum, p) => sum + priorityOf(p) + INT32_OFFSET, 0),
  (c) => -c.victims.pods.length,
  (c) => earliestStartOfHighestPriority(c.victims),
];

function earliestStartOfHighestPriority(v: Victims): number {
  const top = priorityOf(v.pods[0]!);
  let earliest = Number.POSITIVE_INFINITY;
  for (const p of v.pods) if (priorityOf(p) === top) earliest = Math.min(earliest, startTimeOf(p));
  return earliest;
}

export function pickOneNodeForPreemption(candidates: Candidate[]): Candidate | undefined {
  // A node that needs no victims at all is the best there can be (upstream returns it at once).
  const free = candidates.find((c) => c.victims.pods.length === 0);
  if (free) return free;
  let left = candidates;
  for (const rule of rules) {
    if (left.length <= 1) break;
    let best = Number.NEGATIVE_INFINITY;
    let next: Candidate[] = [];
    for (const c of left) {
      const score = rule(c);
      if (score > best) {
        best = score;
        next = [c];
      } else if (score === best) next.push(c);
    }
    left = next;
  }
  return left[0];
}
