// core/v1 Node: allocatable defaults to capacity; ValidateNode / ValidateNodeUpdate (taints, pod
// CIDRs, resource quantities, what may change once set); printNode. Nodes may set status on create.
import type { Node, NodeSpec, Taint } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, duplicate, forbidden, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { isQualifiedName, isValidLabelValue } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { ipFamily, parseCIDR, validateCIDR } from './endpoints.js';
import { validateResourceQuantityValue } from './resourcequota.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

function defaults(node: Node): void {
  const status = node.status as Mutable<NonNullable<Node['status']>> | undefined;
  if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
}

/** upstream validateNodeTaints. `path` is metadata.taints: upstream passes the metadata path. */
function validateTaints(taints: Taint[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  (taints ?? []).forEach((t, i) => {
    const p = path.index(i);
    errs.push(...isQualifiedName(t.key ?? '').map((m) => invalid(p.child('key'), t.key, m)));
    const valueErrs = isValidLabelValue(t.value ?? '');
    if (valueErrs.length) errs.push(invalid(p.child('value'), t.value ?? '', valueErrs.join(';')));
    if (!t.effect) errs.push(required(p.child('effect')));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(p.child('effect'), t.effect, TAINT_EFFECTS));
    const keys = seen.get(t.effect) ?? new Set();
    if (keys.has(t.key)) {
      const d = duplicate(p, t);
      errs.push({ ...d, message: `${d.message}: taints must be unique by key and effect pair` });
      return;
    }
    seen.set(t.effect, keys.add(t.key));
  });
  return errs;
}

function validateResources(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  // Upstream's paths here use the resource name as a path segment, not a key.
  for (const [k, v] of Object.entries(node.status?.capacity ?? {})) {
    errs.push(...validateResourceQuantityValue(k, v, FieldPath.root('status').child('capacity', k)));
  }
  for (const [k, v] of Object.entries(node.status?.allocatable ?? {})) {
    errs.push(...validateResourceQuantityValue(k, v, FieldPath.root('status').child('allocatable', k)));
  }
  return errs;
}

function validatePodCIDRs(spec: NodeSpec): FieldError[] {
  const cidrs = spec.podCIDRs ?? [];
  const path = FieldPath.root('spec').child('podCIDRs');
  const errs = cidrs.flatMap((c, i) => validateCIDR(path.index(i), c));
  if (cidrs.length > 1) {
    const families = cidrs.map((c) => {
      const parsed = parseCIDR(c);
      return parsed ? ipFamily(c.slice(0, c.indexOf('/'))) : 0;
    });
    const dualStack = cidrs.length === 2 && families.every((f) => f !== 0) && families[0] !== families[1];
    if (!dualStack) errs.push(invalid(path, cidrs, 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(duplicate(path.index(i), c));
      seen.add(c);
    });
  }
  return errs;
}

function validate(node: Node): FieldError[] {
  const errs = validateTaints(node.spec?.taints, FieldPath.root('metadata').child('taints'));
  errs.push(...validateResources(node));
  errs.push(...validatePodCIDRs(node.spec ?? {}));
  return errs;
}

function validateUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateResources(node);
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const k = `${a.type}\u0000${a.address}`;
    if (seen.has(k)) errs.push(duplicate(FieldPath.root('status').child('addresses').index(i), a));
    seen.add(k);
  });
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const cidrs = node.spec?.podCIDRs ?? [];
  // The controller manager may assign pod CIDRs once; after that they are fixed.
  if (oldCIDRs.length) {
    const msg = 'node updates may not change podCIDR except from "" to valid';
    if (oldCIDRs.length !== cidrs.length) errs.push(forbidden(FieldPath.root('spec').child('podCIDRs'), msg));
    else oldCIDRs.forEach((c, i) => c !== cidrs[i] && errs.push(forbidden(FieldPath.root('spec').child('podCIDRs'), msg)));
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(forbidden(FieldPath.root('spec').child('providerID'), 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateTaints(node.spec?.taints, FieldPath.root('metadata').child('taints')));
  if ((node.spec?.externalID ?? '') !== (old.spec?.externalID ?? '')) {
    errs.push(forbidden(FieldPath.root('spec').child('externalID'), 'may not be updated'));
  }
  return errs;
}

/** upstream findNodeRoles: node-role.kubernetes.io/<role> keys and the kubernetes.io/role value. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === ROLE_LABEL && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

/** Ready, NotReady or Unknown from the Ready condition, then SchedulingDisabled when cordoned. */
export function nodeStatus(node: Node): string {
  // The last Ready condition wins, as in upstream's condition map.
  const ready = [...(node.status?.conditions ?? [])].reverse().find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const address = (node: Node, type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
const col = (name: string, description: string, priority = 0) => ({ name, type: 'string' as const, description, priority });

export const nodeResource: ResourceDefinition<Node> = {
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  subresources: { status: true },
  tracksGeneration: false,
  defaults,
  prepareForCreate(node) {
    // The dynamic kubelet configuration these carried is gone upstream; the fields are dropped.
    if (node.spec) delete node.spec.configSource;
    if (node.status) delete (node.status as Mutable<NonNullable<Node['status']>>).config;
  },
  prepareForUpdate(node, old) {
    if (!old.spec?.configSource && node.spec) delete node.spec.configSource;
  },
  validate,
  validateUpdate,
  validateStatusUpdate: validateUpdate,
  selectableFields: (node) => ({ 'spec.unschedulable': String(node.spec?.unschedulable ?? false) }),
  table: {
    columns: [
      NAME_COLUMN,
      col('Status', 'The status of the node'),
      col('Roles', 'The roles of the node'),
      AGE_COLUMN,
      col('Version', 'Kubelet Version reported by the node.'),
      col('Internal-IP', 'List of addresses reachable to the node.', 1),
      col('External-IP', 'List of addresses reachable to the node.', 1),
      col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
      col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
      col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
    ],
    cells: (node, now) => {
      const info = node.status?.nodeInfo;
      return [
        node.metadata?.name ?? '',
        nodeStatus(node),
        nodeRoles(node),
        age(node.metadata?.creationTimestamp, now),
        info?.kubeletVersion ?? '',
        address(node, 'InternalIP'),
        address(node, 'ExternalIP'),
        info?.osImage || '<unknown>',
        info?.kernelVersion || '<unknown>',
        info?.containerRuntimeVersion || '<unknown>',
      ];
    },
  },
};
