import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointSliceResource as def } from '../../../../src/api/discovery/v1/endpointslice.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const slice = (o: Partial<EndpointSlice>): EndpointSlice => ({ metadata: { name: 'web-abc', namespace: 'default' }, addressType: 'IPv4', endpoints: [], ...o });

describe('endpointslices', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.version, def.plural, def.namespaced, def.tracksGeneration], ['discovery.k8s.io', 'v1', 'endpointslices', true, true]);
  });

  test('ports default to TCP and an empty name', () => {
    const s = slice({ ports: [{ port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
    def.defaults!(s);
    assert.deepEqual(s.ports, [{ port: 80, name: '', protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]);
  });

  test('validation', () => {
    const cases: [string, Partial<EndpointSlice>, string[]][] = [
      ['valid', { endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true }, nodeName: 'n1' }], ports: [{ name: '', port: 80, protocol: 'TCP' }] }, []],
      ['address type required', { addressType: '' }, ['FieldValueRequired addressType']],
      ['address type enum', { addressType: 'IPX' }, ['FieldValueNotSupported addressType']],
      ['addresses required', { endpoints: [{ addresses: [] }] }, ['FieldValueRequired endpoints[0].addresses']],
      ['IPv4 only in an IPv4 slice', { endpoints: [{ addresses: ['2001:db8::1'] }] }, ['FieldValueInvalid endpoints[0].addresses[0]']],
      ['no loopback', { endpoints: [{ addresses: ['127.0.0.1'] }] }, ['FieldValueInvalid endpoints[0].addresses[0]']],
      ['FQDN needs two labels', { addressType: 'FQDN', endpoints: [{ addresses: ['localhost'] }] }, ['FieldValueInvalid endpoints[0].addresses[0]']],
      ['FQDN ok', { addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com.'] }] }, []],
      ['hostname label', { endpoints: [{ addresses: ['10.0.0.1'], hostname: 'Web_1' }] }, ['FieldValueInvalid endpoints[0].hostname']],
      ['duplicate port names', { ports: [{ name: '', protocol: 'TCP' }, { name: '', protocol: 'TCP' }] }, ['FieldValueDuplicate ports[1].name']],
      ['protocol', { ports: [{ name: 'a', protocol: 'ICMP' }] }, ['FieldValueNotSupported ports[0].protocol']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!(slice(o))), want, name);
    assert.deepEqual(summary(def.validateUpdate!(slice({ addressType: 'IPv6' }), slice({}))), ['FieldValueInvalid addressType']);
  });

  test('golden rows', () => {
    const now = new Date('2024-01-01T00:00:03Z');
    const meta = { name: 'web-abc', creationTimestamp: '2024-01-01T00:00:00Z' };
    const cases: [Partial<EndpointSlice>, unknown[]][] = [
      [{ metadata: meta, ports: [{ name: '', port: 80 }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }] }, ['web-abc', 'IPv4', '80', '10.0.0.1,10.0.0.2', '3s']],
      [{ metadata: meta }, ['web-abc', 'IPv4', '<unset>', '<unset>', '3s']],
      [{ metadata: meta, ports: [{ name: 'http' }, {}], endpoints: [{ addresses: ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4'] }] },
        ['web-abc', 'IPv4', 'http,*', '1.1.1.1,1.1.1.2,1.1.1.3 + 1 more...', '3s']],
    ];
    for (const [o, row] of cases) assert.deepEqual(def.table!.cells(slice(o), now), row);
  });
});
