// Probe workers, as upstream's prober manager: one per container and probe type, started with the
// container (after initialDelaySeconds) and run every periodSeconds. A result changes only after
// successThreshold successes or failureThreshold failures in a row. Readiness starts as not
// ready; liveness and readiness wait for a startup probe to succeed; a liveness or startup
// failure kills the container (the pod worker then restarts it as its restart policy says).
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { RuntimeService } from '../runtime/types.js';
import { runProbe } from './probe.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

export interface RunningContainer {
  container: Container;
  containerId: string;
}

export interface ProbeManagerOptions {
  runtime: RuntimeService;
  /** A result changed: the pod's status should be computed again. */
  onChange(uid: string): void;
  /** A liveness or startup probe failed for good: the container must be killed. */
  onFailure(pod: Pod, container: Container, containerId: string, type: ProbeType, message: string, graceSeconds: number): void;
}

class Worker {
  result: boolean | undefined;
  private successes = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly m: ProbeManager,
    readonly type: ProbeType,
    readonly containerId: string,
    private readonly probe: Probe,
    private pod: Pod,
    private readonly container: Container,
    private podIP: string,
  ) {
    this.result = type === 'readiness' ? false : undefined;
    this.schedule((probe.initialDelaySeconds ?? 0) * 1000);
  }

  update(pod: Pod, podIP: string): void {
    this.pod = pod;
    this.podIP = podIP;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const uid = this.pod.metadata!.uid!;
    // Liveness and readiness wait until the startup probe (if any) succeeded.
    if (this.type !== 'startup' && this.m.startupPending(uid, this.container)) return this.schedule((this.probe.periodSeconds ?? 10) * 1000);
    const r = await runProbe(this.probe, { pod: this.pod, container: this.container, containerId: this.containerId, podIP: this.podIP, runtime: this.m.runtime });
    if (this.stopped) return;
    if (r.ok) {
      this.failures = 0;
      this.successes++;
      if (this.successes >= (this.probe.successThreshold ?? 1)) this.set(true);
    } else {
      this.successes = 0;
      this.failures++;
      if (this.failures >= (this.probe.failureThreshold ?? 3)) {
        this.set(false);
        if (this.type !== 'readiness') {
          const grace = this.probe.terminationGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
          this.m.opts.onFailure(this.pod, this.container, this.containerId, this.type, r.message, grace);
          return this.stop();
        }
      }
    }
    // A startup probe has done its work once it succeeded.
    if (this.type === 'startup' && this.result === true) return this.stop();
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }

  private set(v: boolean): void {
    if (this.result === v) return;
    this.result = v;
    this.m.opts.onChange(this.pod.metadata!.uid!);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

const PROBES: [ProbeType, (c: Container) => Probe | undefined][] = [
  ['startup', (c) => c.startupProbe],
  ['liveness', (c) => c.livenessProbe],
  ['readiness', (c) => c.readinessProbe],
];

export class ProbeManager {
  private readonly workers = new Map<string, Worker>();

  constructor(readonly opts: ProbeManagerOptions) {}

  get runtime(): RuntimeService {
    return this.opts.runtime;
  }

  private key(uid: string, container: string, type: ProbeType): string {
    return `${uid}/${container}/${type}`;
  }

  /** Starts workers for newly running containers, stops those of containers that are gone. */
  update(pod: Pod, running: RunningContainer[], podIP: string): void {
    const uid = pod.metadata!.uid!;
    const wanted = new Set<string>();
    for (const { container, containerId } of running) {
      for (const [type, of] of PROBES) {
        const probe = of(container);
        if (!probe) continue;
        const key = this.key(uid, container.name, type);
        wanted.add(key);
        const w = this.workers.get(key);
        if (w && w.containerId === containerId) {
          w.update(pod, podIP);
          continue;
        }
        w?.stop();
        this.workers.set(key, new Worker(this, type, containerId, probe, pod, container, podIP));
      }
    }
    for (const [key, w] of this.workers) {
      if (key.startsWith(`${uid}/`) && !wanted.has(key)) {
        w.stop();
        this.workers.delete(key);
      }
    }
  }

  /** Readiness from the probe; undefined when the container has none (ready while running). */
  ready(uid: string, container: Container): boolean | undefined {
    if (!container.readinessProbe) return undefined;
    if (this.startupPending(uid, container)) return false;
    return this.workers.get(this.key(uid, container.name, 'readiness'))?.result ?? false;
  }

  /** A startup probe that has not succeeded yet. */
  startupPending(uid: string, container: Container): boolean {
    if (!container.startupProbe) return false;
    return this.workers.get(this.key(uid, container.name, 'startup'))?.result !== true;
  }

  removePod(uid: string): void {
    for (const [key, w] of this.workers) {
      if (!key.startsWith(`${uid}/`)) continue;
      w.stop();
      this.workers.delete(key);
    }
  }

  stopAll(): void {
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
  }
}
