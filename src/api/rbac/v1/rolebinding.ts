// rbac.authorization.k8s.io/v1 RoleBinding, and what ClusterRoleBindings share: the roleRef and
// subject defaults and rules (roleRef never changes), and printRoleBinding's columns.
import type { RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import { type FieldError, FieldPath, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition, TableColumn } from '../../types.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** SetDefaults_RoleBinding / ClusterRoleBinding / Subject. */
export function defaultBinding(b: { roleRef: RoleRef; subjects?: Subject[] }): void {
  if (b.roleRef) b.roleRef.apiGroup ||= RBAC_GROUP;
  for (const s of b.subjects ?? []) {
    if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
  }
}

function validateSubject(s: Subject, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(path.child('name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...isDNS1123Subdomain(s.name).map((m) => invalid(path.child('name'), s.name, m)));
      if (s.apiGroup) errs.push(notSupported(path.child('apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(path.child('namespace')));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(path.child('apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(path.child('kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** upstream ValidateRoleBinding / ValidateClusterRoleBinding (kinds: the roleRef kinds allowed). */
export function validateBinding(b: { roleRef?: RoleRef; subjects?: Subject[] }, kinds: string[], namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const rp = FieldPath.root('roleRef');
  const ref = b.roleRef ?? { apiGroup: '', kind: '', name: '' };
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported(rp.child('apiGroup'), ref.apiGroup ?? '', [RBAC_GROUP]));
  if (!kinds.includes(ref.kind)) errs.push(notSupported(rp.child('kind'), ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required(rp.child('name')));
  else errs.push(...isValidPathSegmentName(ref.name).map((m) => invalid(rp.child('name'), ref.name, m)));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, FieldPath.root('subjects').index(i))));
  return errs;
}

/** The roleRef may not change: a binding to another role is another binding. */
export function validateRoleRefUnchanged(ref: RoleRef | undefined, old: RoleRef | undefined): FieldError[] {
  const same = ref?.apiGroup === old?.apiGroup && ref?.kind === old?.kind && ref?.name === old?.name;
  return same ? [] : [invalid('roleRef', ref ?? null, 'cannot change roleRef')];
}

/** printRoleBinding's columns; `what` names the kind in the subject columns' descriptions. */
export function bindingColumns(what: string): TableColumn[] {
  const col = (name: string, description: string, priority: number): TableColumn => ({ name, type: 'string', description, priority });
  return [
    NAME_COLUMN,
    col('Role', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.', 0),
    AGE_COLUMN,
    col('Users', `Users in the ${what}`, 1),
    col('Groups', `Groups in the ${what}`, 1),
    col('ServiceAccounts', `ServiceAccounts in the ${what}`, 1),
  ];
}

/** rbac.SubjectsStrings, joined as printRoleBinding joins them. */
export function bindingCells(b: { metadata?: RoleBinding['metadata']; roleRef?: RoleRef; subjects?: Subject[] }, now: Date): unknown[] {
  const of = (kind: string) => (b.subjects ?? []).filter((s) => s.kind === kind);
  return [
    b.metadata?.name ?? '',
    `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
    age(b.metadata?.creationTimestamp, now),
    of('User').map((s) => s.name).join(', '),
    of('Group').map((s) => s.name).join(', '),
    of('ServiceAccount').map((s) => `${s.namespace ?? ''}/${s.name}`).join(', '),
  ];
}

export const roleBindingResource: ResourceDefinition<RoleBinding> = {
  group: RBAC_GROUP,
  version: 'v1',
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  nameValidation: 'pathSegment',
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, ['Role', 'ClusterRole'], true),
  validateUpdate: (b, old) => [...validateBinding(b, ['Role', 'ClusterRole'], true), ...validateRoleRefUnchanged(b.roleRef, old.roleRef)],
  table: { columns: bindingColumns('roleBinding'), cells: bindingCells },
};
