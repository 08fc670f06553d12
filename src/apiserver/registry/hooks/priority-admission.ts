// upstream's Priority admission plugin (plugin/pkg/admission/priority): a new pod's spec.priority
// and spec.preemptionPolicy come from its PriorityClass (or the globalDefault class, else 0 and
// PreemptLowerPriority), and at most one PriorityClass may be the global default.
//
// Upstream runs the pod half as mutating admission, before the pod strategy validates; kubets runs
// it from the pod store's beforeCreate, after validation. Nothing pod validation checks depends on
// the fields this sets, so only the order of errors for a pod that is both invalid and names a
// missing class differs.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { forbidden, isNotFound } from '../../../apimachinery/errors.js';
import type { StoreHooks } from '../hooks.js';
import type { ResourceStore } from '../store.js';

/** upstream scheduling.DefaultPriorityWhenNoDefaultClassExists. */
export const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS = 0;
const DEFAULT_PREEMPTION_POLICY = 'PreemptLowerPriority';

const PODS = { group: '', resource: 'pods' };
const PRIORITY_CLASSES = { group: 'scheduling.k8s.io', resource: 'priorityclasses' };

/** How the plugin reads PriorityClasses (upstream reads an informer's lister). */
export interface PriorityClassSource {
  /** The class of that name, or undefined when there is none. */
  get(name: string): Promise<PriorityClass | undefined>;
  list(): Promise<PriorityClass[]>;
}

/** Reads PriorityClasses straight from their store (resolved lazily: the StoreSet may not exist yet). */
export function storePriorityClasses(store: () => ResourceStore): PriorityClassSource {
  return {
    async get(name) {
      try {
        return (await store().get('', name)) as PriorityClass;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async list() {
      return (await store().list('')) as PriorityClass[];
    },
  };
}

/**
 * The global default class. Should a race have left several, the one with the lowest value wins,
 * as upstream's getDefaultPriorityClass.
 */
export async function defaultPriorityClass(classes: PriorityClassSource): Promise<PriorityClass | undefined> {
  let found: PriorityClass | undefined;
  for (const pc of await classes.list()) {
    if (pc.globalDefault && (found === undefined || (found.value ?? 0) > (pc.value ?? 0))) found = pc;
  }
  return found;
}

interface Resolved {
  className: string;
  priority: number;
  preemptionPolicy: string | undefined;
}

async function resolve(pod: Pod, classes: PriorityClassSource): Promise<Resolved> {
  const name = pod.spec?.priorityClassName ?? '';
  if (!name) {
    const dpc = await defaultPriorityClass(classes);
    if (dpc) return { className: dpc.metadata?.name ?? '', priority: dpc.value ?? 0, preemptionPolicy: dpc.preemptionPolicy };
    return { className: '', priority: DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS, preemptionPolicy: DEFAULT_PREEMPTION_POLICY };
  }
  const pc = await classes.get(name);
  if (!pc) throw forbidden(PODS, pod.metadata?.name ?? '', `no PriorityClass with name ${name} was found`);
  return { className: name, priority: pc.value ?? 0, preemptionPolicy: pc.preemptionPolicy };
}

/**
 * Pod CREATE: sets spec.priorityClassName (to the default class when none is named),
 * spec.priority and spec.preemptionPolicy, or throws 403 Forbidden when the class is missing or
 * the pod already carries a different priority or preemption policy.
 */
export async function admitPodPriority(pod: Pod, classes: PriorityClassSource): Promise<void> {
  const spec = pod.spec;
  if (!spec) return;
  const podName = pod.metadata?.name ?? '';
  const { className, priority, preemptionPolicy } = await resolve(pod, classes);
  if (className) spec.priorityClassName = className;
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw forbidden(
      PODS,
      podName,
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
    );
  }
  spec.priority = priority;
  // A class stored without a policy (never, once defaulted) leaves the pod's as it is, as upstream.
  if (preemptionPolicy === undefined) return;
  if (spec.preemptionPolicy && spec.preemptionPolicy !== preemptionPolicy) {
    throw forbidden(
      PODS,
      podName,
      `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`,
    );
  }
  spec.preemptionPolicy = preemptionPolicy;
}

/**
 * PriorityClass CREATE and UPDATE: a class may become the global default only while no other is.
 * Re-saving the current default is fine.
 */
export async function validatePriorityClassDefault(pc: PriorityClass, classes: PriorityClassSource, isUpdate: boolean): Promise<void> {
  if (!pc.globalDefault) return;
  const dpc = await defaultPriorityClass(classes);
  if (!dpc) return;
  const name = pc.metadata?.name ?? '';
  const dpcName = dpc.metadata?.name ?? '';
  if (!isUpdate || dpcName !== name) {
    throw forbidden(PRIORITY_CLASSES, name, `PriorityClass ${dpcName} is already marked as default. Only one default can exist`);
  }
}

/** The priorityclasses store's half of the plugin. */
export function priorityClassHooks(classes: PriorityClassSource): StoreHooks<PriorityClass> {
  return {
    beforeCreate: (pc) => validatePriorityClassDefault(pc, classes, false),
    beforeUpdate: (pc) => validatePriorityClassDefault(pc, classes, true),
  };
}
