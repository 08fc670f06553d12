// rbac.authorization.k8s.io/v1 Role, and the policy-rule validation ClusterRoles share.
import type { PolicyRule, Role } from 'kubernetes-types/rbac/v1.js';
import { type FieldError, FieldPath, invalid, required } from '../../../apimachinery/field-errors.js';
import { createdAtTable } from '../../core/v1/limitrange.js';
import type { ResourceDefinition } from '../../types.js';

/** upstream ValidatePolicyRule: verbs always; resource rules or (cluster only) non-resource URLs. */
export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule.verbs?.length) errs.push(required(path.child('verbs'), 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    const p = path.child('nonResourceURLs');
    if (namespaced) errs.push(invalid(p, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(invalid(p, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(required(path.child('apiGroups'), 'resource rules must supply at least one api group'));
  if (!rule.resources?.length) errs.push(required(path.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

export const validateRules = (rules: PolicyRule[] | undefined, namespaced: boolean) =>
  (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, FieldPath.root('rules').index(i)));

export const roleResource: ResourceDefinition<Role> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  namespaced: true,
  nameValidation: 'pathSegment',
  validate: (role) => validateRules(role.rules, true),
  validateUpdate: (role) => validateRules(role.rules, true),
  table: createdAtTable<Role>(),
};
