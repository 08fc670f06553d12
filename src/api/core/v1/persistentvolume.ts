// core/v1 PersistentVolume: Retain / Filesystem / Pending defaults; ValidatePersistentVolumeSpec
// (access modes, capacity, exactly one volume source, a few per-source required fields) and the
// update rules (the source and volume mode are fixed); printPersistentVolume.
import type { PersistentVolume, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { Quantity } from '../../../apimachinery/quantity.js';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { parseQuantity } from './resource-validation.js';
import { quantityString } from './resourcequota.js';
import { semanticEqual } from './semantic-equal.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const VOLUME_MODES = ['Block', 'Filesystem'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
/** The legacy annotation that still overrides storageClassName. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** The PersistentVolumeSource members, in upstream's checking order. */
const SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs',
  'iscsi', 'cinder', 'fc', 'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume',
  'azureDisk', 'scaleIO', 'local', 'storageos', 'csi',
] as const;

/** upstream GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order. */
export function accessModesString(modes: string[] | undefined): string {
  const short: [string, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];
  return short.filter(([m]) => modes?.includes(m)).map(([, s]) => s).join(',');
}

/** Access modes: known, and ReadWriteOncePod alone. */
export function validateAccessModes(modes: string[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let rwop = false;
  let other = false;
  for (const m of modes ?? []) {
    if (!ACCESS_MODES.includes(m)) errs.push(notSupported(path, m, ACCESS_MODES));
    else if (m === 'ReadWriteOncePod') rwop = true;
    else other = true;
  }
  if (rwop && other) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

export const validateClassName = (name: string, path: FieldPath) => isDNS1123Subdomain(name).map((m) => invalid(path, name, m));

/** A few required fields of the common sources; other sources are only counted. */
function validateSource(spec: PersistentVolumeSpec, key: (typeof SOURCES)[number], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const src = spec[key] as Record<string, unknown>;
  const need = (f: string) => !src[f] && errs.push(required(path.child(f)));
  switch (key) {
    case 'hostPath':
    case 'local':
      need('path');
      break;
    case 'nfs':
      need('server');
      need('path');
      if (src.path && !String(src.path).startsWith('/')) errs.push(invalid(path.child('path'), src.path, 'must be an absolute path'));
      break;
    case 'csi':
      need('driver');
      need('volumeHandle');
      break;
  }
  return errs;
}

function validateSpec(spec: PersistentVolumeSpec): FieldError[] {
  const sp = FieldPath.root('spec');
  const errs: FieldError[] = [];
  if (!spec.accessModes?.length) errs.push(required(sp.child('accessModes')));
  errs.push(...validateAccessModes(spec.accessModes, sp.child('accessModes')));
  const capacity = spec.capacity ?? {};
  if (!Object.keys(capacity).length) errs.push(required(sp.child('capacity')));
  if (capacity.storage === undefined || Object.keys(capacity).length > 1) errs.push(notSupported(sp.child('capacity'), capacity, ['storage']));
  for (const [r, v] of Object.entries(capacity)) {
    const p = sp.child('capacity').key(r);
    const q = parseQuantity(v, p);
    if (!(q instanceof Quantity)) errs.push(q);
    else if (q.sign() <= 0) errs.push(invalid(p, q.toString(), 'must be greater than zero'));
  }
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !RECLAIM_POLICIES.includes(policy)) errs.push(notSupported(sp.child('persistentVolumeReclaimPolicy'), policy, RECLAIM_POLICIES));
  if (spec.nodeAffinity && !spec.nodeAffinity.required) {
    errs.push(required(sp.child('nodeAffinity').child('required'), 'must specify required node constraints'));
  }
  let count = 0;
  for (const key of SOURCES) {
    if (!spec[key]) continue;
    // flexVolume is counted without the "more than 1" check, as upstream does.
    if (count > 0 && key !== 'flexVolume') {
      errs.push(forbidden(sp.child(key), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...validateSource(spec, key, sp.child(key)));
    if (key === 'local' && !spec.nodeAffinity) errs.push(required(sp.child('nodeAffinity'), 'Local volume requires node affinity'));
  }
  if (count === 0) errs.push(required(sp, 'must specify a volume type'));
  if (spec.hostPath && /^\/+$/.test(spec.hostPath.path ?? '') && policy === 'Recycle') {
    errs.push(forbidden(sp.child('persistentVolumeReclaimPolicy'), "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (spec.storageClassName) errs.push(...validateClassName(spec.storageClassName, sp.child('storageClassName')));
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode)) {
    errs.push(notSupported(sp.child('volumeMode'), spec.volumeMode, VOLUME_MODES));
  }
  const vac = spec.volumeAttributesClassName;
  if (vac !== undefined) {
    if (!vac) errs.push(required(sp.child('volumeAttributesClassName'), 'an empty string is disallowed'));
    else errs.push(...validateClassName(vac, sp.child('volumeAttributesClassName')));
    if (!spec.csi) errs.push(required(sp.child('csi'), 'has to be specified when using volumeAttributesClassName'));
  }
  return errs;
}

function validateUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = validateSpec(pv.spec ?? {});
  const [spec, oldSpec] = [pv.spec ?? {}, old.spec ?? {}];
  const source = (s: PersistentVolumeSpec) => {
    const out: Record<string, unknown> = {};
    for (const k of SOURCES) if (s[k]) out[k] = s[k];
    return out;
  };
  const newSource = source(spec);
  // A CSI controllerExpandSecretRef may be added later.
  if (oldSpec.csi && !oldSpec.csi.controllerExpandSecretRef && spec.csi?.controllerExpandSecretRef) {
    newSource.csi = { ...spec.csi, controllerExpandSecretRef: undefined };
  }
  if (!semanticEqual(newSource, source(oldSpec))) {
    // Upstream appends a Go diff of the two sources to this message.
    errs.push(forbidden(FieldPath.root('spec').child('persistentvolumesource'), 'spec.persistentvolumesource is immutable after creation'));
  }
  // Upstream's paths for these two lack the "spec." prefix.
  if ((spec.volumeMode ?? null) !== (oldSpec.volumeMode ?? null)) errs.push(invalid('volumeMode', spec.volumeMode ?? null, 'field is immutable'));
  if (oldSpec.nodeAffinity && !semanticEqual(spec.nodeAffinity, oldSpec.nodeAffinity)) {
    errs.push(invalid('nodeAffinity', spec.nodeAffinity ?? null, 'field is immutable, except for updating from beta label to GA'));
  }
  if (oldSpec.volumeAttributesClassName !== undefined && spec.volumeAttributesClassName === undefined) {
    errs.push(forbidden(FieldPath.root('spec').child('volumeAttributesClassName'), 'update from non-nil value to nil is forbidden'));
  }
  return errs;
}

/** Whole seconds, as metav1.Time serialises. */
export const nowTime = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

const col = (name: string, description: string, priority = 0) => ({ name, type: 'string' as const, description, priority });

export const persistentVolumeResource: ResourceDefinition<PersistentVolume> = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  namespaced: false,
  shortNames: ['pv'],
  subresources: { status: true },
  tracksGeneration: false,
  defaults(pv) {
    const spec = (pv.spec ??= {});
    spec.persistentVolumeReclaimPolicy ||= 'Retain';
    spec.volumeMode ??= 'Filesystem';
    const status = ((pv as Mutable<PersistentVolume>).status ??= {});
    status.phase ||= 'Pending';
  },
  prepareForCreate(pv) {
    // The phase starts over, stamped (PersistentVolumeLastPhaseTransitionTime, GA in 1.31).
    (pv as Mutable<PersistentVolume>).status = { phase: 'Pending', lastPhaseTransitionTime: nowTime() };
  },
  validate: (pv) => validateSpec(pv.spec ?? {}),
  validateUpdate,
  table: {
    columns: [
      NAME_COLUMN,
      col('Capacity', "capacity is the description of the persistent volume's resources and capacity."),
      col('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
      col('Reclaim Policy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
      col('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
      col('Claim', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
      col('StorageClass', 'StorageClass of the pv'),
      col('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
      col('Reason', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
      AGE_COLUMN,
      col('VolumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1),
    ],
    cells: (pv, now) => {
      const spec = pv.spec ?? {};
      const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
      return [
        pv.metadata?.name ?? '',
        quantityString(spec.capacity?.storage),
        accessModesString(spec.accessModes),
        spec.persistentVolumeReclaimPolicy ?? '',
        pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
        claim,
        pv.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? spec.storageClassName ?? '',
        spec.volumeAttributesClassName ?? '<unset>',
        pv.status?.reason ?? '',
        age(pv.metadata?.creationTimestamp, now),
        spec.volumeMode ?? '<unset>',
      ];
    },
  },
};
