// Writes a pod's /etc/hosts and /etc/resolv.conf into its directory on the node and adds them to
// its containers' mounts. As upstream: the hosts file is `<podDir>/etc-hosts`, rewritten before
// each container is created (kubelet makeHostsMount); resolv.conf is made once per sandbox
// (containerd writes it when the sandbox is created), which is also when the DNS events are
// recorded. Both go away with the pod's directory (VolumeManager.tearDown).
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Mount } from '../runtime/types.js';
import { ContainerMountError } from '../volumes/index.js';
import { type DNSEvent, podDNS, formatResolvConf, podHostsFile } from './dns-files.js';

export const ETC_HOSTS_FILE = 'etc-hosts';
export const RESOLV_CONF_FILE = 'resolv.conf';
const ETC_HOSTS_PATH = '/etc/hosts';
const RESOLV_CONF_PATH = '/etc/resolv.conf';

export interface PodEtcFilesOptions {
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's files (default /etc/resolv.conf and /etc/hosts): kubelet --resolv-conf, and host-network pods' hosts. */
  hostResolvConfPath?: string;
  hostHostsPath?: string;
}

/** Where the pod's files are on the node: `hosts` absent when the pod has no IP yet (upstream mounts none then). */
export interface PodEtcFilePaths {
  hosts?: string;
  resolvConf: string;
}

/** A missing node file reads as empty (no nameservers, no entries) rather than failing every pod. */
function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

/**
 * `content` at `path` by rename, so a reader never sees half a file; left as is when already so,
 * so that the containers of a pod keep sharing one file (a bind mount holds the inode it found).
 */
function writeAtomically(path: string, content: string): void {
  try {
    if (readFileSync(path, 'utf8') === content) return;
  } catch {
    // not there yet
  }
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, content, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** One pod's files; one per pod worker. */
export class PodEtcFiles {
  /** The sandbox whose resolv.conf was written. */
  private resolvFor: string | undefined;

  constructor(private readonly options: PodEtcFilesOptions) {}

  /**
   * Writes the files for a container about to be created in `sandboxId` and returns where they
   * are, and the DNS events to record (only when resolv.conf was made for a new sandbox). Fails
   * with a ContainerMountError (the container waits in CreateContainerConfigError, as upstream).
   */
  ensure(pod: Pod, podDir: string, sandboxId: string, podIP: string | undefined): { paths: PodEtcFilePaths; events: DNSEvent[] } {
    const o = this.options;
    const paths: PodEtcFilePaths = { resolvConf: join(podDir, RESOLV_CONF_FILE) };
    let events: DNSEvent[] = [];
    try {
      mkdirSync(podDir, { recursive: true, mode: 0o750 });
      const newSandbox = this.resolvFor !== sandboxId;
      // Rewritten too if it went away: a missing mount source would become a directory (containerd's rule).
      if (newSandbox || !existsSync(paths.resolvConf)) {
        const hostResolvConf = readOptional(o.hostResolvConfPath ?? RESOLV_CONF_PATH);
        const dns = podDNS(pod, { clusterDNS: o.clusterDNS, clusterDomain: o.clusterDomain, hostResolvConf });
        writeAtomically(paths.resolvConf, formatResolvConf(dns.config, hostResolvConf));
        this.resolvFor = sandboxId;
        if (newSandbox) events = dns.events;
      }
      if (podIP || pod.spec?.hostNetwork) {
        paths.hosts = join(podDir, ETC_HOSTS_FILE);
        const hostHostsFile = pod.spec?.hostNetwork ? readOptional(o.hostHostsPath ?? ETC_HOSTS_PATH) : undefined;
        writeAtomically(paths.hosts, podHostsFile(pod, podIP ?? [], { clusterDomain: o.clusterDomain, hostHostsFile }));
      }
    } catch (e) {
      throw new ContainerMountError(`failed to write the pod's /etc/hosts and /etc/resolv.conf: ${(e as Error).message}`);
    }
    return { paths, events };
  }
}

const samePath = (a: string, b: string) => posix.normalize(`${a}/`) === posix.normalize(`${b}/`);

/**
 * The container's mounts with the pod's /etc/hosts (read-write, as upstream's) and
 * /etc/resolv.conf (read-only with a read-only root filesystem, as containerd's) added, unless
 * the container mounts something at that path itself.
 */
export function withEtcMounts(mounts: Mount[], container: Container, paths: PodEtcFilePaths): Mount[] {
  const taken = (p: string) => mounts.some((m) => samePath(m.containerPath, p));
  const out = [...mounts];
  if (paths.hosts && !taken(ETC_HOSTS_PATH)) out.push({ containerPath: ETC_HOSTS_PATH, hostPath: paths.hosts, readonly: false });
  if (!taken(RESOLV_CONF_PATH)) out.push({ containerPath: RESOLV_CONF_PATH, hostPath: paths.resolvConf, readonly: container.securityContext?.readOnlyRootFilesystem === true });
  return out;
}
