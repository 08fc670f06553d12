// Node health as upstream's node lifecycle controller judges it (tryUpdateNodeHealth): a node is
// alive while its kubelet keeps changing either its Ready condition's heartbeat or its Lease's
// renewTime, both measured on this controller's own clock (so clock skew between machines does
// not matter). Silent for longer than the grace period, every condition the kubelet owns turns
// Unknown. Pure apart from the remembered observations: the controller writes.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/core/v1/semantic-equal.js';

/** The conditions a silent kubelet can no longer vouch for; NetworkUnavailable is the network's. */
export const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

interface Observation {
  /** When this controller last saw a sign of life (ms on its clock). */
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  status: NodeStatus | undefined;
  leaseRenewTime: string | undefined;
}

export interface HealthCheck {
  /** The Ready condition as the node carried it (a made-up Unknown one when it has none). */
  observedReady: NodeCondition;
  /** The Ready condition after the check: Unknown when the node went silent. */
  currentReady: NodeCondition | undefined;
  /** The status to write (conditions turned Unknown), when the check changed the Ready condition. */
  newStatus?: NodeStatus;
}

export const readyCondition = (status: NodeStatus | undefined): NodeCondition | undefined => status?.conditions?.find((c) => c.type === 'Ready');

const renewedAfter = (a: string | undefined, b: string | undefined): boolean => !!a && (!b || Date.parse(a) > Date.parse(b));

export class NodeHealthTracker {
  private readonly observations = new Map<string, Observation>();

  constructor(
    /** How long a kubelet may stay silent (upstream's nodeMonitorGracePeriod, 40 s). */
    private readonly gracePeriodMs: number,
    /** How long a node that never posted a Ready condition has (nodeStartupGracePeriod, 60 s). */
    private readonly startupGracePeriodMs: number,
  ) {}

  /**
   * Looks at a node (and its Lease) at `now`; `node` is this controller's own copy. Records what
   * it saw, and returns the status to write when the node went silent.
   */
  check(node: Node, lease: Lease | undefined, now: number, nowText: string): HealthCheck {
    const name = node.metadata?.name ?? '';
    const created = node.metadata?.creationTimestamp;
    const createdMs = created ? Date.parse(created) : now;
    let obs = this.observations.get(name);
    const current = readyCondition(node.status);
    let observedReady: NodeCondition;
    let grace: number;
    if (!current) {
      // The kubelet never posted a status: pretend it did at creation, with the startup grace.
      observedReady = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: created, lastTransitionTime: created };
      grace = this.startupGracePeriodMs;
      if (obs) obs.status = node.status;
      else obs = { status: node.status, probeTimestamp: createdMs, readyTransitionTimestamp: createdMs, leaseRenewTime: undefined };
    } else {
      observedReady = { ...current };
      grace = this.gracePeriodMs;
    }
    const saved = obs ? readyCondition(obs.status) : undefined;
    const savedLease = obs?.leaseRenewTime;
    if (!obs || (!saved && current) || (saved && !current)) {
      obs = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: now, leaseRenewTime: savedLease };
    } else if (saved && current && saved.lastHeartbeatTime !== current.lastHeartbeatTime) {
      const transition = saved.lastTransitionTime !== current.lastTransitionTime ? now : obs.readyTransitionTimestamp;
      obs = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: transition, leaseRenewTime: savedLease };
    }
    // A renewed lease is a sign of life even when the status has not moved.
    const renewTime = lease?.spec?.renewTime;
    if (renewedAfter(renewTime, savedLease)) {
      obs.leaseRenewTime = renewTime;
      obs.probeTimestamp = now;
    }
    this.observations.set(name, obs);

    if (now <= obs.probeTimestamp + grace) return { observedReady, currentReady: current };
    const status: NodeStatus = { ...node.status, conditions: (node.status?.conditions ?? []).map((c) => ({ ...c })) };
    for (const type of KUBELET_CONDITIONS) {
      const c = status.conditions!.find((x) => x.type === type);
      if (!c) {
        status.conditions!.push({
          type,
          status: 'Unknown',
          reason: 'NodeStatusNeverUpdated',
          message: 'Kubelet never posted node status.',
          lastHeartbeatTime: created,
          lastTransitionTime: nowText,
        });
      } else if (c.status !== 'Unknown') {
        Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: nowText });
      }
    }
    const currentReady = readyCondition(status);
    if (semanticEqual(currentReady, observedReady)) return { observedReady, currentReady };
    return { observedReady, currentReady, newStatus: status };
  }

  /** Records a status this controller wrote (the next check must not take it for a heartbeat). */
  wrote(name: string, status: NodeStatus, now: number): void {
    const obs = this.observations.get(name);
    this.observations.set(name, {
      status,
      probeTimestamp: obs?.probeTimestamp ?? now,
      readyTransitionTimestamp: now,
      leaseRenewTime: obs?.leaseRenewTime,
    });
  }

  /** The last status seen or written for a node. */
  status(name: string): NodeStatus | undefined {
    return this.observations.get(name)?.status;
  }

  has(name: string): boolean {
    return this.observations.has(name);
  }

  forget(name: string): void {
    this.observations.delete(name);
  }

  /** Leaving full disruption: every node gets a fresh grace period (upstream resets the probes). */
  resetProbes(now: number): void {
    for (const obs of this.observations.values()) {
      obs.probeTimestamp = now;
      obs.readyTransitionTimestamp = now;
    }
  }
}
