// Pod defaulting as upstream's pkg/apis/core/v1/defaults.go and the generated defaulters apply
// it: SetDefaults_PodSpec (for every pod spec, including templates), SetDefaults_Container, probe
// and handler defaults, volume-source defaults, and SetDefaults_Pod (pods only: requests from
// limits, enableServiceLinks, host-network ports).
import type {
  Container,
  EnvVar,
  LifecycleHandler,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  Volume,
} from 'kubernetes-types/core/v1.js';

const FILE_MODE_0644 = 420;

/** upstream parsers.ParseImageName + TagNameOnly: the tag an image reference resolves to. */
export function imageTag(image: string): string {
  const m = IMAGE_REFERENCE.exec(image);
  if (!m) return ''; // unparseable: upstream ignores the error and gets no tag
  const [, name, tag, digest] = m;
  if (!validRepository(name!)) return '';
  if (tag) return tag;
  return digest ? '' : 'latest';
}

// The docker reference grammar (distribution/reference), enough to find tag and digest.
const IMAGE_REFERENCE =
  /^([^:@]+(?::\d+(?=\/))?(?:\/[^:@]+)*)(?::([\w][\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}))?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::\d+)?$/;

function validRepository(name: string): boolean {
  const parts = name.split('/');
  const first = parts[0]!;
  // A first component is a registry when it looks like a host (upstream splitDockerDomain).
  const isDomain = parts.length > 1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  if (isDomain && !DOMAIN.test(first)) return false;
  const path = isDomain ? parts.slice(1) : parts;
  if (path.length === 1 && /^[a-f0-9]{64}$/.test(path[0]!)) return false;
  return path.every((p) => PATH_COMPONENT.test(p));
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  defaultHandler(p);
  if (p.grpc && p.grpc.service === undefined) p.grpc.service = '';
}

function defaultHandler(h: Pick<LifecycleHandler, 'httpGet'> | undefined): void {
  if (!h?.httpGet) return;
  h.httpGet.path ||= '/';
  h.httpGet.scheme ||= 'HTTP';
}

function defaultEnv(env: EnvVar[] | undefined): void {
  for (const e of env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref) ref.apiVersion ||= 'v1';
  }
}

/** SetDefaults_Container plus the defaults of what a container holds (ports, probes, env). */
export function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  for (const p of c.ports ?? []) p.protocol ||= 'TCP';
  defaultEnv(c.env);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

/** SetDefaults_Volume and the per-source defaults (file modes, host path type...). */
export function defaultVolume(v: Volume): void {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) v.emptyDir = {};
  if (v.secret) v.secret.defaultMode ??= FILE_MODE_0644;
  if (v.configMap) v.configMap.defaultMode ??= FILE_MODE_0644;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= FILE_MODE_0644;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ||= 'v1';
  }
  if (v.projected) {
    v.projected.defaultMode ??= FILE_MODE_0644;
    for (const s of v.projected.sources ?? []) {
      if (s.serviceAccountToken) s.serviceAccountToken.expirationSeconds ??= 3600;
      for (const item of s.downwardAPI?.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ||= 'v1';
    }
  }
  if (v.hostPath) v.hostPath.type ??= '';
  const claimSpec = v.ephemeral?.volumeClaimTemplate?.spec;
  if (claimSpec) claimSpec.volumeMode ??= 'Filesystem';
}

/**
 * SetDefaults_PodSpec and everything under a pod spec: what every pod template gets (upstream
 * leaves the pod-only defaults of SetDefaults_Pod out of templates).
 */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c as Container);
}

export function defaultPodTemplateSpec(t: PodTemplateSpec | undefined): void {
  if (!t) return;
  defaultPodSpec((t.spec ??= { containers: [] }));
}

/** Requests default to limits for each resource with a limit but no request (pods only). */
function requestsFromLimits(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    const limits = c.resources?.limits;
    if (!limits) continue;
    const requests = (c.resources!.requests ??= {});
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
  }
}

/** With host networking every container port is a host port (SetDefaults_Pod). */
function hostNetworkPorts(containers: Container[] | undefined): void {
  for (const c of containers ?? []) for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
}

/** SetDefaults_Pod then SetDefaults_PodSpec: everything a created or updated pod gets. */
export function defaultPod(pod: Pod): void {
  const spec = (pod.spec ??= { containers: [] });
  requestsFromLimits(spec.containers);
  requestsFromLimits(spec.initContainers);
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    hostNetworkPorts(spec.containers);
    hostNetworkPorts(spec.initContainers);
  }
  defaultPodSpec(spec);
}
