import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterChainName, endpointChainName, externalChainName, localChainName } from '../../src/proxy/layout.js';
import { buildServicePorts } from '../../src/proxy/model.js';
import { diffScript, fullScript } from '../../src/proxy/nftables.js';
import { buildRuleset, type RulesetOptions } from '../../src/proxy/ruleset.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { service, slice } from './fixtures.js';

const ref = { family: 'ip', table: 'kubets' };
const KEY = 'default/web/tcp/http';
const ruleset = (services: Service[], slices: EndpointSlice[], options: RulesetOptions = {}) => buildRuleset(buildServicePorts(services, slices, { nodeName: 'node-a' }), options);
const script = (services: Service[], slices: EndpointSlice[], options: RulesetOptions = {}) => fullScript(ref, ruleset(services, slices, options)).text;
const rulesOf = (text: string, chain: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`add rule ip kubets ${chain} `))
    .map((l) => l.slice(`add rule ip kubets ${chain} `.length));
const web = (spec: Parameters<typeof service>[1] = {}, ingress: string[] = []) => service('web', { clusterIP: '10.96.0.50', ...spec }, ingress);

describe('fullScript', () => {
  it('recreates the table atomically with the upstream-like fixed layout', () => {
    const text = script([], []);
    const lines = text.split('\n');
    assert.deepEqual(lines.slice(0, 2), ['add table ip kubets', 'delete table ip kubets']);
    for (const expected of [
      'add map ip kubets service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }',
      'add map ip kubets service-nodeports { type inet_proto . inet_service : verdict; }',
      'add chain ip kubets nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }',
      'add chain ip kubets nat-output { type nat hook output priority -100; policy accept; }',
      'add chain ip kubets nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }',
      'add rule ip kubets services ip daddr . meta l4proto . th dport vmap @service-ips',
      'add rule ip kubets masquerading masquerade fully-random',
      'add rule ip kubets reject-chain reject',
    ])
      assert.ok(lines.includes(expected), expected);
    assert.ok(!text.includes('flush table'));
  });

  it('ClusterIP with 2 endpoints: map element, random pick, DNAT with hairpin masquerade', () => {
    const text = script([web()], [slice('web', ['10.0.1.2', '10.0.2.2'])], { clusterCIDR: '10.0.0.0/16' });
    const svc = clusterChainName(KEY);
    const ep1 = endpointChainName(KEY, '10.0.1.2', 8080);
    const ep2 = endpointChainName(KEY, '10.0.2.2', 8080);
    assert.ok(text.includes(`add element ip kubets service-ips { 10.96.0.50 . tcp . 80 : goto ${svc} }`));
    assert.deepEqual(rulesOf(text, svc), [
      'ip daddr 10.96.0.50 tcp dport 80 ip saddr != 10.0.0.0/16 jump mark-for-masquerade',
      `numgen random mod 2 vmap { 0 : goto ${ep1}, 1 : goto ${ep2} }`,
    ]);
    assert.deepEqual(rulesOf(text, ep2), ['ip saddr 10.0.2.2 jump mark-for-masquerade', 'meta l4proto tcp dnat to 10.0.2.2:8080']);
    assert.ok(!text.includes('no-endpoint-services {  '));
  });

  it('masqueradeAll marks every clusterIP connection', () => {
    const text = script([web()], [slice('web', ['10.0.1.2'])], { masqueradeAll: true });
    assert.deepEqual(rulesOf(text, clusterChainName(KEY)), ['ip daddr 10.96.0.50 tcp dport 80 jump mark-for-masquerade', `goto ${endpointChainName(KEY, '10.0.1.2', 8080)}`]);
  });

  it('NodePort and LoadBalancer go through an external chain that masquerades', () => {
    const text = script([web({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }, ['192.168.5.5'])], [slice('web', ['10.0.1.2'])]);
    const ext = externalChainName(KEY);
    assert.ok(text.includes(`add element ip kubets service-nodeports { tcp . 30080 : goto ${ext} }`));
    assert.ok(text.includes(`192.168.5.5 . tcp . 80 : goto ${ext}`));
    assert.deepEqual(rulesOf(text, ext), ['jump mark-for-masquerade', `goto ${clusterChainName(KEY)}`]);
  });

  it('externalTrafficPolicy Local: only local endpoints from outside, all from the host', () => {
    const text = script(
      [web({ type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
      [slice('web', [{ ip: '10.0.1.2', node: 'node-a' }, { ip: '10.0.2.2', node: 'node-b' }])],
      { clusterCIDR: '10.0.0.0/16' },
    );
    const local = localChainName(KEY);
    assert.deepEqual(rulesOf(text, externalChainName(KEY)), [
      'fib saddr type local jump mark-for-masquerade',
      `fib saddr type local goto ${clusterChainName(KEY)}`,
      `ip saddr 10.0.0.0/16 goto ${clusterChainName(KEY)}`,
      `goto ${local}`,
    ]);
    assert.deepEqual(rulesOf(text, local), [`goto ${endpointChainName(KEY, '10.0.1.2', 8080)}`]);
    assert.match(rulesOf(text, clusterChainName(KEY)).join('\n'), /numgen random mod 2/);
  });

  it('internalTrafficPolicy Local: the clusterIP goes to local endpoints; none local drops', () => {
    const slices = [slice('web', [{ ip: '10.0.1.2', node: 'node-a' }, { ip: '10.0.2.2', node: 'node-b' }])];
    const text = script([web({ internalTrafficPolicy: 'Local' })], slices);
    assert.ok(text.includes(`service-ips { 10.96.0.50 . tcp . 80 : goto ${localChainName(KEY)} }`));
    assert.ok(!text.includes(endpointChainName(KEY, '10.0.2.2', 8080)), 'the remote endpoint gets no chain');
    assert.ok(!text.includes(`add chain ip kubets ${clusterChainName(KEY)}`));
    const remoteOnly = script([web({ internalTrafficPolicy: 'Local' })], [slice('web', [{ ip: '10.0.2.2', node: 'node-b' }])]);
    assert.ok(remoteOnly.includes('add element ip kubets no-endpoint-services { 10.96.0.50 . tcp . 80 : drop }'));
  });

  it('no endpoints: rejected through the no-endpoint maps, no service chain', () => {
    const text = script([web({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })], [slice('web', [{ ip: '10.0.1.2', ready: false }])]);
    assert.ok(text.includes('add element ip kubets no-endpoint-services { 10.96.0.50 . tcp . 80 : goto reject-chain }'));
    assert.ok(text.includes('add element ip kubets no-endpoint-nodeports { tcp . 30080 : goto reject-chain }'));
    assert.ok(!text.includes('add element ip kubets service-ips'));
    assert.ok(!text.includes(clusterChainName(KEY)));
  });

  it('session affinity: a dynamic set per endpoint with the timeout, checked before the random pick', () => {
    const text = script([web({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } })], [slice('web', ['10.0.1.2', '10.0.2.2'])]);
    const sets = text.split('\n').filter((l) => l.startsWith('add set'));
    assert.equal(sets.length, 2);
    for (const s of sets) assert.match(s, /\{ type ipv4_addr; flags dynamic,timeout; timeout 600s; \}$/);
    const rules = rulesOf(text, clusterChainName(KEY));
    assert.match(rules[0]!, /^ip saddr @affinity-\w{8}-default\/web\/tcp\/http__10\.0\.1\.2\/8080 goto endpoint-/);
    assert.match(rules[2]!, /^numgen random mod 2/);
    assert.match(rulesOf(text, endpointChainName(KEY, '10.0.1.2', 8080))[1]!, /^update @affinity-\w{8}-\S+ \{ ip saddr \}$/);
  });

  it('UDP services match and DNAT udp', () => {
    const svc = service('dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    const text = script([svc], [slice('dns', ['10.0.1.5'], [{ name: 'dns', port: 5353, protocol: 'UDP' }])]);
    assert.ok(text.includes(`{ 10.96.0.10 . udp . 53 : goto ${clusterChainName('default/dns/udp/dns')} }`));
    assert.deepEqual(rulesOf(text, endpointChainName('default/dns/udp/dns', '10.0.1.5', 5353)).at(-1), 'meta l4proto udp dnat to 10.0.1.5:5353');
  });
});

describe('diffScript', () => {
  const other = service('other', { clusterIP: '10.96.0.60' });
  const before = ruleset([web(), other], [slice('web', ['10.0.1.2', '10.0.2.2']), slice('other', ['10.0.3.2', '10.0.3.3'])]);

  it('is empty when nothing changed', () => {
    const again = ruleset([web(), other], [slice('web', ['10.0.1.2', '10.0.2.2']), slice('other', ['10.0.3.2', '10.0.3.3'])]);
    assert.deepEqual(diffScript(ref, before, again), { text: '', empty: true, stats: { addedChains: 0, changedChains: 0, deletedChains: 0, addedElements: 0, deletedElements: 0 } });
  });

  it("an endpoint removal touches only that service's chains, in a valid order", () => {
    const after = ruleset([web(), other], [slice('web', ['10.0.1.2']), slice('other', ['10.0.3.2', '10.0.3.3'])]);
    const { text, stats } = diffScript(ref, before, after);
    const gone = endpointChainName(KEY, '10.0.2.2', 8080);
    assert.deepEqual(text.trim().split('\n'), [
      `flush chain ip kubets ${clusterChainName(KEY)}`,
      `add rule ip kubets ${clusterChainName(KEY)} goto ${endpointChainName(KEY, '10.0.1.2', 8080)}`,
      `flush chain ip kubets ${gone}`,
      `delete chain ip kubets ${gone}`,
    ]);
    assert.deepEqual(stats, { addedChains: 0, changedChains: 1, deletedChains: 1, addedElements: 0, deletedElements: 0 });
    assert.ok(!text.includes('other'));
    assert.ok(!/flush table|delete table/.test(text));
  });

  it('the last endpoint going away moves the element to the no-endpoint map and deletes the chains after', () => {
    const after = ruleset([web(), other], [slice('web', []), slice('other', ['10.0.3.2', '10.0.3.3'])]);
    const lines = diffScript(ref, before, after).text.trim().split('\n');
    const delElement = lines.indexOf('delete element ip kubets service-ips { 10.96.0.50 . tcp . 80 }');
    const addElement = lines.indexOf('add element ip kubets no-endpoint-services { 10.96.0.50 . tcp . 80 : goto reject-chain }');
    const delChain = lines.indexOf(`delete chain ip kubets ${clusterChainName(KEY)}`);
    assert.ok(delElement >= 0 && addElement >= 0 && delChain > delElement, lines.join('\n'));
    assert.equal(lines.filter((l) => l.startsWith('delete chain')).length, 3);
  });

  it('a new endpoint declares its chain before the rules that jump to it', () => {
    const after = ruleset([web(), other], [slice('web', ['10.0.1.2', '10.0.2.2', '10.0.4.2']), slice('other', ['10.0.3.2', '10.0.3.3'])]);
    const lines = diffScript(ref, before, after).text.trim().split('\n');
    const added = endpointChainName(KEY, '10.0.4.2', 8080);
    assert.equal(lines[0], `add chain ip kubets ${added}`);
    assert.ok(lines.some((l) => l.includes('numgen random mod 3')));
  });

  it('a changed affinity timeout replaces the sets', () => {
    const a = ruleset([web({ sessionAffinity: 'ClientIP' })], [slice('web', ['10.0.1.2'])]);
    const b = ruleset([web({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } } })], [slice('web', ['10.0.1.2'])]);
    const lines = diffScript(ref, a, b).text.trim().split('\n');
    assert.match(lines[0]!, /^add set .* timeout 30s; \}$/);
    assert.match(lines.at(-1)!, /^delete set ip kubets affinity-/);
  });
});
