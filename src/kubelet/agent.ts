// The node agent as one Runnable: the process runtime, the Node registration and heartbeat
// (NodeAgent), and the pod workers (Kubelet), started in that order — pods are synced only once
// the Node exists, so the scheduler's bindings and the kubelet's view agree on the node's name.
// `kubets server` runs one for its own machine unless --disable-agent.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { issueKubeletServingCertificate } from '../pki/kubelet.js';
import type { Client } from '../client/types.js';
import type { Logger } from '../logging/index.js';
import type { Runnable } from '../manager/index.js';
import { Kubelet } from './kubelet.js';
import { NodeAgent } from './node/index.js';
import { DEFAULT_KUBELET_PORT, KubeletServer } from './server/index.js';
import { hostMachine } from './node/machine.js';
import { PROCESS_RUNTIME_NAME, PROCESS_RUNTIME_VERSION, ProcessRuntime } from './runtime/process/index.js';

export interface KubeletAgentOptions {
  client: Client;
  logger: Logger;
  /** The cluster CA: signs the kubelet's serving certificate; client certificates must chain to it. */
  ca: { certPem: string; keyPem: string };
  /** Holds the runtime's state (`<dataDir>/runtime`) and container logs (`<dataDir>/pods`). */
  dataDir: string;
  nodeName?: string;
  /** The server's own node: labelled node-role.kubernetes.io/control-plane. */
  controlPlane?: boolean;
  /** The kubelet API's port (default 10250; 0 picks a free one). */
  kubeletPort?: number;
}

export class KubeletAgent implements Runnable {
  readonly name = 'kubelet';
  readonly nodeName: string;
  private kubelet: Kubelet | undefined;

  constructor(private readonly opts: KubeletAgentOptions) {
    this.nodeName = (opts.nodeName ?? hostname()).toLowerCase();
  }

  async start(signal: AbortSignal): Promise<void> {
    const { internalIP } = await hostMachine(this.opts.dataDir).info();
    const logRoot = join(this.opts.dataDir, 'pods');
    const serving = await issueKubeletServingCertificate({ caCertPem: this.opts.ca.certPem, caKeyPem: this.opts.ca.keyPem }, { nodeName: this.nodeName, ips: [internalIP] });
    const server = new KubeletServer({
      port: this.opts.kubeletPort ?? DEFAULT_KUBELET_PORT,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: this.opts.ca.certPem },
      logRoot,
      findPod: (ns, name) => this.kubelet?.logInfo(ns, name),
      logger: this.opts.logger,
    });
    const serverRunning = server.start(signal);
    const port = (await Promise.race([server.address(), serverRunning.then(() => undefined)]))?.port;
    if (port === undefined) return;
    const runtime = new ProcessRuntime({ stateDir: join(this.opts.dataDir, 'runtime'), nodeIp: internalIP, logger: this.opts.logger });
    const node = new NodeAgent({
      client: this.opts.client,
      logger: this.opts.logger,
      nodeName: this.nodeName,
      dataDir: this.opts.dataDir,
      controlPlane: this.opts.controlPlane,
      kubeletPort: port,
      containerRuntimeVersion: `${PROCESS_RUNTIME_NAME}://${PROCESS_RUNTIME_VERSION}`,
    });
    const nodeRunning = node.start(signal);
    try {
      await Promise.race([node.registered(), nodeRunning]);
      if (signal.aborted) return;
      this.kubelet = new Kubelet({ client: this.opts.client, runtime, logger: this.opts.logger, nodeName: this.nodeName, hostIP: internalIP, logRoot });
      await Promise.all([this.kubelet.start(signal), nodeRunning, serverRunning]);
    } finally {
      await runtime.close();
    }
  }
}
