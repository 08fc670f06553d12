// networking.k8s.io/v1 NetworkPolicy: TCP and policyTypes defaults, ValidateNetworkPolicySpec
// (selectors, ports, peers, ipBlocks) and printNetworkPolicy.
import type { IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { labelSelectorString, validateLabelSelector } from '../../../apimachinery/labels.js';
import { isValidPortName, isValidPortNum } from '../../core/v1/container-validation.js';
import { PORT_PROTOCOLS, cidrStrictSubset, parseCIDR, validateCIDR } from '../../core/v1/endpoints.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';

const POLICY_TYPES = ['Ingress', 'Egress'];

function defaults(np: NetworkPolicy): void {
  const spec = (np.spec ??= { podSelector: {} });
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of rule.ports ?? []) p.protocol ??= 'TCP';
  // A policy without types restricts ingress, and egress too when it has egress rules.
  if (!spec.policyTypes?.length) spec.policyTypes = spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
}

function validatePort(port: NetworkPolicyPort, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol !== undefined && !PORT_PROTOCOLS.includes(port.protocol)) {
    errs.push(notSupported(path.child('protocol'), port.protocol, ['TCP', 'UDP', 'SCTP']));
  }
  const end = port.endPort;
  if (typeof port.port === 'number') {
    errs.push(...isValidPortNum(port.port).map((m) => invalid(path.child('port'), port.port, m)));
    if (end !== undefined) {
      if (end < port.port) errs.push(invalid(path.child('endPort'), end, 'must be greater than or equal to `port`'));
      errs.push(...isValidPortNum(end).map((m) => invalid(path.child('endPort'), end, m)));
    }
  } else if (typeof port.port === 'string') {
    if (end !== undefined) errs.push(invalid(path.child('endPort'), end, 'may not be specified when `port` is non-numeric'));
    errs.push(...isValidPortName(port.port).map((m) => invalid(path.child('port'), port.port, m)));
  } else if (end !== undefined) errs.push(invalid(path.child('endPort'), end, 'may not be specified when `port` is not specified'));
  return errs;
}

/** upstream ValidateIPBlock; CIDRs the stored policy already had are not re-validated. */
function validateIPBlock(block: IPBlock, path: FieldPath, existing: Set<string>): FieldError[] {
  if (!block.cidr) return [required(path.child('cidr'))];
  const check = (p: FieldPath, v: string) => (existing.has(v) ? [] : validateCIDR(p, v));
  const errs = check(path.child('cidr'), block.cidr);
  if (!parseCIDR(block.cidr)) return errs;
  (block.except ?? []).forEach((e, i) => {
    const p = path.child('except').index(i);
    errs.push(...check(p, e));
    if (parseCIDR(e) && !cidrStrictSubset(block.cidr, e)) errs.push(invalid(p, e, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validatePeer(peer: NetworkPolicyPeer, path: FieldPath, existing: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (peer.podSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.podSelector, path.child('podSelector')));
  }
  if (peer.namespaceSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, path.child('namespaceSelector')));
  }
  if (peer.ipBlock) {
    n++;
    errs.push(...validateIPBlock(peer.ipBlock, path.child('ipBlock'), existing));
  }
  if (n === 0) errs.push(required(path, 'must specify a peer'));
  else if (n > 1 && peer.ipBlock) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

function cidrsOf(np: NetworkPolicy | undefined): Set<string> {
  const out = new Set<string>();
  for (const peer of [...(np?.spec?.ingress ?? []).flatMap((r) => r.from ?? []), ...(np?.spec?.egress ?? []).flatMap((r) => r.to ?? [])]) {
    if (peer.ipBlock) [peer.ipBlock.cidr, ...(peer.ipBlock.except ?? [])].forEach((c) => out.add(c));
  }
  return out;
}

function validate(np: NetworkPolicy, old?: NetworkPolicy): FieldError[] {
  const spec = np.spec ?? { podSelector: {} };
  const sp = FieldPath.root('spec');
  const existing = cidrsOf(old);
  const errs = validateLabelSelector(spec.podSelector ?? {}, sp.child('podSelector'));
  (spec.ingress ?? []).forEach((rule, i) => {
    const p = sp.child('ingress').index(i);
    (rule.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, p.child('ports').index(j))));
    (rule.from ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, p.child('from').index(j), existing)));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    const p = sp.child('egress').index(i);
    (rule.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, p.child('ports').index(j))));
    (rule.to ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, p.child('to').index(j), existing)));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > 2) return [...errs, invalid(sp.child('policyTypes'), types, 'may not specify more than two policyTypes')];
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(t)) errs.push(notSupported(sp.child('policyTypes').index(i), t, POLICY_TYPES));
  });
  return errs;
}

export const networkPolicyResource: ResourceDefinition<NetworkPolicy> = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  singular: 'networkpolicy',
  namespaced: true,
  shortNames: ['netpol'],
  tracksGeneration: true,
  defaults,
  validate: (np) => validate(np),
  validateUpdate: (np, old) => validate(np, old),
  table: {
    columns: [
      NAME_COLUMN,
      {
        name: 'Pod-Selector',
        type: 'string',
        description: 'Selects the pods to which this NetworkPolicy object applies. An empty podSelector matches all pods in this namespace.',
        priority: 0,
      },
      AGE_COLUMN,
    ],
    cells: (np, now) => [np.metadata?.name ?? '', labelSelectorString(np.spec?.podSelector ?? {}), age(np.metadata?.creationTimestamp, now)],
  },
};
