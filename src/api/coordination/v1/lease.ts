// coordination.k8s.io/v1 Lease: durations and transition counts, and printLease.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { type FieldError, FieldPath, forbidden, invalid } from '../../../apimachinery/field-errors.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';

/** upstream ValidateLeaseSpec (the coordinated-leader fields are newer than kubernetes-types 1.30). */
function validate(lease: Lease): FieldError[] {
  const spec = (lease.spec ?? {}) as NonNullable<Lease['spec']> & { strategy?: string; preferredHolder?: string };
  const sp = FieldPath.root('spec');
  const errs: FieldError[] = [];
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid(sp.child('leaseDurationSeconds'), spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errs.push(invalid(sp.child('leaseTransitions'), spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  if (spec.preferredHolder && !spec.strategy) {
    errs.push(forbidden(sp.child('preferredHolder'), 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export const leaseResource: ResourceDefinition<Lease> = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  tracksGeneration: false,
  validate,
  validateUpdate: validate,
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Holder', type: 'string', description: 'holderIdentity contains the identity of the holder of a current lease.', priority: 0 },
      AGE_COLUMN,
    ],
    cells: (l, now) => [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '', age(l.metadata?.creationTimestamp, now)],
  },
};
