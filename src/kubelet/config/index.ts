// Pod sources other than the API: static pods from manifest files, and their mirror pods in the API.
export {
  API_SOURCE,
  CONFIG_HASH_ANNOTATION,
  CONFIG_MIRROR_ANNOTATION,
  CONFIG_SEEN_ANNOTATION,
  CONFIG_SOURCE_ANNOTATION,
  FILE_SOURCE,
  isMirrorPod,
  isMirrorPodOf,
  isStaticPod,
  mirrorOf,
  podHash,
  podKey,
} from './annotations.js';
export { ManifestError, type ManifestSource, parseManifest, staticPodUid } from './manifest.js';
export { DEFAULT_FILE_CHECK_MS, type StaticPodListener, StaticPodSource, type StaticPodSourceOptions } from './static-pod-source.js';
export { MirrorPodManager, type MirrorPodManagerOptions, type MirrorSyncResult, mirrorPodFor } from './mirror-pods.js';
