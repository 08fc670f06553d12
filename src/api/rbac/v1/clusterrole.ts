// rbac.authorization.k8s.io/v1 ClusterRole: rules (non-resource URLs allowed) and aggregation selectors.
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { type FieldError, FieldPath, invalid, required } from '../../../apimachinery/field-errors.js';
import { selectorFromLabelSelector, validateLabelSelector } from '../../../apimachinery/labels.js';
import { createdAtTable } from '../../core/v1/limitrange.js';
import type { ResourceDefinition } from '../../types.js';
import { validateRules } from './role.js';

function validate(role: ClusterRole): FieldError[] {
  const errs = validateRules(role.rules, false);
  const agg = role.aggregationRule;
  if (agg) {
    const p = FieldPath.root('aggregationRule').child('clusterRoleSelectors');
    if (!agg.clusterRoleSelectors?.length) errs.push(required(p, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    (agg.clusterRoleSelectors ?? []).forEach((sel, i) => {
      errs.push(...validateLabelSelector(sel, p.index(i)));
      try {
        selectorFromLabelSelector(sel);
      } catch {
        errs.push(invalid(p.index(i), sel, 'invalid label selector.'));
      }
    });
  }
  return errs;
}

export const clusterRoleResource: ResourceDefinition<ClusterRole> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRole',
  plural: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  nameValidation: 'pathSegment',
  validate,
  validateUpdate: (role) => validate(role),
  table: createdAtTable<ClusterRole>(),
};
