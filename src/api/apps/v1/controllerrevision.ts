// ControllerRevisions (apps/v1): immutable snapshots of a DaemonSet's or StatefulSet's
// template. Upstream's ValidateControllerRevision(Update) and printControllerRevision.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { type FieldError, FieldPath, required } from '../../../apimachinery/field-errors.js';
import { AGE_COLUMN, age, NAME_COLUMN } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';
import { immutable, nonNegative } from '../../workload-validation.js';

function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data === undefined || cr.data === null) errs.push(required(FieldPath.root('data'), 'data is mandatory'));
  errs.push(...nonNegative(cr.revision, FieldPath.root('revision')));
  return errs;
}

/** The owning controller as `kind.group/name` in lower case (upstream formatResourceName). */
function controllerName(cr: ControllerRevision): string {
  const ref = cr.metadata?.ownerReferences?.find((r) => r.controller);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash === -1 ? '' : ref.apiVersion.slice(0, slash);
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return kind ? `${kind.toLowerCase()}/${ref.name}` : ref.name;
}

export const controllerRevisionResource: ResourceDefinition<ControllerRevision> = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  tracksGeneration: false,
  validate: validateControllerRevision,
  validateUpdate: (cr, old) => [...validateControllerRevision(cr), ...immutable(cr.data, old.data, FieldPath.root('data'))],
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Controller', type: 'string', priority: 0, description: 'Controller of the object' },
      { name: 'Revision', type: 'string', priority: 0, description: 'Revision indicates the revision of the state represented by Data.' },
      AGE_COLUMN,
    ],
    cells: (cr, now) => [cr.metadata?.name ?? '', controllerName(cr), cr.revision, age(cr.metadata?.creationTimestamp, now)],
  },
};
