// Cluster DNS on one node (upstream: CoreDNS behind the kube-dns Service) as a Runnable: informers
// keep ClusterRecords current, a DnsServer answers from them on the node's address, and this
// node's server is published as an endpoint of the kube-dns Service (an EndpointSlice per node,
// managed here, the Service having no selector), so the service proxy sends the kube-dns cluster
// IP's traffic to it. The Service uses internalTrafficPolicy Local: pods ask their own node.
import type { Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isAlreadyExists, isNotFound } from '../apimachinery/errors.js';
import { InformerFactory } from '../client/cache/informer-factory.js';
import type { SharedInformer } from '../client/cache/types.js';
import { ENDPOINT_SLICES, NAMESPACES, SERVICES } from '../client/resources.js';
import type { Client } from '../client/types.js';
import type { Logger } from '../logging/index.js';
import type { Runnable } from '../manager/index.js';
import { Forwarder } from './forwarder.js';
import { ClusterRecords } from './records.js';
import { DnsServer } from './server.js';
import { KubernetesZone } from './zone.js';

export const KUBE_DNS_NAMESPACE = 'kube-system';
export const KUBE_DNS_SERVICE = 'kube-dns';
/** The EndpointSlice manager label value of the slices this component writes. */
export const KUBE_DNS_MANAGER = 'kubets-cluster-dns';

export interface ClusterDnsOptions {
  client: Client;
  logger: Logger;
  nodeName: string;
  /** Where the server listens (the node's address, reachable from pods). */
  address: string;
  /** Default 0: a free port, published in the EndpointSlice. */
  port?: number;
  /** Default cluster.local. */
  clusterDomain?: string;
  /** The resolver file whose nameservers get names outside the cluster (default /etc/resolv.conf). */
  resolvConf?: string;
  /** Informers shared with the node's other parts (their owner starts them); default: its own. */
  informers?: InformerFactory;
}

/** The kube-dns Service every cluster has (created at bootstrap), CoreDNS's ports and labels. */
export function kubeDnsService(clusterIP: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: KUBE_DNS_SERVICE,
      namespace: KUBE_DNS_NAMESPACE,
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      internalTrafficPolicy: 'Local',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' },
      ],
    },
  };
}

export class ClusterDns implements Runnable {
  readonly name = 'cluster-dns';
  readonly records = new ClusterRecords();
  readonly server: DnsServer;
  private readonly informers: InformerFactory;

  constructor(private readonly opts: ClusterDnsOptions) {
    const { client, logger } = opts;
    this.informers = opts.informers ?? new InformerFactory(client, logger);
    const r = this.records;
    this.informers.for<Service>(SERVICES).addEventHandler({ onAdd: (s) => r.upsertService(s), onUpdate: (_, s) => r.upsertService(s), onDelete: (s) => r.deleteService(s) });
    this.informers.for<EndpointSlice>(ENDPOINT_SLICES).addEventHandler({ onAdd: (e) => r.upsertEndpointSlice(e), onUpdate: (_, e) => r.upsertEndpointSlice(e), onDelete: (e) => r.deleteEndpointSlice(e) });
    this.informers.for<Namespace>(NAMESPACES).addEventHandler({ onAdd: (n) => r.upsertNamespace(n), onUpdate: (_, n) => r.upsertNamespace(n), onDelete: (n) => r.deleteNamespace(n) });
    const port = opts.port ?? 0;
    this.server = new DnsServer({
      zone: new KubernetesZone(this.records, { zone: opts.clusterDomain ?? 'cluster.local', podMode: 'insecure', nameserverIPs: [] }),
      forwarder: new Forwarder({ resolvConf: opts.resolvConf, selfAddresses: port ? [{ host: opts.address, port }] : [] }),
      address: opts.address,
      port,
      logger,
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const own = !this.opts.informers;
    if (own) this.informers.start(signal);
    const stopped = async () => {
      if (own) await this.informers.stopped();
    };
    if (!(await this.informers.waitForCacheSync(signal))) return stopped();
    const serving = this.server.start(signal);
    await Promise.race([this.server.ready, serving]);
    try {
      if (!signal.aborted) await this.publish(this.server.address().port);
    } catch (e) {
      this.opts.logger.error({ err: e }, 'cluster DNS: cannot publish this node as a kube-dns endpoint');
    }
    await Promise.all([serving, stopped()]);
    await this.unpublish().catch(() => undefined);
  }

  private sliceName(): string {
    return `${KUBE_DNS_SERVICE}-${this.opts.nodeName}`.slice(0, 253);
  }

  /** Writes this node's kube-dns EndpointSlice (the server's address and port). */
  private async publish(port: number): Promise<void> {
    const slices = this.opts.client.resource<EndpointSlice>(ENDPOINT_SLICES);
    const desired: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: this.sliceName(),
        namespace: KUBE_DNS_NAMESPACE,
        labels: { 'kubernetes.io/service-name': KUBE_DNS_SERVICE, 'endpointslice.kubernetes.io/managed-by': KUBE_DNS_MANAGER },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [this.opts.address], nodeName: this.opts.nodeName, conditions: { ready: true, serving: true, terminating: false } }],
      ports: [
        { name: 'dns', port, protocol: 'UDP' },
        { name: 'dns-tcp', port, protocol: 'TCP' },
      ],
    };
    try {
      const current = await slices.get(KUBE_DNS_NAMESPACE, desired.metadata!.name!);
      await slices.update({ ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata?.resourceVersion } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await slices.create(desired).catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
    }
    this.opts.logger.info({ address: this.opts.address, port }, 'cluster DNS serves this node (kube-dns endpoint published)');
  }

  /** A stopping node stops answering: its endpoint goes, so no traffic is sent to a closed port. */
  private async unpublish(): Promise<void> {
    await this.opts.client.resource<EndpointSlice>(ENDPOINT_SLICES).delete(KUBE_DNS_NAMESPACE, this.sliceName());
  }
}
