// Kernel settings under /proc/sys (this network namespace's, for net.*), written only when they
// differ; the pod network and the service proxy both need forwarding on.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const pathOf = (key: string) => `/proc/sys/${key.replace(/\./g, '/')}`;

/** Whether the kernel has this setting (net.bridge.* only once br_netfilter is loaded). */
export const hasSysctl = (key: string): boolean => existsSync(pathOf(key));

/** Sets `key` (e.g. net.ipv4.ip_forward) to `value`; throws when it cannot be read or written. */
export function setSysctl(key: string, value: string): void {
  const path = pathOf(key);
  if (readFileSync(path, 'utf8').trim() !== value) writeFileSync(path, value);
}
