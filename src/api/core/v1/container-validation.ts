// Container validation with upstream's messages (pkg/apis/core/validation: validateContainers,
// validateInitContainers, validateContainerCommon and what they call).
import type {
  Container,
  ContainerPort,
  LifecycleHandler,
  Probe,
  Volume,
  VolumeMount,
} from 'kubernetes-types/core/v1.js';
import {
  duplicate,
  type FieldError,
  type FieldPath,
  forbidden,
  invalid,
  notFoundField,
  notSupported,
  required,
} from '../../../apimachinery/field-errors.js';
import { isDNS1123Label } from '../../../apimachinery/validation.js';
import { validateEnv, validateEnvFrom } from './env-validation.js';
import { validateResourceRequirements } from './resource-validation.js';

/** What container validation needs to know about the pod around it. */
export interface ContainerContext {
  /** The pod's volumes by name (only those that validated). */
  volumes: ReadonlyMap<string, Volume>;
  gracePeriod?: number;
}

/** upstream IsValidPortNum. */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** upstream IsValidPortName (IANA_SVC_NAME). */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens (--)');
  if (port.startsWith('-') || port.endsWith('-')) errs.push('must not begin or end with a hyphen (-)');
  return errs;
}

/** upstream ValidatePortNumOrName, for probe and handler ports. */
export function validatePortNumOrName(port: number | string | undefined, path: FieldPath): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  return isValidPortNum(0).map((m) => invalid(path, 0, m));
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validatePorts(ports: ContainerPort[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [i, port] of (ports ?? []).entries()) {
    const p = path.index(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) for (const m of msgs) errs.push(invalid(p.child('name'), port.name, m));
      else if (names.has(port.name)) errs.push(duplicate(p.child('name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(p.child('containerPort')));
    else for (const m of isValidPortNum(port.containerPort)) errs.push(invalid(p.child('containerPort'), port.containerPort, m));
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(invalid(p.child('hostPort'), port.hostPort, m));
    if (!port.protocol) errs.push(required(p.child('protocol')));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, PROTOCOLS));
  }
  return errs;
}

/** Host ports must not collide (protocol, host IP and port) among containers running together. */
function hostPortConflicts(containers: Container[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [ci, c] of containers.entries()) {
    for (const [pi, port] of (c.ports ?? []).entries()) {
      if (!port.hostPort) continue;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    }
  }
  return errs;
}

/** upstream validateLocalDescendingPath (subPath): relative, no '..' element. */
function validateLocalDescendingPath(value: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (value.startsWith('/')) errs.push(invalid(path, value, 'must be a relative path'));
  if (value.split(/[/\\]/).includes('..')) errs.push(invalid(path, value, "must not contain '..'"));
  return errs;
}

function validateVolumeMounts(mounts: VolumeMount[] | undefined, ctx: ContainerContext, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  for (const [i, m] of (mounts ?? []).entries()) {
    const p = path.index(i);
    if (!m.name) errs.push(required(p.child('name')));
    if (!ctx.volumes.has(m.name)) errs.push(notFoundField(p.child('name'), m.name));
    if (!m.mountPath) errs.push(required(p.child('mountPath')));
    if (mountPoints.has(m.mountPath)) errs.push(invalid(p.child('mountPath'), m.mountPath, 'must be unique'));
    mountPoints.add(m.mountPath);
    // Upstream reports subPath problems on the list path (volumeMounts.subPath), not the entry.
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, path.child('subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(invalid(p.child('subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, path.child('subPathExpr')));
    }
  }
  return errs;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

type Handler = Pick<LifecycleHandler, 'exec' | 'httpGet' | 'tcpSocket' | 'sleep'> & Pick<Probe, 'grpc'>;

/** upstream validateHandler: exactly one of exec, httpGet, tcpSocket, grpc (probes), sleep (hooks). */
function validateHandler(h: Handler, gracePeriod: number | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let handlers = 0;
  const one = (name: string, check: () => FieldError[]) => {
    if (handlers > 0) errs.push(forbidden(path.child(name), 'may not specify more than 1 handler type'));
    else {
      handlers++;
      errs.push(...check());
    }
  };
  if (h.exec) one('exec', () => (h.exec!.command?.length ? [] : [required(path.child('exec', 'command'))]));
  if (h.httpGet) {
    one('httpGet', () => {
      const hp = path.child('httpGet');
      const e: FieldError[] = [];
      if (!h.httpGet!.path) e.push(required(hp.child('path')));
      e.push(...validatePortNumOrName(h.httpGet!.port, hp.child('port')));
      const scheme = h.httpGet!.scheme ?? '';
      if (scheme !== 'HTTP' && scheme !== 'HTTPS') e.push(notSupported(hp.child('scheme'), scheme, ['HTTP', 'HTTPS']));
      return e;
    });
  }
  if (h.tcpSocket) one('tcpSocket', () => validatePortNumOrName(h.tcpSocket!.port, path.child('tcpSocket', 'port')));
  if (h.grpc) one('grpc', () => validatePortNumOrName(h.grpc!.port, path.child('grpc', 'port')));
  if (h.sleep) {
    one('sleep', () => {
      const s = h.sleep!.seconds;
      if (gracePeriod === undefined || (s >= 0 && s <= gracePeriod)) return [];
      return [invalid(path.child('sleep'), s, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`)];
    });
  }
  if (handlers === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

const nonNegative = (v: number | undefined, path: FieldPath): FieldError[] =>
  v !== undefined && v < 0 ? [invalid(path, v, 'must be greater than or equal to 0')] : [];

type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

function validateProbe(probe: Probe | undefined, kind: ProbeKind, gracePeriod: number | undefined, path: FieldPath): FieldError[] {
  if (!probe) return [];
  const { exec, httpGet, tcpSocket, grpc } = probe;
  const errs = validateHandler({ exec, httpGet, tcpSocket, grpc }, gracePeriod, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...nonNegative(probe[f], path.child(f)));
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (tgps !== undefined && tgps <= 0) errs.push(invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  if (kind !== 'readinessProbe' && probe.successThreshold !== 1) {
    errs.push(invalid(path.child('successThreshold'), probe.successThreshold ?? 0, 'must be 1'));
  }
  if (kind === 'readinessProbe' && tgps !== undefined) {
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must not be set for readinessProbes'));
  }
  return errs;
}

function validateProbesAndLifecycle(c: Container, gracePeriod: number | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop'] as const) {
    const h = c.lifecycle?.[hook];
    if (h) errs.push(...validateHandler(h, gracePeriod, path.child('lifecycle', hook)));
  }
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    errs.push(...validateProbe(c[kind], kind, gracePeriod, path.child(kind)));
  }
  return errs;
}

function validateSecurityContext(c: Container, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const sc = c.securityContext;
  for (const f of ['runAsUser', 'runAsGroup'] as const) {
    const v = sc?.[f];
    if (v !== undefined && (v < 0 || v > 2147483647)) errs.push(invalid(path.child(f), v, 'must be between 0 and 2147483647, inclusive'));
  }
  return errs;
}

/** upstream validateContainerCommon: what every kind of container must satisfy. */
export function validateContainerCommon(c: Container, ctx: ContainerContext, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(path.child('name')));
  else for (const m of isDNS1123Label(c.name)) errs.push(invalid(path.child('name'), c.name, m));
  if (!c.image) errs.push(required(path.child('image')));
  const tmp = c.terminationMessagePolicy ?? '';
  if (!tmp) errs.push(required(path.child('terminationMessagePolicy')));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(tmp)) {
    errs.push(notSupported(path.child('terminationMessagePolicy'), tmp, TERMINATION_MESSAGE_POLICIES));
  }
  errs.push(...validatePorts(c.ports, path.child('ports')));
  errs.push(...validateEnv(c.env, path.child('env')));
  errs.push(...validateEnvFrom(c.envFrom, path.child('envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, ctx, path.child('volumeMounts')));
  const pull = c.imagePullPolicy ?? '';
  if (!pull) errs.push(required(path.child('imagePullPolicy')));
  else if (!PULL_POLICIES.includes(pull)) errs.push(notSupported(path.child('imagePullPolicy'), pull, PULL_POLICIES));
  errs.push(...validateResourceRequirements(c.resources, path.child('resources')));
  errs.push(...validateSecurityContext(c, path.child('securityContext')));
  return errs;
}

/** upstream validateContainers: the regular containers (at least one, unique names). */
export function validateContainers(containers: Container[] | undefined, ctx: ContainerContext, path: FieldPath): FieldError[] {
  if (!containers?.length) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [i, c] of containers.entries()) {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (names.has(c.name)) errs.push(duplicate(p.child('name'), c.name));
    else names.add(c.name);
    errs.push(...validateProbesAndLifecycle(c, ctx.gracePeriod, p));
    if (c.restartPolicy !== undefined) errs.push(forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'));
  }
  errs.push(...hostPortConflicts(containers, path));
  return errs;
}

/** upstream validateInitContainers: names unique among all containers; sidecars may have probes. */
export function validateInitContainers(
  containers: Container[] | undefined,
  regular: Container[] | undefined,
  ctx: ContainerContext,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set((regular ?? []).map((c) => c.name));
  for (const [i, c] of (containers ?? []).entries()) {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, ctx, p));
    let sidecar = false;
    if (c.restartPolicy !== undefined) {
      if (c.restartPolicy === 'Always') sidecar = true;
      else errs.push(notSupported(p.child('restartPolicy'), c.restartPolicy, ['Always']));
    }
    if (names.has(c.name)) errs.push(duplicate(p.child('name'), c.name));
    else if (c.name) names.add(c.name);
    // Init containers run one at a time: host ports only conflict within one container.
    errs.push(...hostPortConflicts([c], path));
    if (sidecar) {
      errs.push(...validateProbesAndLifecycle(c, ctx.gracePeriod, p));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (c[f]) errs.push(forbidden(p.child(f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  }
  return errs;
}

/** Pod-only container checks (templates may carry placeholder images upstream tolerates). */
export function validateContainersOnlyForPod(containers: Container[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, c] of (containers ?? []).entries()) {
    if (c.image && c.image !== c.image.trim()) {
      errs.push(invalid(path.index(i).child('image'), c.image, 'must not have leading or trailing whitespace'));
    }
  }
  return errs;
}
