// GET /containerLogs/{namespace}/{pod}/{container}: which instance's file to read, with
// upstream's answers when there is none (getContainerLogs in pkg/kubelet/server/server.go and
// validateContainerLogStatus in pkg/kubelet/kubelet_pods.go), then the log as text/plain.
import { access } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { containerLogPath, podLogDirectory } from '../runtime/types.js';
import { decodePodLogOptions, LogOptionsDecodeError, sinceNanos, validatePodLogOptions, type PodLogOptions } from './log-options.js';
import { readLogs } from './log-reader.js';
import { writeTextError } from './respond.js';

export interface ContainerLogInfo {
  /** Also init and ephemeral containers: every container of the pod has its log. */
  name: string;
  /** The current instance's attempt number: its log is `<restartCount>.log`. */
  restartCount: number;
  running: boolean;
  /** Why a container not started yet waits (the message names it); default ContainerCreating. */
  waitingReason?: string;
}

export interface PodLogInfo {
  uid: string;
  containers: ContainerLogInfo[];
}

/** The kubelet's view of a pod it runs, or undefined when it runs no such pod. */
export type FindPod = (namespace: string, name: string) => PodLogInfo | undefined | Promise<PodLogInfo | undefined>;

export interface ContainerLogsDeps {
  logRoot: string;
  findPod: FindPod;
  followPollMs?: number;
  signal: AbortSignal;
  now?: () => number;
}

interface Target {
  namespace: string;
  pod: string;
  container: string;
}

/** A request the kubelet refuses, with its HTTP code and plain-text message. */
class LogRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

function decode(query: URLSearchParams): PodLogOptions {
  // The legacy `tail` parameter stands for tailLines; "all" means no limit.
  const q = new URLSearchParams(query);
  const tail = q.get('tail');
  if (tail) {
    q.delete('tailLines');
    if (tail !== 'all') q.set('tailLines', tail);
  }
  let opts: PodLogOptions;
  try {
    opts = decodePodLogOptions(q);
  } catch (e) {
    if (e instanceof LogOptionsDecodeError) throw new LogRequestError(400, '{"message": "Unable to decode query."}');
    throw e;
  }
  if (validatePodLogOptions(opts).length > 0) throw new LogRequestError(422, '{"message": "Invalid request."}');
  // Without the PodLogsQuerySplitStreams feature (off by default upstream), only All is served.
  if (opts.stream !== undefined && opts.stream !== 'All') {
    throw new LogRequestError(400, `unable to return the given log stream: ${JSON.stringify(opts.stream)}. Please enable PodLogsQuerySplitStreams feature gate in kubelet`);
  }
  return opts;
}

/** The attempt whose log to read, and its file. */
async function resolveInstance(deps: ContainerLogsDeps, t: Target, opts: PodLogOptions): Promise<{ attempt: number; path: string }> {
  const pod = await deps.findPod(t.namespace, t.pod);
  if (!pod) throw new LogRequestError(404, `pod ${JSON.stringify(t.pod)} does not exist`);
  const c = pod.containers.find((x) => x.name === t.container);
  if (!c) throw new LogRequestError(404, `container ${JSON.stringify(t.container)} not found in pod ${JSON.stringify(t.pod)}`);
  const dir = podLogDirectory(deps.logRoot, t.namespace, t.pod, pod.uid);
  const pathOf = (attempt: number) => join(dir, containerLogPath(c.name, attempt));
  if (opts.previous) {
    const attempt = c.restartCount - 1;
    if (attempt < 0 || !(await exists(pathOf(attempt)))) {
      throw new LogRequestError(400, `previous terminated container ${JSON.stringify(t.container)} in pod ${JSON.stringify(t.pod)} not found`);
    }
    return { attempt, path: pathOf(attempt) };
  }
  // The current instance, or (not started again yet, e.g. backing off) the last one that ran,
  // as upstream falls back to the last terminated container.
  for (let attempt = c.restartCount; attempt >= 0; attempt--) {
    if (await exists(pathOf(attempt))) return { attempt, path: pathOf(attempt) };
  }
  throw new LogRequestError(400, `container ${JSON.stringify(t.container)} in pod ${JSON.stringify(t.pod)} is waiting to start: ${c.waitingReason ?? 'ContainerCreating'}`);
}

export async function serveContainerLogs(res: ServerResponse, query: URLSearchParams, t: Target, deps: ContainerLogsDeps): Promise<void> {
  let opts: PodLogOptions;
  let instance: { attempt: number; path: string };
  try {
    opts = decode(query);
    instance = await resolveInstance(deps, t, opts);
  } catch (e) {
    if (!(e instanceof LogRequestError)) throw e;
    writeTextError(res, e.code, e.message);
    return;
  }
  // A follower is told at once that the stream is open, before any line exists.
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const { signal } = deps;
  const write = (chunk: Buffer): Promise<void> =>
    new Promise((resolve) => {
      if (res.destroyed || signal.aborted || res.write(chunk)) return resolve();
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  // Following ends once this very instance no longer runs (a restart starts another file).
  const isRunning = async (): Promise<boolean> => {
    const c = (await deps.findPod(t.namespace, t.pod))?.containers.find((x) => x.name === t.container);
    return !!c && c.running && c.restartCount === instance.attempt;
  };
  try {
    await readLogs({
      livePath: instance.path,
      tailLines: opts.tailLines,
      since: sinceNanos(opts, deps.now?.() ?? Date.now()),
      timestamps: opts.timestamps,
      limitBytes: opts.limitBytes,
      follow: opts.follow,
      isRunning,
      pollMs: deps.followPollMs,
      signal,
      write,
    });
    res.end();
  } catch (e) {
    // The status line is gone: a cut connection is all that can tell the client.
    res.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}
