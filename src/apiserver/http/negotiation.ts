// Content negotiation by Accept, as kube-apiserver does it for the forms clients ask for:
// meta.k8s.io Tables (kubectl get), PartialObjectMetadata (metadata informers), aggregated
// discovery (apidiscovery.k8s.io v2 / v2beta1), and plain JSON for everything else.

export type Rendering =
  | { as: 'object' }
  | { as: 'Table'; version: 'v1' | 'v1beta1' }
  | { as: 'PartialObjectMetadata'; version: 'v1' | 'v1beta1'; list: boolean };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [];
  return accept.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const eq = kv.indexOf('=');
      if (eq > 0) p[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
    }
    return { type: (type ?? '').toLowerCase(), params: p };
  });
}

const isJsonish = (t: string) => t === 'application/json' || t === '*/*' || t === 'application/*' || t === 'application/yaml';

/** How to render a resource response, in the client's order of preference. */
export function chooseRendering(accept: string | undefined): Rendering {
  for (const m of parseAccept(accept)) {
    if (m.type !== 'application/json' && !m.params.as) {
      if (isJsonish(m.type)) return { as: 'object' };
      continue;
    }
    const as = m.params.as;
    if (!as) return { as: 'object' };
    if (m.params.g !== 'meta.k8s.io') continue;
    const version = m.params.v === 'v1beta1' ? 'v1beta1' : m.params.v === 'v1' ? 'v1' : undefined;
    if (!version) continue;
    if (as === 'Table') return { as: 'Table', version };
    if (as === 'PartialObjectMetadata') return { as: 'PartialObjectMetadata', version, list: false };
    if (as === 'PartialObjectMetadataList') return { as: 'PartialObjectMetadata', version, list: true };
  }
  return { as: 'object' };
}

export type DiscoveryRendering = 'v2' | 'v2beta1' | 'legacy';

/**
 * Aggregated discovery only for the version the client lists (kubectl 1.27-1.29 know v2beta1
 * only; 1.30+ ask for v2 first); plain JSON otherwise.
 */
export function chooseDiscovery(accept: string | undefined): DiscoveryRendering {
  for (const m of parseAccept(accept)) {
    if (m.type === 'application/json' && m.params.g === 'apidiscovery.k8s.io' && m.params.as === 'APIGroupDiscoveryList') {
      if (m.params.v === 'v2') return 'v2';
      if (m.params.v === 'v2beta1') return 'v2beta1';
      continue;
    }
    if (isJsonish(m.type) && !m.params.as) return 'legacy';
  }
  return 'legacy';
}
