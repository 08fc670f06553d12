// Container mounts in a private mount namespace per container (root only): the container's
// command runs under `unshare --mount --propagation private sh -c <prelude>`, and the prelude
// bind-mounts every Mount's hostPath at its containerPath (read-only ones remounted so, last, so
// that mount points can still be made inside them), then execs the command: the pid the runtime
// spawned stays the container's. Nothing propagates back: the node's own files are never
// modified nor shadowed outside the namespace.
//
// A containerPath missing on the node (or one of its parents) is not created there. Inside the
// namespace an overlayfs goes over its deepest existing ancestor (lower: that directory; upper
// and work: the container's state directory), the mounts under that ancestor are bound back on
// top, and the missing directories/files are made in the overlay. Overlaying stacks mounts on a
// directory, which a process whose root is below cannot see through for "/"; so when overlays are
// needed the whole tree is first bound (rbind) into <state>/root, overlays and mounts are made
// there, that tree is moved onto "/" and the command is chrooted into it (switch_root's way).
// A path missing inside a volume is created in the volume, as runc does.
//
// Planning happens here, against the node's filesystem and mount table, when the command is
// wrapped; the prelude is a straight list of commands with every path single-quoted.
import { execFile } from 'node:child_process';
import { accessSync, constants, lstatSync, mkdirSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../../logging/index.js';
import { silentLogger } from '../../../logging/index.js';
import { isWithin, type MountInfo, mountsUnder, readMountTable } from '../../volumes/mount-utils.js';
import type { Mount } from '../types.js';
import { RuntimeError } from '../types.js';
import { type ContainerMounts, HostPathMounts } from './mounts.js';

const TOOL_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const TOOLS = ['unshare', 'nsenter', 'sh', 'mount', 'mkdir', 'ln', 'chroot'] as const;
type Tools = Record<(typeof TOOLS)[number], string>;
/** Characters the overlay options (comma-separated, ':' between lower dirs) and mount(8) take as they are. */
const SAFE_OPTION_PATH = /^[A-Za-z0-9/._+@=-]+$/;
/** Exit code of a prelude that could not set the mounts up (containerd's start error code). */
export const MOUNT_SETUP_EXIT_CODE = 128;

/** Single-quotes for sh: anything but NUL survives. */
export const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function findTool(name: string): string | undefined {
  for (const dir of [...TOOL_PATH, ...(process.env.PATH ?? '').split(':').filter(Boolean)]) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      // next
    }
  }
  return undefined;
}

interface Bind {
  target: string;
  source: string;
  readonly: boolean;
  file: boolean;
  /** The target is missing: made in the prelude, in an overlay ('node') or in the volume below it ('volume'). */
  create: 'node' | 'volume' | false;
}

export interface MountPlan {
  /** Canonical node paths overlaid, shallowest first; none: binds straight onto node paths. */
  overlays: { path: string; submounts: string[] }[];
  binds: Bind[];
}

/**
 * Works out where each mount goes as the container will see it: symlinks in a containerPath are
 * followed the way they will be inside (through earlier mounts), missing paths are found, and the
 * overlays making room for them chosen.
 */
export function planMounts(mounts: Mount[], table: MountInfo[] = readMountTable()): MountPlan {
  const mountPoints = [...new Set(table.map((m) => m.mountPoint))];
  const binds: Bind[] = [];
  const created = new Set<string>();
  const overlays: string[] = [];
  const bindOver = (p: string): Bind | undefined => [...binds].reverse().find((b) => isWithin(p, b.target));
  const onNode = (p: string): string => {
    const b = bindOver(p);
    return b ? posix.join(b.source, posix.relative(b.target, p)) : p;
  };
  /** The canonical path of `p` inside, and its deepest part that exists. */
  const resolve = (p: string): { path: string; existing: string } => {
    let parts = p.split('/');
    let cur = '/';
    for (let hops = 0; parts.length > 0; ) {
      const c = parts.shift()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        cur = posix.dirname(cur);
        continue;
      }
      const next = posix.join(cur, c);
      if (created.has(next)) {
        cur = next;
        continue;
      }
      let link: string | undefined;
      try {
        if (lstatSync(onNode(next)).isSymbolicLink()) link = readlinkSync(onNode(next));
      } catch {
        return { path: posix.join(next, ...parts), existing: cur };
      }
      if (link === undefined) {
        cur = next;
        continue;
      }
      if (++hops > 40) throw new RuntimeError('RunContainerError', `mount point "${p}": too many levels of symbolic links`);
      parts = [...link.split('/'), ...parts];
      if (link.startsWith('/')) cur = '/';
    }
    return { path: cur, existing: cur };
  };
  const mountPointOf = (p: string) => mountPoints.filter((m) => isWithin(p, m)).sort((a, b) => b.length - a.length)[0] ?? '/';

  const ordered = mounts.map((m) => ({ ...m, containerPath: posix.resolve('/', m.containerPath) })).sort((a, b) => depth(a.containerPath) - depth(b.containerPath));
  for (const m of ordered) {
    let source: string;
    let file: boolean;
    try {
      source = realpathSync(m.hostPath);
      file = !statSync(source).isDirectory();
    } catch {
      throw new RuntimeError('RunContainerError', `mount of "${m.containerPath}": host path "${m.hostPath}" does not exist`);
    }
    const { path: target, existing } = resolve(m.containerPath);
    if (target === '/') throw new RuntimeError('RunContainerError', `mount of "${m.hostPath}" onto "/" is not supported`);
    const create = existing === target ? false : bindOver(existing) ? 'volume' : 'node';
    // A missing path outside every volume needs an overlay, unless one already covers it with no
    // other filesystem mounted in between.
    if (create === 'node' && !overlays.some((o) => isWithin(existing, o) && isWithin(o, mountPointOf(existing)))) overlays.push(existing);
    if (create) for (let d = target; d !== existing && d !== '/'; d = posix.dirname(d)) created.add(d);
    binds.push({ target, source, readonly: m.readonly, file, create });
  }
  return {
    overlays: overlays.sort((a, b) => depth(a) - depth(b)).map((path) => ({ path, submounts: topSubmounts(path, mountPoints) })),
    binds,
  };
}

const depth = (p: string) => p.split('/').filter(Boolean).length;

/** Mount points strictly below `dir` not below another of them: binding these recursively brings back all. */
function topSubmounts(dir: string, mountPoints: string[]): string[] {
  const below = mountPoints.filter((m) => m !== dir && isWithin(m, dir));
  return below.filter((m) => !below.some((o) => o !== m && isWithin(m, o)));
}

/** The prelude for `plan`; `dir` holds the overlays' upper/work dirs (a tmpfs when `ephemeral`). */
export function mountScript(plan: MountPlan, toolPaths: Tools, dir: string, ephemeral: boolean, workingDir?: string): string {
  const q = shQuote;
  const tools = Object.fromEntries(Object.entries(toolPaths).map(([k, v]) => [k, q(v)])) as Tools;
  const lines = [
    `fail() { printf 'kubets: cannot set up the container mounts: %s\\n' "$*" >&2; exit ${MOUNT_SETUP_EXIT_CODE}; }`,
    `wd=${workingDir ? q(workingDir) : '$(pwd -P)'}`,
  ];
  const rooted = plan.overlays.length > 0;
  // Targets live under R until the tree becomes the root.
  const at = (p: string) => (rooted ? `"$R"${q(p)}` : q(p));
  if (rooted) {
    lines.push(`S=${q(dir)}`, `R="$S/root"`);
    if (ephemeral) lines.push(`${tools.mount} -t tmpfs tmpfs "$S" || fail "tmpfs at $S"`);
    // Few commands: each exec costs, and this runs before every container start.
    const dirs = plan.overlays.flatMap((_o, i) => [`"$S/overlay${i}/upper"`, `"$S/overlay${i}/work"`]);
    lines.push(`${tools.mkdir} -p "$R" ${dirs.join(' ')} || fail "mkdir in $S"`, `${tools.mount} --rbind / "$R" || fail "bind / at $R"`);
    plan.overlays.forEach((o, i) => {
      let lower = q(o.path);
      if (!SAFE_OPTION_PATH.test(o.path)) {
        // The overlay options would split the path at ',' or ':': the lower dir goes through a symlink.
        lines.push(`${tools.ln} -sfn -- ${q(o.path)} "$S/overlay${i}/lower" || fail ${q(`link to ${o.path}`)}`);
        lower = `"$S/overlay${i}/lower"`;
      }
      lines.push(`${tools.mount} -t overlay overlay -o "lowerdir="${lower}",upperdir=$S/overlay${i}/upper,workdir=$S/overlay${i}/work" ${at(o.path)} || fail ${q(`overlay on ${o.path}`)}`);
      // Best effort: a mount point hidden by another mount cannot be bound back, and is not seen on the node either.
      for (const sub of o.submounts) lines.push(`${tools.mount} --rbind -- ${q(sub)} ${at(sub)} 2>/dev/null || :`);
    });
  }
  // What is missing on the node is made in the overlays, all at once, before any bind.
  const onNode = plan.binds.filter((b) => b.create === 'node');
  if (onNode.length > 0) lines.push(`${tools.mkdir} -p -- ${onNode.map((b) => at(b.file ? posix.dirname(b.target) : b.target)).join(' ')} || fail 'mkdir mount points'`);
  for (const b of plan.binds) {
    if (b.create === 'volume') lines.push(`${tools.mkdir} -p -- ${at(b.file ? posix.dirname(b.target) : b.target)} || fail ${q(`mkdir ${b.target}`)}`);
    if (b.create && b.file) lines.push(`[ -e ${at(b.target)} ] || : > ${at(b.target)} || fail ${q(`create ${b.target}`)}`);
    lines.push(`${tools.mount} --rbind -- ${q(b.source)} ${at(b.target)} || fail ${q(`bind ${b.source} at ${b.target}`)}`);
  }
  for (const b of plan.binds) if (b.readonly) lines.push(`${tools.mount} -o remount,bind,ro -- ${at(b.target)} || fail ${q(`read-only ${b.target}`)}`);
  // runc's words for a command that cannot run, and its exit code, rather than the shell's 127.
  const execChecked = `case $1 in */*) [ -x "$1" ] || { printf 'exec: "%s": stat %s: no such file or directory\\n' "$1" "$1" >&2; exit 128; };; *) command -v -- "$1" >/dev/null 2>&1 || { printf 'exec: "%s": executable file not found in $PATH\\n' "$1" >&2; exit 128; };; esac; exec "$@"`;
  if (!rooted) {
    lines.push(`cd -- "$wd" || fail "chdir to $wd"`, execChecked);
  } else {
    lines.push(`cd -- "$R" && ${tools.mount} --move . / || fail "move $R onto /"`);
    const inner = `cd -- "$0" || { printf 'kubets: chdir to %s failed\\n' "$0" >&2; exit 128; }; ${execChecked}`;
    lines.push(`exec ${tools.chroot} . ${tools.sh} -c ${q(inner)} "$wd" "$@"`);
  }
  return lines.join('\n');
}

export interface NamespaceMountsOptions {
  /** Per-container directories (overlay upper/work dirs) go under it. */
  stateDir: string;
  logger?: Logger;
}

export class NamespaceMounts implements ContainerMounts {
  private readonly tools: Tools;
  private readonly logger: Logger;

  constructor(private readonly options: NamespaceMountsOptions) {
    if (!SAFE_OPTION_PATH.test(options.stateDir)) throw new Error(`state directory "${options.stateDir}" has characters overlay options cannot carry`);
    const tools: Partial<Tools> = {};
    for (const t of TOOLS) {
      const found = findTool(t);
      if (!found) throw new Error(`${t} not found`);
      tools[t] = found;
    }
    this.tools = tools as Tools;
    this.logger = options.logger ?? silentLogger;
  }

  private dir(containerId: string): string {
    return posix.join(this.options.stateDir, containerId);
  }

  /** Checks the mounts; a missing source directory is created, as containerd does for CRI mounts. */
  async prepare(containerId: string, mounts: Mount[]): Promise<void> {
    for (const m of mounts) {
      if (!m.containerPath.startsWith('/') || posix.normalize(m.containerPath) === '/') {
        throw new RuntimeError('CreateContainerError', `mount destination "${m.containerPath}" is not an absolute path below "/"`);
      }
      try {
        statSync(m.hostPath);
      } catch {
        try {
          mkdirSync(m.hostPath, { recursive: true, mode: 0o755 });
        } catch (e) {
          throw new RuntimeError('CreateContainerError', `failed to mkdir "${m.hostPath}": ${(e as Error).message}`);
        }
      }
    }
    mkdirSync(this.dir(containerId), { recursive: true, mode: 0o700 });
  }

  /**
   * `argv` in a new mount namespace with `mounts` in place, in `workingDir` (default: the
   * directory the command is spawned in, seen again through the mounts). The first call for a
   * container (its start) keeps overlay changes on disk in its state directory; later ones
   * (execs through this path) on a tmpfs of their own namespace, so that no two overlays share an
   * upper directory — prefer enterCommand for execs.
   */
  wrapCommand(containerId: string, mounts: Mount[], argv: string[], workingDir?: string): string[] {
    if (mounts.length === 0) return argv;
    const plan = planMounts(mounts);
    const base = this.dir(containerId);
    const main = posix.join(base, 'main');
    mkdirSync(base, { recursive: true, mode: 0o700 });
    let ephemeral = false;
    try {
      mkdirSync(main, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      ephemeral = true;
    }
    const dir = ephemeral ? posix.join(base, 'exec') : main;
    if (ephemeral) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const script = mountScript(plan, this.tools, dir, ephemeral, workingDir);
    return [this.tools.unshare, '--mount', '--propagation', 'private', this.tools.sh, '-c', script, 'kubets-mounts', ...argv];
  }

  /** `argv` inside the running container `pid`'s mount namespace, root and working directory (exec sessions). */
  enterCommand(_containerId: string, pid: number, argv: string[]): string[] {
    return [this.tools.nsenter, `--target=${pid}`, '--mount', '--root', '--wd', '--', ...argv];
  }

  async release(containerId: string): Promise<void> {
    const dir = this.dir(containerId);
    // The namespaces' mounts are not on the node; anything mounted here is not ours to remove through.
    const mounted = mountsUnder(dir);
    if (mounted.length > 0) {
      this.logger.warn({ containerId, mounted }, 'process runtime: not removing a container state directory with mounts below it');
      return;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const run = promisify(execFile);
const warned = new Set<string>();

export interface ChooseContainerMountsOptions {
  /** e.g. `<runtime state dir>/mounts`. */
  stateDir: string;
  logger: Logger;
  /** Tests only: what process.getuid() would say. */
  uid?: number;
}

/**
 * NamespaceMounts when running as root with unshare, nsenter and overlayfs working (tried in a
 * throwaway namespace); else HostPathMounts, the reason logged once: containers then see their
 * volumes only at the volumes' node paths.
 */
export async function chooseContainerMounts(options: ChooseContainerMountsOptions): Promise<ContainerMounts> {
  const uid = options.uid ?? process.getuid?.();
  let reason: string;
  if (uid !== 0) reason = 'not root';
  else {
    try {
      const mounts = new NamespaceMounts({ stateDir: options.stateDir, logger: options.logger });
      const probe = posix.join(options.stateDir, `.probe-${process.pid}`);
      mkdirSync(probe, { recursive: true, mode: 0o700 });
      try {
        const tryOverlay = 'cd "$1" && mkdir l u w m && mount -t overlay overlay -o lowerdir=l,upperdir=u,workdir=w m';
        await run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', tryOverlay, 'probe', probe], { timeout: 10_000 });
      } finally {
        rmSync(probe, { recursive: true, force: true });
      }
      options.logger.info('process runtime: containers get their own mount namespace (volumes mounted at their paths)');
      return mounts;
    } catch (e) {
      const err = e as Error & { stderr?: string };
      reason = (err.stderr?.trim() || err.message).split('\n')[0]!;
    }
  }
  if (!warned.has(reason)) {
    warned.add(reason);
    options.logger.warn({ reason }, `process runtime: no mount namespaces (${reason}): containers see volumes only at their host paths`);
  }
  return new HostPathMounts();
}
