// networking.k8s.io/v1 IngressClass: the Cluster scope default for parameters, the controller name
// (a domain-prefixed path, fixed once set) and printIngressClass.
import type { IngressClass, IngressClassParametersReference } from 'kubernetes-types/networking/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required, tooLong } from '../../../apimachinery/field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPathSegmentName } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';

const SCOPES = ['Cluster', 'Namespace'];
const HTTP_PATH = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${HTTP_PATH}$`);

/** upstream IsDomainPrefixedPath: "acme.io/foo". */
export function validateDomainPrefixedPath(path: FieldPath, value: string): FieldError[] {
  if (!value) return [required(path)];
  const slash = value.indexOf('/');
  const [host, rest] = slash < 0 ? [value, ''] : [value.slice(0, slash), value.slice(slash + 1)];
  if (slash < 0 || !host || !rest) return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => invalid(path, host, m));
  if (!httpPathRe.test(rest)) errs.push(invalid(path, rest, `Invalid path (regex used for validation is '${HTTP_PATH}')`));
  return errs;
}

function validateParameters(params: IngressClassParametersReference | undefined, path: FieldPath): FieldError[] {
  if (!params) return [];
  const errs: FieldError[] = [];
  if (params.apiGroup !== undefined) errs.push(...isDNS1123Subdomain(params.apiGroup).map((m) => invalid(path.child('apiGroup'), params.apiGroup, m)));
  for (const f of ['kind', 'name'] as const) {
    if (!params[f]) errs.push(required(path.child(f)));
    else errs.push(...isValidPathSegmentName(params[f]).map((m) => invalid(path.child(f), params[f], m)));
  }
  if (params.scope === undefined) return [...errs, required(path.child('scope'))];
  if (!SCOPES.includes(params.scope)) errs.push(notSupported(path.child('scope'), params.scope, SCOPES));
  else if (params.scope === 'Namespace') {
    if (params.namespace === undefined) errs.push(required(path.child('namespace'), "`parameters.scope` is set to 'Namespace'"));
    else errs.push(...isDNS1123Label(params.namespace).map((m) => invalid(path.child('namespace'), params.namespace, m)));
  } else if (params.namespace !== undefined) errs.push(forbidden(path.child('namespace'), "`parameters.scope` is set to 'Cluster'"));
  return errs;
}

function validate(ic: IngressClass): FieldError[] {
  const sp = FieldPath.root('spec');
  const errs: FieldError[] = [];
  const controller = ic.spec?.controller ?? '';
  if (!controller) errs.push(required(sp.child('controller')));
  else {
    if (controller.length > 250) errs.push(tooLong(sp.child('controller'), '', 250));
    errs.push(...validateDomainPrefixedPath(sp.child('controller'), controller));
  }
  errs.push(...validateParameters(ic.spec?.parameters, sp.child('parameters')));
  return errs;
}

export const ingressClassResource: ResourceDefinition<IngressClass> = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  singular: 'ingressclass',
  namespaced: false,
  tracksGeneration: true,
  defaults(ic) {
    if (ic.spec?.parameters) ic.spec.parameters.scope ??= 'Cluster';
  },
  validate,
  validateUpdate(ic, old) {
    const errs: FieldError[] = [];
    if ((ic.spec?.controller ?? '') !== (old.spec?.controller ?? '')) {
      errs.push(invalid(FieldPath.root('spec').child('controller'), ic.spec?.controller ?? '', 'field is immutable'));
    }
    return [...errs, ...validate(ic)];
  },
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Controller', type: 'string', description: 'Controller that is responsible for handling this class', priority: 0 },
      { name: 'Parameters', type: 'string', description: 'A reference to a resource with additional parameters', priority: 0 },
      AGE_COLUMN,
    ],
    cells: (ic, now) => {
      const p = ic.spec?.parameters;
      const params = p ? `${p.kind}${p.apiGroup !== undefined ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
      return [ic.metadata?.name ?? '', ic.spec?.controller ?? '', params, age(ic.metadata?.creationTimestamp, now)];
    },
  },
};
