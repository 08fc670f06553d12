// projected volumes (pkg/volume/projected collectData): several sources in one directory —
// configMaps, secrets, downwardAPI items and service account tokens (what every pod's
// kube-api-access-xxxxx volume is made of). Every source is tried and the failures reported
// together; later sources win a path two of them write.
import type { Pod, ProjectedVolumeSource } from 'kubernetes-types/core/v1.js';
import { fetchConfigMapPayload } from './configmap.js';
import { downwardAPIPayload, type NodeAllocatable } from './downwardapi.js';
import { fetchSecretPayload } from './secret.js';
import type { TokenManager } from './service-account-token.js';
import { aggregateMessage, DEFAULT_FILE_MODE, type Payload, type VolumeSources } from './types.js';

export interface ProjectionDeps {
  sources: Pick<VolumeSources, 'configMap' | 'secret'>;
  tokens: TokenManager;
  allocatable: NodeAllocatable;
}

export async function projectedPayload(pod: Pod, source: ProjectedVolumeSource, deps: ProjectionDeps): Promise<Payload> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const defaultMode = source.defaultMode ?? DEFAULT_FILE_MODE;
  const payload: Payload = new Map();
  const errors: string[] = [];
  for (const s of source.sources ?? []) {
    try {
      let part: Payload;
      if (s.secret) part = await fetchSecretPayload(deps.sources, namespace, s.secret, defaultMode);
      else if (s.configMap) part = await fetchConfigMapPayload(deps.sources, namespace, s.configMap, defaultMode);
      else if (s.downwardAPI) part = downwardAPIPayload(s.downwardAPI.items, pod, defaultMode, deps.allocatable);
      else if (s.serviceAccountToken) {
        const token = await deps.tokens.token(pod, s.serviceAccountToken);
        // With an fsGroup upstream writes 0600 and lets the ownership pass widen it to 0640;
        // kubets does not change ownership, so the token stays owner-only then.
        const mode = pod.spec?.securityContext?.fsGroup !== undefined ? 0o600 : defaultMode;
        part = new Map([[s.serviceAccountToken.path, { data: Buffer.from(token, 'utf8'), mode }]]);
      } else {
        const kind = Object.keys(s)[0] ?? 'an empty';
        throw new Error(`${kind} projections are not supported by kubets's kubelet`);
      }
      for (const [p, f] of part) payload.set(p, f);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(aggregateMessage(errors));
  return payload;
}
