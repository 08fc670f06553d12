// Server-side printing: objects and lists as meta.k8s.io Tables (what `kubectl get` shows), and
// as PartialObjectMetadata (what metadata-only clients ask for).
import type { KubeObject, ResourceDefinition, TableColumn } from '../api/types.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../api/printing.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const DEFAULT_COLUMNS: TableColumn[] = [NAME_COLUMN, { ...AGE_COLUMN, name: 'Age', type: 'string' }] as TableColumn[];

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
  /** Omit column definitions (watch events after the first). */
  noHeaders?: boolean;
  now?: Date;
}

function columnsOf(def: ResourceDefinition): TableColumn[] {
  return def.table?.columns ?? DEFAULT_COLUMNS;
}

function cellsOf(def: ResourceDefinition, obj: KubeObject, now: Date): unknown[] {
  if (def.table) return def.table.cells(obj, now);
  return [obj.metadata?.name ?? '', age(obj.metadata?.creationTimestamp, now)];
}

export function partialObjectMetadata(obj: KubeObject, version = 'v1'): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function toTable(
  def: ResourceDefinition,
  objects: KubeObject[],
  listMeta: { resourceVersion?: string; continue?: string },
  opts: TableOptions,
): Record<string, unknown> {
  const now = opts.now ?? new Date();
  const rows = objects.map((obj) => {
    const row: Record<string, unknown> = { cells: cellsOf(def, obj, now) };
    if (opts.includeObject === 'Object') row.object = obj;
    else if (opts.includeObject === 'Metadata') row.object = partialObjectMetadata(obj, opts.version);
    return row;
  });
  const metadata: Record<string, string> = {};
  if (listMeta.resourceVersion) metadata.resourceVersion = listMeta.resourceVersion;
  if (listMeta.continue) metadata.continue = listMeta.continue;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata,
    columnDefinitions: opts.noHeaders ? null : columnsOf(def),
    rows,
  };
}
