// The client's vocabulary: which resource a call is about, the options of each verb, and the typed
// per-resource interface every kubets component uses to talk to the API (as client-go's typed and
// dynamic clients do). Transports (HTTPS with a kubeconfig, or in-process) sit below it.
import type { ListMeta, Status } from 'kubernetes-types/meta/v1.js';
import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import type { KubeObject } from '../api/types.js';

export type { KubeObject };

/** A resource as URLs name it, with the kind its objects carry. */
export interface ResourceType {
  group: string;
  version: string;
  /** Lower-case plural, as in URLs. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Ends the watch (the iterator finishes without error). */
  signal?: AbortSignal;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** How the server treats unknown or duplicate fields (its default: Warn). */
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic';

export interface ObjectList<T> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T> {
  type: WatchEventType;
  /** The object; a metav1.Status for ERROR events. */
  object: T;
}

/**
 * One resource's verbs. `namespace` is '' for cluster-scoped resources and for lists/watches
 * across all namespaces. Failures throw the server's Status as a StatusError (apimachinery/errors),
 * so isNotFound / isConflict / isAlreadyExists work on them.
 */
export interface ResourceClient<T extends KubeObject> {
  readonly type: ResourceType;
  get(namespace: string, name: string): Promise<T>;
  list(namespace: string, opts?: ListOptions): Promise<ObjectList<T>>;
  /** Events until the server ends the watch or opts.signal aborts. */
  watch(namespace: string, opts?: WatchOptions): AsyncIterable<WatchEvent<T>>;
  /** Creates in obj.metadata.namespace. */
  create(obj: T, opts?: WriteOptions): Promise<T>;
  update(obj: T, opts?: WriteOptions): Promise<T>;
  updateStatus(obj: T, opts?: WriteOptions): Promise<T>;
  patch(namespace: string, name: string, type: PatchType, patch: unknown, opts?: WriteOptions & { subresource?: 'status' | 'scale' }): Promise<T>;
  /** The object when deletion is pending (finalizers, grace), else the server's Success Status. */
  delete(namespace: string, name: string, opts?: DeleteOptions): Promise<T | Status>;
  deleteCollection(namespace: string, opts?: ListOptions & DeleteOptions): Promise<void>;
  getScale(namespace: string, name: string): Promise<Scale>;
  updateScale(namespace: string, name: string, scale: Scale): Promise<Scale>;
}

/** A raw request to the API, for what the typed verbs do not cover (pods/binding, eviction...). */
export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
}

export interface Client {
  resource<T extends KubeObject>(type: ResourceType): ResourceClient<T>;
  /** The same verbs answering metadata only (PartialObjectMetadata), for any resource. */
  metadata(type: ResourceType): ResourceClient<PartialObjectMetadata>;
  /** Sends one request; parses the JSON reply; throws a StatusError for error replies. */
  request<R = unknown>(req: RawRequest): Promise<R>;
  /** Releases connections. */
  close(): void;
}

/** meta.k8s.io/v1 PartialObjectMetadata: an object's apiVersion, kind and metadata only. */
export type PartialObjectMetadata = KubeObject;
