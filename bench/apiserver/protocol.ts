// What the benchmark's orchestrator (main.ts) asks of its load process (load.ts) and what it gets
// back: one JSON task per line on the load process's stdin, one JSON reply per line on its stdout.

/** Where requests go: the server's base URL and the kubeconfig whose admin certificate they carry. */
export interface Target {
  url: string;
  kubeconfig: string;
}

/** A create's JSON body: `prefix + name + suffix`, cut once so each request only concatenates. */
export interface BodyTemplate {
  prefix: string;
  suffix: string;
}

export interface CreatesClosedTask {
  kind: 'creates-closed';
  target: Target;
  /** Collection path the bodies are POSTed to. */
  path: string;
  body: BodyTemplate;
  namePrefix: string;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

export interface CreatesOpenTask {
  kind: 'creates-open';
  target: Target;
  path: string;
  body: BodyTemplate;
  namePrefix: string;
  ratePerSec: number;
  durationMs: number;
  /** Pooled sockets; requests beyond them wait in the client and that wait counts as latency. */
  maxSockets: number;
}

/** Creates exactly `count` objects named namePrefix + pad(i), i in [0, count), with progress. */
export interface FillTask {
  kind: 'fill';
  target: Target;
  path: string;
  body: BodyTemplate;
  namePrefix: string;
  count: number;
  concurrency: number;
  label: string;
}

/** Gets of `path + namePrefix + pad(i)` with i drawn from [0, count). */
export interface GetsTask {
  kind: 'gets';
  target: Target;
  path: string;
  namePrefix: string;
  count: number;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

export interface ListTask {
  kind: 'list';
  target: Target;
  path: string;
  accept?: string;
  runs: number;
  /** Items the first response must hold (checked after the timing; a wrong count fails the run). */
  expectItems: number;
}

export interface WatchTask {
  kind: 'watch';
  target: Target;
  /** Collection path, watched with ?watch=true&resourceVersion=... and POSTed to. */
  path: string;
  resourceVersion: string;
  body: BodyTemplate;
  namePrefix: string;
  watchers: number;
  events: number;
  concurrency: number;
}

/** Closes the pooled connections to target.url (its server is about to stop). */
export interface ForgetTask {
  kind: 'forget';
  target: Target;
}

export type Task = ForgetTask | CreatesClosedTask | CreatesOpenTask | FillTask | GetsTask | ListTask | WatchTask;

export interface Latency {
  p50: number;
  p99: number;
  max: number;
}

export interface RateResult {
  ops: number;
  ms: number;
  perSec: number;
  latency: Latency;
}

export interface ListResult {
  runsMs: number[];
  bytes: number;
  items: number;
}

export interface WatchResult {
  watchers: number;
  events: number;
  deliveries: number;
  /** From the first create until every watcher had every event. */
  ms: number;
  /** From the first create until the last one was answered. */
  writesMs: number;
  perSec: number;
  /** Create sent to event received, over every delivery; absent when events carry no known name. */
  delivery?: Latency;
  creates: Latency;
}

export interface ForgetResult {
  forgotten: number;
}

export type TaskResult = ForgetResult | RateResult | ListResult | WatchResult;

export type Reply = { ok: true; result: TaskResult } | { ok: false; error: string };

export function pad(n: number, width = 6): string {
  return String(n).padStart(width, '0');
}
