// Validation the workload controllers' specs share (upstream pkg/apis/apps/validation and the
// core ReplicationController checks): label selectors that must select their own pod template,
// the template itself, replica counts, and update-time immutability.
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../apimachinery/field-errors.js';
import { type Selector, selectorFromLabelSelector, validateLabelSelector } from '../apimachinery/labels.js';
import { validatePodTemplateSpec } from './core/v1/pod-validation.js';
import { semanticEqual } from './core/v1/semantic-equal.js';

export const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/** upstream ValidateNonnegativeField. */
export function nonNegative(value: number | undefined | null, path: FieldPath): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(path, value, 'must be greater than or equal to 0')] : [];
}

/** upstream ValidateImmutableField: "field is immutable" when the new value differs. */
export function immutable(next: unknown, old: unknown, path: FieldPath): FieldError[] {
  return semanticEqual(next, old) ? [] : [invalid(path, next ?? null, 'field is immutable')];
}

/** metav1.LabelSelectorAsSelector, or undefined when the selector cannot be converted. */
export function toSelector(ls: LabelSelector | undefined): Selector | undefined {
  try {
    return selectorFromLabelSelector(ls);
  } catch {
    return undefined;
  }
}

/**
 * The selector checks of Deployments, ReplicaSets, StatefulSets: required, valid, not empty
 * (`empty selector is invalid for <kind>`), and the selector as a Selector when it converts.
 */
export function validateRequiredSelector(
  selector: LabelSelector | undefined,
  path: FieldPath,
  emptyMessage: string,
): { errs: FieldError[]; selector: Selector | undefined } {
  const errs: FieldError[] = [];
  if (!selector) {
    errs.push(required(path));
  } else {
    errs.push(...validateLabelSelector(selector, path));
    if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0) === 0) {
      errs.push(invalid(path, selector, emptyMessage));
    }
  }
  return { errs, selector: toSelector(selector) };
}

/** Non-empty selectors must match the template's labels (upstream's `!selector.Empty()` guard). */
export function templateLabelsMatch(selector: Selector, template: PodTemplateSpec | undefined, path: FieldPath): FieldError[] {
  if (selector.isEmpty()) return [];
  const labels = template?.metadata?.labels;
  return selector.matches(labels) ? [] : [invalid(path.child('metadata', 'labels'), labels ?? null, SELECTOR_MISMATCH)];
}

/**
 * upstream ValidatePodTemplateSpecForReplicaSet (also used for Deployments and, with the
 * `kind` in its message, DaemonSets and ReplicationControllers): a full template check plus
 * restartPolicy Always and no activeDeadlineSeconds.
 */
export function validateTemplateForController(
  template: PodTemplateSpec | undefined,
  selector: Selector | undefined,
  path: FieldPath,
  kind: string,
): FieldError[] {
  if (!template) return [required(path)];
  const errs = selector ? templateLabelsMatch(selector, template, path) : [];
  errs.push(...validatePodTemplateSpec(template, path));
  errs.push(...alwaysRestartNoDeadline(template, path, kind));
  return errs;
}

/** Long-running controllers' pods restart Always and have no active deadline. */
export function alwaysRestartNoDeadline(template: PodTemplateSpec | undefined, path: FieldPath, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const restartPolicy = template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errs.push(notSupported(path.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (template?.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(forbidden(path.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

/**
 * upstream's unexported getIntOrPercentValue: the number of an int, or of a well-formed
 * percentage, else 0 (IntValue of a bad string).
 */
export function intOrPercentValue(v: number | string | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return 0;
  const m = /^([0-9]+)%$/.exec(v) ?? /^([+-]?[0-9]+)$/.exec(v);
  return m ? Number(m[1]) : 0;
}

/** Status counters are non-negative (the status strategies of the workload kinds). */
export function validateStatusCounters(status: object | undefined, fields: readonly string[], path: FieldPath): FieldError[] {
  const s = (status ?? {}) as Record<string, unknown>;
  return fields.flatMap((f) => nonNegative(s[f] as number | undefined, path.child(f)));
}

/** "cannot be greater than status.replicas" style relations: `field` may not exceed `limit`. */
export function notGreaterThan(
  status: object | undefined,
  field: string,
  limit: string,
  message: string,
  path: FieldPath,
): FieldError[] {
  const s = (status ?? {}) as Record<string, number | undefined>;
  const v = s[field] ?? 0;
  return v > (s[limit] ?? 0) ? [invalid(path.child(field), v, message)] : [];
}

/** status.collisionCount may not go down. */
export function collisionCountNotDecremented(next: number | undefined, old: number | undefined, path: FieldPath): FieldError[] {
  if (old === undefined) return [];
  if (next === undefined || next < old) return [invalid(path, next ?? 0, 'cannot be decremented')];
  return [];
}

const REPLICA_STATUS_COUNTERS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'];

/** The status checks ReplicaSets and ReplicationControllers share (upstream Validate*Status). */
export function validateReplicaStatus(status: object | undefined): FieldError[] {
  const path = FieldPath.root('status');
  const msg = 'cannot be greater than status.replicas';
  return [
    ...validateStatusCounters(status, REPLICA_STATUS_COUNTERS, path),
    ...notGreaterThan(status, 'fullyLabeledReplicas', 'replicas', msg, path),
    ...notGreaterThan(status, 'readyReplicas', 'replicas', msg, path),
    ...notGreaterThan(status, 'availableReplicas', 'replicas', msg, path),
    ...notGreaterThan(status, 'availableReplicas', 'readyReplicas', 'cannot be greater than readyReplicas', path),
  ];
}
