// storage.k8s.io/v1 StorageClass: Delete / Immediate defaults, ValidateStorageClass and the update
// rule that provisioner, parameters, reclaim policy and binding mode never change; printStorageClass.
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { type FieldError, FieldPath, duplicate, forbidden, invalid, notSupported, required, tooLong } from '../../../apimachinery/field-errors.js';
import { isQualifiedName } from '../../../apimachinery/validation.js';
import { semanticEqual } from '../../core/v1/semantic-equal.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;
const DEFAULT_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

function validate(sc: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  if (!sc.provisioner) errs.push(required('provisioner'));
  else errs.push(...isQualifiedName(sc.provisioner.toLowerCase()).map((m) => invalid('provisioner', sc.provisioner.toLowerCase(), m)));
  const params = Object.entries(sc.parameters ?? {});
  if (params.length > MAX_PARAMETERS) errs.push(tooLong('parameters', 'Provisioner Parameters exceeded max allowed', MAX_PARAMETERS));
  else {
    let size = 0;
    for (const [k, v] of params) {
      if (!k) errs.push(invalid('parameters', k, 'field can not be empty.'));
      size += k.length + String(v).length;
    }
    if (size > MAX_PARAMETERS_SIZE) errs.push(tooLong('parameters', '', MAX_PARAMETERS_SIZE));
  }
  if (sc.reclaimPolicy && !RECLAIM_POLICIES.includes(sc.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM_POLICIES));
  if (sc.volumeBindingMode === undefined) errs.push(required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  (sc.allowedTopologies ?? []).forEach((term, i) => {
    const keys = new Set<string>();
    (term.matchLabelExpressions ?? []).forEach((req, j) => {
      const p = FieldPath.root('allowedTopologies').index(i).child('matchLabelExpressions').index(j);
      if (!req.values?.length) errs.push(required(p.child('values'), 'must specify as least one value'));
      const seen = new Set<string>();
      (req.values ?? []).forEach((v, k) => {
        if (seen.has(v)) errs.push(duplicate(p.child('values').index(k), v));
        seen.add(v);
      });
      errs.push(...isQualifiedName(req.key ?? '').map((m) => invalid(p.child('key'), req.key, m)));
      if (keys.has(req.key)) errs.push(duplicate(p.child('key'), req.key));
      keys.add(req.key);
    });
  });
  return errs;
}

function validateUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs = validate(sc);
  if (!semanticEqual(sc.parameters, old.parameters)) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if ((sc.reclaimPolicy ?? '') !== (old.reclaimPolicy ?? '')) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if ((sc.volumeBindingMode ?? null) !== (old.volumeBindingMode ?? null)) {
    errs.push(invalid('volumeBindingMode', sc.volumeBindingMode ?? null, 'field is immutable'));
  }
  return errs;
}

const col = (name: string, description: string) => ({ name, type: 'string' as const, description, priority: 0 });

export const storageClassResource: ResourceDefinition<StorageClass> = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  singular: 'storageclass',
  namespaced: false,
  shortNames: ['sc'],
  defaults(sc) {
    sc.reclaimPolicy ||= 'Delete';
    sc.volumeBindingMode ||= 'Immediate';
  },
  validate,
  validateUpdate,
  table: {
    columns: [
      NAME_COLUMN,
      col('Provisioner', 'provisioner indicates the type of the provisioner.'),
      col('ReclaimPolicy', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
      col('VolumeBindingMode', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
      col('AllowVolumeExpansion', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
      AGE_COLUMN,
    ],
    cells: (sc, now) => {
      const isDefault = DEFAULT_ANNOTATIONS.some((a) => sc.metadata?.annotations?.[a] === 'true');
      return [
        `${sc.metadata?.name ?? ''}${isDefault ? ' (default)' : ''}`,
        sc.provisioner ?? '',
        sc.reclaimPolicy ?? 'Delete',
        sc.volumeBindingMode ?? 'Immediate',
        sc.allowVolumeExpansion ?? false,
        age(sc.metadata?.creationTimestamp, now),
      ];
    },
  },
};
