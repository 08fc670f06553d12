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
import type { Node } from 'kubernetes-types/core/v1.js';
import { EventBroadcaster } from '../client/events/recorder.js';
import { NODES } from '../client/resources.js';
import { Kubelet } from './kubelet.js';
import { BridgeNetwork } from './runtime/process/bridge-network.js';
import { limitsEnforcementMessage } from './runtime/process/cgroups.js';
import { chooseSandboxNetwork, DeferredSandboxNetwork } from './runtime/process/choose-network.js';
import { chooseContainerMounts } from './runtime/process/mount-namespace.js';
import { HostNetwork } from './runtime/process/network.js';
import { VolumeManager } from './volumes/index.js';
import { HostNodeStats } from './server/stats.js';
import { StaticPodSource } from './config/index.js';
import { NodeAgent } from './node/index.js';
import { DEFAULT_KUBELET_PORT, KubeletServer } from './server/index.js';
import { hostMachine } from './node/machine.js';
import { PROCESS_RUNTIME_NAME, PROCESS_RUNTIME_VERSION, ProcessRuntime } from './runtime/process/index.js';
import { defaultBridgeName } from './runtime/process/bridge-network.js';
import { ServiceProxy } from '../proxy/service-proxy.js';
import type { ProxyMode } from '../proxy/dataplane.js';
import { ClusterDns, KUBE_DNS_NAMESPACE, KUBE_DNS_SERVICE } from '../dns/cluster-dns.js';
import { SERVICES } from '../client/resources.js';
import { InformerFactory } from '../client/cache/informer-factory.js';
import type { Service } from 'kubernetes-types/core/v1.js';

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
  /** The service proxy's dataplane (default auto: nftables when possible, else userspace). */
  proxyMode?: ProxyMode | 'auto';
  /** The pod network of the whole cluster (traffic from outside it to cluster IPs is masqueraded). */
  clusterCIDR?: string;
  /** The service range: routed to the node bridge so unprogrammed cluster IPs stay on this machine. */
  serviceCIDR?: string;
  /** Default cluster.local. */
  clusterDomain?: string;
  /** Resolver file for names outside the cluster and dnsPolicy Default pods (default /etc/resolv.conf). */
  resolvConf?: string;
}

export class KubeletAgent implements Runnable {
  readonly name = 'kubelet';
  readonly nodeName: string;
  private kubelet: Kubelet | undefined;
  private proxy: ServiceProxy | undefined;

  constructor(private readonly opts: KubeletAgentOptions) {
    this.nodeName = (opts.nodeName ?? hostname()).toLowerCase();
  }

  async start(signal: AbortSignal): Promise<void> {
    const { internalIP } = await hostMachine(this.opts.dataDir).info();
    const logRoot = join(this.opts.dataDir, 'pods');
    const serving = await issueKubeletServingCertificate({ caCertPem: this.opts.ca.certPem, caKeyPem: this.opts.ca.keyPem }, { nodeName: this.nodeName, ips: [internalIP] });
    const { logger, dataDir, client } = this.opts;
    // The pod network is chosen once the Node has its podCIDR (after registration); the runtime
    // exists before, because the kubelet server hands it streams.
    const network = new DeferredSandboxNetwork();
    const mounts = await chooseContainerMounts({ stateDir: join(dataDir, 'runtime', 'mounts'), logger });
    const runtime = new ProcessRuntime({ stateDir: join(dataDir, 'runtime'), nodeIp: internalIP, logger, network, mounts });
    const server = new KubeletServer({
      port: this.opts.kubeletPort ?? DEFAULT_KUBELET_PORT,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: this.opts.ca.certPem },
      logRoot,
      findPod: (ns, name) => this.kubelet?.logInfo(ns, name),
      streams: { runtime, target: async (ns, name, container) => this.kubelet?.streamTarget(ns, name, container) },
      stats: { nodeName: this.nodeName, runtime, node: new HostNodeStats({ fsPath: dataDir }) },
      debug: { proxyRules: async () => (this.proxy ? this.proxy.listing() : '# the service proxy has not started yet\n') },
      logger: this.opts.logger,
    });
    const serverRunning = server.start(signal);
    const port = (await Promise.race([server.address(), serverRunning.then(() => undefined)]))?.port;
    if (port === undefined) {
      await runtime.close();
      return network.close();
    }
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
      const self = await this.podCidr(signal);
      const chosen = await chooseSandboxNetwork({ podCIDR: self?.spec?.podCIDR, nodeIp: internalIP, stateDir: join(dataDir, 'runtime', 'network'), clusterCIDR: this.opts.clusterCIDR, logger });
      network.choose(chosen);
      if (chosen instanceof BridgeNetwork) {
        const ids = (await runtime.listPodSandbox()).map((s) => s.id);
        await chosen.cleanupOrphans(ids);
        await chosen.restore(ids);
      }
      this.reportLimitations(self, [limitsEnforcementMessage(runtime.cgroups), chosen instanceof HostNetwork ? chosen.reason : undefined]);
      // Services and names: the proxy programs this node, the DNS server answers for it.
      const networkStateDir = join(dataDir, 'runtime', 'network');
      const informers = new InformerFactory(client, logger);
      const proxy = new ServiceProxy({
        informers,
        client,
        logger,
        nodeName: this.nodeName,
        mode: this.opts.proxyMode,
        nodeAddresses: [internalIP],
        clusterCIDR: this.opts.clusterCIDR,
        table: defaultBridgeName(networkStateDir),
        serviceRoute: chosen instanceof BridgeNetwork && this.opts.serviceCIDR ? { cidr: this.opts.serviceCIDR, device: chosen.bridgeName } : undefined,
      });
      this.proxy = proxy;
      const dns = new ClusterDns({ informers, client, logger, nodeName: this.nodeName, address: internalIP, clusterDomain: this.opts.clusterDomain, resolvConf: this.opts.resolvConf });
      informers.start(signal);
      const proxyRunning = proxy.start(signal);
      const dnsRunning = dns.start(signal);
      const clusterDNS = await this.clusterDns();
      // Static pods: <dataDir>/manifests, read once before the kubelet starts so it never sees them missing.
      const staticPods = new StaticPodSource({ manifestDir: join(this.opts.dataDir, 'manifests'), nodeName: this.nodeName, logger: this.opts.logger });
      const staticRunning = staticPods.start(signal);
      await staticPods.synced();
      const volumes = new VolumeManager({ podsDir: join(dataDir, 'pods-volumes'), client, nodeName: this.nodeName, logger });
      this.kubelet = new Kubelet({ client, runtime, logger, nodeName: this.nodeName, hostIP: internalIP, logRoot, staticPods, volumes, clusterDNS, clusterDomain: this.opts.clusterDomain, resolvConf: this.opts.resolvConf, informers });
      await Promise.all([this.kubelet.start(signal), nodeRunning, serverRunning, staticRunning, proxyRunning, dnsRunning, informers.stopped()]);
    } finally {
      await runtime.close();
      await network.close();
    }
  }

  /** The kube-dns Service's cluster IP, named in pods' resolv.conf (none: pods fall back to the host's resolvers). */
  private async clusterDns(): Promise<string[]> {
    const svc = await this.opts.client.resource<Service>(SERVICES).get(KUBE_DNS_NAMESPACE, KUBE_DNS_SERVICE).catch(() => undefined);
    const ip = svc?.spec?.clusterIP;
    if (ip && ip !== 'None') return [ip];
    this.opts.logger.warn({}, 'no kube-dns Service: pods with dnsPolicy ClusterFirst use the host\'s resolvers');
    return [];
  }

  /** The registered Node once the node IPAM controller gave it a podCIDR (bounded: 10 s; none without controllers). */
  private async podCidr(signal: AbortSignal): Promise<Node | undefined> {
    let node: Node | undefined;
    for (let i = 0; i < 100 && !signal.aborted; i++) {
      node = await this.opts.client.resource<Node>(NODES).get('', this.nodeName).catch(() => undefined);
      if (node?.spec?.podCIDR) return node;
      await new Promise((r) => setTimeout(r, 100));
    }
    this.opts.logger.warn({ node: this.nodeName }, 'the node got no podCIDR in 10 s (is the node IPAM controller running?)');
    return node;
  }

  /** What this node cannot do (limits not enforced, no pod network) is said once, as Warning events on the Node. */
  private reportLimitations(node: Node | undefined, messages: (string | undefined)[]): void {
    if (!node?.metadata) return;
    const events = new EventBroadcaster(this.opts.client, this.opts.logger, this.nodeName);
    const recorder = events.recorder('kubelet');
    const ref = { apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName, uid: node.metadata.uid } };
    const [limits, network] = messages;
    if (limits) recorder.event(ref, 'Warning', 'ResourceLimitsNotEnforced', limits);
    if (network) recorder.event(ref, 'Warning', 'PodNetworkUnavailable', `pods use the host network: ${network}`);
    void events.flush().catch(() => undefined);
  }
}
