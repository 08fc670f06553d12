// A sandbox's network. The process runtime has only the node's network for now: every sandbox's
// processes share it, whatever the pod asked for. Network namespaces (a namespace per sandbox, an
// address from a pod CIDR, processes entered into it) come later as another SandboxNetwork.
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
  constructor(private readonly nodeIp: string) {}

  async setup(_sandboxId: string, config: PodSandboxConfig): Promise<SandboxNetworkStatus> {
    const info: Record<string, string> = { network: HOST_NETWORK_INFO };
    if (!config.hostNetwork) info.warning = 'pod network requested but not supported by the process runtime yet: using the host network';
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
