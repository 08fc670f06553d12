// core/v1 PersistentVolumeClaim: Filesystem / Pending defaults, ValidatePersistentVolumeClaimSpec,
// and the update rule that the spec is fixed except for binding (volumeName, once), a storage
// class on a claim that had none, and, for bound claims, resources.requests and the attributes class.
import type { PersistentVolumeClaim, PersistentVolumeClaimSpec, TypedLocalObjectReference } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { validateLabelSelector } from '../../../apimachinery/labels.js';
import { Quantity } from '../../../apimachinery/quantity.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { BETA_STORAGE_CLASS_ANNOTATION, VOLUME_MODES, accessModesString, validateAccessModes, validateClassName } from './persistentvolume.js';
import { parseQuantity } from './resource-validation.js';
import { quantityString } from './resourcequota.js';
import { semanticEqual } from './semantic-equal.js';

type DataSourceRef = TypedLocalObjectReference & { namespace?: string };

function validateDataSource(ref: DataSourceRef, path: FieldPath, withNamespace: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!ref.name) errs.push(required(path.child('name')));
  if (!ref.kind) errs.push(required(path.child('kind')));
  const group = ref.apiGroup ?? '';
  if (!group && ref.kind !== 'PersistentVolumeClaim') {
    errs.push(invalid(path, ref.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  }
  if (group) errs.push(...isDNS1123Subdomain(group).map((m) => invalid(path.child('apiGroup'), group, m)));
  if (withNamespace && ref.namespace) errs.push(...isDNS1123Label(ref.namespace).map((m) => invalid(path.child('namespace'), ref.namespace, m)));
  return errs;
}

/** upstream ValidatePersistentVolumeClaimSpec. */
export function validateClaimSpec(spec: PersistentVolumeClaimSpec, sp: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.accessModes?.length) errs.push(required(sp.child('accessModes'), 'at least 1 access mode is required'));
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, sp.child('selector')));
  errs.push(...validateAccessModes(spec.accessModes, sp.child('accessModes')));
  // Upstream's path is "spec.resources[storage]", without "requests".
  const storagePath = sp.child('resources').key('storage');
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(required(storagePath));
  else {
    const q = parseQuantity(storage, storagePath);
    if (!(q instanceof Quantity)) errs.push(q);
    else if (q.sign() <= 0) errs.push(invalid(storagePath, q.toString(), 'must be greater than zero'));
  }
  if (spec.storageClassName) errs.push(...validateClassName(spec.storageClassName, sp.child('storageClassName')));
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode)) {
    errs.push(notSupported(sp.child('volumeMode'), spec.volumeMode, VOLUME_MODES));
  }
  if (spec.dataSource) errs.push(...validateDataSource(spec.dataSource, sp.child('dataSource'), false));
  if (spec.dataSourceRef) errs.push(...validateDataSource(spec.dataSourceRef, sp.child('dataSourceRef'), true));
  if (spec.dataSourceRef?.namespace) {
    if (spec.dataSource) errs.push(invalid(sp, 'spec.dataSource', 'may not be specified when dataSourceRef.namespace is specified'));
  } else if (spec.dataSource && spec.dataSourceRef) {
    const [a, b] = [spec.dataSource, spec.dataSourceRef];
    if ((a.apiGroup ?? null) !== (b.apiGroup ?? null) || a.kind !== b.kind || a.name !== b.name) {
      errs.push(invalid(sp, 'spec.dataSource', 'must match dataSourceRef'));
    }
  }
  if (spec.volumeAttributesClassName) errs.push(...validateClassName(spec.volumeAttributesClassName, sp.child('volumeAttributesClassName')));
  return errs;
}

function validateUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = validateClaimSpec(pvc.spec ?? {}, FieldPath.root('spec'));
  const spec: PersistentVolumeClaimSpec = structuredClone(pvc.spec ?? {});
  const oldSpec: PersistentVolumeClaimSpec = structuredClone(old.spec ?? {});
  // The binder sets volumeName once.
  if (!oldSpec.volumeName) oldSpec.volumeName = spec.volumeName;
  const oldAnnotation = old.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  const newAnnotation = pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  if ((oldAnnotation ?? '') !== (newAnnotation ?? '')) {
    errs.push(invalid(FieldPath.root('metadata').child('annotations', BETA_STORAGE_CLASS_ANNOTATION), newAnnotation ?? '', 'field is immutable'));
  }
  // A claim without a class (and no class annotation) may be given one later (retroactive default class).
  if (oldSpec.storageClassName === undefined && oldAnnotation === undefined && spec.storageClassName) {
    oldSpec.storageClassName = spec.storageClassName;
  }
  const bound = pvc.status?.phase === 'Bound';
  if (bound && spec.resources?.requests) spec.resources.requests.storage = old.spec?.resources?.requests?.storage as string;
  if (bound && spec.volumeAttributesClassName !== undefined) spec.volumeAttributesClassName = oldSpec.volumeAttributesClassName;
  if (!semanticEqual(spec, oldSpec)) {
    // Upstream appends a Go diff of the two specs to this message.
    errs.push(
      forbidden(FieldPath.root('spec'), 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'),
    );
  }
  const q = (v: unknown) => {
    try {
      return Quantity.parse(String(v ?? '0'));
    } catch {
      return Quantity.zero();
    }
  };
  const newSize = q(pvc.spec?.resources?.requests?.storage);
  // Shrinking is allowed only to recover from a failed expansion, and not to the capacity or below.
  if (newSize.cmp(q(old.spec?.resources?.requests?.storage)) < 0 && newSize.cmp(q(old.status?.capacity?.storage)) <= 0) {
    errs.push(forbidden(FieldPath.root('spec').child('resources', 'requests', 'storage'), 'field can not be less than status.capacity'));
  }
  // Upstream's path lacks the "spec." prefix.
  if ((pvc.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(invalid('volumeMode', pvc.spec?.volumeMode ?? null, 'field is immutable'));
  if (old.spec?.volumeAttributesClassName !== undefined && pvc.spec?.volumeAttributesClassName === undefined) {
    errs.push(forbidden(FieldPath.root('spec').child('volumeAttributesClassName'), 'update from non-nil value to nil is forbidden'));
  }
  return errs;
}

const col = (name: string, description: string, priority = 0) => ({ name, type: 'string' as const, description, priority });

export const persistentVolumeClaimResource: ResourceDefinition<PersistentVolumeClaim> = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  subresources: { status: true },
  tracksGeneration: false,
  defaults(pvc) {
    (pvc.spec ??= {}).volumeMode ??= 'Filesystem';
    const status = ((pvc as Mutable<PersistentVolumeClaim>).status ??= {});
    status.phase ||= 'Pending';
  },
  prepareForCreate(pvc) {
    (pvc as Mutable<PersistentVolumeClaim>).status = { phase: 'Pending' };
  },
  validate: (pvc) => validateClaimSpec(pvc.spec ?? {}, FieldPath.root('spec')),
  validateUpdate,
  table: {
    columns: [
      NAME_COLUMN,
      col('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
      col('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
      col('Capacity', 'capacity represents the actual resources of the underlying volume.'),
      col('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
      col('StorageClass', 'StorageClass of the pvc'),
      col('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
      AGE_COLUMN,
      col('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', 1),
    ],
    cells: (pvc, now) => {
      const spec = pvc.spec ?? {};
      // Capacity and modes come from the bound volume, so only once there is one.
      const bound = Boolean(spec.volumeName);
      return [
        pvc.metadata?.name ?? '',
        pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
        spec.volumeName ?? '',
        bound ? quantityString(pvc.status?.capacity?.storage) : '',
        bound ? accessModesString(pvc.status?.accessModes) : '',
        pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? spec.storageClassName ?? '',
        spec.volumeAttributesClassName ?? '<unset>',
        age(pvc.metadata?.creationTimestamp, now),
        spec.volumeMode ?? '<unset>',
      ];
    },
  },
};
