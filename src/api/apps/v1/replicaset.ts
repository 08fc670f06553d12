// ReplicaSets (apps/v1): upstream's SetDefaults_ReplicaSet, ValidateReplicaSetSpec, the
// replicaset strategy (selector immutable in apps/v1), field selectors and printReplicaSet.
import type { ReplicaSet, ReplicaSetSpec } from 'kubernetes-types/apps/v1.js';
import { type FieldError, FieldPath, invalid } from '../../../apimachinery/field-errors.js';
import { labelSelectorString } from '../../../apimachinery/labels.js';
import { AGE_COLUMN, age, NAME_COLUMN } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.js';
import { CONTAINERS_COLUMN, containerCells, IMAGES_COLUMN, selectorColumn } from '../../core/v1/template-printing.js';
import {
  immutable,
  nonNegative,
  validateReplicaStatus,
  validateRequiredSelector,
  validateTemplateForController,
} from '../../workload-validation.js';

export function defaultReplicaSet(rs: ReplicaSet): void {
  const spec = (rs.spec ??= {} as ReplicaSetSpec);
  spec.replicas ??= 1;
  defaultPodTemplateSpec((spec.template ??= {}));
}

/** upstream ValidateReplicaSetSpec. */
export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const path = FieldPath.root('spec');
  const spec = rs.spec;
  const errs = [
    ...nonNegative(spec?.replicas, path.child('replicas')),
    ...nonNegative(spec?.minReadySeconds, path.child('minReadySeconds')),
  ];
  // Upstream's message names deployments here too.
  const sel = validateRequiredSelector(spec?.selector, path.child('selector'), 'empty selector is invalid for deployment');
  errs.push(...sel.errs);
  if (!sel.selector) errs.push(invalid(path.child('selector'), spec?.selector ?? null, 'invalid label selector'));
  else errs.push(...validateTemplateForController(spec?.template, sel.selector, path.child('template'), 'ReplicaSet'));
  return errs;
}

export const replicaSetResource: ResourceDefinition<ReplicaSet> = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  },
  defaults: defaultReplicaSet,
  prepareForCreate(rs) {
    delete (rs as Mutable<ReplicaSet>).status;
  },
  validate: validateReplicaSet,
  validateUpdate(rs, old) {
    return [...validateReplicaSet(rs), ...immutable(rs.spec?.selector, old.spec?.selector, FieldPath.root('spec').child('selector'))];
  },
  validateStatusUpdate: (rs) => validateReplicaStatus(rs.status),
  selectableFields: (rs) => ({ 'status.replicas': String(rs.status?.replicas ?? 0) }),
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Desired', type: 'integer', priority: 0, description: 'Replicas is the number of desired replicas.' },
      { name: 'Current', type: 'integer', priority: 0, description: 'Replicas is the most recently observed number of replicas.' },
      { name: 'Ready', type: 'integer', priority: 0, description: 'The number of ready replicas for this replica set.' },
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      selectorColumn('Selector is a label query over pods that should match the replica count.'),
    ],
    cells(rs, now) {
      const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
      return [
        rs.metadata?.name ?? '',
        rs.spec?.replicas ?? 0,
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        age(rs.metadata?.creationTimestamp, now),
        names,
        images,
        labelSelectorString(rs.spec?.selector),
      ];
    },
  },
};
