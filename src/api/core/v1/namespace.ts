// core/v1 Namespace: the metadata.name label and Active phase defaults, the strategy that adds the
// "kubernetes" finalizer on create and keeps spec.finalizers on update (only the finalize
// subresource changes them), and the status-phase rules.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, invalid } from '../../../apimachinery/field-errors.js';
import { isQualifiedName } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function defaults(ns: Namespace): void {
  // Namespaces being generated have no name yet; the label follows once they do.
  const name = ns.metadata?.name;
  if (name) ns.metadata!.labels = { ...ns.metadata!.labels, [NAMESPACE_NAME_LABEL]: name };
  const status = ((ns as Mutable<Namespace>).status ??= {});
  status.phase ||= 'Active';
}

/** upstream validateFinalizerName: a qualified name, or one of the legacy bare names. */
function validateFinalizers(finalizers: string[] | undefined, indexed: boolean): FieldError[] {
  const path = FieldPath.root('spec').child('finalizers');
  const errs: FieldError[] = [];
  (finalizers ?? []).forEach((f, i) => {
    // Upstream indexes the path only when validating the finalize subresource.
    const p = indexed ? path.index(i) : path;
    errs.push(...isQualifiedName(f).map((m) => invalid(p, f, m)));
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(invalid(p, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

function validateStatus(ns: Namespace): FieldError[] {
  const phase = ns.status?.phase ?? '';
  // Upstream capitalises the field in this path.
  const path = FieldPath.root('status').child('Phase');
  if (!ns.metadata?.deletionTimestamp) {
    return phase === 'Active' ? [] : [invalid(path, phase, "may only be 'Active' if `deletionTimestamp` is empty")];
  }
  return phase === 'Terminating' ? [] : [invalid(path, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
}

/**
 * The finalize subresource (PUT .../namespaces/{name}/finalize), through which the namespace
 * controller removes spec.finalizers: the store runs these in place of prepareForUpdate and
 * validateUpdate for that subresource.
 */
export const namespaceFinalize = {
  prepareForUpdate(ns: Namespace, old: Namespace): void {
    (ns as Mutable<Namespace>).status = old.status;
  },
  validateUpdate(ns: Namespace): FieldError[] {
    return validateFinalizers(ns.spec?.finalizers, true);
  },
};

export const namespaceResource: ResourceDefinition<Namespace> = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  // Upstream's namespace storage has no DeleteCollection.
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: { status: true },
  nameValidation: 'dns1123Label',
  tracksGeneration: false,
  defaults,
  prepareForCreate(ns) {
    (ns as Mutable<Namespace>).status = { phase: 'Active' };
    const spec = (ns.spec ??= {});
    // "kubernetes" is required at creation; the namespace controller removes it when it is done.
    if (!spec.finalizers?.includes('kubernetes')) spec.finalizers = [...(spec.finalizers ?? []), 'kubernetes'];
  },
  prepareForUpdate(ns, old) {
    // Finalizers change only through the finalize subresource.
    if (old.spec?.finalizers) ns.spec = { ...ns.spec, finalizers: old.spec.finalizers };
    else if (ns.spec) delete ns.spec.finalizers;
  },
  validate: (ns) => validateFinalizers(ns.spec?.finalizers, false),
  validateUpdate: () => [],
  validateStatusUpdate: validateStatus,
  selectableFields: (ns) => ({ 'status.phase': ns.status?.phase ?? '' }),
  table: {
    columns: [NAME_COLUMN, { name: 'Status', type: 'string', description: 'The status of the namespace', priority: 0 }, AGE_COLUMN],
    cells: (ns, now) => [ns.metadata?.name ?? '', ns.status?.phase ?? '', age(ns.metadata?.creationTimestamp, now)],
  },
};
