// Cutting a cluster CIDR into node subnets: sizes, round-robin allocation, occupation of subnets
// nodes already have, release, exhaustion, and refused configurations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, parseIpv4Cidr } from '../../../src/controllers/nodeipam/cidr-set.js';

test('parseIpv4Cidr masks to the network', () => {
  assert.deepEqual(parseIpv4Cidr('10.42.3.7/16'), { base: (10 << 24) + (42 << 16), prefix: 16 });
  for (const bad of ['10.42.0.0', '10.42.0.0/33', 'fd00::/64', '10.42.0.0/16/1', 'x/8', '10.42.0.0/']) assert.equal(parseIpv4Cidr(bad), undefined, bad);
});

test('subnets are handed out in order, then round-robin past released ones', () => {
  const s = new CidrSet('10.42.0.0/16', 24);
  assert.equal(s.size, 256);
  assert.deepEqual([s.allocateNext(), s.allocateNext(), s.allocateNext()], ['10.42.0.0/24', '10.42.1.0/24', '10.42.2.0/24']);
  s.release('10.42.1.0/24');
  assert.equal(s.allocateNext(), '10.42.3.0/24', 'a released subnet is not reused at once');
  assert.equal(s.allocated, 3);
});

test('occupied subnets are skipped; foreign ones refused', () => {
  const s = new CidrSet('10.42.0.0/16', 24);
  assert.equal(s.occupy('10.42.0.0/24'), true);
  assert.equal(s.occupy('10.42.1.0/24'), true);
  assert.equal(s.occupy('10.43.0.0/24'), false, 'outside');
  assert.equal(s.occupy('10.42.2.0/25'), false, 'another size');
  assert.equal(s.isUsed('10.42.1.0/24'), true);
  assert.equal(s.allocateNext(), '10.42.2.0/24');
});

test('a full set hands out nothing until something is released', () => {
  const s = new CidrSet('10.0.0.0/30', 31);
  assert.deepEqual([s.allocateNext(), s.allocateNext(), s.allocateNext()], ['10.0.0.0/31', '10.0.0.2/31', undefined]);
  s.release('10.0.0.0/31');
  assert.equal(s.allocateNext(), '10.0.0.0/31');
});

test('refused configurations', () => {
  assert.throws(() => new CidrSet('nonsense', 24), /invalid cluster CIDR/);
  assert.throws(() => new CidrSet('10.42.0.0/16', 8), /invalid node CIDR mask size 8/);
  assert.throws(() => new CidrSet('10.0.0.0/8', 25), /subnet mask size too big/);
});
