// Sync cost at scale in a real kernel (inside a network namespace this test creates): the first
// sync of 1,000 services x 10 endpoints, then 20 single-endpoint changes applied incrementally.
// Prints the figures; asserts only generous bounds and that each change stayed incremental.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { CommandRunner } from '../../src/kubelet/runtime/process/command-runner.js';
import { NftablesProxier } from '../../src/proxy/proxier.js';
import { service, slice } from './fixtures.js';

const SERVICES = 1000;
const ENDPOINTS = 10;
const CHANGES = 20;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe('nftables proxier at 1,000 services x 10 endpoints', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  const ns = `kp-scale-${process.pid}`;
  let proxier: NftablesProxier;
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];

  before(() => {
    execFileSync('ip', ['netns', 'add', ns]);
    proxier = new NftablesProxier({ nodeName: 'node-a', commandPrefix: ['ip', 'netns', 'exec', ns], clusterCIDR: '10.0.0.0/8' });
    for (let i = 0; i < SERVICES; i++) {
      const name = `svc-${i}`;
      services.push(service(name, { clusterIP: `10.96.${i >> 8}.${i & 255}` }));
      slices.push(slice(name, Array.from({ length: ENDPOINTS }, (_, e) => `10.${1 + (i >> 8)}.${i & 255}.${e + 2}`)));
    }
  });
  after(async () => {
    try {
      execFileSync('ip', ['netns', 'del', ns]);
    } catch {
      // not created
    }
    await CommandRunner.shared().close();
  });

  it('syncs fully once, then incrementally', async () => {
    const first = await proxier.sync(services, slices);
    assert.equal(first.full, true);
    assert.equal(first.chains, SERVICES * (1 + ENDPOINTS));
    console.log(
      `first sync: ${first.durationMs.toFixed(0)} ms (generate ${first.generateMs.toFixed(0)} ms, nft ${first.applyMs.toFixed(0)} ms), ${first.rules} rules, ${first.chains} chains, ${first.elements} elements, script ${(first.scriptBytes / 1e6).toFixed(1)} MB`,
    );
    const durations: number[] = [];
    const generate: number[] = [];
    for (let c = 0; c < CHANGES; c++) {
      // Each change makes one endpoint of a different service not ready.
      const i = (c * 37) % SERVICES;
      const s = slices[i]!;
      const ep = s.endpoints![c % ENDPOINTS]!;
      ep.conditions = { ready: !(ep.conditions?.ready ?? true) };
      const r = await proxier.sync(services, slices);
      assert.equal(r.full, false);
      assert.ok(r.changes.changedChains === 1 && r.changes.addedChains + r.changes.deletedChains === 1, JSON.stringify(r.changes));
      durations.push(r.durationMs);
      generate.push(r.generateMs);
    }
    durations.sort((a, b) => a - b);
    generate.sort((a, b) => a - b);
    console.log(
      `incremental sync of one endpoint change (${CHANGES} changes): p50 ${percentile(durations, 50).toFixed(1)} ms, p99 ${percentile(durations, 99).toFixed(1)} ms (generate p50 ${percentile(generate, 50).toFixed(1)} ms)`,
    );
    assert.ok(percentile(durations, 50) < first.durationMs, 'an incremental sync is cheaper than the first');
    const listing = await proxier.listing();
    assert.equal(listing.match(/dnat to/g)?.length, SERVICES * ENDPOINTS - CHANGES);
  });
});
