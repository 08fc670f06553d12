// The service proxy of one node (upstream: kube-proxy) as a Runnable: Services and
// EndpointSlices from informers, and a sync loop that programs the chosen dataplane with the
// caches' current contents whenever they change (level-triggered: each sync is computed from
// the whole cache, so a missed or coalesced event cannot leave anything behind). Changes within
// `minSyncIntervalMs` of each other are applied together; a failed sync is retried; every
// `resyncIntervalMs` the dataplane is re-checked even without changes.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { InformerFactory } from '../client/cache/informer-factory.js';
import type { SharedInformer } from '../client/cache/types.js';
import { ENDPOINT_SLICES, SERVICES } from '../client/resources.js';
import type { Client } from '../client/types.js';
import type { Logger } from '../logging/index.js';
import type { Runnable } from '../manager/index.js';
import { chooseDataplane, type Dataplane, type DataplaneOptions, type DataplaneSync, type ProxyMode } from './dataplane.js';
import { proxyMetrics } from './metrics.js';

export interface ServiceProxyOptions extends Omit<DataplaneOptions, 'logger'> {
  client: Client;
  logger: Logger;
  /** `auto` (default): nftables when available, else userspace. */
  mode?: ProxyMode | 'auto';
  /** Changes closer together than this are applied in one sync (default 50 ms). */
  minSyncIntervalMs?: number;
  /** A sync without changes this often (default 30 s). */
  resyncIntervalMs?: number;
  /** Wait after a failed sync (default 1 s). */
  retryMs?: number;
  /** Tests only: this dataplane instead of the chosen one. */
  dataplane?: Dataplane;
  /** Informers shared with the node's other parts (their owner starts them); default: its own. */
  informers?: InformerFactory;
}

export interface ProxyStatus {
  mode: ProxyMode | undefined;
  syncs: number;
  lastSync?: DataplaneSync & { at: string };
  lastError?: string;
}

export class ServiceProxy implements Runnable {
  readonly name = 'service-proxy';
  private readonly informers: InformerFactory;
  private readonly services: SharedInformer<Service>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private dataplane: Dataplane | undefined;
  private dirty = true;
  /** When the oldest change not yet applied arrived (network programming latency). */
  private pendingSince: number | undefined;
  private wake: (() => void) | undefined;
  private readonly readyPromise: Promise<void>;
  private markReady!: () => void;
  private readonly status: ProxyStatus = { mode: undefined, syncs: 0 };
  private lastWarnings = new Set<string>();

  constructor(private readonly opts: ServiceProxyOptions) {
    this.informers = opts.informers ?? new InformerFactory(opts.client, opts.logger);
    this.services = this.informers.for<Service>(SERVICES);
    this.slices = this.informers.for<EndpointSlice>(ENDPOINT_SLICES);
    this.readyPromise = new Promise((r) => (this.markReady = r));
    const changed = () => this.changed();
    this.services.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    this.slices.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  /** Resolves after the first successful sync of the synced caches. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  snapshot(): ProxyStatus {
    return { ...this.status };
  }

  /** The current dataplane, for people: the nftables table or the userspace listeners. */
  async listing(): Promise<string> {
    if (!this.dataplane) return '# the service proxy has not started yet\n';
    const s = this.status;
    const head = [`# mode: ${this.dataplane.mode}`, `# syncs: ${s.syncs}${s.lastSync ? `, last at ${s.lastSync.at} (${s.lastSync.durationMs.toFixed(1)} ms, ${s.lastSync.servicePorts} service ports)` : ''}`];
    if (s.lastError) head.push(`# last error: ${s.lastError}`);
    return `${head.join('\n')}\n${await this.dataplane.listing()}`;
  }

  async start(signal: AbortSignal): Promise<void> {
    const { logger } = this.opts;
    const dataplane = this.opts.dataplane ?? (await chooseDataplane(this.opts.mode ?? 'auto', this.opts));
    this.dataplane = dataplane;
    this.status.mode = dataplane.mode;
    const own = !this.opts.informers;
    if (own) this.informers.start(signal);
    try {
      if (await this.informers.waitForCacheSync(signal)) await this.loop(signal);
    } finally {
      this.wake?.();
      if (own) await this.informers.stopped();
      await dataplane.close();
      logger.info({ mode: dataplane.mode }, 'service proxy stopped');
    }
  }

  private changed(): void {
    this.dirty = true;
    this.pendingSince ??= performance.now();
    if (this.dataplane) proxyMetrics.lastQueued.set({ mode: this.dataplane.mode }, Date.now() / 1000);
    this.wake?.();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const minInterval = this.opts.minSyncIntervalMs ?? 50;
    const resync = this.opts.resyncIntervalMs ?? 30_000;
    let lastSync = 0;
    while (!signal.aborted) {
      if (!this.dirty) await this.sleep(resync, signal);
      if (signal.aborted) break;
      const since = performance.now() - lastSync;
      if (since < minInterval) await this.sleep(minInterval - since, signal, false);
      if (signal.aborted) break;
      lastSync = performance.now();
      const ok = await this.syncOnce();
      if (ok) this.markReady();
      else await this.sleep(this.opts.retryMs ?? 1000, signal, false);
    }
  }

  /** One sync from the caches; false when it failed (the next attempt rewrites as needed). */
  private async syncOnce(): Promise<boolean> {
    const dataplane = this.dataplane!;
    const mode = dataplane.mode;
    const pendingSince = this.pendingSince;
    this.dirty = false;
    this.pendingSince = undefined;
    try {
      const r = await dataplane.sync(this.services.store.list(), this.slices.store.list());
      this.status.syncs++;
      this.status.lastSync = { ...r, at: new Date().toISOString() };
      this.status.lastError = undefined;
      this.record(r, mode, pendingSince);
      // Each said once while it lasts, not on every sync (a port that cannot be opened stays so).
      for (const w of r.warnings) if (!this.lastWarnings.has(w)) this.opts.logger.warn({ mode }, `service proxy: ${w}`);
      this.lastWarnings = new Set(r.warnings);
      return true;
    } catch (e) {
      this.dirty = true;
      this.pendingSince = Math.min(this.pendingSince ?? Infinity, pendingSince ?? performance.now());
      this.status.lastError = (e as Error).message;
      proxyMetrics.syncErrors.inc({ mode });
      this.opts.logger.error({ err: e, mode }, 'service proxy: sync failed (retrying)');
      return false;
    }
  }

  private record(r: DataplaneSync, mode: ProxyMode, pendingSince: number | undefined): void {
    if (r.noop && pendingSince === undefined) return;
    const seconds = r.durationMs / 1000;
    proxyMetrics.syncDuration.observe({ mode }, seconds);
    (r.full ? proxyMetrics.fullSyncDuration : proxyMetrics.partialSyncDuration).observe({ mode }, seconds);
    proxyMetrics.lastSync.set({ mode }, Date.now() / 1000);
    proxyMetrics.servicePorts.set({ mode }, r.servicePorts);
    if (pendingSince !== undefined) proxyMetrics.programmingDuration.observe({ mode }, (performance.now() - pendingSince) / 1000);
    if (mode === 'nftables') for (const [kind, n] of Object.entries(r.objects)) proxyMetrics.rules.set({ kind }, n);
    else proxyMetrics.listeners.set(r.objects.listeners ?? 0);
    this.opts.logger.debug({ mode, ms: Math.round(r.durationMs), full: r.full, ...r.objects }, 'service proxy synced');
  }

  /** Sleeps up to `ms`; a change ends the sleep early when `wakeOnChange`. */
  private sleep(ms: number, signal: AbortSignal, wakeOnChange = true): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      if (wakeOnChange) this.wake = done;
    });
  }
}
