// What a pod update may change (upstream ValidatePodUpdate) and what a status update may not
// (ValidatePodStatusUpdate), with upstream's messages.
import type { Container, ContainerStatus, Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, required } from '../../../apimachinery/field-errors.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../../apimachinery/validation.js';
import { validatePod, validateTolerations } from './pod-validation.js';
import { semanticEqual } from './semantic-equal.js';

const MAX_INT32 = 2147483647;

/** The message upstream gives for any other spec change (upstream appends a diff we leave out). */
export const POD_UPDATE_FORBIDDEN_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function validateContainerUpdates(next: Container[] | undefined, old: Container[] | undefined, path: FieldPath): FieldError[] | 'stop' {
  if ((next?.length ?? 0) !== (old?.length ?? 0)) return 'stop';
  const errs: FieldError[] = [];
  for (const [i, c] of (next ?? []).entries()) {
    if (!c.image) errs.push(required(path.index(i).child('image')));
    else if (c.image.trim() !== c.image) {
      errs.push(invalid(path.index(i).child('image'), c.image, 'must not have leading or trailing whitespace'));
    }
  }
  return errs;
}

/** Existing tolerations may only change their tolerationSeconds; new ones may be added. */
function validateOnlyAddedTolerations(next: Toleration[] | undefined, old: Toleration[] | undefined, path: FieldPath): FieldError[] {
  for (const o of old ?? []) {
    const found = (next ?? []).some((n) => semanticEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found) return [forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, path);
}

/** upstream ValidatePodUpdate (metadata is the store's). */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validatePod(pod);
  const specPath = FieldPath.root('spec');
  const spec = pod.spec ?? ({ containers: [] } as PodSpec);
  const oldSpec = old.spec ?? ({ containers: [] } as PodSpec);
  for (const [field, next, prev] of [
    ['containers', spec.containers, oldSpec.containers],
    ['initContainers', spec.initContainers, oldSpec.initContainers],
  ] as const) {
    const r = validateContainerUpdates(next, prev, specPath.child(field));
    if (r === 'stop') return [...errs, forbidden(specPath.child(field), 'pod updates may not add or remove containers')];
    errs.push(...r);
  }
  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (ads !== undefined) {
    if (ads < 0 || ads > MAX_INT32) {
      return [...errs, invalid(specPath.child('activeDeadlineSeconds'), ads, `must be between 0 and ${MAX_INT32}, inclusive`)];
    }
    if (oldAds !== undefined && oldAds < ads) {
      return [...errs, invalid(specPath.child('activeDeadlineSeconds'), ads, 'must be less than or equal to previous value')];
    }
  } else if (oldAds !== undefined) {
    errs.push(invalid(specPath.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(spec.tolerations, oldSpec.tolerations, specPath.child('tolerations')));
  errs.push(...validateOnlyDeletedSchedulingGates(spec, oldSpec, specPath.child('schedulingGates')));
  if (semanticEqual(spec, oldSpec)) return errs;

  // Put back what may change, then anything left over is a forbidden change.
  const munged: PodSpec = structuredClone(spec);
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: oldSpec.containers[i]!.image }));
  if (munged.initContainers) {
    munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: oldSpec.initContainers![i]!.image }));
  }
  setOrDelete(munged, 'activeDeadlineSeconds', oldSpec.activeDeadlineSeconds);
  setOrDelete(munged, 'schedulingGates', oldSpec.schedulingGates);
  setOrDelete(munged, 'tolerations', oldSpec.tolerations);
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  // A gated pod (not yet scheduled) may gain node selector terms.
  if (oldSpec.schedulingGates?.length && !semanticEqual(munged.nodeSelector, oldSpec.nodeSelector)) {
    const kept = Object.entries(oldSpec.nodeSelector ?? {}).every(([k, v]) => munged.nodeSelector?.[k] === v);
    if (!kept) {
      const msg = 'only additions to spec.nodeSelector are allowed (no mutations or deletions)';
      errs.push(invalid(specPath.child('nodeSelector'), munged.nodeSelector ?? null, msg));
    }
    setOrDelete(munged, 'nodeSelector', oldSpec.nodeSelector);
  }
  if (!semanticEqual(munged, oldSpec)) errs.push(forbidden(specPath, POD_UPDATE_FORBIDDEN_MESSAGE));
  return errs;
}

function setOrDelete<K extends keyof PodSpec>(spec: PodSpec, key: K, value: PodSpec[K] | undefined): void {
  if (value === undefined) delete spec[key];
  else spec[key] = value;
}

function validateOnlyDeletedSchedulingGates(spec: PodSpec, old: PodSpec, path: FieldPath): FieldError[] {
  const had = new Set((old.schedulingGates ?? []).map((g) => g.name));
  const errs: FieldError[] = [];
  for (const [i, g] of (spec.schedulingGates ?? []).entries()) {
    if (had.has(g.name)) continue;
    errs.push(forbidden(path.index(i).child('name'), `only deletion is allowed, but found new scheduling gate '${g.name}'`));
  }
  return errs;
}

const SYSTEM_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized']);

/** Terminated containers of a pod that does not restart them stay terminated. */
function validateContainerStateTransition(
  next: ContainerStatus[] | undefined,
  old: ContainerStatus[] | undefined,
  path: FieldPath,
  restartPolicy: string | undefined,
  restartable: (name: string) => boolean,
): FieldError[] {
  if (restartPolicy === 'Always') return [];
  const errs: FieldError[] = [];
  for (const [i, o] of (old ?? []).entries()) {
    const term = o.state?.terminated;
    if (!term) continue;
    if (term.exitCode !== 0 && restartPolicy === 'OnFailure') continue;
    if (restartable(o.name)) continue;
    for (const n of next ?? []) {
      if (n.name === o.name && !n.state?.terminated) {
        errs.push(forbidden(path.index(i).child('state'), 'may not be transitioned to non-terminated state'));
      }
    }
  }
  return errs;
}

/** upstream ValidatePodStatusUpdate (the checks that apply to what kubets' kubelet writes). */
export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const status = FieldPath.root('status');
  for (const [i, c] of (pod.status?.conditions ?? []).entries()) {
    if (SYSTEM_CONDITIONS.has(c.type)) continue;
    // Upstream builds this path under metadata with a capital Type; kept for identical output.
    const p = FieldPath.root('metadata').child('conditions').index(i).child('Type');
    for (const m of isQualifiedName(c.type)) errs.push(invalid(p, c.type, m));
  }
  if ((pod.spec?.nodeName ?? '') !== (old.spec?.nodeName ?? '')) {
    errs.push(forbidden(status.child('nodeName'), 'may not be changed directly'));
  }
  const nominated = pod.status?.nominatedNodeName ?? '';
  if (nominated && nominated !== (old.status?.nominatedNodeName ?? '')) {
    for (const m of isDNS1123Subdomain(nominated)) errs.push(invalid(status.child('nominatedNodeName'), nominated, m));
  }
  const qos = pod.status?.qosClass ?? '';
  if (qos !== (old.status?.qosClass ?? '')) errs.push(invalid(status.child('qosClass'), qos, 'field is immutable'));
  const oldSpec = old.spec;
  errs.push(
    ...validateContainerStateTransition(
      pod.status?.containerStatuses,
      old.status?.containerStatuses,
      status.child('containerStatuses'),
      oldSpec?.restartPolicy,
      () => false,
    ),
  );
  const sidecars = new Set((oldSpec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  errs.push(
    ...validateContainerStateTransition(
      pod.status?.initContainerStatuses,
      old.status?.initContainerStatuses,
      status.child('initContainerStatuses'),
      oldSpec?.restartPolicy,
      (name) => sidecars.has(name),
    ),
  );
  for (const [i, ip] of (pod.status?.podIPs ?? []).entries()) {
    if (isIP(ip.ip ?? '')) continue;
    errs.push(invalid(status.child('podIPs').index(i), ip.ip ?? '', 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  return errs;
}

function isIP(s: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return s.split('.').every((o) => Number(o) <= 255 && (o === '0' || !o.startsWith('0')));
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) && (s.match(/::/g)?.length ?? 0) <= 1;
}
