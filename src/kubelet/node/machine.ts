// What the node agent reads from the machine it runs on: identity and size (as cAdvisor's
// MachineInfo gives upstream's kubelet) and current usage (what its eviction manager watches).
// Behind an interface so tests can describe any machine.
import { readFile, readdir, statfs } from 'node:fs/promises';
import { availableParallelism, endianness, freemem, networkInterfaces, release, totalmem, type } from 'node:os';

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  /** In Go's GOOS naming (linux, darwin, windows). */
  operatingSystem: string;
  /** In Go's GOARCH naming (amd64, arm64...). */
  architecture: string;
  /** The address other machines reach this one at. */
  internalIP: string;
}

export interface FilesystemStats {
  capacityBytes: number;
  availableBytes: number;
  /** 0 when the filesystem does not count inodes (btrfs, some overlays). */
  inodes: number;
  inodesFree: number;
}

export interface PidStats {
  /** The most processes (threads) the kernel allows at once. */
  max: number;
  /** Processes (threads) now. */
  running: number;
}

export interface MachineUsage {
  memoryAvailableBytes: number;
  /** The filesystem holding the data directory; absent when it cannot be read. */
  fs?: FilesystemStats;
  /** Absent where the kernel does not say (not Linux). */
  pids?: PidStats;
}

export interface MachineProbes {
  info(): Promise<MachineInfo>;
  usage(): Promise<MachineUsage>;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mipsel: 'mipsle', mips: 'mips' };
const GO_OS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };

/** process.arch in Go's naming, as the kubernetes.io/arch label wants it. */
export function goArch(arch: string = process.arch, littleEndian = endianness() === 'LE'): string {
  if (arch === 'ppc64') return littleEndian ? 'ppc64le' : 'ppc64';
  return GO_ARCH[arch] ?? arch;
}

/** process.platform in Go's naming. */
export function goOS(platform: string = process.platform): string {
  return GO_OS[platform] ?? platform;
}

/** PRETTY_NAME from an os-release file's text, unquoted. */
export function prettyName(osRelease: string): string | undefined {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  if (!m) return undefined;
  const v = m[1]!.trim();
  return v.replace(/^(["'])(.*)\1$/, '$2');
}

/** The interface of the default IPv4 route in /proc/net/route's text. */
export function defaultRouteInterface(procNetRoute: string): string | undefined {
  for (const line of procNetRoute.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[1] === '00000000' && f[7] === '00000000') return f[0];
  }
  return undefined;
}

/** The first non-internal IPv4 of `iface` (else of any interface), or 127.0.0.1 when there is none. */
export function chooseInternalIP(ifaces: ReturnType<typeof networkInterfaces>, iface?: string): string {
  const v4 = (list: ReturnType<typeof networkInterfaces>[string]) => (list ?? []).find((a) => a.family === 'IPv4' && !a.internal)?.address;
  const preferred = iface ? v4(ifaces[iface]) : undefined;
  if (preferred) return preferred;
  for (const list of Object.values(ifaces)) {
    const a = v4(list);
    if (a) return a;
  }
  return '127.0.0.1';
}

/** The running processes (threads) from /proc/loadavg's fourth field ("running/total"). */
export function threadsFromLoadavg(loadavg: string): number | undefined {
  const m = /^\S+\s+\S+\s+\S+\s+\d+\/(\d+)/.exec(loadavg);
  return m ? Number(m[1]) : undefined;
}

const text = (path: string): Promise<string | undefined> => readFile(path, 'utf8').then(
  (s) => s,
  () => undefined,
);

/** The machine this process runs on. `dataDir` is where the node keeps its files (ephemeral storage). */
export function hostMachine(dataDir: string): MachineProbes {
  return {
    async info() {
      const [machineID, systemUUID, bootID, osRelease, route] = await Promise.all([
        text('/etc/machine-id').then((s) => s ?? text('/var/lib/dbus/machine-id')),
        text('/sys/class/dmi/id/product_uuid'),
        text('/proc/sys/kernel/random/boot_id'),
        text('/etc/os-release').then((s) => s ?? text('/usr/lib/os-release')),
        text('/proc/net/route'),
      ]);
      return {
        cpus: availableParallelism(),
        memoryBytes: totalmem(),
        machineID: machineID?.trim() ?? '',
        // cAdvisor reports an empty UUID when the DMI table is unreadable (unprivileged, containers).
        systemUUID: systemUUID?.trim() ?? '',
        bootID: bootID?.trim() ?? '',
        kernelVersion: release(),
        // cAdvisor's default when there is no os-release.
        osImage: (osRelease && prettyName(osRelease)) || (process.platform === 'linux' ? 'Linux' : type()),
        operatingSystem: goOS(),
        architecture: goArch(),
        internalIP: chooseInternalIP(networkInterfaces(), route ? defaultRouteInterface(route) : undefined),
      };
    },
    async usage() {
      const [fs, pids] = await Promise.all([filesystem(dataDir), pidStats()]);
      return { memoryAvailableBytes: freemem(), fs, pids };
    },
  };
}

async function filesystem(path: string): Promise<FilesystemStats | undefined> {
  try {
    const s = await statfs(path);
    return { capacityBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize, inodes: s.files, inodesFree: s.ffree };
  } catch {
    return undefined;
  }
}

/**
 * As upstream's pidlimit stats: the limit is the smaller of pid_max and threads-max, the count is
 * the kernel's number of threads (every thread takes a PID), else the /proc/<pid> directories.
 */
async function pidStats(): Promise<PidStats | undefined> {
  const [pidMax, threadsMax, loadavg] = await Promise.all([text('/proc/sys/kernel/pid_max'), text('/proc/sys/kernel/threads-max'), text('/proc/loadavg')]);
  const limits = [pidMax, threadsMax].map((s) => Number(s?.trim())).filter((n) => Number.isFinite(n) && n > 0);
  if (!limits.length) return undefined;
  let running = loadavg ? threadsFromLoadavg(loadavg) : undefined;
  if (running === undefined) {
    const entries = await readdir('/proc').catch(() => [] as string[]);
    running = entries.filter((e) => /^\d+$/.test(e)).length;
  }
  return { max: Math.min(...limits), running };
}
