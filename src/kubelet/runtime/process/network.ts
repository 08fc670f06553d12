// A sandbox's network. HostNetwork: every sandbox's processes share the node's network, whatever
// the pod asked for (hostNetwork pods, and every pod when the runtime cannot do better: not root,
// no pod CIDR). BridgeNetwork (bridge-network.ts): a network namespace per pod sandbox on a node
// bridge; chooseSandboxNetwork (choose-network.ts) picks one of them.
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { PodSandboxConfig } from '../types.js';
import { RuntimeError } from '../types.js';

export interface SandboxNetworkStatus {
  ip?: string;
  additionalIps: string[];
  /** Reported in the sandbox status's info. */
  info: Record<string, string>;
}

export interface SandboxNetwork {
  /** Gives the sandbox its network; what it returns is persisted with the sandbox. */
  setup(sandboxId: string, config: PodSandboxConfig): Promise<SandboxNetworkStatus>;
  /** Releases the sandbox's network; idempotent. */
  teardown(sandboxId: string): Promise<void>;
  /** The argv that runs `argv` inside the sandbox's network (e.g. prefixed with nsenter). */
  wrapCommand(sandboxId: string, argv: string[]): string[];
  /** A byte stream to `port` inside the sandbox's network (port-forward). */
  connect(sandboxId: string, port: number): Promise<Duplex>;
}

export const HOST_NETWORK_INFO = 'process runtime: host network';

export class HostNetwork implements SandboxNetwork {
  constructor(
    private readonly nodeIp: string,
    /** Why pods do not get their own network (e.g. "not root"): told in their sandboxes' info. */
    readonly reason?: string,
  ) {}

  async setup(_sandboxId: string, config: PodSandboxConfig): Promise<SandboxNetworkStatus> {
    const info: Record<string, string> = { network: HOST_NETWORK_INFO };
    if (!config.hostNetwork && this.reason) {
      info.network = `${HOST_NETWORK_INFO} (${this.reason})`;
      info.warning = `pod network requested but unavailable (${this.reason}): using the host network`;
    } else if (!config.hostNetwork) {
      info.warning = 'pod network requested but not supported by the process runtime yet: using the host network';
    }
    return { ip: this.nodeIp, additionalIps: [], info };
  }

  async teardown(): Promise<void> {}

  wrapCommand(_sandboxId: string, argv: string[]): string[] {
    return argv;
  }

  connect(sandboxId: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        // A reset later must not crash the runtime when the caller listens only for 'close'.
        socket.on('error', () => {});
        resolve(socket);
      });
      socket.once('error', (e) => {
        socket.destroy();
        reject(new RuntimeError('PortForwardError', `failed to connect to 127.0.0.1:${port} for sandbox "${sandboxId}": ${e.message}`));
      });
    });
  }
}
