// rbac.authorization.k8s.io/v1 ClusterRoleBinding: binds ClusterRoles only; subjects that are
// service accounts must name their namespace.
import type { ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { ResourceDefinition } from '../../types.js';
import { RBAC_GROUP, bindingCells, bindingColumns, defaultBinding, validateBinding, validateRoleRefUnchanged } from './rolebinding.js';

export const clusterRoleBindingResource: ResourceDefinition<ClusterRoleBinding> = {
  group: RBAC_GROUP,
  version: 'v1',
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  nameValidation: 'pathSegment',
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, ['ClusterRole'], false),
  validateUpdate: (b, old) => [...validateBinding(b, ['ClusterRole'], false), ...validateRoleRefUnchanged(b.roleRef, old.roleRef)],
  table: { columns: bindingColumns('clusterRoleBinding'), cells: bindingCells },
};
