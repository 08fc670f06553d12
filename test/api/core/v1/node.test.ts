import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { nodeResource as def } from '../../../../src/api/core/v1/node.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const node = (o: Partial<Node> = {}): Node => ({ metadata: { name: 'n1' }, ...o });

describe('nodes', () => {
  test('discovery facts', () => {
    assert.deepEqual(
      [def.plural, def.singular, def.shortNames, def.namespaced, def.subresources, def.nameValidation ?? 'dns1123Subdomain'],
      ['nodes', 'node', ['no'], false, { status: true }, 'dns1123Subdomain'],
    );
  });

  test('allocatable defaults to capacity, and status survives create', () => {
    const n = node({ status: { capacity: { cpu: '4', memory: '8Gi' } } });
    def.defaults!(n);
    def.prepareForCreate!(n);
    assert.deepEqual(n.status?.allocatable, { cpu: '4', memory: '8Gi' });
    const given = node({ status: { capacity: { cpu: '4' }, allocatable: { cpu: '3' } } });
    def.defaults!(given);
    assert.deepEqual(given.status?.allocatable, { cpu: '3' });
  });

  test('the retired dynamic kubelet config is dropped, unless an old node still uses it', () => {
    const created = node({ spec: { configSource: { configMap: { name: 'c', namespace: 'kube-system', kubeletConfigKey: 'k' } } } });
    def.prepareForCreate!(created);
    assert.equal(created.spec!.configSource, undefined);
    const source = { configMap: { name: 'c', namespace: 'kube-system', kubeletConfigKey: 'k' } };
    const upd = node({ spec: { configSource: source } });
    def.prepareForUpdate!(upd, node({ spec: { configSource: source } }));
    assert.deepEqual(upd.spec!.configSource, source);
    def.prepareForUpdate!(upd, node());
    assert.equal(upd.spec!.configSource, undefined);
  });

  test('validation', () => {
    const cases: [string, Partial<Node>, string[]][] = [
      ['valid', { spec: { podCIDRs: ['10.244.0.0/24', 'fd00::/64'], taints: [{ key: 'a', effect: 'NoSchedule' }] } }, []],
      // Upstream reports taints under metadata.
      ['taint effect required', { spec: { taints: [{ key: 'a', effect: '' }] } }, ['FieldValueRequired metadata.taints[0].effect']],
      ['taint effect enum', { spec: { taints: [{ key: 'a', effect: 'Evict' }] } }, ['FieldValueNotSupported metadata.taints[0].effect']],
      ['taint key', { spec: { taints: [{ key: 'bad key', effect: 'NoSchedule' }] } }, ['FieldValueInvalid metadata.taints[0].key']],
      ['duplicate taint', { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', value: 'x', effect: 'NoSchedule' }] } }, ['FieldValueDuplicate metadata.taints[1]']],
      ['same key, other effect', { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoExecute' }] } }, []],
      ['bad pod CIDR', { spec: { podCIDRs: ['10.244.0.0/99'] } }, ['FieldValueInvalid spec.podCIDRs[0]']],
      ['two CIDRs of one family', { spec: { podCIDRs: ['10.0.0.0/24', '10.1.0.0/24'] } }, ['FieldValueInvalid spec.podCIDRs']],
      ['negative capacity', { status: { capacity: { cpu: '-1' } } }, ['FieldValueInvalid status.capacity.cpu']],
      ['fractional pods', { status: { allocatable: { pods: '1500m' } } }, ['FieldValueInvalid status.allocatable.pods']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!(node(o))), want, name);
    const dup = def.validate!(node({ spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }] } }));
    assert.match(dup[0]!.message, /^Duplicate value: .*: taints must be unique by key and effect pair$/);
  });

  test('updates: pod CIDRs and provider ID are set once; cordoning is allowed', () => {
    const old = node({ spec: { podCIDRs: ['10.244.1.0/24'], providerID: 'kind://n1' } });
    const cases: [Partial<Node>, string[]][] = [
      [{ spec: { podCIDRs: ['10.244.1.0/24'], providerID: 'kind://n1', unschedulable: true } }, []],
      [{ spec: { podCIDRs: ['10.244.2.0/24'], providerID: 'kind://n1' } }, ['FieldValueForbidden spec.podCIDRs']],
      [{ spec: { podCIDRs: ['10.244.1.0/24'], providerID: 'other' } }, ['FieldValueForbidden spec.providerID']],
      [{ spec: { podCIDRs: ['10.244.1.0/24'], providerID: 'kind://n1' }, status: { addresses: [{ type: 'InternalIP', address: '1.1.1.1' }, { type: 'InternalIP', address: '1.1.1.1' }] } },
        ['FieldValueDuplicate status.addresses[1]']],
    ];
    for (const [o, want] of cases) assert.deepEqual(summary(def.validateUpdate!(node(o), old)), want, JSON.stringify(o));
    assert.deepEqual(def.validateUpdate!(node({ spec: { podCIDRs: ['10.244.0.0/24'] } }), node()), [], 'first assignment is allowed');
  });

  test('golden rows and spec.unschedulable', () => {
    const now = new Date('2024-01-11T00:00:00Z');
    const ready = (status: string) => [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status }];
    const info = { kubeletVersion: 'v1.30.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.7', architecture: '', bootID: '', kubeProxyVersion: '', machineID: '', operatingSystem: '', systemUUID: '' };
    const cases: [Node, unknown[]][] = [
      [
        node({
          metadata: { name: 'cp', creationTimestamp: '2024-01-01T00:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master' } },
          status: { conditions: ready('True'), nodeInfo: info, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'cp' }] },
        }),
        ['cp', 'Ready', 'control-plane,master', '10d', 'v1.30.0', '10.0.0.1', '<none>', 'Debian', '6.1', 'containerd://1.7'],
      ],
      [
        node({ metadata: { name: 'w', creationTimestamp: '2024-01-10T00:00:00Z' }, spec: { unschedulable: true }, status: { conditions: ready('Unknown') } }),
        ['w', 'NotReady,SchedulingDisabled', '<none>', '24h', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
      ],
      [node({ metadata: { name: 'new' } }), ['new', 'Unknown', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']],
    ];
    for (const [n, row] of cases) assert.deepEqual(def.table!.cells(n, now), row);
    assert.deepEqual(
      def.table!.columns.filter((c) => c.priority === 0).map((c) => c.name),
      ['Name', 'Status', 'Roles', 'Age', 'Version'],
    );
    assert.deepEqual(def.selectableFields!(node({ spec: { unschedulable: true } })), { 'spec.unschedulable': 'true' });
    assert.deepEqual(def.selectableFields!(node()), { 'spec.unschedulable': 'false' });
  });
});
