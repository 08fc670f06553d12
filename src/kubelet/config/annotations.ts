// How the kubelet tells its pod sources apart (upstream pkg/kubelet/types/pod_update.go and
// pkg/kubelet/pod/mirror_client.go): a static pod carries kubernetes.io/config.source (the source
// it came from, "file" here) and kubernetes.io/config.hash (its uid, a hash of the manifest); its
// mirror pod in the API carries kubernetes.io/config.mirror with that same hash. A mirror pod is
// only a reflection: the kubelet never runs it, it runs the static pod and reports its status
// through the mirror.
import type { Pod } from 'kubernetes-types/core/v1.js';

export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_SEEN_ANNOTATION = 'kubernetes.io/config.seen';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** The sources upstream names (kubetypes.FileSource, ApiserverSource). */
export const FILE_SOURCE = 'file';
export const API_SOURCE = 'api';

const annotation = (pod: Pod | undefined, key: string): string | undefined => pod?.metadata?.annotations?.[key];

/** A pod the API holds on behalf of a static pod (upstream IsMirrorPod: the annotation exists). */
export function isMirrorPod(pod: Pod): boolean {
  return annotation(pod, CONFIG_MIRROR_ANNOTATION) !== undefined;
}

/** A pod from a source other than the API (upstream IsStaticPod: config.source set and not "api"). */
export function isStaticPod(pod: Pod): boolean {
  const source = annotation(pod, CONFIG_SOURCE_ANNOTATION);
  return source !== undefined && source !== API_SOURCE;
}

/** The static pod's hash (upstream getPodHash): its config.hash annotation, which every static pod has. */
export function podHash(pod: Pod): string | undefined {
  return annotation(pod, CONFIG_HASH_ANNOTATION);
}

/** `<namespace>/<name>`: the key the informer's store and the static pod source both use. */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/**
 * Whether `mirror` reflects the current version of `staticPod` (upstream IsMirrorPodOf): same
 * namespace and name, and its config.mirror annotation equals the static pod's hash.
 */
export function isMirrorPodOf(mirror: Pod, staticPod: Pod): boolean {
  if (podKey(mirror) !== podKey(staticPod)) return false;
  const hash = podHash(staticPod);
  return hash !== undefined && annotation(mirror, CONFIG_MIRROR_ANNOTATION) === hash;
}

/**
 * The API pod that currently mirrors `staticPod`, looked up by `<namespace>/<name>` (e.g. an
 * informer store's get): undefined when there is none, when the pod there is not a mirror of this
 * version of the static pod, or when it is being deleted (the kubelet then recreates it).
 * This is where a static pod's status goes (upstream's status manager writes to the mirror).
 */
export function mirrorOf(staticPod: Pod, lookup: (key: string) => Pod | undefined): Pod | undefined {
  const found = lookup(podKey(staticPod));
  if (!found || found.metadata?.deletionTimestamp) return undefined;
  return isMirrorPodOf(found, staticPod) ? found : undefined;
}
