// Deleting a namespace marks it Terminating; the namespace controller removes its content, then
// clears spec.finalizers through namespaces/{name}/finalize, and only then does it go.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { StoreHooks } from '../hooks.js';

export function namespaceHooks(): StoreHooks<Namespace> {
  return {
    markForDeletion(ns) {
      ns.status = { ...ns.status, phase: 'Terminating' };
      return (ns.spec?.finalizers?.length ?? 0) > 0;
    },
    canRemove(ns) {
      return (ns.spec?.finalizers?.length ?? 0) === 0;
    },
  };
}
