// upstream helper.DefaultNormalizeScore: rescales raw scores from [0, max(scores)] onto
// [0, maxPriority] with Go's truncating integer division, optionally reversed (maxPriority - s)
// for plugins where a lower raw score is better (TaintToleration counts untolerated taints).
import type { NodeScore } from '../../framework/types.js';

/** Normalizes `scores` in place. Raw scores are assumed to be non-negative integers, as upstream. */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: NodeScore[]): void {
  let maxCount = 0;
  for (const s of scores) if (s.score > maxCount) maxCount = s.score;

  if (maxCount === 0) {
    // Every node scored 0: reversed, they are all equally "best"; otherwise left at 0.
    if (reverse) for (const s of scores) s.score = maxPriority;
    return;
  }
  for (const s of scores) {
    const scaled = Math.trunc((maxPriority * s.score) / maxCount);
    s.score = reverse ? maxPriority - scaled : scaled;
  }
}
