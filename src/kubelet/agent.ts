// The node agent as one Runnable: the process runtime, the Node registration and heartbeat
// (NodeAgent), and the pod workers (Kubelet), started in that order — pods are synced only once
// the Node exists, so the scheduler's bindings and the kubelet's view agree on the node's name.
// `kubets server` runs one for its own machine unless --disable-agent.
import { join } from 'node:path';
import type { Client } from '../client/types.js';
import type { Logger } from '../logging/index.js';
import type { Runnable } from '../manager/index.js';
import { Kubelet } from './kubelet.js';
import { NodeAgent } from './node/index.js';
import { hostMachine } from './node/machine.js';
import { PROCESS_RUNTIME_NAME, PROCESS_RUNTIME_VERSION, ProcessRuntime } from './runtime/process/index.js';

export interface KubeletAgentOptions {
  client: Client;
  logger: Logger;
  /** Holds the runtime's state (`<dataDir>/runtime`) and container logs (`<dataDir>/pods`). */
  dataDir: string;
  nodeName?: string;
  /** The server's own node: labelled node-role.kubernetes.io/control-plane. */
  controlPlane?: boolean;
  kubeletPort?: number;
}

export class KubeletAgent implements Runnable {
  readonly name = 'kubelet';
  readonly node: NodeAgent;
  private kubelet: Kubelet | undefined;

  constructor(private readonly opts: KubeletAgentOptions) {
    this.node = new NodeAgent({
      client: opts.client,
      logger: opts.logger,
      nodeName: opts.nodeName,
      dataDir: opts.dataDir,
      controlPlane: opts.controlPlane,
      kubeletPort: opts.kubeletPort,
      containerRuntimeVersion: `${PROCESS_RUNTIME_NAME}://${PROCESS_RUNTIME_VERSION}`,
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const { internalIP } = await hostMachine(this.opts.dataDir).info();
    const runtime = new ProcessRuntime({ stateDir: join(this.opts.dataDir, 'runtime'), nodeIp: internalIP, logger: this.opts.logger });
    const nodeRunning = this.node.start(signal);
    try {
      await Promise.race([this.node.registered(), nodeRunning]);
      if (signal.aborted) return;
      this.kubelet = new Kubelet({
        client: this.opts.client,
        runtime,
        logger: this.opts.logger,
        nodeName: this.node.nodeName,
        hostIP: internalIP,
        logRoot: join(this.opts.dataDir, 'pods'),
      });
      await Promise.all([this.kubelet.start(signal), nodeRunning]);
    } finally {
      await runtime.close();
    }
  }
}
