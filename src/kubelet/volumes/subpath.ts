// A container's mounts from its volumeMounts (upstream kubelet_pods.go makeMounts): each names a
// pod volume whose directory (or, for hostPath, the node's path) is the source; subPath — or
// subPathExpr with $(VAR) from the container's environment — picks a path inside it, created
// (with the volume's mode) when missing, and refused when it is absolute, climbs with '..', or
// leads out of the volume through a symlink. A mount is read-only when it asks to be or when its
// volume always is (configMap, secret, downwardAPI, projected).
import type { Container, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { chmodSync, existsSync, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Mount } from '../runtime/types.js';
import { isWithin } from './mount-utils.js';
import { ContainerMountError } from './types.js';

/**
 * upstream ExpandContainerVolumeMounts: `$(VAR)` from the environment, `$$` a literal `$`; a
 * variable unset or empty is an error naming every such one.
 */
export function expandSubPathExpr(expr: string, env: ReadonlyMap<string, string>): string {
  const missing = new Set<string>();
  let out = '';
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c !== '$' || i + 1 >= expr.length) {
      out += c;
      continue;
    }
    const next = expr[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    const close = next === '(' ? expr.indexOf(')', i + 2) : -1;
    if (close < 0) {
      out += c;
      continue;
    }
    const name = expr.slice(i + 2, close);
    const value = env.get(name) ?? '';
    if (value === '') missing.add(name);
    out += value;
    i = close;
  }
  if (missing.size > 0) throw new ContainerMountError(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

/** Volumes whose contents the kubelet writes: containers always get them read-only (upstream's mounter attributes). */
export const alwaysReadOnly = (v: Volume): boolean => !!(v.configMap || v.secret || v.downwardAPI || v.projected);

/** Creates the missing directories of `sub` under `volumePath` with `mode`, never leaving the volume. */
function safeMakeDir(volumePath: string, sub: string, mode: number): void {
  let cur = volumePath;
  for (const part of sub.split('/').filter((p) => p && p !== '.')) {
    cur = join(cur, part);
    if (existsSync(cur)) {
      // An existing component may be a symlink: following it must stay in the volume.
      if (!isWithin(realpathSync(cur), realpathSync(volumePath))) throw new Error(`${cur} is outside the volume`);
      continue;
    }
    mkdirSync(cur, { mode });
    chmodSync(cur, mode);
  }
}

export function makeMounts(pod: Pod, container: Container, volumePath: (v: Volume) => string | undefined, env: ReadonlyMap<string, string> = new Map()): Mount[] {
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const vol = volumes.get(vm.name);
    const root = vol && volumePath(vol);
    if (!vol || root === undefined) throw new ContainerMountError(`cannot find volume "${vm.name}" to mount into container "${container.name}"`);
    let hostPath = root;
    const subPath = vm.subPathExpr ? expandSubPathExpr(vm.subPathExpr, env) : (vm.subPath ?? '');
    if (subPath !== '') {
      if (subPath.startsWith('/')) throw new ContainerMountError(`error SubPath \`${subPath}\` must not be an absolute path`);
      if (subPath.split('/').includes('..')) throw new ContainerMountError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
      hostPath = join(root, subPath);
      if (!existsSync(hostPath)) {
        try {
          safeMakeDir(root, subPath, lstatSync(root).mode & 0o7777);
        } catch {
          // Upstream keeps the details (host paths) out of what the user sees.
          throw new ContainerMountError(`failed to create subPath directory for volumeMount "${vm.name}" of container "${container.name}"`);
        }
      }
      // upstream binds the resolved path so that a symlink swapped in later cannot redirect the
      // mount; here the resolved path itself is the source, checked to be inside the volume.
      let resolved: string;
      try {
        resolved = realpathSync(hostPath);
        if (!isWithin(resolved, realpathSync(root))) throw new Error('outside');
      } catch {
        throw new ContainerMountError(`failed to prepare subPath for volumeMount "${vm.name}" of container "${container.name}"`);
      }
      hostPath = resolved;
    }
    mounts.push({
      containerPath: posix.resolve('/', vm.mountPath),
      hostPath,
      readonly: vm.readOnly === true || alwaysReadOnly(vol),
    });
  }
  return mounts;
}
