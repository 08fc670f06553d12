import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NetworkPolicy, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import { networkPolicyResource as def } from '../../../../src/api/networking/v1/networkpolicy.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const np = (spec: Partial<NetworkPolicySpec>): NetworkPolicy => ({ metadata: { name: 'deny', namespace: 'default' }, spec: { podSelector: {}, ...spec } });

describe('networkpolicies', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.plural, def.shortNames, def.tracksGeneration], ['networking.k8s.io', 'networkpolicies', ['netpol'], true]);
  });

  test('defaults: TCP ports and policy types', () => {
    const cases: [Partial<NetworkPolicySpec>, string[]][] = [
      [{}, ['Ingress']],
      [{ egress: [{}] }, ['Ingress', 'Egress']],
      [{ policyTypes: ['Egress'] }, ['Egress']],
    ];
    for (const [spec, want] of cases) {
      const p = np(spec);
      def.defaults!(p);
      assert.deepEqual(p.spec!.policyTypes, want);
    }
    const p = np({ ingress: [{ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] });
    def.defaults!(p);
    assert.deepEqual(p.spec!.ingress![0]!.ports!.map((x) => x.protocol), ['TCP', 'UDP']);
  });

  test('validation', () => {
    const cases: [string, Partial<NetworkPolicySpec>, string[]][] = [
      ['valid', { ingress: [{ from: [{ podSelector: { matchLabels: { a: 'b' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 80, endPort: 90 }] }] }, []],
      ['peer required', { ingress: [{ from: [{}] }] }, ['FieldValueRequired spec.ingress[0].from[0]']],
      ['ipBlock alone', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }, ['FieldValueForbidden spec.egress[0].to[0]']],
      ['cidr syntax', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0' } }] }] }, ['FieldValueInvalid spec.ingress[0].from[0].ipBlock.cidr']],
      ['except inside cidr', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }] }] }, ['FieldValueInvalid spec.ingress[0].from[0].ipBlock.except[0]']],
      ['endPort after port', { ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }, ['FieldValueInvalid spec.ingress[0].ports[0].endPort']],
      ['endPort with named port', { ingress: [{ ports: [{ port: 'http', endPort: 80 }] }] }, ['FieldValueInvalid spec.ingress[0].ports[0].endPort']],
      ['protocol', { ingress: [{ ports: [{ protocol: 'ICMP' }] }] }, ['FieldValueNotSupported spec.ingress[0].ports[0].protocol']],
      ['policy types', { policyTypes: ['Ingress', 'Sideways'] }, ['FieldValueNotSupported spec.policyTypes[1]']],
      ['pod selector', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } }, ['FieldValueInvalid spec.podSelector.matchExpressions[0].operator']],
    ];
    for (const [name, s, want] of cases) assert.deepEqual(summary(def.validate!(np(s))), want, name);
    // Stored CIDRs are not re-validated on update.
    const old = np({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1' } }] }] });
    assert.deepEqual(def.validateUpdate!(old, old), []);
  });

  test('POD-SELECTOR', () => {
    const now = new Date('2024-01-01T00:00:04Z');
    const meta = { name: 'deny', creationTimestamp: '2024-01-01T00:00:00Z' };
    assert.deepEqual(def.table!.cells({ metadata: meta, spec: { podSelector: {} } }, now), ['deny', '<none>', '4s']);
    assert.deepEqual(
      def.table!.cells({ metadata: meta, spec: { podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] } } }, now),
      ['deny', 'app=web,tier in (a,b)', '4s'],
    );
  });
});
