// DaemonSets (apps/v1): upstream's SetDefaults_DaemonSet, ValidateDaemonSetSpec, the daemonset
// strategy (template generation kept in the deprecated.daemonset.template.generation
// annotation, as apps/v1 converts it) and printDaemonSet.
import type { DaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1.js';
import { type FieldError, FieldPath, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../../../apimachinery/intstr.js';
import { labelSelectorString, validateLabelSelector } from '../../../apimachinery/labels.js';
import { AGE_COLUMN, age, formatLabels, NAME_COLUMN } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.js';
import { validatePodTemplateSpec } from '../../core/v1/pod-validation.js';
import { semanticEqual } from '../../core/v1/semantic-equal.js';
import { CONTAINERS_COLUMN, containerCells, IMAGES_COLUMN, selectorColumn } from '../../core/v1/template-printing.js';
import {
  alwaysRestartNoDeadline,
  collisionCountNotDecremented,
  immutable,
  intOrPercentValue,
  nonNegative,
  SELECTOR_MISMATCH,
  toSelector,
  validateStatusCounters,
} from '../../workload-validation.js';

export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

export function defaultDaemonSet(ds: DaemonSet): void {
  const spec = (ds.spec ??= {} as DaemonSetSpec);
  const strategy = (spec.updateStrategy ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec((spec.template ??= {}));
}

function validateUpdateStrategy(strategy: DaemonSetUpdateStrategy | undefined, path: FieldPath): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      const p = path.child('rollingUpdate');
      if (!ru) return [required(p)];
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')),
        ...validatePositiveIntOrPercent(ru.maxSurge, p.child('maxSurge')),
        ...isNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')),
        ...isNotMoreThan100Percent(ru.maxSurge, p.child('maxSurge')),
      ];
      // Exactly one of the two may be non-zero.
      const unavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const surge = intOrPercentValue(ru.maxSurge) !== 0;
      if (unavailable && surge) errs.push(invalid(p.child('maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (!unavailable && !surge) errs.push(required(p.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [notSupported(path, s, ['RollingUpdate', 'OnDelete'])];
  }
}

/** upstream ValidateDaemonSetSpec. */
export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const path = FieldPath.root('spec');
  const spec = ds.spec ?? ({} as DaemonSetSpec);
  const errs = validateLabelSelector(spec.selector, path.child('selector'));
  const selector = toSelector(spec.selector);
  // Unlike ReplicaSets there is no empty-selector guard here: a missing selector matches nothing.
  if (selector && !selector.matches(spec.template?.metadata?.labels)) {
    errs.push(invalid(path.child('template', 'metadata', 'labels'), spec.template?.metadata?.labels ?? null, SELECTOR_MISMATCH));
  }
  if (spec.selector && Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions?.length ?? 0) === 0) {
    errs.push(invalid(path.child('selector'), spec.selector, 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, path.child('template')));
  errs.push(...alwaysRestartNoDeadline(spec.template, path.child('template'), 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds, path.child('minReadySeconds')));
  errs.push(...validateUpdateStrategy(spec.updateStrategy, path.child('updateStrategy')));
  errs.push(...nonNegative(spec.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  return errs;
}

const templateGeneration = (ds: DaemonSet): number => {
  const n = Number(ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION]);
  return Number.isInteger(n) && n > 0 ? n : 0;
};

function setTemplateGeneration(ds: DaemonSet, gen: number): void {
  const meta = (ds.metadata ??= {});
  meta.annotations = { ...meta.annotations, [TEMPLATE_GENERATION_ANNOTATION]: String(gen) };
}

function validateDaemonSetStatusUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  const path = FieldPath.root('status');
  const fields = [
    'currentNumberScheduled',
    'numberMisscheduled',
    'desiredNumberScheduled',
    'numberReady',
    'observedGeneration',
    'updatedNumberScheduled',
    'numberAvailable',
    'numberUnavailable',
    'collisionCount',
  ];
  return [
    ...validateStatusCounters(ds.status, fields, path),
    ...collisionCountNotDecremented(ds.status?.collisionCount, old.status?.collisionCount, path.child('collisionCount')),
  ];
}

export const daemonSetResource: ResourceDefinition<DaemonSet> = {
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: { status: true },
  defaults: defaultDaemonSet,
  prepareForCreate(ds) {
    delete (ds as Mutable<DaemonSet>).status;
    setTemplateGeneration(ds, Math.max(1, templateGeneration(ds)));
  },
  prepareForUpdate(ds, old) {
    // Clients may not set the template generation; it counts template changes.
    const gen = templateGeneration(old) || 1;
    setTemplateGeneration(ds, semanticEqual(ds.spec?.template, old.spec?.template) ? gen : gen + 1);
  },
  validate: validateDaemonSet,
  validateUpdate(ds, old) {
    return [...validateDaemonSet(ds), ...immutable(ds.spec?.selector, old.spec?.selector, FieldPath.root('spec').child('selector'))];
  },
  validateStatusUpdate: validateDaemonSetStatusUpdate,
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Desired', type: 'integer', priority: 0, description: 'The total number of nodes that should be running the daemon pod.' },
      { name: 'Current', type: 'integer', priority: 0, description: 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.' },
      { name: 'Ready', type: 'integer', priority: 0, description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.' },
      { name: 'Up-to-date', type: 'integer', priority: 0, description: 'The total number of nodes that are running updated daemon pod' },
      { name: 'Available', type: 'integer', priority: 0, description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.' },
      { name: 'Node Selector', type: 'string', priority: 0, description: "NodeSelector is a selector which must be true for the pod to fit on a node." },
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      selectorColumn('A label query over pods that are managed by the daemon set.'),
    ],
    cells(ds, now) {
      const s = ds.status;
      const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
      return [
        ds.metadata?.name ?? '',
        s?.desiredNumberScheduled ?? 0,
        s?.currentNumberScheduled ?? 0,
        s?.numberReady ?? 0,
        s?.updatedNumberScheduled ?? 0,
        s?.numberAvailable ?? 0,
        formatLabels(ds.spec?.template?.spec?.nodeSelector),
        age(ds.metadata?.creationTimestamp, now),
        names,
        images,
        labelSelectorString(ds.spec?.selector),
      ];
    },
  },
};
