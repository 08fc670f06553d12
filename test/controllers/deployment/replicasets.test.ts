import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import {
  actualReplicaCount,
  compareBySizeNewer,
  compareBySizeOlder,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  POD_TEMPLATE_HASH_LABEL,
  replicaCount,
} from '../../../src/controllers/deployment/replicasets.js';
import { newDeployment, rs, rsWithStatus, timestamp } from './fixtures.js';

const H = POD_TEMPLATE_HASH_LABEL;

function podTemplate(name: string, nodeName: string, annotations: Record<string, string>, labels: Record<string, string>): PodTemplateSpec {
  return { metadata: { name, annotations, labels }, spec: { nodeName, containers: [] } };
}

/** A set running `template`, created at `created`. */
function running(name: string, template: PodTemplateSpec, replicas: number, created: string, hash?: string): ReplicaSet {
  const set = rs(name, replicas, created);
  set.spec!.template = structuredClone(template);
  if (hash) set.spec!.template.metadata!.labels = { ...set.spec!.template.metadata!.labels, [H]: hash };
  return set;
}

describe('equalIgnoreHash', () => {
  test('upstream TestEqualIgnoreHash, both ways round', () => {
    const cases: [string, PodTemplateSpec, PodTemplateSpec, boolean][] = [
      ['same spec, same labels', podTemplate('foo', 'foo-node', {}, { [H]: 'value-1', something: 'else' }), podTemplate('foo', 'foo-node', {}, { [H]: 'value-1', something: 'else' }), true],
      ['only hash value differs', podTemplate('foo', 'foo-node', {}, { [H]: 'value-1', something: 'else' }), podTemplate('foo', 'foo-node', {}, { [H]: 'value-2', something: 'else' }), true],
      ['former has no hash label', podTemplate('foo', 'foo-node', {}, { something: 'else' }), podTemplate('foo', 'foo-node', {}, { [H]: 'value-2', something: 'else' }), true],
      ['labels differ, hash the same', podTemplate('foo', 'foo-node', {}, { [H]: 'value-1' }), podTemplate('foo', 'foo-node', {}, { [H]: 'value-1', something: 'else' }), false],
      ['different spec, same labels', podTemplate('foo', 'foo-node', { former: 'value' }, { [H]: 'value-1', something: 'else' }), podTemplate('foo', 'foo-node', { latter: 'value' }, { [H]: 'value-1', something: 'else' }), false],
      ['different spec and hash', podTemplate('foo-1', 'foo-node', {}, { [H]: 'value-1', something: 'else' }), podTemplate('foo-2', 'foo-node', {}, { [H]: 'value-2', something: 'else' }), false],
      ['different spec, former without hash', podTemplate('foo-1', 'foo-node-1', {}, { something: 'else' }), podTemplate('foo-2', 'foo-node-2', {}, { [H]: 'value-2', something: 'else' }), false],
      ['different spec, different labels', podTemplate('foo', 'foo-node-1', {}, { something: 'else' }), podTemplate('foo', 'foo-node-2', {}, { nothing: 'else' }), false],
    ];
    for (const [name, a, b, want] of cases) {
      const before = structuredClone([a, b]);
      assert.equal(equalIgnoreHash(a, b), want, name);
      assert.equal(equalIgnoreHash(b, a), want, `${name} (reversed)`);
      assert.deepEqual([a, b], before, `${name}: inputs untouched`);
    }
  });
});

describe('new and old ReplicaSets', () => {
  const d = newDeployment('nginx', 1);
  const template = d.spec!.template;
  const oldTemplate = structuredClone(template);
  oldTemplate.spec!.containers[0]!.name = 'nginx-old-1';
  const newRS = running('new', template, 1, timestamp(2), 'hash');
  const newRSDup = running('new-dup', template, 0, timestamp(1), 'different-hash');
  const oldRS = running('old', oldTemplate, 1, timestamp(0));
  const names = (sets: ReplicaSet[]) => sets.map((s) => s.metadata!.name);

  test('upstream TestFindNewReplicaSet', () => {
    assert.equal(findNewReplicaSet(template, [newRS, oldRS]), newRS);
    // The oldest of several sets running the template.
    assert.equal(findNewReplicaSet(template, [newRS, oldRS, newRSDup]), newRSDup);
    assert.equal(findNewReplicaSet(template, [oldRS]), undefined);
  });

  test('upstream TestFindOldReplicaSets', () => {
    const cases: [string, ReplicaSet[], string[], string[]][] = [
      ['old sets', [newRS, oldRS], ['old'], ['old']],
      ['old sets without a new one', [oldRS], ['old'], ['old']],
      ['two new sets: only the oldest is new', [oldRS, newRS, newRSDup], ['old', 'new'], ['old', 'new']],
      ['no old sets', [newRS], [], []],
    ];
    for (const [name, sets, all, withReplicas] of cases) {
      const got = findOldReplicaSets(template, sets);
      assert.deepEqual(names(got.all).sort(), [...all].sort(), name);
      assert.deepEqual(names(got.withReplicas).sort(), [...withReplicas].sort(), name);
    }
    const zero = running('zero', oldTemplate, 0, timestamp(0));
    assert.deepEqual(names(findOldReplicaSets(template, [newRS, zero]).withReplicas), []);
  });

  test('upstream TestGetReplicaCountForReplicaSets', () => {
    const rs1 = rsWithStatus('rs1', 1, 2);
    const rs2 = rsWithStatus('rs2', 2, 3);
    assert.deepEqual([replicaCount([rs1]), actualReplicaCount([rs1])], [1, 2]);
    assert.deepEqual([replicaCount([rs1, rs2, undefined]), actualReplicaCount([rs1, rs2, undefined])], [3, 5]);
  });
});

describe('ordering and the active set', () => {
  test('by size, ties broken by age in either direction', () => {
    const a = rs('a', 2, timestamp(0));
    const b = rs('b', 2, timestamp(1));
    const c = rs('c', 5, timestamp(2));
    assert.deepEqual([b, a, c].sort(compareBySizeOlder).map((s) => s.metadata!.name), ['c', 'a', 'b']);
    assert.deepEqual([a, b, c].sort(compareBySizeNewer).map((s) => s.metadata!.name), ['c', 'b', 'a']);
  });

  test('findActiveOrLatest', () => {
    const newRS = rs('new', 0, timestamp(2));
    const old1 = rs('old1', 0, timestamp(0));
    const old2 = rs('old2', 0, timestamp(1));
    assert.equal(findActiveOrLatest(undefined, []), undefined);
    assert.equal(findActiveOrLatest(newRS, [old1, old2]), newRS, 'none active: the new one');
    assert.equal(findActiveOrLatest(undefined, [old1, old2]), old2, 'none active, no new one: the newest old one');
    const active = rs('active', 3, timestamp(0));
    assert.equal(findActiveOrLatest(newRS, [old1, active]), active, 'the only active one');
    assert.equal(findActiveOrLatest(rs('new', 1, timestamp(2)), [active]), undefined, 'several active');
  });
});
