// The node's heartbeat Lease in kube-node-lease (upstream's component-helpers lease controller as
// the kubelet configures it): named after the node, held by it, renewed every quarter of its
// duration, owned by the Node so it goes when the Node goes.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../apimachinery/errors.js';
import { microTime } from '../../apimachinery/time.js';
import { LEASES } from '../../client/resources.js';
import type { Client } from '../../client/types.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Upstream's kubelet default nodeLeaseDurationSeconds. */
export const DEFAULT_LEASE_DURATION_SECONDS = 40;
/** Upstream renews at this fraction of the duration (10 s for 40 s). */
export const RENEW_INTERVAL_FRACTION = 0.25;
/** Upstream's maxUpdateRetries. */
const MAX_UPDATE_RETRIES = 5;

export interface NodeLeaseOptions {
  client: Client;
  nodeName: string;
  durationSeconds?: number;
  now?: () => Date;
}

export class NodeLease {
  private latest: Lease | undefined;
  private owner: OwnerReference | undefined;
  private readonly durationSeconds: number;
  private readonly now: () => Date;

  constructor(private readonly opts: NodeLeaseOptions) {
    this.durationSeconds = opts.durationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS;
    this.now = opts.now ?? (() => new Date());
  }

  /** The Node the lease belongs to, once registered: set as the lease's owner when it has none. */
  setOwner(uid: string | undefined): void {
    this.owner = uid ? { apiVersion: 'v1', kind: 'Node', name: this.opts.nodeName, uid } : undefined;
  }

  /** The lease as last written. */
  current(): Lease | undefined {
    return this.latest;
  }

  /**
   * Renews the lease (creating it when missing). The last lease written is updated directly; a
   * conflict or a vanished lease means someone else wrote it: read it again (or create it) and retry.
   */
  async renew(): Promise<Lease> {
    const leases = this.opts.client.resource<Lease>(LEASES);
    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      if (!this.latest) {
        const ensured = await this.ensure();
        if (ensured.created) return (this.latest = ensured.lease);
        this.latest = ensured.lease;
      }
      try {
        this.latest = await leases.update(this.renewed(this.latest));
        return this.latest;
      } catch (e) {
        lastError = e;
        if (!isConflict(e) && !isNotFound(e)) throw e;
        this.latest = undefined;
      }
    }
    throw lastError;
  }

  /** The lease from the API, or a new one created now. */
  private async ensure(): Promise<{ lease: Lease; created: boolean }> {
    const leases = this.opts.client.resource<Lease>(LEASES);
    try {
      return { lease: await leases.get(NODE_LEASE_NAMESPACE, this.opts.nodeName), created: false };
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const fresh: Lease = this.renewed({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.opts.nodeName, namespace: NODE_LEASE_NAMESPACE },
      spec: {},
    });
    try {
      return { lease: await leases.create(fresh), created: true };
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      return { lease: await leases.get(NODE_LEASE_NAMESPACE, this.opts.nodeName), created: false };
    }
  }

  private renewed(lease: Lease): Lease {
    const next = structuredClone(lease);
    next.spec = { ...next.spec, holderIdentity: this.opts.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: microTime(this.now()) };
    const meta = (next.metadata ??= {});
    // upstream's setNodeOwnerFunc: only a lease without owners gets the Node as its owner.
    if (this.owner && !meta.ownerReferences?.length) meta.ownerReferences = [this.owner];
    return next;
  }
}
