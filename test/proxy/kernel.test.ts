// The proxy's nftables dataplane in a real kernel, inside network namespaces this test creates:
// a ClusterIP in the "node" namespace balancing to two pods, updated incrementally.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CommandRunner } from '../../src/kubelet/runtime/process/command-runner.js';
import { NftablesProxier } from '../../src/proxy/proxier.js';
import { createPodNet, type PodNet, requests } from './netns.js';
import { service, slice } from './fixtures.js';

const count = (names: string[]) => names.reduce<Record<string, number>>((acc, n) => ((acc[n] = (acc[n] ?? 0) + 1), acc), {});

describe('nftables proxier in the kernel', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  let net: PodNet;
  let proxier: NftablesProxier;
  const web = service('web', { clusterIP: '10.96.0.50', type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }] });
  const sticky = service('sticky', { clusterIP: '10.96.0.52', sessionAffinity: 'ClientIP' });
  const empty = service('empty', { clusterIP: '10.96.0.51' });
  const both = slice('web', ['10.0.1.2', '10.0.2.2']);
  const stickySlice = slice('sticky', ['10.0.1.2', '10.0.2.2']);

  before(async () => {
    net = await createPodNet('k');
    proxier = new NftablesProxier({ nodeName: 'node-a', commandPrefix: ['ip', 'netns', 'exec', net.node] });
  });
  after(async () => {
    net?.destroy();
    await CommandRunner.shared().close();
  });

  it('the first sync writes the table and the clusterIP reaches both pods', async () => {
    const result = await proxier.sync([web, empty, sticky], [both, stickySlice]);
    assert.equal(result.full, true);
    assert.ok(result.rules > 20, `rules: ${result.rules}`);
    const got = count(requests(net, 'http://10.96.0.50/', 40));
    assert.equal((got.pod1 ?? 0) + (got.pod2 ?? 0), 40, JSON.stringify(got));
    assert.ok(got.pod1! > 0 && got.pod2! > 0, JSON.stringify(got));
  });

  it('the NodePort answers on the node address from the host', () => {
    const got = count(requests(net, 'http://10.0.1.1:30080/', 10));
    assert.equal((got.pod1 ?? 0) + (got.pod2 ?? 0), 10, JSON.stringify(got));
  });

  it('session affinity keeps a client on one pod', () => {
    const got = Object.keys(count(requests(net, 'http://10.96.0.52/', 20)));
    assert.equal(got.length, 1, got.join());
  });

  it('a service without endpoints is refused', () => {
    const out = net.inNode(['curl', '-s', '-o', '/dev/null', '-w', '%{exitcode}', '--max-time', '2', 'http://10.96.0.51/'], true);
    assert.equal(out.trim(), '7', 'curl exit 7: connection refused');
  });

  it('removing an endpoint stops traffic to it on the next sync, without rewriting the table', async () => {
    const result = await proxier.sync([web, empty, sticky], [slice('web', ['10.0.1.2']), stickySlice]);
    assert.equal(result.full, false);
    assert.deepEqual(result.changes, { addedChains: 0, changedChains: 1, deletedChains: 1, addedElements: 0, deletedElements: 0 });
    assert.deepEqual(count(requests(net, 'http://10.96.0.50/', 40)), { pod1: 40 });
    const listing = await proxier.listing();
    assert.match(listing, /table ip kubets/);
    assert.ok(!listing.includes('dnat to 10.0.2.2:8080 ') && !/web\/tcp\/http__10\.0\.2\.2/.test(listing), 'the endpoint chain is gone');
  });

  it('bringing endpoints back and emptying another service both apply incrementally', async () => {
    const result = await proxier.sync([web, empty, sticky], [both, slice('sticky', [])]);
    assert.equal(result.full, false);
    const got = count(requests(net, 'http://10.96.0.50/', 40));
    assert.ok(got.pod1! > 0 && got.pod2! > 0, JSON.stringify(got));
    const out = net.inNode(['curl', '-s', '-o', '/dev/null', '-w', '%{exitcode}', '--max-time', '2', 'http://10.96.0.52/'], true);
    assert.equal(out.trim(), '7');
  });

  it('cleanup deletes the table', async () => {
    await proxier.cleanup();
    assert.equal(net.inNode(['nft', 'list', 'tables']).trim(), '');
  });
});
