// The scheduler benchmark's cases, after upstream's scheduler_perf workloads (test/integration/
// scheduler_perf/{misc,affinity,topology_spreading,default_preemption}/performance-config.yaml):
// their node and pod templates, their counts for the 5000-node variants, and the throughput
// threshold (pods/s) upstream's CI holds each to. A full run at upstream's counts takes about
// 8 minutes on 2 cores, so every case keeps them; --scale shrinks them all for a quick run.
import type { Node, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';

export interface CaseCounts {
  nodes: number;
  /** Pods scheduled before measuring (not measured). */
  initPods: number;
  /** Pods whose scheduling is measured. */
  measurePods: number;
}

export interface BenchCase {
  /** Upstream's test case and workload name. */
  name: string;
  /** A short name --case also accepts. */
  alias?: string;
  /** Upstream's threshold (average pods/s); undefined where upstream sets none. */
  threshold?: number;
  /** Upstream's counts for the workload, run at --scale 1. */
  counts: CaseCounts;
  node(i: number): Node;
  initNamespace: string;
  measureNamespace: string;
  initPod(name: string, namespace: string): Pod;
  measurePod(name: string, namespace: string): Pod;
  priorityClasses?: PriorityClass[];
}

const ZONE = 'topology.kubernetes.io/zone';

/** upstream templates/node-default.yaml, named and labelled as upstream's node preparer does. */
function node(i: number, zones?: string[]): Node {
  const name = `scheduler-perf-${i}`;
  const labels: Record<string, string> = { 'kubernetes.io/hostname': name };
  // upstream's labelNodePrepareStrategy hands out the values round-robin.
  if (zones) labels[ZONE] = zones[i % zones.length]!;
  const capacity = { pods: '110', cpu: '4', memory: '32Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    spec: {},
    status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True' }], phase: 'Running' },
  };
}

/** upstream's pause container with the given cpu request (and limit) and 500Mi of memory. */
function pod(name: string, namespace: string, cpu: string, spec: Partial<PodSpec> = {}, labels?: Record<string, string>): Pod {
  const resources = { requests: { cpu, memory: '500Mi' }, limits: { cpu, memory: '500Mi' } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec: { ...spec, containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', ports: [{ containerPort: 80 }], resources }] },
  };
}

/** templates/pod-default.yaml */
const defaultPod = (name: string, ns: string) => pod(name, ns, '100m');

/** templates/pod-with-node-affinity.yaml */
const nodeAffinityPod = (name: string, ns: string) =>
  pod(name, ns, '100m', {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: 'In', values: ['zone1', 'zone2'] }] }],
        },
      },
    },
  });

/** templates/pod-with-pod-anti-affinity.yaml: one green pod per node across both namespaces. */
const antiAffinityPod = (name: string, ns: string) =>
  pod(
    name,
    ns,
    '100m',
    {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { color: 'green' } }, topologyKey: 'kubernetes.io/hostname', namespaces: ['sched-1', 'sched-0'] },
          ],
        },
      },
    },
    { color: 'green' },
  );

/** templates/pod-with-topology-spreading.yaml */
const spreadingPod = (name: string, ns: string) =>
  pod(
    name,
    ns,
    '100m',
    { topologySpreadConstraints: [{ maxSkew: 5, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { color: 'blue' } } }] },
    { color: 'blue' },
  );

/**
 * templates/pod-low-priority.yaml and pod-high-priority.yaml: four low-priority pods fill 3.6 of a
 * node's 4 cpus, so each high-priority pod (3 cpus) must preempt three of them. Upstream sets
 * priority 10 in the spec; here PriorityClasses carry the values, as a Priority admission resolves
 * priorityClassName. Grace 0 as upstream's template: no kubelet finishes these deletions.
 */
const LOW_PRIORITY = 'scheduler-perf-low';
const HIGH_PRIORITY = 'scheduler-perf-high';
const priorityClass = (name: string, value: number): PriorityClass => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
  preemptionPolicy: 'PreemptLowerPriority',
});
const lowPriorityPod = (name: string, ns: string) => pod(name, ns, '900m', { terminationGracePeriodSeconds: 0, priorityClassName: LOW_PRIORITY });
const highPriorityPod = (name: string, ns: string) => pod(name, ns, '3000m', { priorityClassName: HIGH_PRIORITY });

export const CASES: BenchCase[] = [
  {
    name: 'SchedulingBasic/5000Nodes_10000Pods',
    threshold: 680,
    counts: { nodes: 5000, initPods: 1000, measurePods: 10000 },
    node: (i) => node(i),
    initNamespace: 'namespace-1',
    measureNamespace: 'namespace-2',
    initPod: defaultPod,
    measurePod: defaultPod,
  },
  {
    name: 'SchedulingBasic/5000Nodes_50000Pods',
    threshold: 810,
    counts: { nodes: 5000, initPods: 5000, measurePods: 50000 },
    node: (i) => node(i),
    initNamespace: 'namespace-1',
    measureNamespace: 'namespace-2',
    initPod: defaultPod,
    measurePod: defaultPod,
  },
  {
    name: 'SchedulingNodeAffinity/5000Nodes_10000Pods',
    alias: 'NodeAffinity',
    threshold: 220,
    counts: { nodes: 5000, initPods: 5000, measurePods: 10000 },
    node: (i) => node(i, ['zone1']),
    initNamespace: 'namespace-1',
    measureNamespace: 'namespace-2',
    initPod: nodeAffinityPod,
    measurePod: nodeAffinityPod,
  },
  {
    name: 'SchedulingPodAntiAffinity/5000Nodes_2000Pods',
    alias: 'PodAntiAffinity',
    threshold: 60,
    counts: { nodes: 5000, initPods: 1000, measurePods: 2000 },
    node: (i) => node(i),
    initNamespace: 'sched-0',
    measureNamespace: 'sched-1',
    initPod: antiAffinityPod,
    measurePod: antiAffinityPod,
  },
  {
    name: 'TopologySpreading/5000Nodes_5000Pods',
    alias: 'TopologySpread',
    threshold: 460,
    counts: { nodes: 5000, initPods: 5000, measurePods: 5000 },
    node: (i) => node(i, ['moon-1', 'moon-2', 'moon-3']),
    initNamespace: 'namespace-1',
    measureNamespace: 'namespace-2',
    initPod: defaultPod,
    measurePod: spreadingPod,
  },
  {
    // upstream's 5000-node variant is commented out ("always seems to fail", kubernetes#108308);
    // its 1000-node one has no threshold.
    name: 'PreemptionBasic/1000Nodes',
    alias: 'Preemption',
    counts: { nodes: 1000, initPods: 4000, measurePods: 1000 },
    node: (i) => node(i),
    initNamespace: 'namespace-1',
    measureNamespace: 'namespace-2',
    initPod: lowPriorityPod,
    measurePod: highPriorityPod,
    priorityClasses: [priorityClass(LOW_PRIORITY, 0), priorityClass(HIGH_PRIORITY, 10)],
  },
];

/** The counts at `scale` (each at least 1). */
export function scaled(c: CaseCounts, scale: number): CaseCounts {
  const s = (n: number) => Math.max(1, Math.round(n * scale));
  return { nodes: s(c.nodes), initPods: s(c.initPods), measurePods: s(c.measurePods) };
}

/**
 * Cases named by `wanted` (full name, the test case before the '/', or the alias; case-insensitive);
 * all if none.
 */
export function selectCases(wanted: string[]): BenchCase[] {
  if (wanted.length === 0) return CASES;
  const out: BenchCase[] = [];
  for (const w of wanted) {
    const lw = w.toLowerCase();
    const hits = CASES.filter((c) => [c.name, c.name.split('/')[0]!, c.alias ?? ''].some((n) => n.toLowerCase() === lw));
    if (hits.length === 0) throw new Error(`unknown case ${w}; cases: ${CASES.map((c) => c.name).join(', ')}`);
    for (const h of hits) if (!out.includes(h)) out.push(h);
  }
  return out;
}
