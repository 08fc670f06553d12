// Leader election on a coordination.k8s.io Lease, as client-go's leaderelection: candidates try to
// take the lease every retryPeriod; a lease is free once its holder has not renewed it for
// leaseDuration, measured on the candidate's own clock from when it last saw the lease change (so
// clock skew between machines does not matter); the leader renews every retryPeriod and steps down
// if it cannot renew within renewDeadline. Writes carry the resourceVersion read, so two
// candidates can never both win the same round.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { isAlreadyExists, isConflict, isNotFound } from '../apimachinery/errors.js';
import type { Logger } from '../logging/index.js';
import { sleep } from '../manager/index.js';
import { LEASES } from './resources.js';
import type { Client } from './types.js';
import { microTime } from '../apimachinery/time.js';

export interface LeaderElectionOptions {
  client: Client;
  namespace: string;
  name: string;
  identity: string;
  logger: Logger;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}


export class LeaderElector {
  private leading = false;
  private observed: { rv: string; at: number } | undefined;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs) throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Contends for the lease until the signal aborts; while leading, runs `lead` with a signal that
   * aborts when leadership is lost (then contends again) or when `signal` aborts (then releases
   * the lease so a successor need not wait out its duration).
   */
  async run(signal: AbortSignal, lead: (signal: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.tryAcquireOrRenew())) {
        await sleep(this.retryPeriodMs, signal);
        continue;
      }
      this.leading = true;
      this.opts.logger.info({ lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity }, 'became leader');
      const term = new AbortController();
      const onAbort = () => term.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const work = lead(term.signal).catch((e) => {
        this.opts.logger.error({ err: e }, 'leader work failed');
      });
      await this.renewUntilLost(term.signal);
      term.abort();
      signal.removeEventListener('abort', onAbort);
      await work;
      this.leading = false;
      if (signal.aborted) await this.release();
      else this.opts.logger.info({ lease: `${this.opts.namespace}/${this.opts.name}` }, 'leadership lost');
    }
  }

  private async renewUntilLost(signal: AbortSignal): Promise<void> {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(this.retryPeriodMs, signal);
      if (signal.aborted) return;
      if (await this.tryAcquireOrRenew()) lastRenew = Date.now();
      else if (Date.now() - lastRenew >= this.renewDeadlineMs) return;
    }
  }

  /** One round: true if this candidate holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.opts;
    const leases = client.resource<Lease>(LEASES);
    const now = new Date();
    const spec = (prior?: Lease['spec']) => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: prior?.holderIdentity === identity && prior.acquireTime ? prior.acquireTime : microTime(now),
      renewTime: microTime(now),
      // Any change of holder counts, taking over a released (holderless) lease included, as
      // client-go counts every acquisition by a candidate that was not the observed leader.
      leaseTransitions: (prior?.leaseTransitions ?? 0) + (prior && prior.holderIdentity !== identity ? 1 : 0),
    });
    let lease: Lease;
    try {
      lease = await leases.get(namespace, name);
    } catch (e) {
      if (!isNotFound(e)) return this.failed(e);
      try {
        const created = await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: spec() });
        this.observe(created);
        return true;
      } catch (err) {
        if (isAlreadyExists(err)) return false;
        return this.failed(err);
      }
    }
    this.observe(lease);
    const holder = lease.spec?.holderIdentity;
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    if (holder && holder !== identity && this.observed!.at + durationMs > Date.now()) return false;
    try {
      const updated = await leases.update({ ...lease, spec: spec(lease.spec) });
      this.observe(updated);
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      return this.failed(e);
    }
  }

  private observe(lease: Lease): void {
    const rv = lease.metadata?.resourceVersion ?? '';
    if (this.observed?.rv !== rv) this.observed = { rv, at: Date.now() };
  }

  private failed(e: unknown): false {
    this.opts.logger.debug({ err: e, lease: this.opts.name }, 'leader election round failed');
    return false;
  }

  /** Gives the lease up (holder cleared, 1 s duration), as client-go's ReleaseOnCancel. */
  private async release(): Promise<void> {
    const leases = this.opts.client.resource<Lease>(LEASES);
    try {
      const lease = await leases.get(this.opts.namespace, this.opts.name);
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      await leases.update({ ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } });
    } catch (e) {
      this.opts.logger.debug({ err: e }, 'lease not released');
    }
  }
}
