// Which network the process runtime gives pods: a namespace each on the node bridge when it can
// (root, a pod CIDR, `ip netns` and nsenter working, the pod CIDR not already used on the
// machine), else the host network, with the reason logged once and told in every pod sandbox's
// info, so `kubectl describe`-level tooling and the logs say why pods share the node's ports.
import type { Duplex } from 'node:stream';
import type { Logger } from '../../../logging/index.js';
import type { PodSandboxConfig } from '../types.js';
import { RuntimeError } from '../types.js';
import { BridgeNetwork } from './bridge-network.js';
import { HostNetwork, type SandboxNetwork, type SandboxNetworkStatus } from './network.js';

export interface ChooseSandboxNetworkOptions {
  /** The node's spec.podCIDR; none: host network. */
  podCIDR?: string;
  nodeIp: string;
  /** The bridge network's state (its IP reservations), e.g. `<runtime state dir>/network`. */
  stateDir: string;
  logger: Logger;
  bridgeName?: string;
  /** Every node's pods (traffic from pods to anything else is masqueraded). */
  clusterCIDR?: string;
  /** Tests only: what process.getuid() would say. */
  uid?: number;
}

export async function chooseSandboxNetwork(options: ChooseSandboxNetworkOptions): Promise<SandboxNetwork> {
  const uid = options.uid ?? process.getuid?.();
  let reason: string;
  if (uid !== 0) reason = 'not root';
  else if (!options.podCIDR) reason = 'the node has no pod CIDR';
  else {
    try {
      const network = new BridgeNetwork({ podCIDR: options.podCIDR, nodeIp: options.nodeIp, stateDir: options.stateDir, bridgeName: options.bridgeName, clusterCIDR: options.clusterCIDR, logger: options.logger });
      await network.init();
      options.logger.info({ bridge: network.bridgeName, podCIDR: network.subnet.cidr }, 'process runtime: pods get their own network namespace on the node bridge');
      return network;
    } catch (e) {
      reason = (e as Error).message;
    }
  }
  options.logger.warn({ reason }, `process runtime: pods use the host network (${reason}): containers of different pods share the node's ports`);
  return new HostNetwork(options.nodeIp, reason);
}

/**
 * Stands for the network until it is chosen: the runtime exists before the node is registered,
 * but the pod CIDR is known only after. Setups, teardowns and port-forwards wait for the choice
 * (the kubelet makes none before registration); wrapCommand cannot wait, and fails until then.
 */
export class DeferredSandboxNetwork implements SandboxNetwork {
  private chosen: SandboxNetwork | undefined;
  private readonly ready: Promise<SandboxNetwork>;
  private resolve!: (network: SandboxNetwork) => void;

  constructor() {
    this.ready = new Promise((r) => (this.resolve = r));
  }

  /** The network from now on; only the first call counts. */
  choose(network: SandboxNetwork): void {
    if (this.chosen) return;
    this.chosen = network;
    this.resolve(network);
  }

  get network(): SandboxNetwork | undefined {
    return this.chosen;
  }

  async setup(sandboxId: string, config: PodSandboxConfig): Promise<SandboxNetworkStatus> {
    return (await this.ready).setup(sandboxId, config);
  }

  async teardown(sandboxId: string): Promise<void> {
    return (await this.ready).teardown(sandboxId);
  }

  wrapCommand(sandboxId: string, argv: string[]): string[] {
    if (!this.chosen) throw new RuntimeError('RunContainerError', 'the pod network is not ready: the node is not registered yet');
    return this.chosen.wrapCommand(sandboxId, argv);
  }

  async connect(sandboxId: string, port: number): Promise<Duplex> {
    return (await this.ready).connect(sandboxId, port);
  }

  /** Stops the chosen network's helpers (BridgeNetwork's port-forward helpers). */
  async close(): Promise<void> {
    if (this.chosen instanceof BridgeNetwork) await this.chosen.close();
  }
}
