// The pods table as upstream's printPod builds it: READY counts, the STATUS a user sees (init
// progress, container waiting/terminated reasons, Terminating), RESTARTS with "(5m ago)", and the
// wide IP / NODE / NOMINATED NODE / READINESS GATES columns.
import type { Container, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { AGE_COLUMN, age, humanDuration, NAME_COLUMN } from '../../printing.js';
import type { TableDefinition } from '../../types.js';

const isRestartable = (c: Container | undefined) => c?.restartPolicy === 'Always';
const finishedAt = (s: ContainerStatus) => {
  const t = s.lastState?.terminated?.finishedAt;
  return t ? Date.parse(t) : NaN;
};

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  /** Last time a counted container terminated (ms), NaN when unknown. */
  lastRestart: number;
}

/** upstream printPod's computation of READY, STATUS and RESTARTS. */
export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  let restarts = 0;
  let sidecarRestarts = 0;
  let total = spec?.containers?.length ?? 0;
  let ready = 0;
  let lastRestart = NaN;
  let lastSidecarRestart = NaN;
  const later = (a: number, b: number) => (Number.isNaN(a) || b > a ? b : a);

  let reason = status.reason || status.phase || '';
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const inits = new Map<string, Container>();
  for (const c of spec?.initContainers ?? []) {
    inits.set(c.name, c);
    if (isRestartable(c)) total++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (const [i, c] of initStatuses.entries()) {
    restarts += c.restartCount ?? 0;
    if (c.lastState?.terminated) lastRestart = later(lastRestart, finishedAt(c));
    const sidecar = isRestartable(inits.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastSidecarRestart = later(lastSidecarRestart, finishedAt(c));
    }
    const term = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
      else reason = `Init:${term.reason}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${spec?.initContainers?.length ?? 0}`;
    }
    initializing = true;
    break;
  }

  const initialized = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastRestart = later(lastRestart, finishedAt(c));
      const term = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose last reported container completed but another still runs shows Running.
    if (reason === 'Completed' && hasRunning) {
      const podReady = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && !terminal) reason = 'Terminating';

  return { ready, total, reason, restarts, lastRestart };
}

function podIP(pod: Pod): string {
  return pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '';
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let trueConditions = 0;
  for (const g of gates) {
    const c = (pod.status?.conditions ?? []).find((cond) => cond.type === g.conditionType);
    if (c?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

export const podTable: TableDefinition<Pod> = {
  columns: [
    NAME_COLUMN,
    { name: 'Ready', type: 'string', priority: 0, description: 'The aggregate readiness state of this pod for accepting traffic.' },
    { name: 'Status', type: 'string', priority: 0, description: 'The aggregate status of the containers in this pod.' },
    {
      name: 'Restarts',
      type: 'string',
      priority: 0,
      description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    },
    AGE_COLUMN,
    { name: 'IP', type: 'string', priority: 1, description: 'podIP address allocated to the pod. Routable at least within the cluster.' },
    { name: 'Node', type: 'string', priority: 1, description: 'NodeName indicates in which node this pod is scheduled.' },
    { name: 'Nominated Node', type: 'string', priority: 1, description: 'nominatedNodeName is set only when this pod preempts other pods on the node.' },
    { name: 'Readiness Gates', type: 'string', priority: 1, description: 'If specified, all readiness gates will be evaluated for pod readiness.' },
  ],
  cells(pod, now) {
    const s = summarizePod(pod);
    let restarts = String(s.restarts);
    if (s.restarts !== 0 && !Number.isNaN(s.lastRestart)) restarts += ` (${humanDuration(now.getTime() - s.lastRestart)} ago)`;
    return [
      pod.metadata?.name ?? '',
      `${s.ready}/${s.total}`,
      s.reason,
      restarts,
      age(pod.metadata?.creationTimestamp, now),
      podIP(pod) || '<none>',
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
};
