// Pod writes on behalf of a replica controller, with the events upstream's RealPodControl records:
// SuccessfulCreate "Created pod: NAME", FailedCreate "Error creating: ERR", SuccessfulDelete
// "Deleted pod: NAME", FailedDelete "Error deleting: ERR".
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';
import { isNotFound, isStatusError } from '../../apimachinery/errors.js';
import type { EventRecorder } from '../../client/events/types.js';
import { PODS } from '../../client/resources.js';
import type { Client } from '../../client/types.js';
import { podFromTemplate, type OwnerIdentity } from './pod-template.js';

/** The server refuses creates in a namespace being deleted with this cause (upstream v1.NamespaceTerminatingCause). */
export const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

export function isNamespaceTerminating(e: unknown): boolean {
  return isStatusError(e) && (e.details?.causes ?? []).some((c) => c.reason === NAMESPACE_TERMINATING_CAUSE);
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class PodControl {
  constructor(
    private readonly client: Client,
    private readonly recorder: EventRecorder,
  ) {}

  private get pods() {
    return this.client.resource<Pod>(PODS);
  }

  /** Creates one pod from the template; `owner` is the object events are about. */
  async createPod(owner: KubeObject, identity: OwnerIdentity, template: PodTemplateSpec | undefined, namespace: string): Promise<Pod> {
    const pod = podFromTemplate(template, namespace, identity);
    // upstream refuses to create pods no selector could ever match.
    if (Object.keys(pod.metadata?.labels ?? {}).length === 0) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.pods.create(pod);
      this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
      return created;
    } catch (e) {
      // Every create fails in a terminating namespace: not worth an event.
      if (!isNamespaceTerminating(e)) this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${message(e)}`);
      throw e;
    }
  }

  /** Deletes one pod (gracefully, with the server's defaults). NotFound is thrown unrecorded. */
  async deletePod(owner: KubeObject, namespace: string, name: string): Promise<void> {
    try {
      await this.pods.delete(namespace, name);
    } catch (e) {
      if (isNotFound(e)) throw e;
      this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${message(e)}`);
      throw new Error(`unable to delete pods: ${message(e)}`, { cause: e });
    }
    this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  async patchPod(namespace: string, name: string, patch: unknown): Promise<void> {
    await this.pods.patch(namespace, name, 'strategic', patch);
  }
}
