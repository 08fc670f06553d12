// One scheduler benchmark case, in upstream scheduler_perf's order: create the nodes, create the
// existing pods and wait until they are all scheduled (not measured), then create the measured
// pods while sampling the binds, until all are bound or nothing is bound for the stall timeout.
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { ResourceType } from '../../src/client/types.js';
import type { SchedulerStats } from '../../src/scheduler/scheduler.js';
import { NAMESPACES, NODES, PODS } from '../../src/client/resources.js';
import { type BenchCase, type CaseCounts, scaled } from './cases.js';
import { type BenchCluster, inParallel, startCluster } from './cluster.js';
import { BindWatch, ThroughputCollector, type ThroughputSummary } from './throughput.js';

const PRIORITY_CLASSES: ResourceType = { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false };
/** Requests in flight while creating (upstream's createPods runs its creates in parallel too). */
const CONCURRENCY = 16;

export interface RunOptions {
  scale: number;
  tmpRoot: string;
  /** Give up when no pod is bound for this long. */
  stallMs: number;
  sampleIntervalMs: number;
}

export interface CaseResult {
  case: BenchCase;
  counts: CaseCounts;
  nodesMs: number;
  initMs: number;
  initBound: number;
  /** Time to send every measured pod's create. */
  createMs: number;
  /** From the first measured create to the last bind. */
  totalMs: number;
  bound: number;
  stalled: boolean;
  throughput: ThroughputSummary;
  latenciesMs: number[];
  /** This process's CPU time (user + system) from the first measured create to the end. */
  cpuMs: number;
  /** The wall time cpuMs was measured over. */
  wallMs: number;
  scheduler: SchedulerStats;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const progress = (line: string) => process.stderr.write(`    ... ${line}\n`);

/** Waits until `watch` counts `want` binds; false if none came for `stallMs`. Progress every 2 s. */
async function untilBound(watch: BindWatch, want: number, stallMs: number, what: string, stillCreating: () => boolean): Promise<boolean> {
  let lastCount = -1;
  let lastChange = performance.now();
  let lastPrint = performance.now();
  while (watch.bound < want) {
    const now = performance.now();
    if (watch.bound !== lastCount || stillCreating()) {
      lastCount = watch.bound;
      lastChange = now;
    } else if (now - lastChange > stallMs) {
      progress(`${what}: stalled at ${fmt(watch.bound)}/${fmt(want)} bound (nothing bound for ${stallMs / 1000} s)`);
      return false;
    }
    if (now - lastPrint > 2000) {
      progress(`${what}: ${fmt(watch.bound)}/${fmt(want)} bound`);
      lastPrint = now;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Whether the API resolves priorityClassName into spec.priority (undefined: not known yet). */
interface PriorityAdmission {
  resolves?: boolean;
}

/**
 * Creates pods `pod-0..count-1`. Until a Priority admission plugin resolves priorityClassName, the
 * first such pod's answer shows spec.priority missing, and later pods carry their class's value
 * themselves (upstream's admission accepts a spec.priority equal to the class's). That first pod
 * must be of a class of value 0, so its own priority is right either way.
 */
async function createPods(c: BenchCluster, count: number, ns: string, make: (name: string, ns: string) => Pod, classes: Map<string, number>, admission: PriorityAdmission): Promise<void> {
  const pods = c.client.resource<Pod>(PODS);
  const build = (i: number) => {
    const p = make(`pod-${i}`, ns);
    const cls = p.spec?.priorityClassName;
    if (admission.resolves === false && cls && classes.has(cls)) p.spec!.priority = classes.get(cls);
    return p;
  };
  let from = 0;
  const probe = build(0);
  const cls = probe.spec?.priorityClassName;
  if (count > 0 && cls && admission.resolves === undefined) {
    const first = await pods.create(probe);
    admission.resolves = first.spec?.priority !== undefined;
    if (!admission.resolves && (classes.get(cls) ?? 0) !== 0) throw new Error(`${ns}/pod-0 got no priority from PriorityClass ${cls}`);
    from = 1;
  }
  await inParallel(count - from, CONCURRENCY, (i) => pods.create(build(i + from)));
}

/** Creates in the background; `creating` is true until done (errors surface when awaited). */
function background(work: Promise<void>, done: () => void): Promise<void> {
  const p = work.finally(done);
  p.catch(() => undefined); // awaited later; a failure must not count as unhandled meanwhile
  return p;
}

export async function runCase(bc: BenchCase, opts: RunOptions): Promise<CaseResult> {
  const counts = scaled(bc.counts, opts.scale);
  const c = await startCluster(opts.tmpRoot);
  try {
    for (const name of new Set([bc.initNamespace, bc.measureNamespace])) {
      await c.client.resource<Namespace>(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    const classes = new Map<string, number>();
    const admission: PriorityAdmission = {};
    for (const pc of bc.priorityClasses ?? []) {
      await c.client.resource<PriorityClass>(PRIORITY_CLASSES).create(pc);
      classes.set(pc.metadata!.name!, pc.value);
    }

    let t = performance.now();
    await inParallel(counts.nodes, CONCURRENCY, (i) => c.client.resource(NODES).create(bc.node(i)));
    while (c.nodes.store.size < counts.nodes) await new Promise((r) => setTimeout(r, 10));
    const nodesMs = performance.now() - t;
    progress(`${fmt(counts.nodes)} nodes created in ${(nodesMs / 1000).toFixed(1)} s`);

    t = performance.now();
    const init = new BindWatch(c.pods, bc.initNamespace);
    let creating = true;
    const initCreated = background(createPods(c, counts.initPods, bc.initNamespace, bc.initPod, classes, admission), () => (creating = false));
    const initDone = await untilBound(init, counts.initPods, opts.stallMs, 'existing pods', () => creating);
    await initCreated;
    init.stop();
    const initMs = performance.now() - t;
    if (initDone) progress(`${fmt(counts.initPods)} existing pods scheduled in ${(initMs / 1000).toFixed(1)} s`);

    const watch = new BindWatch(c.pods, bc.measureNamespace);
    const collector = new ThroughputCollector(watch, opts.sampleIntervalMs);
    let createMs = 0;
    let stalled = !initDone;
    t = performance.now();
    const cpu0 = process.cpuUsage();
    if (initDone) {
      collector.start();
      creating = true;
      const created = background(createPods(c, counts.measurePods, bc.measureNamespace, bc.measurePod, classes, admission), () => {
        creating = false;
        createMs = performance.now() - t;
      });
      stalled = !(await untilBound(watch, counts.measurePods, opts.stallMs, 'measured pods', () => creating));
      await created;
    }
    const throughput = collector.stop();
    watch.stop();
    const cpu = process.cpuUsage(cpu0);
    return {
      case: bc,
      counts,
      nodesMs,
      initMs,
      initBound: init.bound,
      createMs,
      totalMs: watch.bound ? watch.lastBoundAt - t : performance.now() - t,
      bound: watch.bound,
      stalled,
      throughput,
      latenciesMs: watch.latencies,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - t,
      scheduler: { ...c.scheduler.stats },
    };
  } finally {
    await c.stop();
  }
}
