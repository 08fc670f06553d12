// scheduling.k8s.io/v1 PriorityClass: the preemption default, the reserved "system-" names and
// the user maximum, the fixed value and policy; printPriorityClass; the built-in system classes.
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported } from '../../../apimachinery/field-errors.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';

export const HIGHEST_USER_PRIORITY = 1000000000;
const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'];
/** upstream scheduling.SystemCriticalPriority: the value of system-cluster-critical. */
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_PRIORITY;
/** The classes the API server creates itself, with their fixed values. */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': SYSTEM_CRITICAL_PRIORITY,
  'system-node-critical': SYSTEM_CRITICAL_PRIORITY + 1000,
};
const SYSTEM_PRIORITY_CLASS_DESCRIPTIONS: Record<string, string> = {
  'system-cluster-critical': 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  'system-node-critical': 'Used for system critical pods that must not be moved from their current node.',
};

/** upstream SystemPriorityClasses(): what cluster bootstrap creates when missing (fresh objects). */
export function systemPriorityClasses(): PriorityClass[] {
  return Object.entries(SYSTEM_PRIORITY_CLASSES).map(([name, value]) => ({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name },
    value,
    description: SYSTEM_PRIORITY_CLASS_DESCRIPTIONS[name],
  }));
}

/** upstream IsKnownSystemPriorityClass's verdict, or undefined when the class is one. */
function systemClassError(pc: PriorityClass): string | undefined {
  const name = pc.metadata?.name ?? '';
  const value = SYSTEM_PRIORITY_CLASSES[name];
  if (value === undefined) return `${name} is not a known system priority class`;
  if (pc.value !== value) return `value of ${name} PriorityClass must be ${value}`;
  if (pc.globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

function validate(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  if ((pc.metadata?.name ?? '').startsWith('system-')) {
    const why = systemClassError(pc);
    if (why) {
      errs.push(forbidden(FieldPath.root('metadata').child('name'), `priority class names with 'system-' prefix are reserved for system use only. error: ${why}`));
    }
  } else if ((pc.value ?? 0) > HIGHEST_USER_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  if (pc.preemptionPolicy !== undefined && !PREEMPTION_POLICIES.includes(pc.preemptionPolicy)) {
    errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, PREEMPTION_POLICIES));
  }
  return errs;
}

export const priorityClassResource: ResourceDefinition<PriorityClass> = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  namespaced: false,
  shortNames: ['pc'],
  defaults(pc) {
    pc.preemptionPolicy ||= 'PreemptLowerPriority';
  },
  validate,
  validateUpdate(pc, old) {
    const errs = validate(pc);
    if (pc.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
    if ((pc.preemptionPolicy ?? null) !== (old.preemptionPolicy ?? null)) {
      errs.push(invalid('preemptionPolicy', pc.preemptionPolicy ?? null, 'field is immutable'));
    }
    return errs;
  },
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Value', type: 'integer', description: 'value represents the integer value of this priority class.', priority: 0 },
      {
        name: 'Global-Default',
        type: 'boolean',
        description: 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.',
        priority: 0,
      },
      AGE_COLUMN,
      { name: 'PreemptionPolicy', type: 'string', description: 'preemptionPolicy is the Policy for preempting pods with lower priority.', priority: 0 },
    ],
    cells: (pc, now) => [pc.metadata?.name ?? '', pc.value ?? 0, pc.globalDefault ?? false, age(pc.metadata?.creationTimestamp, now), pc.preemptionPolicy ?? ''],
  },
};
