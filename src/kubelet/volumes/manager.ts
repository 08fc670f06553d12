// The kubelet's volume manager, reduced to what a single node without attachable storage needs:
// it materialises a pod's volumes under `<podsDir>/<uid>/volumes/<plugin>/<name>` before the
// pod's containers are created (setUp), keeps configMap/secret/downwardAPI/projected contents in
// step with their sources (refresh, which the kubelet calls periodically — upstream's reconciler
// remounts these the same way), tells each container where its volumeMounts come from
// (mountsFor), and removes a pod's directory, unmounting what is mounted there first (tearDown,
// cleanupOrphans). Calls for one pod are serialised.
import type { ConfigMap, Container, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { isNotFound } from '../../apimachinery/errors.js';
import { CONFIG_MAPS, SECRETS } from '../../client/resources.js';
import type { Client } from '../../client/types.js';
import type { Logger } from '../../logging/index.js';
import { silentLogger } from '../../logging/index.js';
import type { Mount } from '../runtime/types.js';
import { AtomicWriter } from './atomic-writer.js';
import { fetchConfigMapPayload } from './configmap.js';
import { downwardAPIPayload, type NodeAllocatable } from './downwardapi.js';
import { setUpEmptyDir } from './emptydir.js';
import { checkHostPath } from './hostpath.js';
import { mountsUnder, unmount } from './mount-utils.js';
import { projectedPayload } from './projected.js';
import { fetchSecretPayload } from './secret.js';
import { TokenManager } from './service-account-token.js';
import { makeMounts } from './subpath.js';
import { type ManagedPlugin, type Payload, PLUGIN_DIRS, PodVolumesError, VolumeError, type VolumeSources } from './types.js';

export interface VolumeManagerOptions {
  /** Where pods' volume directories go, e.g. `<dataDir>/pods-volumes`. */
  podsDir: string;
  /** Where ConfigMaps, Secrets and tokens come from; else read through `client`. */
  sources?: VolumeSources;
  client?: Client;
  /** Named in the manager's log lines. */
  nodeName?: string;
  logger?: Logger;
  /** Whether tmpfs may be mounted (default: running as root). */
  canMount?: boolean;
  /** The node's allocatable resources, for downwardAPI limits a container does not set. */
  nodeAllocatable?: () => NodeAllocatable;
  now?: () => number;
}

/** ConfigMaps, Secrets and TokenRequests through the API. */
export function clientVolumeSources(client: Client): VolumeSources {
  const get = async <T>(type: typeof CONFIG_MAPS, ns: string, name: string): Promise<T | undefined> => {
    try {
      return (await client.resource(type).get(ns, name)) as T;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  return {
    configMap: (ns, name) => get<ConfigMap>(CONFIG_MAPS, ns, name),
    secret: (ns, name) => get<Secret>(SECRETS, ns, name),
    serviceAccountToken: (ns, name, request) =>
      client.request<TokenRequest>({ method: 'POST', path: `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(name)}/token`, body: request }),
  };
}

const defaultAllocatable = (): NodeAllocatable => ({ cpu: String(availableParallelism()), memory: String(totalmem()) });

/** The plugin that writes a volume's directory; hostPath has none, unsupported types neither. */
function managedPlugin(v: Volume): ManagedPlugin | undefined {
  if (v.emptyDir) return 'emptyDir';
  if (v.configMap) return 'configMap';
  if (v.secret) return 'secret';
  if (v.downwardAPI) return 'downwardAPI';
  if (v.projected) return 'projected';
  return undefined;
}

const SOURCE_KINDS = ['persistentVolumeClaim', 'ephemeral', 'csi', 'image', 'nfs', 'iscsi', 'gitRepo', 'rbd', 'cephfs', 'fc', 'azureFile', 'azureDisk'];

export class VolumeManager {
  private readonly sources: VolumeSources;
  private readonly logger: Logger;
  private readonly tokens: TokenManager;
  private readonly canMount: boolean;
  private readonly allocatable: () => NodeAllocatable;
  /** Volumes set up, by pod uid. */
  private readonly ready = new Map<string, Set<string>>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private warnedTmpfs = false;

  constructor(private readonly options: VolumeManagerOptions) {
    const sources = options.sources ?? (options.client ? clientVolumeSources(options.client) : undefined);
    if (!sources) throw new Error('VolumeManager needs sources or a client');
    this.sources = sources;
    const logger = options.logger ?? silentLogger;
    this.logger = options.nodeName ? logger.child({ node: options.nodeName }) : logger;
    this.tokens = new TokenManager(sources, this.logger, options.now);
    this.canMount = options.canMount ?? process.getuid?.() === 0;
    this.allocatable = options.nodeAllocatable ?? defaultAllocatable;
  }

  podDir(uid: string): string {
    return join(this.options.podsDir, uid);
  }

  /** Where a volume's data is on the node: its directory, hostPath's own path, or undefined. */
  volumePath(uid: string, v: Volume): string | undefined {
    if (v.hostPath) return v.hostPath.path;
    const plugin = managedPlugin(v);
    return plugin ? join(this.podDir(uid), 'volumes', PLUGIN_DIRS[plugin], v.name) : undefined;
  }

  /**
   * Makes every volume of the pod; cheap once they all are. Throws a PodVolumesError naming each
   * volume that failed (the kubelet records each as a FailedMount event and retries).
   */
  async setUp(pod: Pod): Promise<void> {
    const uid = pod.metadata!.uid!;
    await this.serialised(uid, async () => {
      const ready = this.ready.get(uid) ?? new Set<string>();
      this.ready.set(uid, ready);
      const errors: VolumeError[] = [];
      for (const v of pod.spec?.volumes ?? []) {
        if (ready.has(v.name)) continue;
        try {
          await this.mount(pod, v, true);
          ready.add(v.name);
        } catch (e) {
          errors.push(new VolumeError(v.name, (e as Error).message));
        }
      }
      if (errors.length > 0) throw new PodVolumesError(errors);
    });
  }

  /** Rewrites the contents of the pod's configMap, secret, downwardAPI and projected volumes that changed. */
  async refresh(pod: Pod): Promise<void> {
    const uid = pod.metadata!.uid!;
    await this.serialised(uid, async () => {
      const ready = this.ready.get(uid);
      const errors: VolumeError[] = [];
      for (const v of pod.spec?.volumes ?? []) {
        const plugin = managedPlugin(v);
        if (!ready?.has(v.name) || !plugin || plugin === 'emptyDir') continue;
        try {
          await this.mount(pod, v, false);
        } catch (e) {
          errors.push(new VolumeError(v.name, (e as Error).message));
        }
      }
      if (errors.length > 0) throw new PodVolumesError(errors);
    });
  }

  /** The container's mounts, from volumes already set up (upstream makeMounts). Throws a ContainerMountError. */
  mountsFor(pod: Pod, container: Container, env?: ReadonlyMap<string, string>): Mount[] {
    const uid = pod.metadata!.uid!;
    const ready = this.ready.get(uid);
    return makeMounts(pod, container, (v) => (ready?.has(v.name) ? this.volumePath(uid, v) : undefined), env);
  }

  /** Unmounts whatever is mounted under the pod's directory, then removes it; idempotent. */
  async tearDown(uid: string): Promise<void> {
    await this.serialised(uid, async () => {
      const dir = this.podDir(uid);
      this.ready.delete(uid);
      this.tokens.forgetPod(uid);
      if (!existsSync(dir)) return;
      for (const mountPoint of mountsUnder(dir)) unmount(mountPoint);
      // Never remove through a mount: what is still mounted would be emptied on its own filesystem.
      const left = mountsUnder(dir);
      if (left.length > 0) throw new Error(`cannot remove the volumes of pod ${uid}: still mounted: ${left.join(', ')}`);
      rmSync(dir, { recursive: true, force: true });
    });
  }

  /** Tears down the directories of pods not in `liveUids`; returns the uids removed. */
  async cleanupOrphans(liveUids: Iterable<string>): Promise<string[]> {
    const live = new Set(liveUids);
    let entries: string[];
    try {
      entries = readdirSync(this.options.podsDir);
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const uid of entries) {
      if (live.has(uid)) continue;
      try {
        await this.tearDown(uid);
        removed.push(uid);
      } catch (e) {
        this.logger.warn({ pod: uid, err: e }, 'could not remove the volumes of a pod that no longer exists');
      }
    }
    return removed;
  }

  private async mount(pod: Pod, v: Volume, initial: boolean): Promise<void> {
    if (v.hostPath) return checkHostPath(v.hostPath);
    const plugin = managedPlugin(v);
    if (!plugin) {
      const kind = SOURCE_KINDS.find((k) => (v as unknown as Record<string, unknown>)[k] !== undefined) ?? Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
      throw new Error(`no volume plugin matched: kubets's kubelet does not support ${kind} volumes`);
    }
    const dir = this.volumePath(pod.metadata!.uid!, v)!;
    const dirOptions = { canMount: this.canMount, warn: (m: string) => this.warnTmpfs(m) };
    if (plugin === 'emptyDir') return setUpEmptyDir(dir, v.emptyDir!, dirOptions);
    // Fetched before the directory exists, as upstream does: a missing source leaves nothing behind.
    const payload = await this.payload(pod, v, plugin);
    // configMaps are wrapped in a disk emptyDir, the others in a memory one (upstream wrappedVolumeSpec).
    if (initial) setUpEmptyDir(dir, { medium: plugin === 'configMap' ? '' : 'Memory' }, dirOptions);
    new AtomicWriter(dir).write(payload);
  }

  private async payload(pod: Pod, v: Volume, plugin: ManagedPlugin): Promise<Payload> {
    const ns = pod.metadata?.namespace ?? 'default';
    switch (plugin) {
      case 'configMap':
        return fetchConfigMapPayload(this.sources, ns, v.configMap!, v.configMap!.defaultMode);
      case 'secret':
        return fetchSecretPayload(this.sources, ns, { ...v.secret!, name: v.secret!.secretName }, v.secret!.defaultMode);
      case 'downwardAPI':
        return downwardAPIPayload(v.downwardAPI!.items, pod, v.downwardAPI!.defaultMode, this.allocatable());
      default:
        return projectedPayload(pod, v.projected!, { sources: this.sources, tokens: this.tokens, allocatable: this.allocatable() });
    }
  }

  private warnTmpfs(message: string): void {
    if (this.warnedTmpfs) return;
    this.warnedTmpfs = true;
    this.logger.warn(`volumes: ${message} (secret, downwardAPI and projected volumes are on disk too)`);
  }

  private serialised<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(uid) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    const settled = next.catch(() => undefined);
    this.locks.set(uid, settled);
    void settled.then(() => {
      if (this.locks.get(uid) === settled) this.locks.delete(uid);
    });
    return next;
  }
}
