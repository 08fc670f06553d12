// Pod spec and pod template validation with upstream's messages (pkg/apis/core/validation
// ValidatePodSpec, ValidatePodTemplateSpec and the pod-only checks of ValidatePodCreate).
import type { Pod, PodDNSConfig, PodSpec, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import {
  duplicate,
  type FieldError,
  FieldPath,
  forbidden,
  invalid,
  notSupported,
  required,
} from '../../../apimachinery/field-errors.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  validateAnnotations,
  validateLabels,
} from '../../../apimachinery/validation.js';
import { validateContainers, validateContainersOnlyForPod, validateInitContainers } from './container-validation.js';
import { validateVolumes } from './volume-validation.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
export const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

export interface PodSpecOptions {
  /** The spec is a pod's, not a template's (host-network ports must then be set). */
  isPod?: boolean;
}

const subdomain = (value: string, path: FieldPath): FieldError[] => isDNS1123Subdomain(value).map((m) => invalid(path, value, m));
const label = (value: string, path: FieldPath): FieldError[] => isDNS1123Label(value).map((m) => invalid(path, value, m));

function validateEnum(value: string | undefined, valid: readonly string[], path: FieldPath): FieldError[] {
  if (!value) return [required(path)];
  return valid.includes(value) ? [] : [notSupported(path, value, valid)];
}

/** upstream ValidateTolerations. */
export function validateTolerations(tolerations: Toleration[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, t] of (tolerations ?? []).entries()) {
    const p = path.index(i);
    if (t.key) for (const m of isQualifiedName(t.key)) errs.push(invalid(p.child('key'), t.key, m));
    if (!t.key && t.operator !== 'Exists') {
      const msg = 'operator must be Exists when `key` is empty, which means "match all values and all keys"';
      errs.push(invalid(p.child('operator'), t.operator ?? '', msg));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(p.child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length) errs.push(invalid(p.child('operator'), t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(p.child('operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(p.child('operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      errs.push(notSupported(p.child('effect'), t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  }
  return errs;
}

function validateDNSConfig(cfg: PodDNSConfig | undefined, dnsPolicy: string | undefined, path: FieldPath): FieldError[] {
  if (dnsPolicy === 'None') {
    if (!cfg) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!cfg.nameservers?.length) {
      return [required(path.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
    }
  }
  const errs: FieldError[] = [];
  if (!cfg) return errs;
  if ((cfg.nameservers?.length ?? 0) > 3) {
    errs.push(invalid(path.child('nameservers'), cfg.nameservers, 'must not have more than 3 nameservers'));
  }
  if ((cfg.searches?.length ?? 0) > 32) {
    errs.push(invalid(path.child('searches'), cfg.searches, 'must not have more than 32 search paths'));
  }
  for (const [i, opt] of (cfg.options ?? []).entries()) {
    if (!opt.name) errs.push(required(path.child('options').index(i), 'must not be empty'));
  }
  return errs;
}

/** upstream ValidatePodSpec (the parts users meet). */
export function validatePodSpec(spec: PodSpec | undefined, path: FieldPath, opts: PodSpecOptions = {}): FieldError[] {
  const s: PodSpec = spec ?? { containers: [] };
  const errs: FieldError[] = [];
  if (s.terminationGracePeriodSeconds === undefined) errs.push(required(path.child('terminationGracePeriodSeconds')));
  const gracePeriod = s.terminationGracePeriodSeconds;
  const { valid: volumes, errs: volErrs } = validateVolumes(s.volumes, path.child('volumes'));
  errs.push(...volErrs);
  const ctx = { volumes, gracePeriod };
  errs.push(...validateContainers(s.containers, ctx, path.child('containers')));
  errs.push(...validateInitContainers(s.initContainers, s.containers, ctx, path.child('initContainers')));
  errs.push(...validateEphemeralContainerNames(s, path.child('ephemeralContainers')));
  if (s.hostNetwork) {
    for (const [i, c] of (s.containers ?? []).entries()) {
      for (const [j, port] of (c.ports ?? []).entries()) {
        const hp = port.hostPort ?? 0;
        // Templates may leave hostPort unset: pods created from them get it defaulted.
        if ((opts.isPod || hp !== 0) && hp !== port.containerPort) {
          const p = path.child('containers').index(i).child('ports').index(j).child('hostPort');
          errs.push(invalid(p, hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }
    }
  }
  errs.push(...validateEnum(s.restartPolicy, RESTART_POLICIES, path.child('restartPolicy')));
  errs.push(...validateEnum(s.dnsPolicy, DNS_POLICIES, path.child('dnsPolicy')));
  errs.push(...validateLabels(s.nodeSelector, path.child('nodeSelector')));
  for (const [i, ref] of (s.imagePullSecrets ?? []).entries()) {
    if (Object.keys(ref).some((k) => k !== 'name')) {
      errs.push(invalid(path.child('imagePullSecrets').index(i), ref, 'only name may be set'));
    }
  }
  errs.push(...validateDNSConfig(s.dnsConfig, s.dnsPolicy, path.child('dnsConfig')));
  for (const [i, gate] of (s.readinessGates ?? []).entries()) {
    const p = path.child('readinessGates').index(i).child('conditionType');
    for (const m of isQualifiedName(gate.conditionType)) errs.push(invalid(p, gate.conditionType, m));
  }
  const gates = new Set<string>();
  for (const [i, gate] of (s.schedulingGates ?? []).entries()) {
    const p = path.child('schedulingGates').index(i);
    for (const m of isQualifiedName(gate.name)) errs.push(invalid(p, gate.name, m));
    if (gates.has(gate.name)) errs.push(duplicate(p, gate.name));
    gates.add(gate.name);
  }
  if (s.serviceAccountName) errs.push(...subdomain(s.serviceAccountName, path.child('serviceAccountName')));
  if (s.nodeName) errs.push(...subdomain(s.nodeName, path.child('nodeName')));
  if (s.activeDeadlineSeconds !== undefined && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > MAX_INT32)) {
    errs.push(invalid(path.child('activeDeadlineSeconds'), s.activeDeadlineSeconds, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  if (s.hostname) errs.push(...label(s.hostname, path.child('hostname')));
  if (s.subdomain) errs.push(...label(s.subdomain, path.child('subdomain')));
  errs.push(...validateTolerations(s.tolerations, path.child('tolerations')));
  if (s.priorityClassName) errs.push(...subdomain(s.priorityClassName, path.child('priorityClassName')));
  if (s.runtimeClassName !== undefined) errs.push(...subdomain(s.runtimeClassName, path.child('runtimeClassName')));
  if (s.preemptionPolicy !== undefined) {
    errs.push(...validateEnum(s.preemptionPolicy, ['PreemptLowerPriority', 'Never'], path.child('preemptionPolicy')));
  }
  if (s.os && !['linux', 'windows'].includes(s.os.name)) errs.push(notSupported(path.child('os', 'name'), s.os.name, ['linux', 'windows']));
  return errs;
}

/** Ephemeral containers share the name space of the others (their full checks live upstream in the subresource). */
function validateEphemeralContainerNames(s: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set([...(s.containers ?? []), ...(s.initContainers ?? [])].map((c) => c.name));
  for (const [i, c] of (s.ephemeralContainers ?? []).entries()) {
    const p = path.index(i).child('name');
    if (!c.name) errs.push(required(p));
    else if (names.has(c.name)) errs.push(duplicate(p, c.name));
    else names.add(c.name);
  }
  return errs;
}

/** upstream ValidatePodTemplateSpec: template labels, annotations and spec. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: FieldPath): FieldError[] {
  if (!t) return [required(path)];
  const errs = [
    ...validateLabels(t.metadata?.labels, path.child('labels')),
    ...validateAnnotations(t.metadata?.annotations, path.child('annotations')),
    ...validatePodSpec(t.spec, path.child('spec')),
  ];
  if (t.spec?.ephemeralContainers?.length) {
    errs.push(forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

/** upstream validatePodMetadataAndSpec without ObjectMeta (the store checks that). */
export function validatePod(pod: Pod): FieldError[] {
  const specPath = FieldPath.root('spec');
  const errs = validatePodSpec(pod.spec, specPath, { isPod: true });
  const spec = pod.spec;
  const mirror = pod.metadata?.annotations?.['kubernetes.io/config.mirror'];
  if (mirror !== undefined && !spec?.nodeName) {
    const p = FieldPath.root('metadata').child('annotations').key('kubernetes.io/config.mirror');
    errs.push(invalid(p, mirror, 'must set spec.nodeName if mirror pod annotation is set'));
  }
  if (!spec?.serviceAccountName) {
    for (const [vi, v] of (spec?.volumes ?? []).entries()) {
      for (const [si, src] of (v.projected?.sources ?? []).entries()) {
        if (src.serviceAccountToken) {
          const p = specPath.child('volumes').index(vi).child('projected', 'sources').index(si).child('serviceAccountToken');
          errs.push(forbidden(p, 'must not be specified when serviceAccountName is not set'));
        }
      }
    }
  }
  errs.push(...validateContainersOnlyForPod(spec?.containers, specPath.child('containers')));
  errs.push(...validateContainersOnlyForPod(spec?.initContainers, specPath.child('initContainers')));
  return errs;
}

/** upstream ValidatePodCreate: what only a new pod may not have. */
export function validatePodCreate(pod: Pod): FieldError[] {
  const errs = validatePod(pod);
  const specPath = FieldPath.root('spec');
  // Ephemeral containers are added later, through the ephemeralcontainers subresource.
  if (pod.spec?.ephemeralContainers?.length) errs.push(forbidden(specPath.child('ephemeralContainers'), 'cannot be set on create'));
  if (pod.spec?.nodeName && pod.spec.schedulingGates?.length) {
    errs.push(forbidden(specPath.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}
