// core/v1 Service: defaulting (SetDefaults_Service and the ipFamilyPolicy the allocator infers),
// the strategy's clusterIP/clusterIPs syncing and type-change clean-up, ValidateService and
// printService. Allocation of cluster IPs and node ports is done elsewhere, before validate().
import type { Service, ServicePort, ServiceSpec, SessionAffinityConfig } from 'kubernetes-types/core/v1.js';
import {
  type FieldError,
  FieldPath,
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
} from '../../../apimachinery/field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, validateLabels } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, NAME_COLUMN, age, formatLabels } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { isValidPortNum, validatePortNumOrName } from './container-validation.js';
import { PORT_PROTOCOLS, ipFamily, validateCIDR, validateIP, validateNonSpecialIP } from './endpoints.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const MAX_AFFINITY_SECONDS = 86400;
const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035Re = new RegExp(`^${DNS1035_LABEL}$`);

/** upstream IsDNS1035Label (service names, CRD names and versions). */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!dns1035Re.test(value)) {
    errs.push(
      `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${DNS1035_LABEL}')`,
    );
  }
  return errs;
}

type Spec = ServiceSpec;
const specOf = (s: Service): Spec => s.spec ?? {};
const isHeadless = (s: Spec) => s.clusterIPs?.length === 1 && s.clusterIPs[0] === 'None';
const externallyAccessible = (s: Spec) =>
  s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && (s.externalIPs?.length ?? 0) > 0);
const needsHealthCheck = (s: Spec) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
const needsClusterIP = (s: Spec) => s.type !== 'ExternalName';
const needsNodePort = (s: Spec) => s.type === 'NodePort' || s.type === 'LoadBalancer';
const sameJSON = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function defaults(svc: Service): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  spec.type ||= 'ClusterIP';
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts ??= true;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
  }
  // The allocator's initIPFamilyFields: two families mean dual-stack; headless services without
  // a selector ask for every family the cluster has; all others get one.
  if (spec.type !== 'ExternalName' && spec.ipFamilyPolicy === undefined) {
    const headlessSelectorless = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
    spec.ipFamilyPolicy = spec.ipFamilies?.length === 2 || headlessSelectorless ? 'RequireDualStack' : 'SingleStack';
  }
}

/** The strategy's normalizeClusterIPs: old clients set only clusterIP, new ones both. */
function normalizeClusterIPs(spec: Spec, old?: Spec): void {
  if (!old) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  // An old client patching other fields drops clusterIPs.
  if (old.clusterIPs?.length && !spec.clusterIPs?.length && old.clusterIP === spec.clusterIP) {
    spec.clusterIPs = old.clusterIPs;
  }
  if (old.clusterIP !== spec.clusterIP && sameJSON(old.clusterIPs, spec.clusterIPs)) {
    if (old.clusterIP && !spec.clusterIP) delete spec.clusterIPs;
    else spec.clusterIPs = [spec.clusterIP ?? ''];
  }
}

/** The REST update's patchAllocatedValues: resubmitting the created YAML keeps what was allocated. */
function patchAllocatedValues(spec: Spec, old: Spec): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs?.length && old.clusterIPs?.length) spec.clusterIPs = old.clusterIPs;
  }
  if (needsNodePort(old) && needsNodePort(spec)) {
    const inNew = new Set((spec.ports ?? []).map((p) => p.nodePort).filter(Boolean));
    const used = new Set((old.ports ?? []).map((p) => p.nodePort).filter((n) => n && inNew.has(n)));
    const byName = new Map((old.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const p of spec.ports ?? []) {
      const oldPort = byName.get(p.name ?? '') ?? 0;
      if (!p.nodePort && oldPort && !used.has(oldPort)) p.nodePort = oldPort;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(spec) && !spec.healthCheckNodePort) {
    spec.healthCheckNodePort = old.healthCheckNodePort;
  }
}

/** The strategy's dropTypeDependentFields: changing type clears what the old type needed, if unchanged. */
function dropTypeDependentFields(svc: Service, spec: Spec, old: Spec): void {
  if (needsClusterIP(old) && !needsClusterIP(spec)) {
    if (sameJSON(old.clusterIPs, spec.clusterIPs) && (old.clusterIP ?? '') === (spec.clusterIP ?? '')) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameJSON(old.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if (old.ipFamilyPolicy === spec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  const nodePorts = (s: Spec) => (s.ports ?? []).map((p) => p.nodePort ?? 0);
  if (needsNodePort(old) && !needsNodePort(spec) && sameJSON(nodePorts(old), nodePorts(spec))) {
    for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(spec) && old.healthCheckNodePort === spec.healthCheckNodePort) {
    delete spec.healthCheckNodePort;
  }
  if (old.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (old.allocateLoadBalancerNodePorts !== undefined && old.allocateLoadBalancerNodePorts === spec.allocateLoadBalancerNodePorts) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (old.loadBalancerClass === spec.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(spec) && old.externalTrafficPolicy === spec.externalTrafficPolicy) {
    delete spec.externalTrafficPolicy;
  }
  // Load-balancer status goes with the type.
  if (spec.type !== 'LoadBalancer') (svc as Mutable<Service>).status = { ...svc.status, loadBalancer: {} };
}

function validateAffinityConfig(config: SessionAffinityConfig | undefined, path: FieldPath): FieldError[] {
  const why = 'when session affinity type is ClientIP';
  if (!config) return [required(path, why)];
  if (!config.clientIP) return [required(path.child('clientIP'), why)];
  const t = config.clientIP.timeoutSeconds;
  const tPath = path.child('clientIP', 'timeoutSeconds');
  if (t === undefined) return [required(tPath, why)];
  if (t <= 0 || t > MAX_AFFINITY_SECONDS) {
    return [invalid(tPath, t, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`)];
  }
  return [];
}

function validatePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(required(path.child('name')));
  else if (sp.name) {
    errs.push(...isDNS1123Label(sp.name).map((m) => invalid(path.child('name'), sp.name, m)));
    if (names.has(sp.name)) errs.push(duplicate(path.child('name'), sp.name));
    else names.add(sp.name);
  }
  errs.push(...isValidPortNum(sp.port ?? 0).map((m) => invalid(path.child('port'), sp.port ?? 0, m)));
  if (!sp.protocol) errs.push(required(path.child('protocol')));
  else if (!PORT_PROTOCOLS.includes(sp.protocol)) errs.push(notSupported(path.child('protocol'), sp.protocol, PORT_PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, path.child('targetPort')));
  if (sp.appProtocol !== undefined) {
    errs.push(...isQualifiedName(sp.appProtocol).map((m) => invalid(path.child('appProtocol'), sp.appProtocol, m)));
  }
  return errs;
}

/** upstream ValidateServiceClusterIPsRelatedFields. */
function validateClusterIPs(spec: Spec): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ipsPath = FieldPath.root('spec').child('clusterIPs');
  const ips = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (!ips.length) errs.push(required(ipsPath));
    else if (ips[0] !== spec.clusterIP) errs.push(invalid(ipsPath, ips, 'first value must match `clusterIP`'));
  } else if (ips.length) {
    errs.push(invalid(ipsPath, ips, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    const p = FieldPath.root('spec').child('ipFamilies').index(i);
    if (!IP_FAMILIES.includes(f)) errs.push(notSupported(p, f, IP_FAMILIES));
    if (seen.has(f)) errs.push(duplicate(p, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy !== undefined && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported(FieldPath.root('spec').child('ipFamilyPolicy'), spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalid(ipsPath, ips, "'None' must be the first and only value"));
      }
      return;
    }
    const e = validateIP(ipsPath.index(i), ip);
    if (e.length) badIPs = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalid(ipsPath, ips, 'may only hold up to 2 values'));
  // Later messages would only repeat bad addresses.
  if (badIPs) return errs;
  if (ips.length > 1 && new Set(ips.map(ipFamily)).size !== ips.length) {
    errs.push(invalid(ipsPath, ips, 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(spec)) {
    ips.forEach((ip, i) => {
      const fam = spec.ipFamilies?.[i];
      if (fam === 'IPv4' && ipFamily(ip) === 6) {
        errs.push(invalid(ipsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      }
      if (fam === 'IPv6' && ipFamily(ip) !== 6) {
        errs.push(invalid(ipsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
      }
    });
  }
  return errs;
}

function validateLoadBalancerClass(spec: Spec): FieldError[] {
  const path = FieldPath.root('spec').child('loadBalancerClass');
  const errs: FieldError[] = [];
  if (spec.loadBalancerClass !== undefined) {
    if (spec.type === 'LoadBalancer') errs.push(...isQualifiedName(spec.loadBalancerClass).map((m) => invalid(path, spec.loadBalancerClass, m)));
    else errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

function validateService(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(svc);
  const sp = FieldPath.root('spec');
  // Service names are DNS-1035 labels; the store checks the DNS-1123 label rules, so only the
  // remaining difference (a leading digit) is reported here.
  const name = svc.metadata?.name;
  if (name && isDNS1123Label(name).length === 0) {
    errs.push(...isDNS1035Label(name).map((m) => invalid(FieldPath.root('metadata').child('name'), name, m)));
  }
  const headless = isHeadless(spec);
  if (!spec.ports?.length && !headless && spec.type !== 'ExternalName') errs.push(required(sp.child('ports')));
  if ((spec.type === 'LoadBalancer' || spec.type === 'NodePort') && headless) {
    errs.push(invalid(sp.child('clusterIPs').index(0), 'None', `may not be set to 'None' for ${spec.type} services`));
  } else if (spec.type === 'ExternalName') {
    for (const f of ['clusterIPs', 'ipFamilies'] as const) {
      if (spec[f]?.length) errs.push(forbidden(sp.child(f), 'may not be set for ExternalName services'));
    }
    if (spec.ipFamilyPolicy !== undefined) errs.push(forbidden(sp.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
    // A trailing dot marks a fully qualified CNAME.
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (cname) errs.push(...isDNS1123Subdomain(cname).map((m) => invalid(sp.child('externalName'), cname, m)));
    else errs.push(required(sp.child('externalName')));
  }
  const names = new Set<string>();
  const ports = spec.ports ?? [];
  ports.forEach((p, i) => errs.push(...validatePort(p, ports.length > 1, names, sp.child('ports').index(i))));
  if (spec.selector) errs.push(...validateLabels(spec.selector, sp.child('selector')));
  if (!spec.sessionAffinity) errs.push(required(sp.child('sessionAffinity')));
  else if (!AFFINITIES.includes(spec.sessionAffinity)) errs.push(notSupported(sp.child('sessionAffinity'), spec.sessionAffinity, AFFINITIES));
  if (spec.sessionAffinity === 'ClientIP') errs.push(...validateAffinityConfig(spec.sessionAffinityConfig, sp.child('sessionAffinityConfig')));
  else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbidden(sp.child('sessionAffinityConfig'), 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPs(spec));
  (spec.externalIPs ?? []).forEach((ip, i) => {
    const e = validateIP(sp.child('externalIPs').index(i), ip);
    errs.push(...(e.length ? e : validateNonSpecialIP(ip, sp.child('externalIPs').index(i))));
  });
  if (!spec.type) errs.push(required(sp.child('type')));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(notSupported(sp.child('type'), spec.type, SERVICE_TYPES));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(sp.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    if (p.nodePort) {
      const k = `${p.protocol}/${p.nodePort}`;
      if (nodePorts.has(k)) errs.push(duplicate(sp.child('ports').index(i).child('nodePort'), p.nodePort));
      nodePorts.add(k);
    }
    const k = `${p.protocol}/${p.port}`;
    if (portKeys.has(k)) errs.push(duplicate(sp.child('ports').index(i), { port: p.port, protocol: p.protocol }));
    portKeys.add(k);
  });
  errs.push(...validateSourceRanges(svc));
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.type !== 'LoadBalancer') {
    errs.push(forbidden(sp.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  }
  // Upstream's path here lacks the "spec." prefix.
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) errs.push(required('allocateLoadBalancerNodePorts'));
  errs.push(...validateLoadBalancerClass(spec));
  errs.push(...validateTrafficPolicies(spec));
  return errs;
}

function validateSourceRanges(svc: Service): FieldError[] {
  const spec = specOf(svc);
  const errs: FieldError[] = [];
  const notLB = spec.type !== 'LoadBalancer';
  if (spec.loadBalancerSourceRanges?.length) {
    // Upstream's path is capitalised like this.
    const p = FieldPath.root('spec').child('LoadBalancerSourceRanges');
    if (notLB) errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    // Values may be space-padded, a leftover of the annotation they replaced.
    spec.loadBalancerSourceRanges.forEach((v, i) => errs.push(...validateCIDR(p.index(i), v.trim())));
  } else if (svc.metadata?.annotations?.[SOURCE_RANGES_ANNOTATION] !== undefined) {
    const p = FieldPath.root('metadata').child('annotations').key(SOURCE_RANGES_ANNOTATION);
    if (notLB) errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    const val = svc.metadata.annotations[SOURCE_RANGES_ANNOTATION]!.trim();
    if (val) for (const v of val.split(',')) errs.push(...validateCIDR(p, v.trim()));
  }
  return errs;
}

function validateTrafficPolicies(spec: Spec): FieldError[] {
  const errs: FieldError[] = [];
  const sp = FieldPath.root('spec');
  const etp = spec.externalTrafficPolicy;
  if (!externallyAccessible(spec)) {
    if (etp) errs.push(invalid(sp.child('externalTrafficPolicy'), etp, 'may only be set for externally-accessible services'));
  } else if (!etp) errs.push(required(sp.child('externalTrafficPolicy')));
  else if (!TRAFFIC_POLICIES.includes(etp)) errs.push(notSupported(sp.child('externalTrafficPolicy'), etp, TRAFFIC_POLICIES));
  const hc = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(spec)) {
    if (hc !== 0) {
      errs.push(invalid(sp.child('healthCheckNodePort'), hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (hc !== 0) errs.push(...isValidPortNum(hc).map((m) => invalid(sp.child('healthCheckNodePort'), hc, m)));
  // hc === 0 here: the API server allocates one after validation (upstream allocates before it).
  const itp = spec.internalTrafficPolicy;
  if (itp === undefined && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type ?? '')) {
    errs.push(required(sp.child('internalTrafficPolicy')));
  }
  if (itp !== undefined && !TRAFFIC_POLICIES.includes(itp)) errs.push(notSupported(sp.child('internalTrafficPolicy'), itp, TRAFFIC_POLICIES));
  const td = (spec as { trafficDistribution?: string }).trafficDistribution;
  if (td !== undefined && td !== 'PreferClose') errs.push(notSupported(sp.child('trafficDistribution'), td, ['PreferClose']));
  return errs;
}

/** validateUpgradeDowngradeClusterIPs / IPFamilies: primary values never change outside ExternalName. */
function validateIPChanges(spec: Spec, old: Spec): FieldError[] {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ipsPath = FieldPath.root('spec').child('clusterIPs');
  const policyPath = FieldPath.root('spec').child('ipFamilyPolicy');
  const [ips, oldIPs] = [spec.clusterIPs ?? [], old.clusterIPs ?? []];
  if (!(isHeadless(old) && isHeadless(spec))) {
    if (oldIPs.length === ips.length) {
      oldIPs.forEach((ip, i) => ip !== ips[i] && errs.push(invalid(ipsPath.index(i), ips, 'may not change once set')));
    } else if (oldIPs.length > ips.length) {
      if (!ips.length) errs.push(invalid(ipsPath.index(0), ips, 'primary clusterIP can not be unset'));
      if (ips.length && ips[0] !== oldIPs[0]) errs.push(invalid(ipsPath.index(0), ips, 'may not change once set'));
      if (ips.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
        errs.push(invalid(policyPath, spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (oldIPs.length && ips[0] !== oldIPs[0]) errs.push(invalid(ipsPath.index(0), ips, 'may not change once set'));
  }
  if (isHeadless(spec) || isHeadless(old)) return errs;
  const famPath = FieldPath.root('spec').child('ipFamilies').index(0);
  const [fams, oldFams] = [spec.ipFamilies ?? [], old.ipFamilies ?? []];
  if (oldFams.length === fams.length) {
    oldFams.forEach((f, i) => f !== fams[i] && errs.push(invalid(famPath, fams, 'may not change once set')));
  } else if (oldFams.length > fams.length) {
    if (!ips.length) errs.push(invalid(famPath, fams, 'primary ipFamily can not be unset'));
    if (fams.length && fams[0] !== oldFams[0]) errs.push(invalid(famPath, ips, 'may not change once set'));
    if (fams.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid(policyPath, spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (oldFams.length && fams.length && fams[0] !== oldFams[0]) errs.push(invalid(famPath, ips, 'may not change once set'));
  return errs;
}

function validateUpdate(svc: Service, old: Service): FieldError[] {
  const [spec, oldSpec] = [specOf(svc), specOf(old)];
  const errs = validateIPChanges(spec, oldSpec);
  if (oldSpec.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && oldSpec.loadBalancerClass !== spec.loadBalancerClass) {
    errs.push(invalid(FieldPath.root('spec').child('loadBalancerClass'), spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (needsHealthCheck(oldSpec) && needsHealthCheck(spec) && spec.healthCheckNodePort !== oldSpec.healthCheckNodePort) {
    errs.push(forbidden(FieldPath.root('spec').child('healthCheckNodePort'), 'field is immutable'));
  }
  return [...errs, ...validateService(svc)];
}

/** upstream ValidateLoadBalancerStatus, for status updates. */
function validateLoadBalancerStatus(svc: Service): FieldError[] {
  const path = FieldPath.root('status').child('loadBalancer').child('ingress');
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (svc.spec?.type !== 'LoadBalancer' && ingress.length) {
    return [forbidden(path, "may only be used when `spec.type` is 'LoadBalancer'")];
  }
  const errs: FieldError[] = [];
  ingress.forEach((ing, i) => {
    const p = path.index(i);
    if (ing.ip) errs.push(...validateIP(p.child('ip'), ing.ip));
    if (ing.ipMode === undefined) {
      if (ing.ip) errs.push(required(p.child('ipMode'), 'must be specified when `ip` is set'));
    } else if (!ing.ip) errs.push(forbidden(p.child('ipMode'), 'may not be specified when `ip` is not set'));
    else if (!['Proxy', 'VIP'].includes(ing.ipMode)) errs.push(notSupported(p.child('ipMode'), ing.ipMode, ['Proxy', 'VIP']));
    if (ing.hostname) {
      errs.push(...isDNS1123Subdomain(ing.hostname).map((m) => invalid(p.child('hostname'), ing.hostname, m)));
      if (ipFamily(ing.hostname)) errs.push(invalid(p.child('hostname'), ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** upstream makePortString: 80/TCP, or 80:30080/TCP with a node port. */
export function portString(ports: ServicePort[] | undefined): string {
  const s = (ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
  return s || '<none>';
}

/** upstream getServiceExternalIP (with the wide load-balancer list, as the server always prints). */
export function externalIP(svc: Service): string {
  const spec = specOf(svc);
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean))].sort();
      if (external.length) return [...lb, ...external].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

const col = (name: string, description: string, priority = 0) => ({ name, type: 'string' as const, description, priority });

export const serviceResource: ResourceDefinition<Service> = {
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: { status: true },
  nameValidation: 'dns1123Label',
  tracksGeneration: false,
  defaults,
  prepareForCreate(svc) {
    (svc as Mutable<Service>).status = { loadBalancer: {} };
    normalizeClusterIPs((svc.spec ??= {}));
  },
  prepareForUpdate(svc, old) {
    const spec = (svc.spec ??= {});
    patchAllocatedValues(spec, specOf(old));
    normalizeClusterIPs(spec, specOf(old));
    dropTypeDependentFields(svc, spec, specOf(old));
  },
  validate: validateService,
  validateUpdate,
  validateStatusUpdate: (svc) => validateLoadBalancerStatus(svc),
  selectableFields: (svc) => ({ 'spec.clusterIP': svc.spec?.clusterIP ?? '', 'spec.type': svc.spec?.type ?? '' }),
  table: {
    columns: [
      NAME_COLUMN,
      col('Type', 'type determines how the Service is exposed.'),
      col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
      col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
      col('Port(s)', 'The list of ports that are exposed by this service.'),
      AGE_COLUMN,
      col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', 1),
    ],
    cells: (svc, now) => [
      svc.metadata?.name ?? '',
      svc.spec?.type ?? '',
      svc.spec?.clusterIPs?.[0] ?? '<none>',
      externalIP(svc),
      portString(svc.spec?.ports),
      age(svc.metadata?.creationTimestamp, now),
      formatLabels(svc.spec?.selector),
    ],
  },
};
