// The pods a replica controller creates (upstream's GetPodFromTemplate and NewControllerRef):
// the template's labels, annotations, finalizers and spec, a generated name after the owner's,
// and a controller reference back to the owner.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';

/** The owner's identity as a controller reference names it. */
export interface OwnerIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** upstream metav1.NewControllerRef: controller and blockOwnerDeletion both true. */
export function controllerRef(owner: OwnerIdentity): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true };
}

/** The owner as the reference needs it; the kind's apiVersion, not what the cached object carries. */
export function ownerIdentity(obj: KubeObject, apiVersion: string, kind: string): OwnerIdentity {
  return { apiVersion, kind, name: obj.metadata?.name ?? '', uid: obj.metadata?.uid ?? '' };
}

/** upstream's maximum DNS-1123 subdomain length, which a generateName prefix must fit. */
const MAX_NAME_LENGTH = 253;

/**
 * `<owner>-`, or the bare owner name when the dash would make the prefix too long (upstream's
 * getPodsPrefix validates the prefix as a pod name and falls back likewise).
 */
export function podNamePrefix(ownerName: string): string {
  const prefix = `${ownerName}-`;
  return prefix.length > MAX_NAME_LENGTH ? ownerName : prefix;
}

/** A new pod from the template, in `namespace`, controlled by `owner`. Never shares the template's objects. */
export function podFromTemplate(template: PodTemplateSpec | undefined, namespace: string, owner: OwnerIdentity): Pod {
  const meta = template?.metadata;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      generateName: podNamePrefix(owner.name),
      labels: { ...meta?.labels },
      ownerReferences: [controllerRef(owner)],
    },
    spec: structuredClone(template?.spec ?? { containers: [] }),
  };
  if (meta?.annotations && Object.keys(meta.annotations).length > 0) pod.metadata!.annotations = { ...meta.annotations };
  if (meta?.finalizers && meta.finalizers.length > 0) pod.metadata!.finalizers = [...meta.finalizers];
  return pod;
}
