// What the volume plugins share: where the kubelet gets ConfigMaps, Secrets and service account
// tokens from, the payload a plugin projects into its directory, the plugins' directory names
// (upstream's escaped plugin names, `kubernetes.io~configmap` ...), and the errors setUp reports.
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';

export interface VolumeSources {
  /** undefined when it does not exist; throws for any other failure. */
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** POST .../serviceaccounts/<name>/token: the TokenRequest with its status filled in. */
  serviceAccountToken(namespace: string, serviceAccountName: string, request: TokenRequest): Promise<TokenRequest>;
}

/** One file of a projection: its content and permission bits. */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

/** Relative path within the volume -> file. */
export type Payload = Map<string, FileProjection>;

/** Upstream's plugin names with '/' escaped as '~': the directory under `<pod>/volumes/`. */
export const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

export type ManagedPlugin = keyof typeof PLUGIN_DIRS;

/** The default file mode of configMap, secret, downwardAPI and projected volumes (0644). */
export const DEFAULT_FILE_MODE = 0o644;

/**
 * A volume that could not be set up. `message` is upstream's FailedMount event text
 * (`MountVolume.SetUp failed for volume "cfg" : configmap "cfg" not found`); `detail` is the
 * plugin's own words.
 */
export class VolumeError extends Error {
  readonly reason = 'FailedMount';
  constructor(
    readonly volume: string,
    readonly detail: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${detail}`);
    this.name = 'VolumeError';
  }
}

/** Every volume of a pod that failed, one VolumeError each; the message joins theirs. */
export class PodVolumesError extends Error {
  constructor(readonly errors: VolumeError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'PodVolumesError';
  }
}

/**
 * A container's volumeMounts cannot be resolved (missing volume, bad subPath). Upstream's
 * makeMounts fails the container's creation with these words: CreateContainerConfigError.
 */
export class ContainerMountError extends Error {
  readonly reason = 'CreateContainerConfigError';
  constructor(message: string) {
    super(message);
    this.name = 'ContainerMountError';
  }
}

/** utilerrors.NewAggregate's text: one message as is, several deduplicated in brackets. */
export function aggregateMessage(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}
