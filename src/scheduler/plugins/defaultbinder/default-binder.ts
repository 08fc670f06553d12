// DefaultBinder (upstream plugins/defaultbinder): binds through the pods/binding subresource, the
// one write that sets spec.nodeName and the PodScheduled condition together. API errors are
// thrown as the client's StatusErrors, so the scheduler tells a vanished pod (NotFound) or one
// already bound elsewhere (Conflict) from a failure worth retrying.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../../client/types.js';
import { SUCCESS, type BindPlugin, type CycleState, type Status } from '../../framework/types.js';

export const DEFAULT_BINDER = 'DefaultBinder';

export class DefaultBinder implements BindPlugin {
  readonly name = DEFAULT_BINDER;

  constructor(private readonly client: Client | undefined) {}

  async bind(_state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    if (!this.client) return { code: 'Error', reasons: ['DefaultBinder has no API client'] };
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    await this.client.request({
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/binding`,
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns, uid: pod.metadata?.uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
    });
    return SUCCESS;
  }
}
