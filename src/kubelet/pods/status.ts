// A pod's status as the kubelet reports it (upstream generateAPIPodStatus / getPhase): each
// container's state (waiting with a reason, running, terminated) and last state, restart count
// and readiness; the phase; the Initialized, PodReadyToStartContainers, ContainersReady and Ready
// conditions (PodScheduled is the scheduler's and stays); the pod and host IPs.
import type { Container, ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../apimachinery/time.js';
import type { ContainerStatus } from '../runtime/types.js';

/** What the worker knows of one container beyond the runtime's records. */
export interface ContainerView {
  /** The newest attempt's runtime status (undefined: never created). */
  current?: ContainerStatus;
  /** The attempt before it (for lastState). */
  previous?: ContainerStatus;
  /** Why the container is not running when the worker knows better than the runtime (CrashLoopBackOff, config errors). */
  waiting?: { reason: string; message?: string };
  /** Readiness from probes; undefined: ready when running (no readiness probe). */
  ready?: boolean;
  /** False while a startup probe has not succeeded. */
  started?: boolean;
}

export interface StatusInput {
  pod: Pod;
  views: Map<string, ContainerView>;
  podIP?: string;
  hostIP?: string;
  sandboxReady: boolean;
  startTime: Date;
  now?: Date;
}

const nsToTime = (ns: bigint): string => rfc3339(new Date(Number(ns / 1_000_000n)));
export const RUNTIME_SCHEME = 'process://';

function stateOf(s: ContainerStatus): ContainerState {
  if (s.state === 'CONTAINER_RUNNING') return { running: { startedAt: nsToTime(s.startedAt) } };
  if (s.state === 'CONTAINER_EXITED') {
    return {
      terminated: {
        exitCode: s.exitCode,
        reason: s.reason || (s.exitCode === 0 ? 'Completed' : 'Error'),
        ...(s.message ? { message: s.message } : {}),
        startedAt: s.startedAt ? nsToTime(s.startedAt) : undefined,
        finishedAt: s.finishedAt ? nsToTime(s.finishedAt) : undefined,
        containerID: `${RUNTIME_SCHEME}${s.id}`,
      },
    };
  }
  return { waiting: { reason: 'ContainerCreating' } };
}

function containerStatus(c: Container, v: ContainerView | undefined): ApiContainerStatus {
  const cur = v?.current;
  const running = cur?.state === 'CONTAINER_RUNNING';
  const state: ContainerState = v?.waiting ? { waiting: { reason: v.waiting.reason, ...(v.waiting.message ? { message: v.waiting.message } : {}) } } : cur ? stateOf(cur) : { waiting: { reason: 'ContainerCreating' } };
  // A restarting container shows its last run as lastState (the current attempt is waiting).
  const last = v?.waiting && cur?.state === 'CONTAINER_EXITED' ? cur : v?.previous;
  return {
    name: c.name,
    image: c.image ?? '',
    imageID: cur ? `${RUNTIME_SCHEME}${c.image ?? ''}` : '',
    ...(cur ? { containerID: `${RUNTIME_SCHEME}${cur.id}` } : {}),
    ready: running && !v?.waiting && v?.ready !== false && v?.started !== false,
    started: running && !v?.waiting && v?.started !== false,
    restartCount: cur?.metadata.attempt ?? 0,
    state,
    lastState: last?.state === 'CONTAINER_EXITED' ? stateOf(last) : {},
  };
}

const succeeded = (s: ApiContainerStatus) => s.state?.terminated?.exitCode === 0;
const isSidecar = (c: Container) => c.restartPolicy === 'Always';

/** upstream getPhase, for the statuses just computed. */
export function phaseOf(pod: Pod, init: ApiContainerStatus[], main: ApiContainerStatus[]): PodStatus['phase'] {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const initContainers = pod.spec?.initContainers ?? [];
  for (let i = 0; i < init.length; i++) {
    if (isSidecar(initContainers[i]!)) continue;
    const s = init[i]!;
    if (succeeded(s)) continue;
    if (s.state?.terminated && policy === 'Never') return 'Failed';
    return 'Pending';
  }
  let running = 0;
  let waitingNeverRan = 0;
  let stopped = 0;
  let failed = 0;
  for (const s of main) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (!succeeded(s)) failed++;
    } else if (s.lastState?.terminated) {
      // Waiting to restart: it ran before.
      stopped++;
      if (s.lastState.terminated.exitCode !== 0) failed++;
    } else waitingNeverRan++;
  }
  if (waitingNeverRan > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === main.length && main.length > 0) {
    if (policy === 'Always') return 'Running';
    if (failed === 0) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, prior: PodCondition[] | undefined, now: Date, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const old = prior?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null as unknown as undefined,
    lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now),
    ...(!ok && reason ? { reason } : {}),
    ...(!ok && message ? { message } : {}),
  };
}

export function podStatus(input: StatusInput): PodStatus {
  const { pod } = input;
  const now = input.now ?? new Date();
  const init = (pod.spec?.initContainers ?? []).map((c) => containerStatus(c, input.views.get(c.name)));
  const main = (pod.spec?.containers ?? []).map((c) => containerStatus(c, input.views.get(c.name)));
  const phase = phaseOf(pod, init, main);
  const prior = pod.status?.conditions;
  const initContainers = pod.spec?.initContainers ?? [];
  const initialized = init.every((s, i) => (isSidecar(initContainers[i]!) ? s.started : succeeded(s)));
  const notReady = main.filter((s) => !s.ready).map((s) => s.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = notReady.length === 0 && !terminal;
  const notReadyMessage = `containers with unready status: [${notReady.join(' ')}]`;
  const pendingInit = init.filter((s) => !succeeded(s) && !s.started).map((s) => s.name);
  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', input.sandboxReady && !terminal, prior, now),
    condition('Initialized', initialized, prior, now, 'ContainersNotInitialized', `containers with incomplete status: [${pendingInit.join(' ')}]`),
    condition('Ready', containersReady, prior, now, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : notReadyMessage),
    condition('ContainersReady', containersReady, prior, now, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : notReadyMessage),
  ];
  // The scheduler's condition stays; a pod created with spec.nodeName gets it from the kubelet, as upstream.
  conditions.push(prior?.find((c) => c.type === 'PodScheduled') ?? condition('PodScheduled', true, prior, now));
  return {
    phase,
    conditions,
    ...(input.hostIP ? { hostIP: input.hostIP, hostIPs: [{ ip: input.hostIP }] } : {}),
    ...(input.podIP ? { podIP: input.podIP, podIPs: [{ ip: input.podIP }] } : {}),
    startTime: rfc3339(input.startTime),
    ...(init.length ? { initContainerStatuses: init } : {}),
    containerStatuses: main,
    qosClass: pod.status?.qosClass,
  };
}
