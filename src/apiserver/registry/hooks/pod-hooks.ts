// Graceful pod deletion, as upstream's pod strategy: a pod bound to a node gets its grace period
// (the request's, else spec.terminationGracePeriodSeconds, else 30 s) for its kubelet to stop it
// and delete it with grace 0; a pod never scheduled, or already finished, goes at once.
// A new pod's priority comes from its PriorityClass (the Priority admission plugin).
import type { Pod } from 'kubernetes-types/core/v1.js';
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
