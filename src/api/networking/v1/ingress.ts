// networking.k8s.io/v1 Ingress: ValidateIngressCreate / Update (rules, paths, backends, TLS hosts),
// the load-balancer status rules, and printIngress.
import type { HTTPIngressPath, Ingress, IngressBackend, IngressRule, IngressSpec } from 'kubernetes-types/networking/v1.js';
import { type FieldError, FieldPath, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../../../apimachinery/validation.js';
import { isValidPortName, isValidPortNum } from '../../core/v1/container-validation.js';
import { ipFamily, validateIP } from '../../core/v1/endpoints.js';
import { isDNS1035Label } from '../../core/v1/service.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_SUFFIXES = ['/..', '/.'];
const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const DNS1123_SUBDOMAIN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const wildcardRe = new RegExp(`^\\*\\.${DNS1123_SUBDOMAIN}$`);

/** upstream IsWildcardDNS1123Subdomain. */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!wildcardRe.test(value)) {
    errs.push(
      `a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.${DNS1123_SUBDOMAIN}')`,
    );
  }
  return errs;
}

const hostErrors = (host: string) => (host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host));

function validateBackend(b: IngressBackend, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (b.resource && b.service) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (b.resource) {
    const r = b.resource;
    const rp = path.child('resource');
    if (r.apiGroup !== undefined) errs.push(...isDNS1123Subdomain(r.apiGroup).map((m) => invalid(rp.child('apiGroup'), r.apiGroup, m)));
    for (const f of ['kind', 'name'] as const) {
      if (!r[f]) errs.push(required(rp.child(f)));
      else errs.push(...isValidPathSegmentName(r[f]).map((m) => invalid(rp.child(f), r[f], m)));
    }
    return errs;
  }
  if (!b.service) return [invalid(path, '', 'resource or service backend is required')];
  const s = b.service;
  if (!s.name) errs.push(required(path.child('service', 'name')));
  // Backend services are named as Services are: DNS-1035 labels.
  else errs.push(...isDNS1035Label(s.name).map((m) => invalid(path.child('service', 'name'), s.name, m)));
  const name = s.port?.name ?? '';
  const num = s.port?.number ?? 0;
  if (name && num) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (name) errs.push(...isValidPortName(name).map((m) => invalid(path.child('service', 'port', 'name'), name, m)));
  else if (num) errs.push(...isValidPortNum(num).map((m) => invalid(path.child('service', 'port', 'number'), num, m)));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validatePath(p: HTTPIngressPath, path: FieldPath): FieldError[] {
  if (!p.pathType) return [required(path.child('pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = p.path ?? '';
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalid(path.child('path'), value, 'must be an absolute path'));
    for (const seq of INVALID_SEQUENCES) if (value.includes(seq)) errs.push(invalid(path.child('path'), value, `must not contain '${seq}'`));
    for (const suf of INVALID_SUFFIXES) if (value.endsWith(suf)) errs.push(invalid(path.child('path'), value, `cannot end with '${suf}'`));
  } else if (p.pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(invalid(path.child('path'), value, 'must be an absolute path'));
  } else errs.push(notSupported(path.child('pathType'), p.pathType, PATH_TYPES));
  errs.push(...validateBackend(p.backend ?? {}, path.child('backend')));
  return errs;
}

function validateRules(rules: IngressRule[], path: FieldPath, oldSpec?: IngressSpec): FieldError[] {
  // Stored wildcard rules that no longer validate keep being accepted.
  const tolerateWildcard = (oldSpec?.rules ?? []).some((r) => r.host?.includes('*') && validateRuleValue(r, path).length > 0);
  const errs: FieldError[] = [];
  rules.forEach((r, i) => {
    const p = path.index(i);
    const host = r.host ?? '';
    if (host) {
      if (ipFamily(host)) errs.push(invalid(p.child('host'), host, 'must be a DNS name, not an IP address'));
      errs.push(...hostErrors(host).map((m) => invalid(p.child('host'), host, m)));
    }
    if (!host.includes('*') || !tolerateWildcard) errs.push(...validateRuleValue(r, p));
  });
  return errs;
}

function validateRuleValue(r: IngressRule, p: FieldPath): FieldError[] {
  if (!r.http) return [];
  const hp = p.child('http');
  const errs: FieldError[] = [];
  if (!r.http.paths?.length) errs.push(required(hp.child('paths')));
  (r.http.paths ?? []).forEach((x, j) => errs.push(...validatePath(x, hp.child('paths').index(j))));
  return errs;
}

function validateSpec(ingress: Ingress, old?: Ingress): FieldError[] {
  const spec = ingress.spec ?? {};
  const sp = FieldPath.root('spec');
  const errs: FieldError[] = [];
  if (!spec.rules?.length && !spec.defaultBackend) errs.push(invalid(sp, spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, sp.child('defaultBackend')));
  if (spec.rules?.length) errs.push(...validateRules(spec.rules, sp.child('rules'), old?.spec));
  const secretOK = (n?: string) => !n || isDNS1123Subdomain(n).length === 0;
  // Stored TLS secret names that no longer validate keep being accepted.
  const tolerateSecret = (old?.spec?.tls ?? []).some((t) => !secretOK(t.secretName));
  (spec.tls ?? []).forEach((t, i) => {
    const tp = sp.child('tls').index(i);
    (t.hosts ?? []).forEach((h, j) => errs.push(...hostErrors(h).map((m) => invalid(tp.child('hosts').index(j), h, m))));
    if (!tolerateSecret && t.secretName) errs.push(...isDNS1123Subdomain(t.secretName).map((m) => invalid(tp.child('secretName'), t.secretName, m)));
  });
  if (spec.ingressClassName !== undefined) {
    errs.push(...isDNS1123Subdomain(spec.ingressClassName).map((m) => invalid(sp.child('ingressClassName'), spec.ingressClassName, m)));
  }
  return errs;
}

function validateCreate(ingress: Ingress): FieldError[] {
  const errs = validateSpec(ingress);
  const annotation = ingress.metadata?.annotations?.[CLASS_ANNOTATION];
  const cls = ingress.spec?.ingressClassName;
  if (annotation !== undefined && cls !== undefined && annotation !== cls) {
    // Upstream's path here starts at "annotations".
    errs.push(invalid(FieldPath.root('annotations').child(CLASS_ANNOTATION), annotation, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

function validateStatus(ingress: Ingress, old: Ingress): FieldError[] {
  const existing = new Set((old.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter(Boolean));
  const path = FieldPath.root('status').child('loadBalancer').child('ingress');
  const errs: FieldError[] = [];
  (ingress.status?.loadBalancer?.ingress ?? []).forEach((ing, i) => {
    const p = path.index(i);
    // Addresses already stored are not re-validated.
    if (ing.ip && !existing.has(ing.ip)) errs.push(...validateIP(p.child('ip'), ing.ip));
    if (ing.hostname) {
      errs.push(...isDNS1123Subdomain(ing.hostname).map((m) => invalid(p.child('hostname'), ing.hostname, m)));
      if (ipFamily(ing.hostname)) errs.push(invalid(p.child('hostname'), ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** upstream formatHosts: up to three hosts, "*" when no rule names one. */
export function formatHosts(rules: IngressRule[] | undefined): string {
  const list: string[] = [];
  let more = false;
  for (const r of rules ?? []) {
    if (list.length === 3) more = true;
    if (!more && r.host) list.push(r.host);
  }
  if (!list.length) return '*';
  return more ? `${list.join(',')} + ${(rules?.length ?? 0) - 3} more...` : list.join(',');
}

const col = (name: string, description: string) => ({ name, type: 'string' as const, description, priority: 0 });

export const ingressResource: ResourceDefinition<Ingress> = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  singular: 'ingress',
  namespaced: true,
  shortNames: ['ing'],
  subresources: { status: true },
  tracksGeneration: true,
  prepareForCreate(ingress) {
    (ingress as Mutable<Ingress>).status = { loadBalancer: {} };
  },
  validate: validateCreate,
  validateUpdate: (ingress, old) => validateSpec(ingress, old),
  validateStatusUpdate: validateStatus,
  table: {
    columns: [
      NAME_COLUMN,
      col('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
      col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
      col('Address', 'Address is a list containing ingress points for the load-balancer'),
      col('Ports', 'Ports of TLS configurations that open'),
      AGE_COLUMN,
    ],
    cells: (ing, now) => [
      ing.metadata?.name ?? '',
      ing.spec?.ingressClassName ?? '<none>',
      formatHosts(ing.spec?.rules),
      [...new Set((ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean))].sort().join(','),
      ing.spec?.tls?.length ? '80, 443' : '80',
      age(ing.metadata?.creationTimestamp, now),
    ],
  },
};
