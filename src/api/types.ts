// What kubets knows about each kind of resource, beyond its TypeScript type (from
// kubernetes-types): names for discovery, defaulting, validation, strategy hooks, selectable
// fields and printer columns. One ResourceDefinition per resource, in a small file per
// group/version (src/api/apps/v1/deployment.ts); the generic store applies them.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from '../apimachinery/field-errors.js';

/** kubernetes-types marks server-set fields readonly; the server itself writes them. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type MutableObjectMeta = Mutable<ObjectMeta>;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: MutableObjectMeta;
}

export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

/** A column of a meta.k8s.io/v1 Table, as upstream's printers declare it. */
export interface TableColumn {
  name: string;
  type: ColumnType;
  /** `name` for the Name column; `date` etc. otherwise optional. */
  format?: string;
  description: string;
  /** 0: shown by default; 1 and more: only with `-o wide`. */
  priority: number;
}

export interface TableDefinition<T> {
  /** All columns, the Name column first, as upstream prints them. */
  columns: TableColumn[];
  /** One cell per column (strings, numbers, booleans); `now` is for the Age column. */
  cells(obj: T, now: Date): unknown[];
}

/** Where a custom or built-in scale subresource finds its fields (JSON paths like `.spec.replicas`). */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export type NameValidation = 'dns1123Subdomain' | 'dns1123Label' | 'pathSegment';

export interface ResourceDefinition<T extends KubeObject = KubeObject> {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Lower-case plural: the resource name in URLs (`deployments`). */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** e.g. ['all'] for `kubectl get all`. */
  categories?: string[];
  /** Verbs served on the main resource; default all eight (create, delete, deletecollection, get, list, patch, update, watch). */
  verbs?: string[];
  subresources?: {
    status?: boolean;
    scale?: ScaleSubresource;
  };
  /** false for custom resources: no strategic merge patch, schemas from their CRD. */
  builtin?: boolean;
  /** A custom resource's openAPIV3Schema (from its CRD version), for OpenAPI and field validation. */
  openAPIV3Schema?: unknown;
  /** How metadata.name is validated (default DNS-1123 subdomain). */
  nameValidation?: NameValidation;
  /**
   * Whether metadata.generation is bumped when anything but metadata and status changes
   * (default: true when the kind has a spec).
   */
  tracksGeneration?: boolean;

  /** Upstream's SetDefaults_*: fills unset fields. Runs on every create and update. */
  defaults?(obj: T): void;
  /** Strategy PrepareForCreate: e.g. clear status a client may not set. */
  prepareForCreate?(obj: T): void;
  /**
   * Strategy PrepareForUpdate of the main resource. When the kind has a status subresource the
   * store already keeps the old status; this hook does what else upstream's strategy does.
   */
  prepareForUpdate?(obj: T, old: T): void;
  /** Validation of a new object. ObjectMeta (name, namespace, labels, annotations) is checked by the store. */
  validate?(obj: T): FieldError[];
  /** Validation of an update (immutable fields and the rules of validate). */
  validateUpdate?(obj: T, old: T): FieldError[];
  /**
   * Whether an update through the status subresource also writes annotation changes (upstream's
   * deployment status strategy resets only spec and labels, and the deployment controller sets
   * its revision annotation that way). Otherwise status updates change status only.
   */
  statusUpdateKeepsAnnotations?: boolean;
  /** Validation of an update through the status subresource. */
  validateStatusUpdate?(obj: T, old: T): FieldError[];
  /** Field selector values beyond metadata.name and metadata.namespace (e.g. `spec.nodeName`). */
  selectableFields?(obj: T): Record<string, string>;
  /** Server-side printing; without it the default NAME / AGE table is used. */
  table?: TableDefinition<T>;
}
