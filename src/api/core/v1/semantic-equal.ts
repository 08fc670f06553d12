// upstream's apiequality.Semantic.DeepEqual for JSON objects: empty lists and maps equal absent
// ones (Go cannot tell a nil slice or map from an empty one after a round trip), and resource
// quantities compare by value ("1" equals "1000m").
import { Quantity } from '../../../apimachinery/quantity.js';

const isEmpty = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

function quantitiesEqual(a: string, b: string): boolean {
  try {
    return Quantity.parse(a).cmp(Quantity.parse(b)) === 0;
  } catch {
    return false;
  }
}

/** Whether a and b are semantically equal; `key` is the property name a and b were found under. */
export function semanticEqual(a: unknown, b: unknown, key = ''): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a === 'string' && typeof b === 'string') return QUANTITY_PARENTS.has(key) && quantitiesEqual(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => semanticEqual(v, bb[i], key));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    // Inside a resource list every value is a quantity.
    const childKey = QUANTITY_MAPS.has(key) ? '#quantity' : k;
    if (!semanticEqual(ao[k], bo[k], childKey)) return false;
  }
  return true;
}

/** Maps whose values are quantities (ResourceList fields). */
const QUANTITY_MAPS = new Set(['limits', 'requests', 'overhead', 'capacity', 'allocatable']);
const QUANTITY_PARENTS = new Set(['#quantity', 'sizeLimit']);
