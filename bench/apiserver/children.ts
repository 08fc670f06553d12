// The benchmark's child processes: the real `kubets server` under test, the bare HTTPS server (the
// ceiling) and the load process. Every child is tracked so an interrupted run can end them.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BareConfig } from './bare.js';
import type { Datastore } from './config.js';
import type { Reply, Task, TaskResult } from './protocol.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/src/cli/main.js, next to this compiled file's dist/bench/apiserver. */
export const KUBETS_BIN = resolve(here, '../../src/cli/main.js');
const BARE_JS = join(here, 'bare.js');
const LOAD_JS = join(here, 'load.js');
const START_TIMEOUT_MS = 30_000;

const live = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/**
 * Sends SIGTERM to every child still running (on an interrupted or failed run); resolves when they
 * have exited or after `waitMs`, so their files can be removed after.
 */
export async function killAll(waitMs = 3000): Promise<void> {
  const exits = [...live].map((child) => new Promise<void>((r) => child.once('exit', () => r())));
  for (const child of live) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(exits), new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
  clearTimeout(timer);
}

/** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
export function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveExit(code);
    });
    child.kill('SIGTERM');
  });
}

/** Spawns `node args`, collects its output and resolves with the first match of `ready` on stdout. */
function startAndWait(what: string, args: string[], ready: RegExp, env?: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env }));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    // Keep only the tail: a server's log could grow over a long run.
    stderr = (stderr + d.toString()).slice(-8000);
  });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${what} did not start in ${START_TIMEOUT_MS / 1000} s:\n${stdout}\n${stderr}`));
    }, START_TIMEOUT_MS);
    const onData = (d: Buffer): void => {
      stdout += d.toString();
      const match = ready.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      // Keep draining so a chatty child never blocks on a full pipe.
      child.stdout!.resume();
      resolveStart({ child, match });
    };
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} while starting:\n${stdout}\n${stderr}`));
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

export interface KubetsChild {
  child: ChildProcess;
  url: string;
  kubeconfig: string;
  tlsDir: string;
}

export async function startKubets(dataDir: string, datastore: Datastore): Promise<KubetsChild> {
  if (!existsSync(KUBETS_BIN)) throw new Error(`${KUBETS_BIN} is missing: build with npx tsc -p .`);
  const args = [
    KUBETS_BIN,
    'server',
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--bind-address',
    '127.0.0.1',
    '--no-merge-kubeconfig',
    '--datastore',
    datastore,
    '--disable-agent',
  ];
  // HOME points into the data dir so nothing of the user's (~/.kube) is read or written.
  const { child, match } = await startAndWait('kubets server', args, /serving the Kubernetes API at (https:\/\/\S+)/, {
    ...process.env,
    HOME: dataDir,
  });
  return { child, url: match[1]!, kubeconfig: join(dataDir, 'kubeconfig.yaml'), tlsDir: join(dataDir, 'tls') };
}

export async function startBare(cfg: BareConfig): Promise<{ child: ChildProcess; url: string }> {
  const { child, match } = await startAndWait('bare HTTPS server', [BARE_JS, JSON.stringify(cfg)], /bare: serving at (https:\/\/\S+)/);
  return { child, url: match[1]! };
}

/** The load process: tasks go in one line at a time; its progress lines pass through to stderr. */
export class LoadProcess {
  private readonly replies: AsyncIterator<string>;

  private constructor(private readonly child: ChildProcess) {
    this.replies = createInterface({ input: child.stdout!, crlfDelay: Infinity })[Symbol.asyncIterator]();
    // A load process that was ended (an interrupted run) refuses writes: run() reports it instead.
    child.stdin!.on('error', () => {});
  }

  static start(): LoadProcess {
    const child = track(spawn(process.execPath, [LOAD_JS], { stdio: ['pipe', 'pipe', 'inherit'] }));
    return new LoadProcess(child);
  }

  async run<T extends TaskResult>(task: Task): Promise<T> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the load process has ended`);
    this.child.stdin!.write(JSON.stringify(task) + '\n');
    const next = await this.replies.next();
    if (next.done) throw new Error(`the load process ended (exit ${this.child.exitCode}) during a ${task.kind} task`);
    const reply = JSON.parse(next.value) as Reply;
    if (!reply.ok) throw new Error(`load process, ${task.kind} task: ${reply.error}`);
    return reply.result as T;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 5000);
    await new Promise<void>((r) => (this.child.exitCode !== null ? r() : this.child.once('exit', () => r())));
    clearTimeout(timer);
  }
}
