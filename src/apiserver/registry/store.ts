// The generic REST store (upstream's genericregistry.Store): create, get, update and delete of one
// resource over the storage Backend, applying the resource's definition (defaults, strategy,
// validation) and the metadata rules every object follows.
import type { KubeObject, ResourceDefinition } from '../../api/types.js';
import {
  type QualifiedResource,
  OBJECT_MODIFIED,
  alreadyExists,
  conflict,
  invalid,
  notFound,
} from '../../apimachinery/errors.js';
import type { FieldError } from '../../apimachinery/field-errors.js';
import { validateObjectMeta } from '../../apimachinery/validation.js';
import { type Backend, type KeyValue, isConflict, isKeyExists, isKeyNotFound } from '../../storage/index.js';
import { decodeObject, encodeObject } from './codec.js';
import type { StoreHooks, WriteContext } from './hooks.js';
import { deepCopy, deepEqual, prepareMetaForCreate, prepareMetaForUpdate, rfc3339 } from './object-meta.js';

export interface WriteOptions {
  dryRun?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteOutcome {
  /** The object as it was deleted, or as it is now while its deletion is pending. */
  object: KubeObject;
  /** Removed from storage now (false: graceful deletion or finalizers pending). */
  deleted: boolean;
}

/** Where the store writes (the `/registry/...` key root) and the namespaces it needs to know of. */
export interface StoreDeps {
  storage: Backend;
  keyRoot: string;
  now?: () => Date;
  hooks?: StoreHooks;
  /** Refuses writes into a namespace that is missing or terminating (NamespaceLifecycle). */
  admitNamespace?: (namespace: string) => Promise<void>;
}

const MAX_UPDATE_RETRIES = 16;

/**
 * '' is the main resource; status and finalize (namespaces) change only their own part; binding
 * (pods/binding) is the server's own change of spec.nodeName, which pod validation forbids users.
 */
export type UpdateSubresource = '' | 'status' | 'finalize' | 'binding';

export class ResourceStore {
  readonly qualified: QualifiedResource;
  private readonly storage: Backend;
  private readonly keyRoot: string;
  private readonly now: () => Date;
  private readonly hooks: StoreHooks;

  constructor(
    readonly def: ResourceDefinition,
    private readonly deps: StoreDeps,
  ) {
    this.qualified = { group: def.group, resource: def.plural };
    this.storage = deps.storage;
    this.keyRoot = deps.keyRoot.endsWith('/') ? deps.keyRoot : deps.keyRoot + '/';
    this.now = deps.now ?? (() => new Date());
    this.hooks = deps.hooks ?? {};
  }

  /** The key prefix of one namespace, or of all of them ('' or cluster-scoped). */
  prefix(namespace: string): string {
    return this.def.namespaced && namespace ? `${this.keyRoot}${namespace}/` : this.keyRoot;
  }

  key(namespace: string, name: string): string {
    return this.def.namespaced ? `${this.keyRoot}${namespace}/${name}` : `${this.keyRoot}${name}`;
  }

  get backend(): Backend {
    return this.storage;
  }

  /**
   * A stored value as this resource's object. Versions of a custom resource share storage
   * (conversion "None"): the object takes the apiVersion it is read through.
   */
  decode(value: Uint8Array, revision: number): KubeObject {
    const obj = decodeObject(value, revision);
    if (this.def.builtin === false) obj.apiVersion = this.def.group + '/' + this.def.version;
    return obj;
  }

  async get(namespace: string, name: string): Promise<KubeObject> {
    const kv = await this.getStored(namespace, name);
    return this.decode(kv.value, kv.modRevision);
  }

  /** Every object of a namespace ('' : all), decoded, for server-side readers (admission, eviction). */
  async list(namespace: string): Promise<KubeObject[]> {
    const { items } = await this.backend.list(this.prefix(namespace));
    return items.map((kv) => this.decode(kv.value, kv.modRevision));
  }

  /** The stored bytes and revision of an object (NotFound when absent). */
  async getStored(namespace: string, name: string): Promise<KeyValue> {
    const kv = await this.storage.get(this.key(namespace, name));
    if (!kv) throw notFound(this.qualified, name);
    return kv;
  }

  async create(namespace: string, input: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const obj = input;
    const def = this.def;
    const now = this.now();
    prepareMetaForCreate(obj, def, namespace, now);
    def.defaults?.(obj);
    def.prepareForCreate?.(obj);
    this.throwIfInvalid(obj, [
      ...validateObjectMeta(obj.metadata, { namespaced: def.namespaced, nameValidation: def.nameValidation }),
      ...(def.validate?.(obj) ?? []),
    ]);
    if (def.namespaced && this.deps.admitNamespace) await this.deps.admitNamespace(namespace);
    const ctx: WriteContext = { dryRun: !!opts.dryRun, now };
    await this.hooks.beforeCreate?.(obj, ctx);
    const name = obj.metadata!.name!;
    if (opts.dryRun) {
      if (await this.storage.get(this.key(namespace, name))) {
        this.hooks.abortWrite?.(obj, undefined);
        throw alreadyExists(this.qualified, name);
      }
      return obj;
    }
    try {
      const kv = await this.storage.create(this.key(namespace, name), encodeObject(obj));
      obj.metadata!.resourceVersion = String(kv.modRevision);
      return obj;
    } catch (e) {
      this.hooks.abortWrite?.(obj, undefined);
      if (isKeyExists(e)) throw alreadyExists(this.qualified, name);
      throw e;
    }
  }

  /**
   * Replaces the object (PUT). A resourceVersion in `input` is a precondition (409 Conflict when
   * stale); without one the update applies to whatever is stored.
   */
  async update(
    namespace: string,
    name: string,
    input: KubeObject,
    opts: WriteOptions & { subresource?: UpdateSubresource } = {},
  ): Promise<KubeObject> {
    return this.guaranteedUpdate(namespace, name, () => deepCopy(input), opts);
  }

  /**
   * Reads the current object, asks `tryUpdate` for the new one, and writes it; retries on
   * conflicts unless the new object carries a resourceVersion precondition (as upstream's
   * GuaranteedUpdate).
   */
  async guaranteedUpdate(
    namespace: string,
    name: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: WriteOptions & { subresource?: UpdateSubresource } = {},
  ): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.storage.get(this.key(namespace, name));
      if (!kv) throw notFound(this.qualified, name);
      const current = this.decode(kv.value, kv.modRevision);
      // A second decode of the stored bytes is a private copy, cheaper than cloning `current`.
      const fresh = () => this.decode(kv.value, kv.modRevision);
      const obj = await tryUpdate(fresh());
      const precondition = obj.metadata?.resourceVersion;
      if (precondition && precondition !== String(kv.modRevision)) {
        throw conflict(this.qualified, name, OBJECT_MODIFIED);
      }
      const next = this.prepareUpdate(obj, current, opts.subresource ?? '', fresh);
      const ctx: WriteContext = { dryRun: !!opts.dryRun, now: this.now() };
      if (deepEqual(stripVersion(next), stripVersion(current))) return current;
      await this.hooks.beforeUpdate?.(next, current, ctx);
      if (opts.dryRun) return next;
      // An object being deleted whose last finalizer was just removed goes now.
      if (this.removable(next)) {
        try {
          await this.storage.delete(this.key(namespace, name), kv.modRevision);
          await this.hooks.afterDelete?.(next);
          return next;
        } catch (e) {
          if (isConflict(e) && !precondition && attempt < MAX_UPDATE_RETRIES) continue;
          if (isConflict(e)) throw conflict(this.qualified, name, OBJECT_MODIFIED);
          if (isKeyNotFound(e)) throw notFound(this.qualified, name);
          throw e;
        }
      }
      try {
        const written = await this.storage.update(this.key(namespace, name), encodeObject(next), kv.modRevision);
        next.metadata!.resourceVersion = String(written.modRevision);
        return next;
      } catch (e) {
        this.hooks.abortWrite?.(next, current);
        if (isConflict(e) && !precondition && attempt < MAX_UPDATE_RETRIES) continue;
        if (isConflict(e)) throw conflict(this.qualified, name, OBJECT_MODIFIED);
        if (isKeyNotFound(e)) throw notFound(this.qualified, name);
        throw e;
      }
    }
  }

  private prepareUpdate(obj: KubeObject, current: KubeObject, subresource: string, fresh: () => KubeObject): KubeObject {
    const def = this.def;
    const errs: FieldError[] = prepareMetaForUpdate(obj, current, def);
    if (subresource === 'binding') return obj;
    const o = obj as KubeObject & { status?: unknown };
    const c = current as KubeObject & { status?: unknown };
    if (subresource === 'status' || subresource === 'finalize') {
      // The status subresource changes status only (upstream's status strategies); finalize
      // changes spec.finalizers only (upstream's namespace finalize strategy).
      const keep = fresh() as KubeObject & { status?: unknown; spec?: { finalizers?: string[] } };
      if (subresource === 'status') {
        if (o.status === undefined) delete keep.status;
        else keep.status = o.status;
      } else {
        keep.spec = { ...keep.spec, finalizers: (o as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? [] };
      }
      keep.metadata = { ...keep.metadata, resourceVersion: obj.metadata?.resourceVersion };
      if (subresource === 'status' && def.statusUpdateKeepsAnnotations) {
        if (obj.metadata?.annotations) keep.metadata.annotations = obj.metadata.annotations;
        else delete keep.metadata.annotations;
        errs.push(...validateObjectMeta(keep.metadata, { namespaced: def.namespaced, nameValidation: def.nameValidation }));
      }
      const check = subresource === 'status' ? def.validateStatusUpdate?.(keep, current) : def.validate?.(keep);
      this.throwIfInvalid(keep, [...errs, ...(check ?? [])]);
      return keep;
    }
    if (def.subresources?.status) {
      if (c.status === undefined) delete o.status;
      else o.status = deepCopy(c.status);
    }
    def.defaults?.(obj);
    def.prepareForUpdate?.(obj, current);
    // Generation follows spec changes made by defaults and strategy too, and a bump the strategy
    // made itself stays (deployments bump it for annotation changes, as upstream).
    const bumped = obj.metadata?.generation;
    prepareMetaForUpdate(obj, current, def);
    if (bumped !== undefined && obj.metadata!.generation !== undefined && bumped > obj.metadata!.generation) {
      obj.metadata!.generation = bumped;
    }
    errs.push(
      ...validateObjectMeta(obj.metadata, { namespaced: def.namespaced, nameValidation: def.nameValidation }),
      ...(def.validateUpdate?.(obj, current) ?? def.validate?.(obj) ?? []),
    );
    this.throwIfInvalid(obj, errs);
    return obj;
  }

  async delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteOutcome> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.storage.get(this.key(namespace, name));
      if (!kv) throw notFound(this.qualified, name);
      const obj = this.decode(kv.value, kv.modRevision);
      this.checkPreconditions(obj, opts);
      const pending = this.pendingDeletion(obj, opts);
      try {
        if (pending) {
          if (opts.dryRun) return { object: pending, deleted: false };
          if (deepEqual(stripVersion(pending), stripVersion(obj))) return { object: obj, deleted: false };
          const written = await this.storage.update(this.key(namespace, name), encodeObject(pending), kv.modRevision);
          pending.metadata!.resourceVersion = String(written.modRevision);
          return { object: pending, deleted: false };
        }
        if (opts.dryRun) return { object: obj, deleted: true };
        await this.storage.delete(this.key(namespace, name), kv.modRevision);
      } catch (e) {
        if ((isConflict(e) || isKeyNotFound(e)) && attempt < MAX_UPDATE_RETRIES) continue;
        if (isKeyNotFound(e)) throw notFound(this.qualified, name);
        throw e;
      }
      await this.hooks.afterDelete?.(obj);
      return { object: obj, deleted: true };
    }
  }

  /** The object as it stays while its deletion waits (grace period, finalizers), or undefined to remove it now. */
  private pendingDeletion(obj: KubeObject, opts: DeleteOptions): KubeObject | undefined {
    const next = deepCopy(obj);
    const meta = next.metadata!;
    const finalizers = new Set(meta.finalizers ?? []);
    if (opts.propagationPolicy === 'Orphan') finalizers.add('orphan');
    if (opts.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
    const now = this.now();
    const grace = this.hooks.gracePeriodSeconds?.(next, opts.gracePeriodSeconds) ?? 0;
    const marked = this.hooks.markForDeletion?.(next) ?? false;
    if (grace > 0) {
      const due = new Date(now.getTime() + grace * 1000);
      // A shorter grace period than the one already running takes over; a longer one does not.
      if (!meta.deletionTimestamp || Date.parse(meta.deletionTimestamp) > due.getTime()) {
        meta.deletionTimestamp = rfc3339(due);
        meta.deletionGracePeriodSeconds = grace;
      }
    } else if (finalizers.size > 0 || marked) {
      meta.deletionTimestamp ??= rfc3339(now);
      meta.deletionGracePeriodSeconds = 0;
    } else {
      return undefined;
    }
    if (finalizers.size > 0) meta.finalizers = [...finalizers];
    return next;
  }

  /** A deleting object with no finalizers left and no grace period running goes (upstream's rule). */
  private removable(obj: KubeObject): boolean {
    const m = obj.metadata;
    if (!m?.deletionTimestamp || m.finalizers?.length) return false;
    if ((m.deletionGracePeriodSeconds ?? 0) > 0) return false;
    return this.hooks.canRemove?.(obj) ?? true;
  }

  private checkPreconditions(obj: KubeObject, opts: DeleteOptions): void {
    const p = opts.preconditions;
    if (!p) return;
    const name = obj.metadata?.name ?? '';
    if (p.uid && p.uid !== obj.metadata?.uid) {
      throw conflict(
        this.qualified,
        name,
        `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${obj.metadata?.uid}`,
      );
    }
    if (p.resourceVersion && p.resourceVersion !== obj.metadata?.resourceVersion) {
      throw conflict(
        this.qualified,
        name,
        `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${obj.metadata?.resourceVersion}`,
      );
    }
  }

  private throwIfInvalid(obj: KubeObject, errs: FieldError[]): void {
    if (errs.length === 0) return;
    throw invalid({ group: this.def.group, kind: this.def.kind }, obj.metadata?.name ?? obj.metadata?.generateName ?? '', errs);
  }
}

function stripVersion(obj: KubeObject): KubeObject {
  const { resourceVersion: _r, ...meta } = obj.metadata ?? {};
  return { ...obj, metadata: meta };
}

