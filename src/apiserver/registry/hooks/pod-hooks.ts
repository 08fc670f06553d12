// Graceful pod deletion, as upstream's pod strategy: a pod bound to a node gets its grace period
// (the request's, else spec.terminationGracePeriodSeconds, else 30 s) for its kubelet to stop it
// and delete it with grace 0; a pod never scheduled, or already finished, goes at once.
// A new pod's priority comes from its PriorityClass (the Priority admission plugin), and it
// tolerates not-ready and unreachable nodes for 300 s (DefaultTolerationSeconds).
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { StoreHooks } from '../hooks.js';
import { type PriorityClassSource, admitPodPriority } from './priority-admission.js';

export interface PodHooksOptions {
  /** Where the Priority admission plugin reads PriorityClasses; absent, pods are not admitted by it. */
  priorityClasses?: PriorityClassSource;
}

export function podHooks(opts: PodHooksOptions = {}): StoreHooks<Pod> {
  const { priorityClasses } = opts;
  return {
    async beforeCreate(pod) {
      if (priorityClasses) await admitPodPriority(pod, priorityClasses);
      admitDefaultTolerationSeconds(pod);
    },
    gracePeriodSeconds(pod, requested) {
      if (!pod.spec?.nodeName) return 0;
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return 0;
      const grace = requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      // upstream: a negative grace period means 1 second.
      return grace < 0 ? 1 : grace;
    },
  };
}

/** upstream's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/**
 * The DefaultTolerationSeconds admission plugin: a pod without a toleration of the not-ready or
 * unreachable NoExecute taint gets one for 300 s, so the taint eviction controller deletes it 5
 * minutes after its node fails. A toleration with an empty key (any taint) or empty effect (any
 * effect) already counts.
 */
export function admitDefaultTolerationSeconds(pod: Pod): void {
  const tolerations = pod.spec?.tolerations ?? [];
  const tolerates = (key: string) => tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
  const added: Toleration[] = [];
  for (const key of [NOT_READY, UNREACHABLE]) {
    if (!tolerates(key)) added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  if (added.length && pod.spec) pod.spec.tolerations = [...tolerations, ...added];
}
