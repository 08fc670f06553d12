// Job validation with upstream's messages (pkg/apis/batch/validation): the job spec rules shared
// with CronJob job templates, generated selectors, and what a job update may change.
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { validateLabelSelector } from '../../../apimachinery/labels.js';
import { isDNS1123Label } from '../../../apimachinery/validation.js';
import { validatePodTemplateSpec } from '../../core/v1/pod-validation.js';
import { immutable, nonNegative, SELECTOR_MISMATCH, toSelector } from '../../workload-validation.js';

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

const MAX_PARALLELISM_INDEXED = 100000;
const POD_REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];
const NON_NEGATIVE_FIELDS = [
  'parallelism',
  'completions',
  'activeDeadlineSeconds',
  'backoffLimit',
  'ttlSecondsAfterFinished',
  'backoffLimitPerIndex',
  'maxFailedIndexes',
] as const;

/** upstream validateJobSpec: the rules a Job and a CronJob's job template share. */
export function validateJobSpecCommon(spec: JobSpec | undefined, path: FieldPath): FieldError[] {
  const s = spec ?? ({} as JobSpec);
  const errs: FieldError[] = [];
  for (const f of NON_NEGATIVE_FIELDS) errs.push(...nonNegative(s[f], path.child(f)));
  if (s.maxFailedIndexes !== undefined && s.backoffLimitPerIndex === undefined) {
    errs.push(required(path.child('backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  }
  const mode = s.completionMode;
  if (mode !== undefined) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(path.child('completionMode'), mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (s.completions === undefined) errs.push(required(path.child('completions'), 'when completion mode is Indexed'));
      if ((s.parallelism ?? 0) > MAX_PARALLELISM_INDEXED) {
        const msg = `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`;
        errs.push(invalid(path.child('parallelism'), s.parallelism, msg));
      }
      if (s.completions !== undefined && s.maxFailedIndexes !== undefined && s.maxFailedIndexes > s.completions) {
        errs.push(invalid(path.child('maxFailedIndexes'), s.maxFailedIndexes, 'must be less than or equal to completions'));
      }
    }
  }
  if (mode === undefined || mode === 'NonIndexed') {
    for (const f of ['backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
      if (s[f] !== undefined) errs.push(invalid(path.child(f), s[f], 'requires indexed completion mode'));
    }
    if (s.successPolicy) errs.push(invalid(path.child('successPolicy'), s.successPolicy, 'requires indexed completion mode'));
  }
  const prp = s.podReplacementPolicy;
  if (prp !== undefined) {
    if (s.podFailurePolicy) {
      if (prp !== 'Failed') errs.push(notSupported(path.child('podReplacementPolicy'), prp, ['Failed']));
    } else if (!POD_REPLACEMENT_POLICIES.includes(prp)) {
      errs.push(notSupported(path.child('podReplacementPolicy'), prp, POD_REPLACEMENT_POLICIES));
    }
  }
  const tpath = path.child('template');
  errs.push(...validatePodTemplateSpec(s.template ?? {}, tpath));
  // The template's restartPolicy defaults to Always, which a Job cannot use.
  const rp = s.template?.spec?.restartPolicy ?? '';
  const rpPath = tpath.child('spec', 'restartPolicy');
  if (rp === 'Always' || rp === '') errs.push(required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never') errs.push(notSupported(rpPath, rp, ['OnFailure', 'Never']));
  else if (s.podFailurePolicy && rp !== 'Never') {
    errs.push(invalid(rpPath, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

/** upstream ValidateJobSpec: the common rules plus a selector that selects the template. */
export function validateJobSpec(spec: JobSpec | undefined, path: FieldPath): FieldError[] {
  const errs = validateJobSpecCommon(spec, path);
  if (!spec?.selector) errs.push(required(path.child('selector')));
  else errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
  const selector = toSelector(spec?.selector);
  if (selector && !selector.matches(spec?.template?.metadata?.labels)) {
    errs.push(invalid(path.child('template', 'metadata', 'labels'), spec?.template?.metadata?.labels ?? null, SELECTOR_MISMATCH));
  }
  return errs;
}

/** upstream ValidateHasLabel. */
function hasLabel(labels: Record<string, string> | undefined, key: string, expected: string, path: FieldPath): FieldError[] {
  const p = path.child('labels').key(key);
  if (!labels || !(key in labels)) return [required(p, `must be '${expected}'`)];
  return labels[key] === expected ? [] : [invalid(p, labels, `must be '${expected}'`)];
}

/** upstream validateGeneratedSelector: a generated selector must be the one the server made. */
function validateGeneratedSelector(job: Job, requirePrefixedLabels: boolean): FieldError[] {
  const spec = job.spec;
  if (spec?.manualSelector || !spec?.selector) return [];
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  const errs: FieldError[] = [];
  if (!uid) errs.push(required(FieldPath.root('metadata').child('uid')));
  const tmeta = FieldPath.root('spec').child('template', 'metadata');
  const labels = spec.template?.metadata?.labels;
  const expected: Record<string, string> = { [LEGACY_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
  errs.push(...hasLabel(labels, LEGACY_CONTROLLER_UID_LABEL, uid, tmeta), ...hasLabel(labels, LEGACY_JOB_NAME_LABEL, name, tmeta));
  if (requirePrefixedLabels) {
    errs.push(...hasLabel(labels, CONTROLLER_UID_LABEL, uid, tmeta), ...hasLabel(labels, JOB_NAME_LABEL, name, tmeta));
    expected[CONTROLLER_UID_LABEL] = uid;
    expected[JOB_NAME_LABEL] = name;
  }
  const selector = toSelector(spec.selector);
  if (selector && !selector.matches(expected)) {
    errs.push(invalid(FieldPath.root('spec').child('selector'), spec.selector, '`selector` not auto-generated'));
  }
  return errs;
}

/** upstream ValidateJob (ObjectMeta is the store's). */
export function validateJob(job: Job, requirePrefixedLabels = true): FieldError[] {
  const errs = validateGeneratedSelector(job, requirePrefixedLabels);
  errs.push(...validateJobSpec(job.spec, FieldPath.root('spec')));
  const spec = job.spec;
  if (spec?.completionMode === 'Indexed' && (spec.completions ?? 0) > 0) {
    // Indexed pods are named <job>-<index> and that name is their hostname.
    const hostname = `${job.metadata?.name ?? ''}-${spec.completions! - 1}`;
    if (isDNS1123Label(hostname).length) {
      const msg = `will not able to create pod with invalid DNS label: ${hostname}`;
      errs.push(invalid(FieldPath.root('metadata').child('name'), job.metadata?.name ?? '', msg));
    }
  }
  return errs;
}

/**
 * The template a Job may change: none of it, except the scheduling directives (node
 * selector and affinity, tolerations, labels, annotations, scheduling gates) of a job that is
 * suspended and never started (upstream's AllowMutableSchedulingDirectives).
 */
function templateForComparison(next: PodTemplateSpec | undefined, old: PodTemplateSpec | undefined, mutableDirectives: boolean) {
  if (!mutableDirectives || !old) return old;
  const o: PodTemplateSpec = structuredClone(old);
  const spec = (o.spec ??= { containers: [] });
  const n = next ?? {};
  o.metadata = { ...o.metadata, labels: n.metadata?.labels, annotations: n.metadata?.annotations };
  spec.nodeSelector = n.spec?.nodeSelector;
  spec.tolerations = n.spec?.tolerations;
  spec.schedulingGates = n.spec?.schedulingGates;
  const nodeAffinity = n.spec?.affinity?.nodeAffinity;
  if (spec.affinity || nodeAffinity) spec.affinity = { ...spec.affinity, nodeAffinity };
  return o;
}

/** upstream ValidateJobUpdate on top of ValidateJob (without repeating the spec errors). */
export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const oldLabels = old.spec?.template?.metadata?.labels ?? {};
  // Jobs created before the prefixed labels existed keep validating without them.
  const prefixed = JOB_NAME_LABEL in oldLabels && CONTROLLER_UID_LABEL in oldLabels;
  const errs = validateJob(job, prefixed);
  const path = FieldPath.root('spec');
  const s = job.spec;
  const o = old.spec;
  if (s?.completionMode === 'Indexed' && s.completions !== undefined && s.completions !== o?.completions) {
    // Elastic indexed jobs scale completions and parallelism together.
    if (s.completions !== s.parallelism) {
      errs.push(invalid(path.child('completions'), s.completions, 'can only be modified in tandem with spec.parallelism'));
    }
  } else if (s?.completionMode !== 'Indexed') {
    errs.push(...immutable(s?.completions, o?.completions, path.child('completions')));
  }
  errs.push(...immutable(s?.selector, o?.selector, path.child('selector')));
  const mutableDirectives = !!o?.suspend && !old.status?.startTime;
  errs.push(...immutable(s?.template, templateForComparison(s?.template, o?.template, mutableDirectives), path.child('template')));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'] as const) {
    errs.push(...immutable(s?.[f], o?.[f], path.child(f)));
  }
  return errs;
}
