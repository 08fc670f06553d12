// ReplicationControllers (core/v1): upstream's SetDefaults_ReplicationController (selector and
// labels from the template), ValidateReplicationControllerSpec (a map selector, mutable), the
// rc strategy, field selectors and printReplicationController.
import type { ReplicationController, ReplicationControllerSpec } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, required } from '../../../apimachinery/field-errors.js';
import { selectorFromSet } from '../../../apimachinery/labels.js';
import { AGE_COLUMN, age, formatLabels, NAME_COLUMN } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { nonNegative, templateLabelsMatch, validateReplicaStatus, validateTemplateForController } from '../../workload-validation.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { CONTAINERS_COLUMN, containerCells, IMAGES_COLUMN, selectorColumn } from './template-printing.js';

export function defaultReplicationController(rc: ReplicationController): void {
  const spec = (rc.spec ??= {} as ReplicationControllerSpec);
  const labels = spec.template?.metadata?.labels;
  if (labels) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    const meta = (rc.metadata ??= {});
    if (Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...labels };
  }
  spec.replicas ??= 1;
  defaultPodTemplateSpec(spec.template);
}

/** upstream ValidateReplicationControllerSpec. */
export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const path = FieldPath.root('spec');
  const spec = rc.spec;
  const errs = nonNegative(spec?.minReadySeconds, path.child('minReadySeconds'));
  if (Object.keys(spec?.selector ?? {}).length === 0) errs.push(required(path.child('selector')));
  errs.push(...nonNegative(spec?.replicas, path.child('replicas')));
  const tpath = path.child('template');
  if (!spec?.template) {
    errs.push(required(tpath));
  } else {
    errs.push(...templateLabelsMatch(selectorFromSet(spec.selector), spec.template, tpath));
    errs.push(...validateTemplateForController(spec.template, undefined, tpath, 'ReplicationController'));
  }
  return errs;
}

export const replicationControllerResource: ResourceDefinition<ReplicationController> = {
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  singular: 'replicationcontroller',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  subresources: {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  },
  defaults: defaultReplicationController,
  prepareForCreate(rc) {
    delete (rc as Mutable<ReplicationController>).status;
  },
  validate: validateReplicationController,
  validateStatusUpdate: (rc) => validateReplicaStatus(rc.status),
  selectableFields: (rc) => ({ 'status.replicas': String(rc.status?.replicas ?? 0) }),
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Desired', type: 'integer', priority: 0, description: 'Replicas is the number of desired replicas.' },
      { name: 'Current', type: 'integer', priority: 0, description: 'Replicas is the most recently observed number of replicas.' },
      { name: 'Ready', type: 'integer', priority: 0, description: 'The number of ready replicas for this replication controller.' },
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      selectorColumn('Selector is a label query over pods that should match the Replicas count.'),
    ],
    cells(rc, now) {
      const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
      return [
        rc.metadata?.name ?? '',
        rc.spec?.replicas ?? 0,
        rc.status?.replicas ?? 0,
        rc.status?.readyReplicas ?? 0,
        age(rc.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabels(rc.spec?.selector),
      ];
    },
  },
};
