// Pod volume validation with upstream's messages (ValidateVolumes, validateVolumeSource): unique
// DNS-label names, exactly one source, and the required fields of the common sources.
import type { KeyToPath, Volume } from 'kubernetes-types/core/v1.js';
import {
  duplicate,
  type FieldError,
  type FieldPath,
  forbidden,
  invalid,
  notSupported,
  required,
} from '../../../apimachinery/field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { validateObjectFieldSelector, validateVolumeResourceFieldRef, VOLUME_FIELD_PATHS } from './env-validation.js';

const FILE_MODE_MESSAGE = 'must be a number between 0 and 0777 (octal), both inclusive';

/**
 * The volume source fields, in upstream's checking order (the second one set is the one reported
 * as "may not specify more than 1 volume type").
 */
const SOURCES = [
  'emptyDir',
  'hostPath',
  'gitRepo',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'flocker',
  'persistentVolumeClaim',
  'rbd',
  'cinder',
  'cephfs',
  'quobyte',
  'downwardAPI',
  'fc',
  'flexVolume',
  'configMap',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'storageos',
  'projected',
  'scaleIO',
  'csi',
  'ephemeral',
  'image',
] as const;

type SourceName = (typeof SOURCES)[number];

const fileMode = (mode: number | undefined, path: FieldPath): FieldError[] =>
  mode !== undefined && (mode < 0 || mode > 0o777) ? [invalid(path, mode, FILE_MODE_MESSAGE)] : [];

function validateKeyToPath(items: KeyToPath[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, kp] of (items ?? []).entries()) {
    const p = path.index(i);
    if (!kp.key) errs.push(required(p.child('key')));
    if (!kp.path) errs.push(required(p.child('path')));
    else errs.push(...validateLocalNonReservedPath(kp.path, p.child('path')));
    errs.push(...fileMode(kp.mode, p.child('mode')));
  }
  return errs;
}

/** upstream ValidateLocalNonReservedPath: relative, no '..' element, not starting with '..'. */
function validateLocalNonReservedPath(value: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (value.startsWith('/')) errs.push(invalid(path, value, 'must be a relative path'));
  if (value.split(/[/\\]/).includes('..')) errs.push(invalid(path, value, "must not contain '..'"));
  if (value.startsWith('..') && !value.startsWith('../')) errs.push(invalid(path, value, "must not start with '..'"));
  return errs;
}

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/** Per-source checks for the sources people use; the rest are accepted as they come. */
function validateSource(v: Volume, source: SourceName, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  switch (source) {
    case 'hostPath': {
      const hp = v.hostPath!;
      if (!hp.path) return [required(path.child('path'))];
      if (hp.path.split('/').includes('..')) errs.push(invalid(path.child('path'), hp.path, "must not contain '..'"));
      if (hp.type !== undefined && !HOST_PATH_TYPES.includes(hp.type)) {
        errs.push(notSupported(path.child('type'), hp.type, HOST_PATH_TYPES));
      }
      return errs;
    }
    case 'secret':
      if (!v.secret!.secretName) errs.push(required(path.child('secretName')));
      errs.push(...fileMode(v.secret!.defaultMode, path.child('defaultMode')));
      errs.push(...validateKeyToPath(v.secret!.items, path.child('items')));
      return errs;
    case 'configMap':
      if (!v.configMap!.name) errs.push(required(path.child('name')));
      errs.push(...fileMode(v.configMap!.defaultMode, path.child('defaultMode')));
      errs.push(...validateKeyToPath(v.configMap!.items, path.child('items')));
      return errs;
    case 'persistentVolumeClaim':
      return v.persistentVolumeClaim!.claimName ? [] : [required(path.child('claimName'))];
    case 'nfs': {
      const nfs = v.nfs!;
      if (!nfs.server) errs.push(required(path.child('server')));
      if (!nfs.path) errs.push(required(path.child('path')));
      if (!nfs.path?.startsWith('/')) errs.push(invalid(path.child('path'), nfs.path ?? '', 'must be an absolute path'));
      return errs;
    }
    case 'csi': {
      const driver = v.csi!.driver;
      if (!driver) return [required(path.child('driver'))];
      return isDNS1123Subdomain(driver.toLowerCase()).map((m) => invalid(path.child('driver'), driver, m));
    }
    case 'downwardAPI':
      errs.push(...fileMode(v.downwardAPI!.defaultMode, path.child('defaultMode')));
      for (const item of v.downwardAPI!.items ?? []) {
        // Upstream reports downward API file problems on the source path.
        if (!item.path) errs.push(required(path.child('path')));
        else errs.push(...validateLocalNonReservedPath(item.path, path.child('path')));
        if (item.fieldRef) {
          errs.push(...validateObjectFieldSelector(item.fieldRef, VOLUME_FIELD_PATHS, path.child('fieldRef')));
          if (item.resourceFieldRef) {
            errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
          }
        } else if (item.resourceFieldRef) {
          errs.push(...validateVolumeResourceFieldRef(item.resourceFieldRef, path.child('resourceFieldRef')));
        } else {
          errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
        }
        errs.push(...fileMode(item.mode, path.child('mode')));
      }
      return errs;
    case 'projected':
      errs.push(...fileMode(v.projected!.defaultMode, path.child('defaultMode')));
      return errs;
    case 'emptyDir': {
      const limit = v.emptyDir!.sizeLimit;
      if (typeof limit === 'string' && limit.startsWith('-')) {
        errs.push(forbidden(path.child('sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
      }
      return errs;
    }
    default:
      return errs;
  }
}

/**
 * upstream ValidateVolumes. Returns the volumes that validated, by name (container volume mounts
 * may only refer to those), and the errors.
 */
export function validateVolumes(volumes: Volume[] | undefined, path: FieldPath): { valid: Map<string, Volume>; errs: FieldError[] } {
  const valid = new Map<string, Volume>();
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [i, v] of (volumes ?? []).entries()) {
    const p = path.index(i);
    const el: FieldError[] = [];
    let count = 0;
    const fields = v as unknown as Record<string, unknown>;
    for (const source of SOURCES) {
      if (fields[source] === undefined || fields[source] === null) continue;
      if (count > 0) {
        el.push(forbidden(p.child(source), 'may not specify more than 1 volume type'));
      } else {
        count++;
        el.push(...validateSource(v, source, p.child(source)));
      }
    }
    if (count === 0) el.push(required(p, 'must specify a volume type'));
    if (!v.name) el.push(required(p.child('name')));
    else for (const m of isDNS1123Label(v.name)) el.push(invalid(p.child('name'), v.name, m));
    if (names.has(v.name)) el.push(duplicate(p.child('name'), v.name));
    if (el.length === 0) {
      names.add(v.name);
      valid.set(v.name, v);
    } else {
      errs.push(...el);
    }
  }
  return { valid, errs };
}
