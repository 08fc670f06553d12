import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import {
  cidrStrictSubset,
  endpointsResource as def,
  formatEndpoints,
  ipFamily,
  parseIP,
  validateCIDR,
  validateNonSpecialIP,
} from '../../../../src/api/core/v1/endpoints.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);

describe('IP helpers', () => {
  test('parseIP reads what Go net.ParseIP reads', () => {
    const cases: [string, number | null][] = [
      ['10.1.2.3', 4],
      ['255.255.255.255', 4],
      ['256.1.1.1', null],
      ['010.1.1.1', null],
      ['1.2.3', null],
      ['::1', 16],
      ['2001:db8::ffff', 16],
      ['::ffff:1.2.3.4', 16],
      ['1:2:3:4:5:6:7:8', 16],
      ['1:2:3:4:5:6:7:8:9', null],
      ['fe80::1%eth0', null],
      ['1::2::3', null],
      ['', null],
    ];
    for (const [s, len] of cases) assert.equal(parseIP(s)?.length ?? null, len, s);
    assert.equal(ipFamily('::ffff:1.2.3.4'), 4);
    assert.equal(ipFamily('2001:db8::1'), 6);
  });

  test('non-special IPs: no unspecified, loopback or link-local addresses', () => {
    const cases: [string, RegExp | null][] = [
      ['10.0.0.1', null],
      ['0.0.0.0', /may not be unspecified/],
      ['127.0.0.1', /loopback/],
      ['::1', /loopback/],
      ['169.254.169.254', /link-local range/],
      ['fe80::1', /link-local range/],
      ['224.0.0.5', /link-local multicast/],
      ['ff02::1', /link-local multicast/],
      ['nonsense', /must be a valid IP address/],
    ];
    for (const [ip, re] of cases) {
      const errs = validateNonSpecialIP(ip, 'ip');
      if (!re) assert.deepEqual(errs, [], ip);
      else assert.match(errs[0]!.message, re, ip);
    }
  });

  test('CIDRs and strict subsets', () => {
    assert.deepEqual(validateCIDR('c', '10.0.0.0/8'), []);
    assert.match(validateCIDR('c', '10.0.0.0/33')[0]!.message, /must be a valid CIDR value/);
    assert.equal(cidrStrictSubset('10.0.0.0/8', '10.1.0.0/16'), true);
    assert.equal(cidrStrictSubset('10.0.0.0/8', '10.0.0.0/8'), false);
    assert.equal(cidrStrictSubset('10.0.0.0/8', '11.0.0.0/16'), false);
    assert.equal(cidrStrictSubset('2001:db8::/32', '2001:db8:1::/48'), true);
  });
});

describe('endpoints', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.plural, def.singular, def.shortNames, def.namespaced], ['endpoints', 'endpoints', ['ep'], true]);
  });

  test('ports default to TCP', () => {
    const ep: Endpoints = { metadata: { name: 'a' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] };
    def.defaults!(ep);
    assert.deepEqual(ep.subsets![0]!.ports!.map((p) => p.protocol), ['TCP', 'UDP']);
  });

  test('validation', () => {
    const cases: [Endpoints['subsets'], string[]][] = [
      [[{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, protocol: 'TCP' }] }], []],
      [[{ ports: [{ port: 80, protocol: 'TCP' }] }], ['FieldValueRequired subsets[0]']],
      [[{ addresses: [{ ip: '127.0.0.1' }] }], ['FieldValueInvalid subsets[0].addresses[0].ip']],
      // An unparsable address is reported twice, as upstream does.
      [[{ addresses: [{ ip: 'x' }] }], ['FieldValueInvalid subsets[0].addresses[0].ip', 'FieldValueInvalid subsets[0].addresses[0].ip']],
      [
        [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, protocol: 'TCP' }, { port: 0, protocol: 'ICMP', name: 'b' }] }],
        [
          'FieldValueRequired subsets[0].ports[0].name',
          'FieldValueInvalid subsets[0].ports[1].port',
          'FieldValueNotSupported subsets[0].ports[1].protocol',
        ],
      ],
      [[{ notReadyAddresses: [{ ip: '10.0.0.2', hostname: 'Bad_Host' }] }], ['FieldValueInvalid subsets[0].notReadyAddresses[0].hostname']],
    ];
    for (const [subsets, want] of cases) assert.deepEqual(summary(def.validate!({ metadata: { name: 'a' }, subsets })), want, JSON.stringify(subsets));
  });

  test('ENDPOINTS cell: up to three host:port pairs', () => {
    const cases: [Endpoints['subsets'], string][] = [
      [undefined, '<none>'],
      [[{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }], '10.0.0.1:80'],
      [[{ addresses: [{ ip: '2001:db8::1' }], ports: [{ port: 80 }] }], '[2001:db8::1]:80'],
      [[{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] }], '10.0.0.1,10.0.0.2'],
      [
        [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }],
        '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...',
      ],
    ];
    for (const [subsets, want] of cases) assert.equal(formatEndpoints({ metadata: {}, subsets }), want);
    const row = def.table!.cells({ metadata: { name: 'web', creationTimestamp: '2024-01-01T00:00:00Z' } }, new Date('2024-01-01T00:00:30Z'));
    assert.deepEqual(row, ['web', '<none>', '30s']);
  });
});
