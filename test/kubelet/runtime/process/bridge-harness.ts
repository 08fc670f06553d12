// Shared by the bridge network's tests (root): bridges with unique names on pod CIDRs no one else
// uses (10.250.<free octet>.0/24), their namespaces, processes and state directories, all removed
// by cleanupBridges() whatever happened.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeNetwork, type BridgeNetworkOptions } from '../../../../src/kubelet/runtime/process/bridge-network.js';
import type { PodSandboxConfig } from '../../../../src/kubelet/runtime/types.js';

export const NODE = process.execPath;
export const NODE_IP = '192.0.2.10';
const dirs: string[] = [];
const networks: BridgeNetwork[] = [];
const pids: number[] = [];

export function tempDir(prefix = 'kubets-bridge-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Octets of 10.250.x.0/24 already on an interface of this machine. */
function usedOctets(): Set<number> {
  const out = execFileSync('ip', ['-4', '-o', 'addr', 'show']).toString();
  return new Set([...out.matchAll(/inet 10\.250\.(\d+)\./g)].map((m) => Number(m[1])));
}

/** A 10.250.x.0/24 on no interface of this machine. */
export function freePodCIDR(): string {
  const used = usedOctets();
  let octet: number;
  do octet = 1 + Math.floor(Math.random() * 254);
  while (used.has(octet));
  return `10.250.${octet}.0/24`;
}

export const uniqueBridgeName = () => `kbt${randomBytes(4).toString('hex')}`;

/**
 * A new bridge network, initialized, on a free pod CIDR and a bridge named `kbt<random>`.
 * Another test file may take the same CIDR between the check and the bridge: then another one.
 */
export async function newBridgeNetwork(options: Partial<BridgeNetworkOptions> = {}): Promise<BridgeNetwork> {
  for (let attempt = 0; ; attempt++) {
    const net = new BridgeNetwork({
      podCIDR: freePodCIDR(),
      nodeIp: NODE_IP,
      stateDir: tempDir(),
      bridgeName: uniqueBridgeName(),
      relayIdleMs: 2000,
      ...options,
    });
    networks.push(net);
    try {
      await net.init();
      return net;
    } catch (e) {
      if (options.podCIDR || attempt >= 5 || !/overlaps/.test((e as Error).message)) throw e;
    }
  }
}

/** Tears down `net` with the others in cleanupBridges() (a network the test did not make here). */
export function track(net: BridgeNetwork): BridgeNetwork {
  networks.push(net);
  return net;
}

/** The same bridge and state as `net`, as a restarted kubets would make it. */
export function reopen(net: BridgeNetwork): BridgeNetwork {
  const again = new BridgeNetwork({ podCIDR: net.subnet.cidr, nodeIp: NODE_IP, stateDir: net.stateDir, bridgeName: net.bridgeName, relayIdleMs: 2000 });
  networks.push(again);
  return again;
}

export function podConfig(name: string, overrides: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 }, logDirectory: tempDir(), labels: {}, annotations: {}, ...overrides };
}

/** Starts `argv` detached (its own process group); killed, group and all, by cleanupBridges(). */
export function startProcess(argv: string[]): number {
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore' });
  child.unref();
  pids.push(child.pid!);
  return child.pid!;
}

/** A node HTTP server on `host:port` answering `name`. */
export const httpServer = (name: string, port: number, host = '0.0.0.0') => [
  NODE,
  '-e',
  `require('http').createServer((q, s) => s.end(${JSON.stringify(name)})).listen(${port}, ${JSON.stringify(host)})`,
];

/** GET http://ip:port/ from here: the body, or the error code. */
export function httpGet(ip: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = get({ host: ip, port, path: '/', agent: false, timeout: 2000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

export const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Kills every process, removes every namespace and bridge made here, even those a failed test left half-made. */
export async function cleanupBridges(): Promise<void> {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  const made = networks.splice(0);
  for (const net of made) await net.removeBridge().catch(() => {});
  // Belt and braces: whatever removeBridge could not remove.
  const bridges = new Set(made.map((n) => n.bridgeName));
  for (const name of readdirSync('/run/netns')) {
    if ([...bridges].some((b) => name.startsWith(`${b}-`))) {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      } catch {
        // gone
      }
    }
  }
  for (const bridge of bridges) {
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    } catch {
      // gone
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Whether an interface exists in this (the node's) network namespace. */
export function linkExists(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
