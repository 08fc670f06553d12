// ImageLocality (upstream plugins/imagelocality): favours nodes that already hold the pod's
// images. Each image present counts its size scaled by the fraction of all nodes holding it (so
// a ubiquitous image does not pull every pod onto one node); the sum is clamped to
// [23MiB, 1000MiB x containers] and mapped linearly onto 0..MAX_NODE_SCORE.
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  type CycleState,
  MAX_NODE_SCORE,
  type NodeInfo,
  type PreScorePlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
  SUCCESS,
} from '../../framework/types.js';

export const IMAGE_LOCALITY = 'ImageLocality';
const PRE_SCORE_KEY = `PreScore${IMAGE_LOCALITY}`;

const MB = 1024 * 1024;
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

interface PreScoreState {
  /** The pod's images, normalized (init containers too). */
  images: string[];
  /** Nodes in the whole snapshot (not just the feasible ones), as upstream. */
  totalNodes: number;
  /** For each normalized image the pod uses, how many nodes hold it. */
  nodesWithImage: Map<string, number>;
}

/** The name a runtime reports for an image: `:latest` added when no tag is given (a digest counts as one). */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

function podImages(pod: Pod): string[] {
  // Upstream counts init containers too (and divides by their number below).
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => normalizedImageName(c.image ?? ''));
}

/** The score for a sum of scaled image sizes (upstream calculatePriority). */
export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const clamped = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  if (maxThreshold <= MIN_THRESHOLD) return 0;
  return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

function computeState(pod: Pod, totalNodes: number, nodesHolding: (image: string) => number): PreScoreState {
  const images = podImages(pod);
  const nodesWithImage = new Map<string, number>();
  for (const image of images) if (!nodesWithImage.has(image)) nodesWithImage.set(image, nodesHolding(image));
  return { images, totalNodes, nodesWithImage };
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = IMAGE_LOCALITY;

  /** Counts, over every node of the snapshot, how many hold each of the pod's images. */
  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[], snapshot: Snapshot): Status {
    state.write(PRE_SCORE_KEY, computeState(pod, snapshot.nodeInfos().length, (image) => snapshot.imageNodeCount(image)));
    return SUCCESS;
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    // Without PreScore there is no cluster view: the node is taken as the only one (spread 1).
    const s = state.read<PreScoreState>(PRE_SCORE_KEY) ?? computeState(pod, 1, (image) => (node.imageSizes.has(image) ? 1 : 0));
    let sum = 0;
    const images = s.images;
    if (node.imageSizes.size === 0) return calculatePriority(0, images.length);
    for (const image of images) {
      const size = node.imageSizes.get(image);
      if (size === undefined || s.totalNodes === 0) continue;
      // int64(float64(size) * spread), as upstream.
      sum += Math.trunc(size * ((s.nodesWithImage.get(image) ?? 0) / s.totalNodes));
    }
    return calculatePriority(sum, images.length);
  }
}
