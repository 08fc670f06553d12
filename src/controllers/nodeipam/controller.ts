// The node IPAM controller (upstream's pkg/controller/nodeipam with the RangeAllocator): every Node
// gets spec.podCIDR and spec.podCIDRs, one subnet (default /24) of the cluster CIDR (default
// 10.42.0.0/16, as k3s), never the same twice. Subnets nodes already carry are marked used
// before anything is handed out; a deleted node's subnet is released.
import type { Node } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../apimachinery/errors.js';
import type { SharedInformer } from '../../client/cache/types.js';
import type { EventRecorder } from '../../client/events/types.js';
import { NODES } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { type ReconcileResult, runController } from '../run-controller.js';
import { CidrSet } from './cidr-set.js';

export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;

export interface NodeIpamOptions {
  /** upstream's --cluster-cidr. */
  clusterCIDR?: string;
  /** upstream's --node-cidr-mask-size. */
  nodeCIDRMaskSize?: number;
  workers?: number;
}

const podCIDRsOf = (node: Node): string[] => node.spec?.podCIDRs?.length ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [];

export class NodeIpamController implements Runnable {
  readonly name = 'node-ipam-controller';
  readonly queue = new WorkQueue();
  readonly cidrs: CidrSet;
  private readonly nodes: SharedInformer<Node>;
  private readonly recorder: EventRecorder;
  /** Subnets handed out whose node the cache does not show with them yet, by node name. */
  private readonly pending = new Map<string, { uid: string; cidr: string }>();
  private initialized = false;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: NodeIpamOptions = {},
  ) {
    this.cidrs = new CidrSet(opts.clusterCIDR ?? ctx.settings?.clusterCIDR ?? DEFAULT_CLUSTER_CIDR, opts.nodeCIDRMaskSize ?? DEFAULT_NODE_CIDR_MASK_SIZE);
    this.recorder = ctx.recorder('cidrAllocator');
    this.nodes = ctx.informers.for<Node>(NODES);
    this.nodes.addEventHandler({
      onAdd: (n) => this.queue.add(n.metadata?.name ?? ''),
      onUpdate: (_, n) => this.queue.add(n.metadata?.name ?? ''),
      onDelete: (n) => this.released(n),
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted || !(await this.ctx.informers.waitForCacheSync(signal))) return;
    // Every subnet already in use is known before the first one is handed out.
    for (const node of this.nodes.store.list()) this.occupy(node);
    this.initialized = true;
    await runController({
      signal,
      informers: this.ctx.informers,
      queue: this.queue,
      reconcile: (name) => this.reconcile(name),
      logger: this.ctx.logger,
      workers: this.opts.workers ?? 1,
      name: 'node_ipam_controller',
    });
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const node = this.nodes.store.get(name);
    if (!node) return;
    const uid = node.metadata?.uid ?? '';
    if (podCIDRsOf(node).length) {
      this.occupy(node);
      if (this.pending.get(name)?.uid === uid) this.pending.delete(name);
      return;
    }
    let cidr = this.pending.get(name)?.uid === uid ? this.pending.get(name)!.cidr : undefined;
    if (!cidr) {
      cidr = this.cidrs.allocateNext();
      if (!cidr) {
        this.recorder.event(nodeRef(node), 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        throw new Error(`no pod CIDR left in ${this.cidrs.clusterCIDR} for node ${name}`);
      }
      this.pending.set(name, { uid, cidr });
    }
    try {
      // Preconditioned on the uid: a node re-created under the same name gets its own subnet.
      await this.ctx.client.resource<Node>(NODES).patch('', name, 'merge', { metadata: { uid }, spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      this.ctx.logger.info({ node: name, podCIDR: cidr }, 'set node pod CIDR');
    } catch (e) {
      if (isNotFound(e)) {
        this.pending.delete(name);
        this.cidrs.release(cidr);
        return;
      }
      this.recorder.event(nodeRef(node), 'Normal', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
      throw e;
    }
  }

  private occupy(node: Node): void {
    for (const cidr of podCIDRsOf(node)) {
      if (!this.cidrs.occupy(cidr)) this.ctx.logger.debug({ node: node.metadata?.name, cidr }, 'node pod CIDR outside the cluster CIDR');
    }
  }

  private released(node: Node): void {
    const name = node.metadata?.name ?? '';
    const pending = this.pending.get(name);
    if (pending && pending.uid === node.metadata?.uid) {
      this.pending.delete(name);
      this.cidrs.release(pending.cidr);
    }
    // Before start() the used set is not built yet: the deleted node simply is not counted.
    if (!this.initialized) return;
    for (const cidr of podCIDRsOf(node)) this.cidrs.release(cidr);
  }
}

const nodeRef = (node: Node): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata?.name, uid: node.metadata?.uid } });
