// apiextensions.k8s.io/v1 CustomResourceDefinition: names/conversion defaults, stored versions kept
// by the strategy, and ValidateCustomResourceDefinition (group, scope, names, versions, per-version
// schema presence, columns, scale paths, conversion, API approval). Paths name upstream's internal
// fields where they differ (spec.conversion.webhookClientConfig). Structural-schema checks beyond
// the root type are not done here.
import type {
  CustomResourceColumnDefinition,
  CustomResourceConversion,
  CustomResourceDefinition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionSpec,
  CustomResourceDefinitionVersion,
} from 'kubernetes-types/apiextensions/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { createdAtTable } from '../../core/v1/limitrange.js';
import { isDNS1035Label } from '../../core/v1/service.js';
import type { Mutable, ResourceDefinition } from '../../types.js';

const SCOPES = ['Cluster', 'Namespaced'];
const COLUMN_TYPES = 'boolean,date,integer,number,string';
const COLUMN_FORMATS = 'byte,date,date-time,double,float,int32,int64,password';
const APPROVAL_ANNOTATION = 'api-approved.kubernetes.io';
const REVIEW_VERSIONS = ['v1', 'v1beta1'];

type Spec = CustomResourceDefinitionSpec;
const storageVersion = (spec: Spec | undefined) => spec?.versions?.find((v) => v.storage)?.name;

function defaults(crd: CustomResourceDefinition): void {
  const spec = (crd.spec ??= {} as Spec);
  const names = (spec.names ??= {} as CustomResourceDefinitionNames);
  if (!names.singular) names.singular = (names.kind ?? '').toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
  if (spec.conversion.webhook?.clientConfig?.service) spec.conversion.webhook.clientConfig.service.port ??= 443;
  const storage = storageVersion(spec);
  const status = crd.status as Mutable<NonNullable<CustomResourceDefinition['status']>> | undefined;
  if (status && !status.storedVersions?.length && storage) status.storedVersions = [storage];
}

/** upstream ValidateCustomResourceDefinitionNames (spec.names and status.acceptedNames). */
export function validateNames(names: Partial<CustomResourceDefinitionNames> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const label = (field: 'plural' | 'singular', v?: string) => {
    const e = v ? isDNS1035Label(v) : [];
    if (e.length) errs.push(invalid(path.child(field), v, e.join(',')));
  };
  label('plural', names?.plural);
  label('singular', names?.singular);
  for (const field of ['kind', 'listKind'] as const) {
    const v = names?.[field];
    const e = v ? isDNS1035Label(v.toLowerCase()) : [];
    if (e.length) errs.push(invalid(path.child(field), v, `may have mixed case, but should otherwise match: ${e.join(',')}`));
  }
  (names?.shortNames ?? []).forEach((s, i) => {
    const e = isDNS1035Label(s);
    if (e.length) errs.push(invalid(path.child('shortNames').index(i), s, e.join(',')));
  });
  if (names?.kind && names.kind === names.listKind) errs.push(invalid(path.child('listKind'), names.listKind, 'kind and listKind may not be the same'));
  (names?.categories ?? []).forEach((c, i) => {
    const e = isDNS1035Label(c);
    if (e.length) errs.push(invalid(path.child('categories').index(i), c, e.join(',')));
  });
  return errs;
}

function validateColumn(c: CustomResourceColumnDefinition, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(p.child('name')));
  if (!c.type) errs.push(required(p.child('type'), `must be one of ${COLUMN_TYPES}`));
  else if (!COLUMN_TYPES.split(',').includes(c.type)) errs.push(invalid(p.child('type'), c.type, `must be one of ${COLUMN_TYPES}`));
  if (c.format && !COLUMN_FORMATS.split(',').includes(c.format)) errs.push(invalid(p.child('format'), c.format, `must be one of ${COLUMN_FORMATS}`));
  if (!c.jsonPath) errs.push(required(p.child('jsonPath')));
  return errs;
}

function validateVersion(v: CustomResourceDefinitionVersion, p: FieldPath, requireSchema: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const nameErrs = isDNS1035Label(v.name ?? '');
  if (nameErrs.length) errs.push(invalid(p.child('name'), v.name ?? '', nameErrs.join(',')));
  if (!v.deprecated && v.deprecationWarning !== undefined) errs.push(invalid(p.child('deprecationWarning'), v.deprecationWarning, 'can only be set for deprecated versions'));
  const schema = v.schema?.openAPIV3Schema;
  const sp = p.child('schema').child('openAPIV3Schema');
  if (!schema) {
    if (requireSchema) errs.push(required(sp, 'schemas are required'));
  } else if (!schema.type) errs.push(required(sp.child('type'), 'must not be empty at the root'));
  else if (schema.type !== 'object') errs.push(invalid(sp.child('type'), schema.type, 'must be object at the root'));
  const scale = v.subresources?.scale;
  if (scale) {
    const scp = p.child('subresources');
    const under = (field: string, value: string | undefined, prefixes: string[], msg: string) => {
      if (!value) return field !== 'scale.labelSelectorPath' && errs.push(required(scp.child(field)));
      if (!prefixes.some((x) => value.startsWith(x))) errs.push(invalid(scp.child(field), value, msg));
    };
    under('scale.specReplicasPath', scale.specReplicasPath, ['.spec.'], 'should be a json path under .spec');
    under('scale.statusReplicasPath', scale.statusReplicasPath, ['.status.'], 'should be a json path under .status');
    under('scale.labelSelectorPath', scale.labelSelectorPath, ['.spec.', '.status.'], 'should be a json path under either .spec or .status');
  }
  (v.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validateColumn(c, p.child('additionalPrinterColumns').index(i))));
  return errs;
}

function validateConversion(conv: CustomResourceConversion | undefined, preserveUnknown: boolean, p: FieldPath): FieldError[] {
  if (!conv) return [];
  const errs: FieldError[] = [];
  if (conv.strategy !== 'None' && preserveUnknown) errs.push(invalid(p.child('strategy'), conv.strategy, 'must be None if spec.preserveUnknownFields is true'));
  if (!conv.strategy) errs.push(required(p.child('strategy')));
  else if (!['None', 'Webhook'].includes(conv.strategy)) errs.push(notSupported(p.child('strategy'), conv.strategy, ['None', 'Webhook']));
  const cc = conv.webhook?.clientConfig;
  const versions = conv.webhook?.conversionReviewVersions ?? [];
  if (conv.strategy === 'Webhook') {
    if (!cc) errs.push(required(p.child('webhookClientConfig'), 'required when strategy is set to Webhook'));
    else if ((cc.url === undefined) === (cc.service === undefined)) errs.push(required(p.child('webhookClientConfig'), 'exactly one of url or service is required'));
    const vp = p.child('conversionReviewVersions');
    if (!versions.length) errs.push(required(vp));
    else if (!versions.some((v) => REVIEW_VERSIONS.includes(v))) errs.push(invalid(vp, versions, `must include at least one of ${REVIEW_VERSIONS.join(', ')}`));
  } else {
    if (cc) errs.push(forbidden(p.child('webhookClientConfig'), 'should not be set when strategy is not set to Webhook'));
    if (versions.length) errs.push(forbidden(p.child('conversionReviewVersions'), 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function validateSpec(spec: Spec, requireSchema: boolean): FieldError[] {
  const sp = FieldPath.root('spec');
  const errs: FieldError[] = [];
  const group = spec.group ?? '';
  const groupErrs = isDNS1123Subdomain(group);
  if (!group) errs.push(required(sp.child('group')));
  else if (groupErrs.length) errs.push(invalid(sp.child('group'), group, groupErrs.join(',')));
  else if (group.split('.').length < 2) errs.push(invalid(sp.child('group'), group, 'should be a domain with at least one dot'));
  if (!spec.scope) errs.push(required(sp.child('scope')));
  else if (!SCOPES.includes(spec.scope)) errs.push(notSupported(sp.child('scope'), spec.scope, SCOPES));
  const versions = spec.versions ?? [];
  versions.forEach((v, i) => errs.push(...validateVersion(v, sp.child('versions').index(i), requireSchema)));
  if (new Set(versions.map((v) => v.name)).size !== versions.length) errs.push(invalid(sp.child('versions'), versions, 'must contain unique version names'));
  if (versions.filter((v) => v.storage).length !== 1) errs.push(invalid(sp.child('versions'), versions, 'must have exactly one version marked as storage version'));
  for (const f of ['plural', 'singular', 'kind', 'listKind'] as const) if (!spec.names?.[f]) errs.push(required(sp.child('names', f)));
  errs.push(...validateNames(spec.names, sp.child('names')));
  errs.push(...validateConversion(spec.conversion, spec.preserveUnknownFields === true, sp.child('conversion')));
  return errs;
}

/** upstream ValidateCustomResourceDefinitionStoredVersions. */
function validateStoredVersions(crd: CustomResourceDefinition): FieldError[] {
  const stored = crd.status?.storedVersions ?? [];
  const path = FieldPath.root('status').child('storedVersions');
  if (!stored.length) return [invalid(path, stored, 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const remaining = new Map(stored.map((v, i) => [v, i]));
  for (const v of crd.spec?.versions ?? []) {
    if (v.storage && !remaining.has(v.name)) errs.push(invalid(path, v, `must have the storage version ${v.name}`));
    remaining.delete(v.name);
  }
  for (const [v, i] of remaining) errs.push(invalid(path.index(i), v, 'must appear in spec.versions'));
  return errs;
}

/** Groups under k8s.io and kubernetes.io need an approval annotation (a URL, or "unapproved..."). */
function approvalState(crd: CustomResourceDefinition): 'missing' | 'invalid' | 'ok' {
  const v = crd.metadata?.annotations?.[APPROVAL_ANNOTATION];
  if (v === undefined) return 'missing';
  if (v.startsWith('unapproved')) return 'ok';
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$|^\/\S*$/.test(v) ? 'ok' : 'invalid';
}

function validateApproval(crd: CustomResourceDefinition, old?: CustomResourceDefinition): FieldError[] {
  const g = crd.spec?.group ?? '';
  const protectedGroup = g === 'k8s.io' || g.endsWith('.k8s.io') || g === 'kubernetes.io' || g.endsWith('.kubernetes.io');
  if (!protectedGroup) return [];
  const state = approvalState(crd);
  if ((old && approvalState(old) === state) || state === 'ok') return [];
  const p = FieldPath.root('metadata').child('annotations').key(APPROVAL_ANNOTATION);
  if (state === 'missing') {
    return [required(p, `protected groups must have approval annotation "${APPROVAL_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`)];
  }
  return [
    invalid(
      p,
      crd.metadata?.annotations?.[APPROVAL_ANNOTATION],
      `protected groups must have approval annotation "${APPROVAL_ANNOTATION}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`,
    ),
  ];
}

function validateCommon(crd: CustomResourceDefinition, requireSchema: boolean, old?: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const want = `${crd.spec?.names?.plural ?? ''}.${crd.spec?.group ?? ''}`;
  const name = crd.metadata?.name ?? '';
  if (name && name !== want) errs.push(invalid(FieldPath.root('metadata').child('name'), name, 'must be spec.names.plural+"."+spec.group'));
  errs.push(...validateSpec(crd.spec ?? ({} as Spec), requireSchema));
  errs.push(...validateNames(crd.status?.acceptedNames, FieldPath.root('status').child('acceptedNames')));
  errs.push(...validateStoredVersions(crd), ...validateApproval(crd, old));
  if (crd.spec?.preserveUnknownFields && !old?.spec?.preserveUnknownFields) {
    errs.push(invalid(FieldPath.root('spec').child('preserveUnknownFields'), true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  return errs;
}

function validateUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  // Older objects without schemas may stay so; new ones must have them.
  const requireSchema = (old.spec?.versions ?? []).every((v) => v.schema?.openAPIV3Schema);
  const errs = validateCommon(crd, requireSchema, old);
  const sp = FieldPath.root('spec');
  const immutable = (path: FieldPath, a: string | undefined, b: string | undefined) => {
    if ((a ?? '') !== (b ?? '')) errs.push(invalid(path, a ?? '', 'field is immutable'));
  };
  // Scope and kind decide storage and may not change once the names are accepted.
  if (old.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) {
    immutable(sp.child('scope'), crd.spec?.scope, old.spec?.scope);
    immutable(sp.child('names', 'kind'), crd.spec?.names?.kind, old.spec?.names?.kind);
  }
  // Group and plural make up the object's name.
  immutable(sp.child('group'), crd.spec?.group, old.spec?.group);
  immutable(sp.child('names', 'plural'), crd.spec?.names?.plural, old.spec?.names?.plural);
  return errs;
}

export const customResourceDefinitionResource: ResourceDefinition<CustomResourceDefinition> = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  subresources: { status: true },
  tracksGeneration: true,
  defaults,
  prepareForCreate(crd) {
    const storage = storageVersion(crd.spec);
    (crd as Mutable<CustomResourceDefinition>).status = {
      acceptedNames: { plural: '', kind: '' },
      storedVersions: storage ? [storage] : [],
    };
  },
  prepareForUpdate(crd) {
    // A new storage version joins the stored versions (the old status was kept by the store).
    const storage = storageVersion(crd.spec);
    const status = ((crd as Mutable<CustomResourceDefinition>).status ??= {});
    if (storage && !status.storedVersions?.includes(storage)) status.storedVersions = [...(status.storedVersions ?? []), storage];
  },
  validate: (crd) => validateCommon(crd, true),
  validateUpdate,
  validateStatusUpdate: (crd) => validateNames(crd.status?.acceptedNames, FieldPath.root('status').child('acceptedNames')),
  table: createdAtTable<CustomResourceDefinition>(),
};
