// policy/v1 PodDisruptionBudget: ValidatePodDisruptionBudgetSpec (minAvailable or maxUnavailable,
// the selector, the unhealthy-pod policy), the status counters, and printPodDisruptionBudget.
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { type FieldError, FieldPath, invalid, notSupported } from '../../../apimachinery/field-errors.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../../../apimachinery/intstr.js';
import { validateLabelSelector } from '../../../apimachinery/labels.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];
const COUNTERS = ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const;

function validate(pdb: PodDisruptionBudget): FieldError[] {
  const spec = pdb.spec ?? {};
  const sp = FieldPath.root('spec');
  const errs: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errs.push(invalid(sp, spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable'] as const) {
    if (spec[f] === undefined) continue;
    errs.push(...validatePositiveIntOrPercent(spec[f], sp.child(f)), ...isNotMoreThan100Percent(spec[f], sp.child(f)));
  }
  errs.push(...validateLabelSelector(spec.selector, sp.child('selector')));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !EVICTION_POLICIES.includes(policy)) {
    errs.push(notSupported(sp.child('unhealthyPodEvictionPolicy'), policy, EVICTION_POLICIES));
  }
  return errs;
}

function validateStatus(pdb: PodDisruptionBudget): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of COUNTERS) {
    const v = pdb.status?.[f] ?? 0;
    if (v < 0) errs.push(invalid(FieldPath.root('status').child(f), v, 'must be greater than or equal to 0'));
  }
  return errs;
}

const col = (name: string, type: 'string' | 'integer', description: string) => ({ name, type, description, priority: 0 });

export const podDisruptionBudgetResource: ResourceDefinition<PodDisruptionBudget> = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  namespaced: true,
  shortNames: ['pdb'],
  subresources: { status: true },
  tracksGeneration: true,
  prepareForCreate(pdb) {
    // Create cannot set status; its counters are always serialised.
    (pdb as Mutable<PodDisruptionBudget>).status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
  validate,
  // policy/v1 budgets may change their spec.
  validateUpdate: (pdb) => validate(pdb),
  validateStatusUpdate: validateStatus,
  table: {
    columns: [
      NAME_COLUMN,
      col('Min Available', 'string', 'The minimum number of pods that must be available.'),
      col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
      col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
      AGE_COLUMN,
    ],
    cells: (pdb, now) => [
      pdb.metadata?.name ?? '',
      pdb.spec?.minAvailable !== undefined ? String(pdb.spec.minAvailable) : 'N/A',
      pdb.spec?.maxUnavailable !== undefined ? String(pdb.spec.maxUnavailable) : 'N/A',
      pdb.status?.disruptionsAllowed ?? 0,
      age(pdb.metadata?.creationTimestamp, now),
    ],
  },
};
