// What v1 and v2 share: reading and writing cgroup files, finding a container's cgroup again
// after a restart, removing a cgroup with whatever still runs in it, and the cpu rate.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Single-quotes a word for sh. */
const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * `/bin/sh -c 'echo $$ > a/cgroup.procs && ... && exec "$@"' sh argv...`: the shell enters every
 * cgroup, then becomes the command. A failed write stops it (exit 2) rather than running the
 * container unlimited.
 */
export function cgroupMoveCommand(procsFiles: string[], argv: string[]): string[] {
  if (procsFiles.length === 0) return argv;
  const moves = procsFiles.map((f) => `echo $$ > ${shellQuote(f)}`).join(' && ');
  return ['/bin/sh', '-c', `${moves} && exec "$@"`, 'sh', ...argv];
}

/** A cgroup file's contents; undefined when it does not exist. */
export function readCgroupFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export function readNumber(path: string): number | undefined {
  const text = readCgroupFile(path)?.trim();
  if (text === undefined || text === '' || text === 'max') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** `key value` lines (memory.stat, memory.events, cpu.stat, memory.oom_control). */
export function readKeyValues(path: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (readCgroupFile(path) ?? '').split('\n')) {
    const [key, value] = line.split(' ');
    if (key && value !== undefined) out.set(key, Number(value));
  }
  return out;
}

/** Writes a control file, naming it in the error (the kernel's EINVAL says nothing of which). */
export function writeControl(dir: string, file: string, value: string | number): void {
  try {
    writeFileSync(join(dir, file), String(value));
  } catch (e) {
    throw new Error(`write ${value} to ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Gives the cgroup's children the controllers they do not have yet. Only what is missing is
 * written: a (non-root) cgroup that holds processes is refused any enabling (EBUSY), so a parent
 * already set up by its manager (systemd) must not be written to again.
 */
export function enableControllers(dir: string, controllers: string[]): void {
  const enabled = (readCgroupFile(join(dir, 'cgroup.subtree_control')) ?? '').trim().split(/\s+/);
  const missing = controllers.filter((c) => !enabled.includes(c));
  if (missing.length) writeControl(dir, 'cgroup.subtree_control', missing.map((c) => `+${c}`).join(' '));
}

/**
 * `mkdir -p`, retried when a parent vanished meanwhile: another runtime removing the last pod's
 * cgroup also removes the emptied root.
 */
export function makeCgroupDir(dir: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(dir, { recursive: true });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw e;
    }
  }
}

/** `pod<uid>/<containerId>` under `root`, found by looking: a restarted runtime knows only the id. */
export function findContainerPath(root: string, containerId: string): string | undefined {
  let pods: string[];
  try {
    pods = readdirSync(root);
  } catch {
    return undefined;
  }
  const pod = pods.find((p) => p.startsWith('pod') && existsSync(join(root, p, containerId)));
  return pod && join(pod, containerId);
}

export function cgroupPids(dir: string): number[] {
  return (readCgroupFile(join(dir, 'cgroup.procs')) ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map(Number);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kills every process in the cgroup (and its children's), waits until they are gone, then removes
 * it bottom up. Processes a SIGKILL does not end at once (in uninterruptible sleep) are waited for
 * up to `timeoutMs`; a cgroup still busy after that is left and reported.
 */
export async function removeCgroup(dir: string, timeoutMs = 2000): Promise<void> {
  let children: string[];
  try {
    children = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const child of children) await removeCgroup(join(dir, child), timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const pid of cgroupPids(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() > deadline) throw new Error(`cannot remove cgroup ${dir}: ${code ?? (e as Error).message}`);
    }
    await sleep(10);
  }
}

/** Removes an empty cgroup; one still in use (another container of the pod) or gone is left. */
export function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EBUSY' && code !== 'ENOTEMPTY' && code !== 'ENOENT') throw e;
  }
}

/** Below this, a new sample is compared with the previous one but does not replace it. */
const MIN_WINDOW_NS = 1_000_000_000n;

/**
 * Cores in use from two cumulative cpu samples, per container, as upstream computes
 * usageNanoCores from the sample it cached before. Samples closer than a second to the stored one
 * are measured against it without replacing it, so that two callers asking at once do not leave
 * each other a window of a few microseconds.
 */
export class CpuRate {
  private readonly samples = new Map<string, { at: bigint; usage: number; rate?: number }>();

  /** A known starting point: `usage` core-nanoseconds at `at` (0 when the cgroup was made). */
  baseline(key: string, at: bigint, usage = 0): void {
    this.samples.set(key, { at, usage });
  }

  rate(key: string, at: bigint, usage: number): number | undefined {
    const prev = this.samples.get(key);
    if (!prev || at <= prev.at || usage < prev.usage) {
      this.samples.set(key, { at, usage });
      return undefined;
    }
    const window = at - prev.at;
    if (window < MIN_WINDOW_NS && prev.rate !== undefined) return prev.rate;
    const rate = Math.round(((usage - prev.usage) * 1e9) / Number(window));
    if (window >= MIN_WINDOW_NS) this.samples.set(key, { at, usage, rate });
    return rate;
  }

  has(key: string): boolean {
    return this.samples.has(key);
  }

  forget(key: string): void {
    this.samples.delete(key);
  }
}
