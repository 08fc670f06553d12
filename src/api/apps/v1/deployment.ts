// Deployments (apps/v1): upstream's SetDefaults_Deployment, ValidateDeploymentSpec, the
// deployment strategy (pkg/registry/apps/deployment/strategy.go) and printDeployment.
import type { Deployment, DeploymentSpec, DeploymentStrategy } from 'kubernetes-types/apps/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../../../apimachinery/intstr.js';
import { AGE_COLUMN, age, NAME_COLUMN } from '../../printing.js';
import type { Mutable, MutableObjectMeta, ResourceDefinition } from '../../types.js';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.js';
import { semanticEqual } from '../../core/v1/semantic-equal.js';
import {
  CONTAINERS_COLUMN,
  containerCells,
  deploymentSelectorCell,
  IMAGES_COLUMN,
  selectorColumn,
} from '../../core/v1/template-printing.js';
import {
  collisionCountNotDecremented,
  immutable,
  intOrPercentValue,
  nonNegative,
  notGreaterThan,
  validateRequiredSelector,
  validateStatusCounters,
  validateTemplateForController,
} from '../../workload-validation.js';

export function defaultDeployment(d: Deployment): void {
  const spec = (d.spec ??= {} as DeploymentSpec);
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplateSpec((spec.template ??= {}));
}

function validateStrategy(strategy: DeploymentStrategy | undefined, path: FieldPath): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate ? [forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      const p = path.child('rollingUpdate');
      if (!ru) return [required(p, 'this should be defaulted and never be nil')];
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')),
        ...validatePositiveIntOrPercent(ru.maxSurge, p.child('maxSurge')),
      ];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(p.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')));
      return errs;
    }
    default:
      return [notSupported(path, s, ['Recreate', 'RollingUpdate'])];
  }
}

/** upstream ValidateDeploymentSpec. */
export function validateDeployment(d: Deployment): FieldError[] {
  const path = FieldPath.root('spec');
  const spec = d.spec;
  const errs = nonNegative(spec?.replicas, path.child('replicas'));
  const sel = validateRequiredSelector(spec?.selector, path.child('selector'), 'empty selector is invalid for deployment');
  errs.push(...sel.errs);
  if (!sel.selector) errs.push(invalid(path.child('selector'), spec?.selector ?? null, 'invalid label selector'));
  else errs.push(...validateTemplateForController(spec?.template, sel.selector, path.child('template'), 'ReplicaSet'));
  errs.push(...validateStrategy(spec?.strategy, path.child('strategy')));
  errs.push(...nonNegative(spec?.minReadySeconds, path.child('minReadySeconds')));
  errs.push(...nonNegative(spec?.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  const pds = spec?.progressDeadlineSeconds;
  if (pds !== undefined) {
    errs.push(...nonNegative(pds, path.child('progressDeadlineSeconds')));
    if (pds <= (spec?.minReadySeconds ?? 0)) {
      errs.push(invalid(path.child('progressDeadlineSeconds'), pds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

function validateDeploymentStatusUpdate(d: Deployment, old: Deployment): FieldError[] {
  const path = FieldPath.root('status');
  const s = d.status;
  const counters = [
    'observedGeneration',
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
    'collisionCount',
  ];
  const msg = 'cannot be greater than status.replicas';
  return [
    ...validateStatusCounters(s, counters, path),
    ...notGreaterThan(s, 'updatedReplicas', 'replicas', msg, path),
    ...notGreaterThan(s, 'readyReplicas', 'replicas', msg, path),
    ...notGreaterThan(s, 'availableReplicas', 'replicas', msg, path),
    ...notGreaterThan(s, 'availableReplicas', 'readyReplicas', 'cannot be greater than readyReplicas', path),
    ...collisionCountNotDecremented(s?.collisionCount, old.status?.collisionCount, path.child('collisionCount')),
  ];
}

export const deploymentResource: ResourceDefinition<Deployment> = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  },
  statusUpdateKeepsAnnotations: true,
  defaults: defaultDeployment,
  prepareForCreate(d) {
    delete (d as Mutable<Deployment>).status;
  },
  prepareForUpdate(d, old) {
    // Upstream also bumps generation when only annotations change: they are copied to the
    // Deployment's ReplicaSets. (Spec changes are bumped by the store.)
    if (semanticEqual(d.spec, old.spec) && !semanticEqual(d.metadata?.annotations, old.metadata?.annotations)) {
      (d.metadata as MutableObjectMeta).generation = (old.metadata?.generation ?? 1) + 1;
    }
  },
  validate: validateDeployment,
  validateUpdate(d, old) {
    // apps/v1 forbids changing the selector (extensions/v1beta1 once allowed it).
    return [...validateDeployment(d), ...immutable(d.spec?.selector, old.spec?.selector, FieldPath.root('spec').child('selector'))];
  },
  validateStatusUpdate: validateDeploymentStatusUpdate,
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Ready', type: 'string', priority: 0, description: 'Number of the pod with ready state' },
      { name: 'Up-to-date', type: 'string', priority: 0, description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.' },
      { name: 'Available', type: 'string', priority: 0, description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.' },
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      selectorColumn('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
    ],
    cells(d, now) {
      const [names, images] = containerCells(d.spec?.template?.spec?.containers);
      return [
        d.metadata?.name ?? '',
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d.metadata?.creationTimestamp, now),
        names,
        images,
        deploymentSelectorCell(d.spec?.selector),
      ];
    },
  },
};
