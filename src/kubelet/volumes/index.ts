// Pod volumes for the kubelet (see manager.ts).
export { AtomicWriter, validatePayloadPath } from './atomic-writer.js';
export { configMapPayload } from './configmap.js';
export { downwardAPIPayload, formatMap, goQuote, type NodeAllocatable, podFieldValue, resourceFieldValue } from './downwardapi.js';
export { setUpEmptyDir } from './emptydir.js';
export { checkHostPath } from './hostpath.js';
export { clientVolumeSources, VolumeManager, type VolumeManagerOptions } from './manager.js';
export { isMountPoint, type MountInfo, mountsUnder, parseMountInfo, readMountTable } from './mount-utils.js';
export { projectedPayload } from './projected.js';
export { secretPayload } from './secret.js';
export { DEFAULT_EXPIRATION_SECONDS, TokenManager } from './service-account-token.js';
export { alwaysReadOnly, expandSubPathExpr, makeMounts } from './subpath.js';
export { ContainerMountError, DEFAULT_FILE_MODE, type FileProjection, type Payload, PLUGIN_DIRS, PodVolumesError, VolumeError, type VolumeSources } from './types.js';
