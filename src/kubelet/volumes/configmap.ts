// configMap volumes (pkg/volume/configmap): every key of the ConfigMap (data and binaryData) as a
// file, or only the listed items at their paths; modes from the item, else defaultMode (0644).
// A missing ConfigMap fails the mount unless the volume is optional, which projects nothing; a
// listed key that is missing fails it likewise, with upstream's words.
import type { ConfigMap, KeyToPath } from 'kubernetes-types/core/v1.js';
import { DEFAULT_FILE_MODE, type Payload, type VolumeSources } from './types.js';

/** upstream configmap.MakePayload. */
export function configMapPayload(items: KeyToPath[] | undefined, cm: ConfigMap, defaultMode: number | undefined, optional: boolean): Payload {
  const mode = defaultMode ?? DEFAULT_FILE_MODE;
  const payload: Payload = new Map();
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  if (!items || items.length === 0) {
    for (const [k, v] of Object.entries(data)) payload.set(k, { data: Buffer.from(v, 'utf8'), mode });
    for (const [k, v] of Object.entries(binary)) payload.set(k, { data: Buffer.from(v, 'base64'), mode });
    return payload;
  }
  for (const item of items) {
    let content: Buffer;
    if (Object.hasOwn(data, item.key)) content = Buffer.from(data[item.key]!, 'utf8');
    else if (Object.hasOwn(binary, item.key)) content = Buffer.from(binary[item.key]!, 'base64');
    else if (optional) continue;
    else throw new Error(`configmap references non-existent config key: ${item.key}`);
    payload.set(item.path, { data: content, mode: item.mode ?? mode });
  }
  return payload;
}

/**
 * Fetches the ConfigMap and makes the payload. The cache upstream's kubelet reads ConfigMaps
 * through names the missing one `configmap "x" not found` (its group resource is "configmap").
 */
export async function fetchConfigMapPayload(
  sources: Pick<VolumeSources, 'configMap'>,
  namespace: string,
  ref: { name?: string; items?: KeyToPath[]; optional?: boolean },
  defaultMode: number | undefined,
): Promise<Payload> {
  const optional = ref.optional === true;
  const cm = await sources.configMap(namespace, ref.name ?? '');
  if (!cm && !optional) throw new Error(`configmap "${ref.name ?? ''}" not found`);
  return configMapPayload(ref.items, cm ?? {}, defaultMode, optional);
}
