// The iproute2 `ip` command and util-linux's `nsenter`, as the bridge network drives them. Node
// has no netlink sockets and cannot setns(2), so links, addresses and network namespaces are
// made by spawning `ip`; several changes go through one `ip -batch` process to keep a sandbox's
// setup to a couple of spawns.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type CommandResult, CommandRunner } from './command-runner.js';

/** Where `ip netns add` bind-mounts named network namespaces (iproute2's NETNS_RUN_DIR). */
export const NETNS_RUN_DIR = '/run/netns';

/** Searched after $PATH: a daemon's PATH often lacks the sbin directories where `ip` lives. */
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export class IpCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(`${['ip', ...args].join(' ')}: ${stderr.trim() || `exit code ${exitCode}`}`);
    this.name = 'IpCommandError';
  }
}

/** An executable's absolute path, looked up in $PATH then the system directories. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

let ipPath: string | undefined;

/**
 * Runs `ip <args>`, feeding `input` to its stdin; resolves with its stdout, rejects with an
 * IpCommandError. Spawned by the command runner, off the server's event loop (a spawn from the
 * server forks all of it); an error of the runner itself (it died mid-command) is reported as a
 * command that could not run (exit code null), like a spawn error.
 */
export async function ip(args: string[], input?: string): Promise<string> {
  ipPath ??= findExecutable('ip');
  const command = ipPath;
  if (!command) throw new IpCommandError(args, 'ip (iproute2) not found', null);
  let result: CommandResult;
  try {
    result = await CommandRunner.shared().run(command, args, input === undefined ? {} : { input });
  } catch (e) {
    throw new IpCommandError(args, (e as Error).message, null);
  }
  if (result.code === 0) return result.stdout;
  throw new IpCommandError(args, result.stderr, result.code);
}

export interface BatchOptions {
  /** Runs the commands inside this named network namespace (`ip -n`). */
  netns?: string;
  /** Goes on after a failed command (`ip -force`); the batch still rejects if one failed. */
  force?: boolean;
}

/** Runs several `ip` commands (each an argv without the leading `ip`) in one process. */
export function ipBatch(commands: string[][], options: BatchOptions = {}): Promise<string> {
  const args = [...(options.netns ? ['-n', options.netns] : []), ...(options.force ? ['-force'] : []), '-batch', '-'];
  // Batch lines are split on blanks: the names and addresses we pass never hold any.
  return ip(args, commands.map((c) => c.join(' ')).join('\n') + '\n');
}

/** An interface as `ip -j addr show` reports it (the fields used here). */
export interface IpLinkAddresses {
  ifname: string;
  operstate?: string;
  master?: string;
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

/** `ip -j [-n netns] addr show [dev <dev>]`; an empty list when the device does not exist. */
export async function showAddresses(options: { netns?: string; dev?: string } = {}): Promise<IpLinkAddresses[]> {
  const args = [...(options.netns ? ['-n', options.netns] : []), '-j', 'addr', 'show', ...(options.dev ? ['dev', options.dev] : [])];
  try {
    return JSON.parse((await ip(args)) || '[]') as IpLinkAddresses[];
  } catch (e) {
    if (e instanceof IpCommandError && /does not exist|Cannot find device/.test(e.stderr)) return [];
    throw e;
  }
}

/** The interfaces enslaved to `bridge` (`ip -j link show master <bridge>`). */
export async function bridgePorts(bridge: string): Promise<string[]> {
  const links = JSON.parse((await ip(['-j', 'link', 'show', 'master', bridge])) || '[]') as { ifname: string }[];
  return links.map((l) => l.ifname);
}

interface Queued {
  commands: string[][];
  resolve(): void;
  reject(e: Error): void;
}

/**
 * Runs the node-side `ip` commands of concurrent callers together: what is queued while one
 * `ip -force -batch` process runs goes to the next one, so a burst of pod sandboxes costs a few
 * spawns rather than one each (spawning dominates on a busy node). `-force` runs every line even
 * after a failure; each caller is told only about its own lines (`Command failed -:<line>`).
 */
export class IpBatcher {
  private queue: Queued[] = [];
  private running = false;

  run(commands: string[][]): Promise<void> {
    if (commands.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ commands, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const groups = this.queue.splice(0);
      let stderr = '';
      try {
        await ipBatch(groups.flatMap((g) => g.commands), { force: true });
      } catch (e) {
        if (!(e instanceof IpCommandError) || e.exitCode === null) {
          for (const g of groups) g.reject(e as Error);
          continue;
        }
        stderr = e.stderr;
      }
      const failed = new Map<number, string>();
      let said: string[] = [];
      for (const line of stderr.split('\n')) {
        const m = /^Command failed -:(\d+)$/.exec(line);
        if (m) {
          failed.set(Number(m[1]), said.join(' ').trim());
          said = [];
        } else if (line.trim()) said.push(line.trim());
      }
      let first = 1;
      for (const g of groups) {
        const errors = g.commands.flatMap((c, i) => (failed.has(first + i) ? [`${c.join(' ')}: ${failed.get(first + i) || 'failed'}`] : []));
        first += g.commands.length;
        if (errors.length === 0) g.resolve();
        else g.reject(new IpCommandError(['-batch'], errors.join('; '), 1));
      }
    }
    this.running = false;
  }
}
