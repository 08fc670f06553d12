import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { canonicalJson, computeHash, fnv32a, safeEncodeString } from '../../../src/controllers/deployment/hash.js';

const template = (image: string, extra: Partial<PodTemplateSpec['metadata']> = {}): PodTemplateSpec => ({
  metadata: { labels: { app: 'web' }, ...extra },
  spec: { containers: [{ name: 'web', image }] },
});

describe('pod-template-hash', () => {
  test('safeEncodeString maps digits as upstream rand.SafeEncodeString', () => {
    assert.equal(safeEncodeString('1234567890'), '56789bcdf4');
    assert.equal(safeEncodeString(''), '');
  });

  test('fnv32a matches the reference FNV-1a vectors', () => {
    const cases: [string, number][] = [
      ['', 0x811c9dc5],
      ['a', 0xe40c292c],
      ['foobar', 0xbf9cf968],
    ];
    for (const [s, want] of cases) assert.equal(fnv32a(new TextEncoder().encode(s)), want, s);
  });

  test('canonicalJson sorts keys and drops empty values', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [], c: 'x' }, e: {} }), '{"a":{"c":"x"},"b":1}');
    assert.equal(canonicalJson([1, { b: 2, a: 1 }]), '[1,{"a":1,"b":2}]');
  });

  test('is stable, in the safe alphabet, and follows template changes', () => {
    const h = computeHash(template('nginx:1'));
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(computeHash(template('nginx:1')), h);
    assert.notEqual(computeHash(template('nginx:2')), h);
    assert.notEqual(computeHash(template('nginx:1', { annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } })), h);
  });

  test('ignores key order and empty maps, as semantic equality does', () => {
    const a: PodTemplateSpec = { metadata: { labels: { app: 'web' }, annotations: {} }, spec: { containers: [{ name: 'web', image: 'x' }] } };
    const b: PodTemplateSpec = { spec: { containers: [{ image: 'x', name: 'web' }] }, metadata: { labels: { app: 'web' } } };
    assert.equal(computeHash(a), computeHash(b));
  });

  test('collisionCount salts the hash; 0 differs from unset as upstream', () => {
    const t = template('nginx:1');
    const seen = new Set([computeHash(t), computeHash(t, 0), computeHash(t, 1), computeHash(t, 2)]);
    assert.equal(seen.size, 4);
    assert.equal(computeHash(t, 1), computeHash(t, 1));
  });
});
