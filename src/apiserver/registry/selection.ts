// List and watch filtering by label and field selectors (upstream's SelectionPredicate).
import type { KubeObject, ResourceDefinition } from '../../api/types.js';
import { badRequest } from '../../apimachinery/errors.js';
import { type FieldSelector, parseFieldSelector } from '../../apimachinery/fields.js';
import { type Selector, parseSelector } from '../../apimachinery/labels.js';

export interface SelectionPredicate {
  /** True when there is nothing to filter on. */
  everything: boolean;
  matches(obj: KubeObject): boolean;
}

/** Selects every object (no selectors). */
export const EVERYTHING: SelectionPredicate = { everything: true, matches: () => true };

/** Fields every object can be selected by, and the resource's own ones. */
export function objectFields(def: ResourceDefinition, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (def.namespaced) fields['metadata.namespace'] = obj.metadata?.namespace ?? '';
  if (def.selectableFields) Object.assign(fields, def.selectableFields(obj));
  return fields;
}

/** The field names a resource can be selected by (read off an empty object). */
function selectableFieldNames(def: ResourceDefinition): Set<string> | undefined {
  try {
    return new Set(Object.keys(objectFields(def, { metadata: {} })));
  } catch {
    return undefined;
  }
}

export function buildPredicate(
  def: ResourceDefinition,
  labelSelector: string | null,
  fieldSelector: string | null,
): SelectionPredicate {
  let labels: Selector | undefined;
  let fields: FieldSelector | undefined;
  if (labelSelector) {
    try {
      labels = parseSelector(labelSelector);
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    if (labels.isEmpty()) labels = undefined;
  }
  if (fieldSelector) {
    try {
      fields = parseFieldSelector(fieldSelector);
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    const known = selectableFieldNames(def);
    for (const r of fields.requirements) {
      if (known && !known.has(r.field)) {
        throw badRequest(`field label not supported: ${r.field}`);
      }
    }
    if (fields.isEmpty()) fields = undefined;
  }
  if (!labels && !fields) return EVERYTHING;
  return {
    everything: false,
    matches(obj) {
      if (labels && !labels.matches(obj.metadata?.labels ?? {})) return false;
      if (fields && !fields.matches(objectFields(def, obj))) return false;
      return true;
    },
  };
}
