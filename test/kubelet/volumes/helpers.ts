// Shared by the volume tests: temporary directories (removed after each test, unmounting first),
// fake ConfigMap/Secret/token sources that count their calls, and a pod builder.
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { ConfigMap, Pod, PodSpec, Secret } from 'kubernetes-types/core/v1.js';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountsUnder, unmount } from '../../../src/kubelet/volumes/mount-utils.js';
import type { VolumeSources } from '../../../src/kubelet/volumes/types.js';

const dirs: string[] = [];

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubets-volumes-'));
  dirs.push(d);
  return d;
}

export function cleanupDirs(): void {
  for (const d of dirs.splice(0)) {
    for (const m of mountsUnder(d)) unmount(m);
    rmSync(d, { recursive: true, force: true });
  }
}

export const isRoot = process.getuid?.() === 0;

export interface FakeSources extends VolumeSources {
  configMaps: Map<string, ConfigMap>;
  secrets: Map<string, Secret>;
  tokenRequests: { namespace: string; serviceAccount: string; request: TokenRequest }[];
  /** Makes the next token requests fail with this message. */
  tokenFailure?: string;
  /** The token's lifetime the fake grants (seconds); default: what was asked. */
  grantSeconds?: number;
  now: () => number;
}

/** ConfigMaps/Secrets keyed `ns/name`; tokens `token-<n>`, expiring relative to `now()`. */
export function fakeSources(now: () => number = Date.now): FakeSources {
  const s: FakeSources = {
    configMaps: new Map(),
    secrets: new Map(),
    tokenRequests: [],
    now,
    configMap: async (ns, name) => s.configMaps.get(`${ns}/${name}`),
    secret: async (ns, name) => s.secrets.get(`${ns}/${name}`),
    serviceAccountToken: async (namespace, serviceAccount, request) => {
      s.tokenRequests.push({ namespace, serviceAccount, request });
      if (s.tokenFailure) throw new Error(s.tokenFailure);
      const seconds = s.grantSeconds ?? request.spec.expirationSeconds ?? 3600;
      return {
        ...request,
        spec: { ...request.spec, expirationSeconds: seconds },
        status: { token: `token-${s.tokenRequests.length}`, expirationTimestamp: new Date(s.now() + seconds * 1000).toISOString() },
      };
    },
  };
  return s;
}

export function pod(spec: Partial<PodSpec>, meta: Partial<NonNullable<Pod['metadata']>> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'uid-1', ...meta },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  };
}

export const b64 = (s: string) => Buffer.from(s).toString('base64');
export const read = (p: string) => readFileSync(p, 'utf8');
export const modeOf = (p: string) => lstatSync(p).mode & 0o7777;
export const linkOf = (p: string) => readlinkSync(p);
