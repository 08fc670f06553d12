// secret volumes (pkg/volume/secret): every key of the Secret's data (base64-decoded) as a file,
// or only the listed items; modes from the item, else defaultMode (0644). A missing Secret or
// listed key fails the mount unless the volume is optional, with upstream's words.
import type { KeyToPath, Secret } from 'kubernetes-types/core/v1.js';
import { DEFAULT_FILE_MODE, type Payload, type VolumeSources } from './types.js';

/** upstream secret.MakePayload. */
export function secretPayload(items: KeyToPath[] | undefined, secret: Secret, defaultMode: number | undefined, optional: boolean): Payload {
  const mode = defaultMode ?? DEFAULT_FILE_MODE;
  const payload: Payload = new Map();
  const data = secret.data ?? {};
  if (!items || items.length === 0) {
    for (const [k, v] of Object.entries(data)) payload.set(k, { data: Buffer.from(v, 'base64'), mode });
    return payload;
  }
  for (const item of items) {
    if (!Object.hasOwn(data, item.key)) {
      if (optional) continue;
      throw new Error(`references non-existent secret key: ${item.key}`);
    }
    payload.set(item.path, { data: Buffer.from(data[item.key]!, 'base64'), mode: item.mode ?? mode });
  }
  return payload;
}

/** Fetches the Secret and makes the payload; a missing one is `secret "x" not found`, as upstream's secret manager says. */
export async function fetchSecretPayload(
  sources: Pick<VolumeSources, 'secret'>,
  namespace: string,
  ref: { name?: string; items?: KeyToPath[]; optional?: boolean },
  defaultMode: number | undefined,
): Promise<Payload> {
  const optional = ref.optional === true;
  const secret = await sources.secret(namespace, ref.name ?? '');
  if (!secret && !optional) throw new Error(`secret "${ref.name ?? ''}" not found`);
  return secretPayload(ref.items, secret ?? {}, defaultMode, optional);
}
