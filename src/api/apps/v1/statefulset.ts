// StatefulSets (apps/v1): upstream's SetDefaults_StatefulSet, ValidateStatefulSetSpec and
// ValidateStatefulSetUpdate (most of the spec is immutable), the strategy and printStatefulSet.
import type { RollingUpdateStatefulSetStrategy, StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../../../apimachinery/intstr.js';
import { validateAnnotations, validateLabels } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, age, NAME_COLUMN } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.js';
import { semanticEqual } from '../../core/v1/semantic-equal.js';
import { CONTAINERS_COLUMN, containerCells, IMAGES_COLUMN } from '../../core/v1/template-printing.js';
import {
  alwaysRestartNoDeadline,
  collisionCountNotDecremented,
  intOrPercentValue,
  nonNegative,
  notGreaterThan,
  templateLabelsMatch,
  validateRequiredSelector,
  validateStatusCounters,
} from '../../workload-validation.js';

export function defaultStatefulSet(sts: StatefulSet): void {
  const spec = (sts.spec ??= {} as StatefulSetSpec);
  spec.podManagementPolicy ||= 'OrderedReady';
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    strategy.rollingUpdate ??= {};
  }
  // Only a strategy that has (or was just given) rollingUpdate gets a partition.
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) strategy.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec((spec.template ??= {}));
  // Claim templates are PersistentVolumeClaims and get their defaults (and type meta) too.
  for (const claim of spec.volumeClaimTemplates ?? []) {
    claim.apiVersion ??= 'v1';
    claim.kind ??= 'PersistentVolumeClaim';
    if (claim.spec) claim.spec.volumeMode ??= 'Filesystem';
    const status = ((claim as Mutable<typeof claim>).status ??= {});
    status.phase ||= 'Pending';
  }
}

function validateRollingUpdate(ru: RollingUpdateStatefulSetStrategy, path: FieldPath): FieldError[] {
  const errs = nonNegative(ru.partition, path.child('partition'));
  if (ru.maxUnavailable !== undefined) {
    const p = path.child('maxUnavailable');
    errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p));
    if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalid(p, ru.maxUnavailable, 'cannot be 0'));
    errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, p));
  }
  return errs;
}

const RETENTION = ['Retain', 'Delete'];

/** upstream ValidateStatefulSetSpec. */
export function validateStatefulSet(sts: StatefulSet): FieldError[] {
  const path = FieldPath.root('spec');
  const spec = sts.spec ?? ({} as StatefulSetSpec);
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy ?? '';
  if (!pmp) errs.push(required(path.child('podManagementPolicy')));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(invalid(path.child('podManagementPolicy'), pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = spec.updateStrategy ?? {};
  const sp = path.child('updateStrategy');
  switch (strategy.type ?? '') {
    case '':
      errs.push(required(sp));
      break;
    case 'OnDelete':
      if (strategy.rollingUpdate) {
        errs.push(invalid(sp.child('rollingUpdate'), strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      }
      break;
    case 'RollingUpdate':
      if (strategy.rollingUpdate) errs.push(...validateRollingUpdate(strategy.rollingUpdate, sp.child('rollingUpdate')));
      break;
    default:
      errs.push(invalid(sp, strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (retention) {
    const rp = path.child('persistentVolumeClaimRetentionPolicy');
    for (const f of ['whenDeleted', 'whenScaled'] as const) {
      if (!RETENTION.includes(retention[f] ?? '')) errs.push(notSupported(rp.child(f), retention[f] ?? '', RETENTION));
    }
  }
  errs.push(...nonNegative(spec.replicas, path.child('replicas')));
  errs.push(...nonNegative(spec.minReadySeconds, path.child('minReadySeconds')));
  // Upstream names this path with a dot inside one element.
  if (spec.ordinals) errs.push(...nonNegative(spec.ordinals.start, path.child('ordinals.start')));
  const sel = validateRequiredSelector(spec.selector, path.child('selector'), 'empty selector is invalid for statefulset');
  errs.push(...sel.errs);
  const tpath = path.child('template');
  if (!sel.selector) {
    errs.push(invalid(path.child('selector'), spec.selector ?? null, ''));
  } else {
    // Upstream checks only the template's labels and annotations here, not its pod spec.
    errs.push(...templateLabelsMatch(sel.selector, spec.template, tpath));
    errs.push(...validateLabels(spec.template?.metadata?.labels, tpath.child('labels')));
    errs.push(...validateAnnotations(spec.template?.metadata?.annotations, tpath.child('annotations')));
  }
  errs.push(...alwaysRestartNoDeadline(spec.template, tpath, 'StatefulSet'));
  return errs;
}

/** Fields a StatefulSet update may change; the rest of the spec is fixed at creation. */
const MUTABLE_SPEC_FIELDS = [
  'replicas',
  'template',
  'updateStrategy',
  'minReadySeconds',
  'ordinals',
  'persistentVolumeClaimRetentionPolicy',
] as const;

export function validateStatefulSetUpdate(sts: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = validateStatefulSet(sts);
  const strip = (spec: StatefulSetSpec | undefined) => {
    const copy: Record<string, unknown> = { ...spec };
    for (const f of MUTABLE_SPEC_FIELDS) delete copy[f];
    return copy;
  };
  if (!semanticEqual(strip(sts.spec), strip(old.spec))) {
    errs.push(
      forbidden(
        FieldPath.root('spec'),
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

const STATUS_COUNTERS = [
  'replicas',
  'readyReplicas',
  'currentReplicas',
  'updatedReplicas',
  'availableReplicas',
  'observedGeneration',
  'collisionCount',
];

function validateStatefulSetStatusUpdate(sts: StatefulSet, old: StatefulSet): FieldError[] {
  const path = FieldPath.root('status');
  const s = sts.status;
  const msg = 'cannot be greater than status.replicas';
  return [
    ...validateStatusCounters(s, STATUS_COUNTERS, path),
    ...notGreaterThan(s, 'readyReplicas', 'replicas', msg, path),
    ...notGreaterThan(s, 'currentReplicas', 'replicas', msg, path),
    ...notGreaterThan(s, 'updatedReplicas', 'replicas', msg, path),
    ...notGreaterThan(s, 'availableReplicas', 'replicas', msg, path),
    ...notGreaterThan(s, 'availableReplicas', 'readyReplicas', 'cannot be greater than status.readyReplicas', path),
    ...collisionCountNotDecremented(s?.collisionCount, old.status?.collisionCount, path.child('collisionCount')),
  ];
}

export const statefulSetResource: ResourceDefinition<StatefulSet> = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  // Pods are named <statefulset>-<ordinal> and are hostnames: upstream requires a DNS label.
  nameValidation: 'dns1123Label',
  subresources: {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  },
  defaults: defaultStatefulSet,
  prepareForCreate(sts) {
    delete (sts as Mutable<StatefulSet>).status;
  },
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
  validateStatusUpdate: validateStatefulSetStatusUpdate,
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Ready', type: 'string', priority: 0, description: 'Number of the pod with ready state' },
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
    ],
    cells(sts, now) {
      const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
      return [
        sts.metadata?.name ?? '',
        `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`,
        age(sts.metadata?.creationTimestamp, now),
        names,
        images,
      ];
    },
  },
};
