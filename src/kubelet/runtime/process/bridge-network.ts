// Pod networking for the process runtime when it runs as root, as the CNI bridge and host-local
// plugins give it to containerd: a Linux bridge on the node holding the pod CIDR's first address
// (the pods' gateway), and per sandbox a named network namespace joined to it by a veth pair (the
// host end on the bridge, the other end eth0 in the namespace) with an IP from the pod CIDR, lo
// up and a default route via the gateway. A sandbox's processes run in its namespace (nsenter),
// so containers of one pod share localhost and its ports, and pods reach each other, and the
// node, by IP without NAT.
//
// Given the cluster CIDR, pod traffic to anything outside it is masqueraded to the node's address
// (egress-masquerade.ts, the bridge plugin's ipMasq; forwarding is enabled for it), so pods reach
// the node's networks. What it does not do: no routes to other nodes' pod CIDRs; no hostPort mappings.
//
// Names are derived, not stored, so a restarted runtime finds everything again: the bridge is
// `kb<hash of the state directory>` unless told, so kubets nodes sharing a machine never share
// one; a sandbox's namespace is `<bridge>-<sandbox id prefix>-<hash>` and its host veth
// `veth<hash of that>`. IPs are persisted by the IPAM (ipam.ts).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { ipv4ToInt, parseIpv4Cidr } from '../../../controllers/nodeipam/cidr-set.js';
import type { Logger } from '../../../logging/index.js';
import { silentLogger } from '../../../logging/index.js';
import type { PodSandboxConfig } from '../types.js';
import { RuntimeError } from '../types.js';
import { bridgePorts, findExecutable, ip, IpBatcher, ipBatch, IpCommandError, NETNS_RUN_DIR, showAddresses } from './ip-command.js';
import { HostLocalIpam, type PodSubnet } from './ipam.js';
import { NetnsPortForwarder } from './netns-port-forward.js';
import { EgressMasquerade } from './egress-masquerade.js';
import { HostNetwork, type SandboxNetwork, type SandboxNetworkStatus } from './network.js';

/** Linux's IFNAMSIZ less the terminating NUL. */
const MAX_IFNAME = 15;
const DEFAULT_STRAY_VETH_CHECK_MS = 2000;

export interface BridgeNetworkOptions {
  /** The node's spec.podCIDR (IPv4). */
  podCIDR: string;
  /** hostNetwork sandboxes' IP. */
  nodeIp: string;
  /** Holds the IPAM's reservations; also names the default bridge. */
  stateDir: string;
  /** At most 15 characters; default `kb` + a hash of stateDir. */
  bridgeName?: string;
  logger?: Logger;
  /** How long an idle port-forward helper lives (default 30 s). */
  relayIdleMs?: number;
  /** How long after a teardown a veth still there is taken for one kept alive by a stray process (default 2 s). */
  strayVethCheckMs?: number;
  /** Every node's pods: traffic from this node's pods to anything else is masqueraded. */
  clusterCIDR?: string;
}

export interface OrphanCleanup {
  /** Network namespaces removed. */
  netns: string[];
  /** Host veths removed from the bridge (their namespace outlived its file, held by a process). */
  veths: string[];
  /** IPs released. */
  ips: string[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** `kb` + 8 hex digits of the state directory's absolute path: one bridge per kubets node. */
export function defaultBridgeName(stateDir: string): string {
  return `kb${sha256(resolve(stateDir)).slice(0, 8)}`;
}

/** Whether two IPv4 CIDRs share an address. */
function overlaps(a: { base: number; prefix: number }, b: { base: number; prefix: number }): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return ((a.base & mask) >>> 0) === ((b.base & mask) >>> 0);
}

export class BridgeNetwork implements SandboxNetwork {
  readonly bridgeName: string;
  readonly subnet: PodSubnet;
  readonly stateDir: string;
  private readonly ipam: HostLocalIpam;
  private readonly host: HostNetwork;
  private readonly forwarder: NetnsPortForwarder;
  private readonly logger: Logger;
  private readonly nsenter: string | undefined;
  private readonly strayVethCheckMs: number;
  private readonly egress: EgressMasquerade | undefined;
  /** The node-side changes of concurrent setups and teardowns, run together. */
  private readonly batcher = new IpBatcher();
  private ready: Promise<void> | undefined;
  /** Pending stray-veth checks, by veth name. */
  private readonly strayChecks = new Map<string, NodeJS.Timeout>();

  constructor(options: BridgeNetworkOptions) {
    this.bridgeName = options.bridgeName ?? defaultBridgeName(options.stateDir);
    if (this.bridgeName.length > MAX_IFNAME || !/^[A-Za-z0-9_.-]+$/.test(this.bridgeName)) {
      throw new Error(`invalid bridge name "${this.bridgeName}": want at most ${MAX_IFNAME} letters, digits, '_', '.' or '-'`);
    }
    this.stateDir = options.stateDir;
    this.ipam = new HostLocalIpam(join(options.stateDir, 'ipam'), options.podCIDR);
    this.subnet = this.ipam.subnet;
    this.host = new HostNetwork(options.nodeIp);
    this.logger = options.logger ?? silentLogger;
    this.nsenter = findExecutable('nsenter');
    this.forwarder = new NetnsPortForwarder(this.nsenter ?? 'nsenter', this.logger, options.relayIdleMs);
    this.strayVethCheckMs = options.strayVethCheckMs ?? DEFAULT_STRAY_VETH_CHECK_MS;
    if (options.clusterCIDR) this.egress = new EgressMasquerade({ bridgeName: this.bridgeName, podCIDR: this.subnet.cidr, clusterCIDR: options.clusterCIDR, logger: this.logger });
  }

  /** Readies the bridge (created if missing, given the gateway address, up) once; throws when pod networking cannot work here. */
  init(): Promise<void> {
    this.ready ??= this.prepare().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  netnsName(sandboxId: string): string {
    const readable = sandboxId.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 12);
    return `${this.bridgeName}-${readable}-${sha256(sandboxId).slice(0, 6)}`;
  }

  netnsPath(sandboxId: string): string {
    return join(NETNS_RUN_DIR, this.netnsName(sandboxId));
  }

  /** The host end of the sandbox's veth pair. */
  vethName(sandboxId: string): string {
    return vethOf(this.netnsName(sandboxId));
  }

  /** Idempotent: a sandbox already set up (a restarted runtime) keeps its IP, and its namespace is rebuilt if gone. */
  async setup(sandboxId: string, config: PodSandboxConfig): Promise<SandboxNetworkStatus> {
    if (config.hostNetwork) return this.host.setup(sandboxId, config);
    await this.init();
    const started = Date.now();
    const ip = this.ipam.allocate(sandboxId);
    try {
      await this.plumb(sandboxId, ip);
    } catch (e) {
      await this.unplumb(sandboxId).catch(() => {});
      this.ipam.release(sandboxId);
      // containerd's words, the plugin named as a CNI plugin would be.
      throw new RuntimeError('CreatePodSandboxError', `failed to setup network for sandbox "${sandboxId}": plugin type="bridge" failed (add): ${(e as Error).message}`);
    }
    this.logger.debug({ sandbox: sandboxId, ip, ms: Date.now() - started }, 'process runtime: pod network set up');
    return {
      ip,
      additionalIps: [],
      info: { network: `process runtime: bridge ${this.bridgeName} (${this.subnet.cidr})`, netns: this.netnsPath(sandboxId) },
    };
  }

  /**
   * Removes the namespace and releases the IP; idempotent, and free for a hostNetwork sandbox.
   * Only the namespace's name is removed here: the kernel destroys the namespace, and the veth in
   * it, once no process holds it, in the background and many at a time, where deleting each veth
   * would cost a synchronous kernel round each. A veth still there a little later belongs to a
   * namespace a stray process keeps alive (a daemon that left its container's process group): it
   * is deleted then, which cuts that process off the bridge before its IP is given again.
   */
  async teardown(sandboxId: string): Promise<void> {
    if (!this.ipam.get(sandboxId) && !existsSync(this.netnsPath(sandboxId))) return;
    const netns = this.netnsName(sandboxId);
    const path = join(NETNS_RUN_DIR, netns);
    try {
      await this.forwarder.stop(path);
      const failed = await this.batcher.run([['netns', 'del', netns]]).then(
        () => undefined,
        (e: Error) => e,
      );
      if (failed && existsSync(path)) throw failed;
      this.checkStrayVeth(vethOf(netns));
    } catch (e) {
      throw new RuntimeError('StopPodSandboxError', `failed to destroy network for sandbox "${sandboxId}": plugin type="bridge" failed (delete): ${(e as Error).message}`);
    }
    this.ipam.release(sandboxId);
  }

  /** nsenter without --fork execs the command: the pid the runtime records and signals is the container's. */
  wrapCommand(sandboxId: string, argv: string[]): string[] {
    if (!this.ipam.get(sandboxId)) return argv;
    return [this.nsenter ?? 'nsenter', `--net=${this.netnsPath(sandboxId)}`, '--', ...argv];
  }

  async connect(sandboxId: string, port: number): Promise<Duplex> {
    const podIp = this.ipam.get(sandboxId);
    if (!podIp) return this.host.connect(sandboxId, port);
    return this.forwarder.connect({ sandboxId, netnsPath: this.netnsPath(sandboxId), podIp }, port);
  }

  /** Pod sandboxes' IPs, by sandbox id. */
  allocations(): Map<string, string> {
    return this.ipam.list();
  }

  /**
   * Removes what belongs to sandboxes not in `liveSandboxIds`: this network's namespaces, veths
   * left on its bridge, IP reservations. For a runtime that adopted its sandboxes after a crash.
   */
  async cleanupOrphans(liveSandboxIds: Iterable<string>): Promise<OrphanCleanup> {
    const live = new Set(liveSandboxIds);
    const liveNetns = new Set([...live].map((id) => this.netnsName(id)));
    const done: OrphanCleanup = { netns: [], veths: [], ips: [] };
    const stale = this.ownNetns().filter((name) => !liveNetns.has(name));
    await Promise.all(stale.map((name) => this.forwarder.stop(join(NETNS_RUN_DIR, name))));
    // At once, the veths too: a process may still hold a namespace, and must lose its network.
    await this.batcher.run(stale.flatMap((name) => [['link', 'del', vethOf(name)], ['netns', 'del', name]])).catch(() => {});
    done.netns.push(...stale.filter((name) => !existsSync(join(NETNS_RUN_DIR, name))));
    const liveVeths = new Set([...liveNetns].map(vethOf));
    for (const port of await bridgePorts(this.bridgeName).catch(() => [])) {
      if (liveVeths.has(port) || !/^veth[0-9a-f]{11}$/.test(port)) continue;
      await ip(['link', 'del', port]).then(
        () => done.veths.push(port),
        () => {},
      );
    }
    for (const [id, address] of this.ipam.list()) {
      if (live.has(id)) continue;
      this.ipam.release(id);
      done.ips.push(address);
    }
    if (done.netns.length + done.veths.length + done.ips.length > 0) this.logger.info(done, 'process runtime: removed the networks of sandboxes that no longer exist');
    return done;
  }

  /**
   * Gives back their namespace, with the same IP, to sandboxes among `liveSandboxIds` that hold an
   * IP but lost their namespace (the node rebooted: /run is gone, the state directory is not), so
   * their containers restarted later run in a pod network again. Returns the sandbox ids restored.
   */
  async restore(liveSandboxIds: Iterable<string>): Promise<string[]> {
    const missing = [...new Set(liveSandboxIds)].filter((id) => this.ipam.get(id) && !existsSync(this.netnsPath(id)));
    if (missing.length === 0) return [];
    await this.init();
    const restored = await Promise.all(
      missing.map((id) =>
        this.plumb(id, this.ipam.get(id)!).then(
          () => id,
          (e: unknown) => {
            this.logger.error({ sandbox: id, err: e }, 'process runtime: cannot restore the pod network of a sandbox');
            return undefined;
          },
        ),
      ),
    );
    return restored.filter((id): id is string => id !== undefined);
  }

  /** Stops port-forward helpers; sandboxes keep their networks. */
  async close(): Promise<void> {
    for (const t of this.strayChecks.values()) clearTimeout(t);
    this.strayChecks.clear();
    await this.forwarder.close();
  }

  /** Removes every namespace of this network, its IP reservations and the bridge (tests, a node taken down). */
  async removeBridge(): Promise<void> {
    await this.close();
    await this.cleanupOrphans([]);
    await ip(['link', 'del', this.bridgeName]).catch((e: unknown) => {
      if (!(e instanceof IpCommandError && /Cannot find device/.test(e.stderr))) throw e;
    });
    await this.egress?.remove();
    this.ready = undefined;
  }

  // ---- helpers

  private async prepare(): Promise<void> {
    if (!this.nsenter) throw new Error('nsenter (util-linux) not found');
    const cidr = parseIpv4Cidr(this.subnet.cidr)!;
    const links = await showAddresses();
    for (const link of links) {
      if (link.ifname === this.bridgeName) continue;
      for (const a of link.addr_info ?? []) {
        if (a.family !== 'inet' || !overlaps(cidr, { base: ipv4ToInt(a.local), prefix: a.prefixlen })) continue;
        throw new Error(`pod CIDR ${this.subnet.cidr} overlaps ${a.local}/${a.prefixlen} on ${link.ifname}`);
      }
    }
    const bridge = links.find((l) => l.ifname === this.bridgeName);
    if (!bridge) {
      await ip(['link', 'add', this.bridgeName, 'type', 'bridge']).catch((e: unknown) => {
        if (!(e instanceof IpCommandError && /File exists/.test(e.stderr))) throw e;
      });
      this.logger.info({ bridge: this.bridgeName, gateway: this.subnet.gateway }, 'process runtime: created the pod bridge');
    }
    const want = `${this.subnet.gateway}/${this.subnet.prefix}`;
    const commands: string[][] = [];
    let present = false;
    for (const a of bridge?.addr_info ?? []) {
      if (a.family !== 'inet') continue;
      if (`${a.local}/${a.prefixlen}` === want) {
        present = true;
        continue;
      }
      // A pod CIDR the node had before: pods still on it lose their gateway.
      this.logger.warn({ bridge: this.bridgeName, old: `${a.local}/${a.prefixlen}`, new: want }, 'process runtime: the pod CIDR changed: replacing the bridge address');
      commands.push(['addr', 'del', `${a.local}/${a.prefixlen}`, 'dev', this.bridgeName]);
    }
    if (!present) commands.push(['addr', 'add', want, 'dev', this.bridgeName]);
    commands.push(['link', 'set', this.bridgeName, 'up']);
    await ipBatch(commands);
    // `ip netns` needs to mount (CAP_SYS_ADMIN): try it once here rather than fail every pod.
    const probe = `${this.bridgeName}-probe`;
    await ipBatch([['netns', 'add', probe], ['netns', 'del', probe]]);
    const noEgress = await this.egress?.apply();
    if (noEgress) this.logger.warn({ bridge: this.bridgeName, reason: noEgress }, `process runtime: pods reach only the node and other pods (${noEgress})`);
  }

  private async plumb(sandboxId: string, address: string): Promise<void> {
    const netns = this.netnsName(sandboxId);
    const veth = vethOf(netns);
    if (existsSync(join(NETNS_RUN_DIR, netns))) {
      const [eth0] = await showAddresses({ netns, dev: 'eth0' }).catch(() => []);
      const ok = eth0?.addr_info?.some((a) => a.family === 'inet' && a.local === address && a.prefixlen === this.subnet.prefix);
      if (ok && (await ip(['link', 'set', veth, 'master', this.bridgeName, 'up']).then(() => true, () => false))) return;
      await this.unplumb(sandboxId);
    }
    // Set up again after its namespace went: a stray-veth check must not take the new veth for the
    // old one, and the old one, if the kernel has not destroyed it yet (or a process holds its
    // namespace), goes now.
    clearTimeout(this.strayChecks.get(veth));
    this.strayChecks.delete(veth);
    if (existsSync(`/sys/class/net/${veth}`)) await this.batcher.run([['link', 'del', veth]]).catch(() => {});
    await this.batcher.run([
      ['netns', 'add', netns],
      ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns],
      ['link', 'set', veth, 'master', this.bridgeName, 'up'],
    ]);
    await ipBatch(
      [
        ['addr', 'add', `${address}/${this.subnet.prefix}`, 'dev', 'eth0'],
        ['link', 'set', 'eth0', 'up'],
        ['link', 'set', 'lo', 'up'],
        ['route', 'add', 'default', 'via', this.subnet.gateway],
      ],
      { netns },
    );
  }

  private checkStrayVeth(veth: string): void {
    clearTimeout(this.strayChecks.get(veth));
    const timer = setTimeout(() => {
      this.strayChecks.delete(veth);
      // The node's sysfs: kubets runs in the node's network namespace.
      if (!existsSync(`/sys/class/net/${veth}`)) return;
      void ip(['link', 'del', veth]).then(
        () => this.logger.warn({ veth }, 'process runtime: a process outlived its pod sandbox in its network namespace: cut off from the pod network'),
        () => {},
      );
    }, this.strayVethCheckMs);
    timer.unref();
    this.strayChecks.set(veth, timer);
  }

  /** Deletes the veth and the namespace at once (a namespace being rebuilt, a failed setup undone). */
  private async unplumb(sandboxId: string): Promise<void> {
    const netns = this.netnsName(sandboxId);
    const path = join(NETNS_RUN_DIR, netns);
    await this.forwarder.stop(path);
    const veth = vethOf(netns);
    const failed = await this.batcher.run([['link', 'del', veth], ['netns', 'del', netns]]).then(
      () => undefined,
      (e: Error) => e,
    );
    // A missing veth or namespace is what we want; only a namespace still there is a failure.
    if (failed && existsSync(path)) throw failed;
  }

  private ownNetns(): string[] {
    const prefix = `${this.bridgeName}-`;
    try {
      return readdirSync(NETNS_RUN_DIR).filter((n) => n.startsWith(prefix));
    } catch {
      return [];
    }
  }
}

function vethOf(netnsName: string): string {
  return `veth${sha256(netnsName).slice(0, 11)}`;
}

