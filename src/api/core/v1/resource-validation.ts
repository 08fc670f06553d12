// Container resource requirements, as upstream's validateResourceRequirements checks them, and
// the pod QoS class they imply (upstream qos.ComputePodQOS).
import type { Container, PodSpec, ResourceRequirements } from 'kubernetes-types/core/v1.js';
import { type FieldError, type FieldPath, forbidden, invalid, required } from '../../../apimachinery/field-errors.js';
import { Quantity, QuantityError } from '../../../apimachinery/quantity.js';
import { isQualifiedName } from '../../../apimachinery/validation.js';

const HUGEPAGES_PREFIX = 'hugepages-';

/** Resource names a quota or limit range may name without a domain (upstream standardResources). */
const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
  'storage',
]);

const isHugePages = (name: string) => name.startsWith(HUGEPAGES_PREFIX);
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const overcommitAllowed = (name: string) => isNative(name) && !isHugePages(name);

function isStandardResourceName(name: string): boolean {
  return STANDARD_RESOURCES.has(name) || isHugePages(name) || name.startsWith(`requests.${HUGEPAGES_PREFIX}`);
}

function isExtendedResourceName(name: string): boolean {
  if (isNative(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** upstream validateContainerResourceName. */
export function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!isStandardResourceName(name)) errs.push(invalid(path, name, 'must be a standard resource type or fully qualified'));
    const containerResource = name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || isHugePages(name);
    if (!containerResource) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && !isExtendedResourceName(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** A quantity from JSON (a string, or a number a YAML author wrote bare), or a field error. */
export function parseQuantity(value: unknown, path: FieldPath): Quantity | FieldError {
  try {
    if (typeof value !== 'string' && typeof value !== 'number') throw new QuantityError('quantities must be strings');
    return Quantity.parse(String(value));
  } catch (e) {
    if (e instanceof QuantityError) return invalid(path, value, e.message);
    throw e;
  }
}

const isQuantity = (q: Quantity | FieldError): q is Quantity => q instanceof Quantity;

/** upstream ValidateResourceQuantityValue: never negative; whole numbers for integer resources. */
function validateQuantityValue(name: string, q: Quantity, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (q.sign() < 0) errs.push(invalid(path, q.toString(), 'must be greater than or equal to 0'));
  if (isExtendedResourceName(name) && q.milliValue() % 1000n !== 0n) errs.push(invalid(path, q.toString(), 'must be an integer'));
  return errs;
}

export function validateResourceRequirements(req: ResourceRequirements | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const limits = new Map<string, Quantity>();
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, raw] of Object.entries(req?.limits ?? {})) {
    const p = limPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    const q = parseQuantity(raw, p);
    if (!isQuantity(q)) {
      errs.push(q);
      continue;
    }
    limits.set(name, q);
    errs.push(...validateQuantityValue(name, q, p));
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  for (const [name, raw] of Object.entries(req?.requests ?? {})) {
    const p = reqPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    const q = parseQuantity(raw, p);
    if (!isQuantity(q)) {
      errs.push(q);
      continue;
    }
    errs.push(...validateQuantityValue(name, q, p));
    const limit = limits.get(name);
    if (limit) {
      // Upstream reports these on `requests` itself, not on the key.
      if (q.cmp(limit) !== 0 && !overcommitAllowed(name)) {
        errs.push(invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${limit.toString()}`));
      } else if (q.cmp(limit) > 0) {
        errs.push(invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`));
      }
    } else if (!overcommitAllowed(name) && !(name in (req?.limits ?? {}))) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (hugePages && !cpuOrMemory) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  for (const [i, claim] of (req?.claims ?? []).entries()) {
    if (!claim.name) errs.push(required(path.child('claims').index(i)));
  }
  return errs;
}

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'] as const;

/** Parses a quantity for QoS purposes: unparseable values count as absent (validation reports them). */
function positive(raw: unknown): Quantity | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  try {
    const q = Quantity.parse(String(raw));
    return q.sign() > 0 ? q : undefined;
  } catch {
    return undefined;
  }
}

/** upstream ComputePodQOS over init and regular containers' cpu and memory. */
export function computeQOSClass(spec: PodSpec | undefined): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const containers: Container[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  const sum = (m: Map<string, Quantity>, k: string, q: Quantity) => m.set(k, m.get(k)?.add(q) ?? q);
  for (const c of containers) {
    for (const r of QOS_RESOURCES) {
      const req = positive(c.resources?.requests?.[r]);
      if (req) sum(requests, r, req);
      const lim = positive(c.resources?.limits?.[r]);
      if (lim) sum(limits, r, lim);
      else guaranteed = false;
    }
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, req] of requests) {
      const lim = limits.get(k);
      if (!lim || lim.cmp(req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
