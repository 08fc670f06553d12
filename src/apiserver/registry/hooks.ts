import type { KubeObject } from '../../api/types.js';

/** What the store tells a hook about the write in hand. */
export interface WriteContext {
  dryRun: boolean;
  now: Date;
}

/**
 * Resource behaviour that needs more than a ResourceDefinition's pure functions: allocators
 * (service cluster IPs and node ports), graceful deletion (pods), deletion that only marks
 * (namespaces). One small object per resource that has any.
 */
export interface StoreHooks<T extends KubeObject = KubeObject> {
  /** After validation, before the write: allocate, or throw a StatusError to refuse. */
  beforeCreate?(obj: T, ctx: WriteContext): Promise<void> | void;
  beforeUpdate?(obj: T, old: T, ctx: WriteContext): Promise<void> | void;
  /** A create or update that beforeCreate/beforeUpdate prepared did not happen: undo it. */
  abortWrite?(obj: T, old: T | undefined): void;
  /** After the object is gone from storage: release what it held. */
  afterDelete?(obj: T): Promise<void> | void;
  /**
   * Graceful deletion: seconds to wait before the object is removed (the kubelet removes pods
   * once their containers stopped), or 0 to remove it now. Absent: always now.
   */
  gracePeriodSeconds?(obj: T, requested: number | undefined): number;
  /**
   * Deletion that marks rather than removes (namespaces become Terminating until their content
   * is gone): change obj and return true to keep it with a deletionTimestamp.
   */
  markForDeletion?(obj: T): boolean;
  /**
   * Whether an object being deleted, with no finalizers left, may be removed now (namespaces wait
   * for spec.finalizers too). Absent: yes.
   */
  canRemove?(obj: T): boolean;
}
