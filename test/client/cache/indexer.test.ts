// IndexedStore: objects by key with secondary indexes that follow every put and remove, as
// client-go's threadSafeMap does (an update that changes an indexed value moves the key).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { IndexedStore } from '../../../src/client/cache/indexer.js';
import {
  CONTROLLER_UID_INDEX,
  indexByControllerUid,
  indexByOwnerUid,
  indexPodByNode,
  keyOf,
  NODE_NAME_INDEX,
  OWNER_UID_INDEX,
  splitKey,
} from '../../../src/client/cache/indexes.js';
import { NAMESPACE_INDEX } from '../../../src/client/cache/types.js';
import type { KubeObject } from '../../../src/client/types.js';

const pod = (ns: string, name: string, opts: { node?: string; owners?: { uid: string; controller?: boolean }[]; team?: string } = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: ns,
    ...(opts.team ? { labels: { team: opts.team } } : {}),
    ...(opts.owners
      ? { ownerReferences: opts.owners.map((o) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.uid, uid: o.uid, controller: o.controller })) }
      : {}),
  },
  spec: { containers: [], ...(opts.node ? { nodeName: opts.node } : {}) },
});

const names = (objs: KubeObject[]) => objs.map((o) => o.metadata?.name).sort();

function store(): IndexedStore<Pod> {
  const s = new IndexedStore<Pod>();
  s.addIndexers({
    [OWNER_UID_INDEX]: indexByOwnerUid,
    [CONTROLLER_UID_INDEX]: indexByControllerUid,
    [NODE_NAME_INDEX]: indexPodByNode,
    team: (p) => (p.metadata?.labels?.team ? [p.metadata.labels.team] : []),
  });
  return s;
}

describe('keys', () => {
  const cases: [KubeObject, string, [string, string]][] = [
    [{ metadata: { namespace: 'ns', name: 'a' } }, 'ns/a', ['ns', 'a']],
    [{ metadata: { name: 'node-1' } }, 'node-1', ['', 'node-1']],
  ];
  for (const [obj, key, split] of cases) {
    test(`keyOf/splitKey ${key}`, () => {
      assert.equal(keyOf(obj), key);
      assert.deepEqual(splitKey(key), split);
    });
  }
});

describe('IndexedStore', () => {
  test('put, get, list, remove and size', () => {
    const s = store();
    assert.equal(s.put(pod('a', 'p1')), undefined);
    const first = s.get('a/p1');
    assert.equal(s.put(pod('a', 'p1', { node: 'n1' })), first, 'put returns the object it replaced');
    s.put(pod('b', 'p2'));
    assert.equal(s.size, 2);
    assert.deepEqual(s.keys().sort(), ['a/p1', 'b/p2']);
    assert.equal(s.remove('a/p1')?.spec?.nodeName, 'n1');
    assert.equal(s.remove('a/p1'), undefined);
    assert.deepEqual(names(s.list()), ['p2']);
  });

  test('the namespace index exists on every store', () => {
    const s = new IndexedStore<Pod>();
    s.put(pod('a', 'p1'));
    s.put(pod('a', 'p2'));
    s.put(pod('b', 'p3'));
    assert.deepEqual(names(s.byIndex(NAMESPACE_INDEX, 'a')), ['p1', 'p2']);
    assert.deepEqual(s.byIndex(NAMESPACE_INDEX, 'zzz'), []);
  });

  test('updates that change indexed values move the key between values', () => {
    const s = store();
    s.put(pod('a', 'p', { node: 'n1', team: 'red', owners: [{ uid: 'rs-1', controller: true }] }));
    assert.deepEqual(names(s.byIndex(NODE_NAME_INDEX, 'n1')), ['p']);
    assert.deepEqual(names(s.byIndex(CONTROLLER_UID_INDEX, 'rs-1')), ['p']);

    s.put(pod('a', 'p', { node: 'n2', team: 'blue', owners: [{ uid: 'rs-1' }, { uid: 'rs-2', controller: true }] }));
    assert.deepEqual(s.byIndex(NODE_NAME_INDEX, 'n1'), []);
    assert.deepEqual(names(s.byIndex(NODE_NAME_INDEX, 'n2')), ['p']);
    assert.deepEqual(s.byIndex('team', 'red'), []);
    assert.deepEqual(names(s.byIndex('team', 'blue')), ['p']);
    assert.deepEqual(names(s.byIndex(OWNER_UID_INDEX, 'rs-1')), ['p'], 'still an owner, no longer the controller');
    assert.deepEqual(s.byIndex(CONTROLLER_UID_INDEX, 'rs-1'), []);
    assert.deepEqual(names(s.byIndex(CONTROLLER_UID_INDEX, 'rs-2')), ['p']);

    // Dropping every indexed value leaves the object reachable by key but in no index entry.
    s.put(pod('a', 'p'));
    for (const [index, value] of [[NODE_NAME_INDEX, 'n2'], ['team', 'blue'], [OWNER_UID_INDEX, 'rs-1'], [OWNER_UID_INDEX, 'rs-2']] as const) {
      assert.deepEqual(s.byIndex(index, value), [], `${index}=${value}`);
    }
    s.remove('a/p');
    assert.deepEqual(s.byIndex(NAMESPACE_INDEX, 'a'), []);
  });

  test('byIndex returns the current object, not the one indexed first', () => {
    const s = store();
    s.put(pod('a', 'p', { team: 'red' }));
    s.put({ ...pod('a', 'p', { team: 'red' }), status: { phase: 'Running' } });
    assert.equal(s.byIndex('team', 'red')[0]?.status?.phase, 'Running');
  });

  test('indexers added later index what is already stored; conflicting duplicates and unknown indexes fail', () => {
    const s = new IndexedStore<Pod>();
    s.put(pod('a', 'p', { node: 'n1' }));
    s.addIndexers({ [NODE_NAME_INDEX]: indexPodByNode });
    assert.deepEqual(names(s.byIndex(NODE_NAME_INDEX, 'n1')), ['p']);
    // Two controllers sharing an informer may both ask for one well-known index: no-op.
    s.addIndexers({ [NODE_NAME_INDEX]: indexPodByNode });
    assert.deepEqual(names(s.byIndex(NODE_NAME_INDEX, 'n1')), ['p']);
    assert.throws(() => s.addIndexers({ [NODE_NAME_INDEX]: (p) => [p.metadata!.name!] }), /already exists/);
    assert.throws(() => s.byIndex('nope', 'x'), /does not exist/);
  });

  test('an object filed twice under one value is listed once and removed cleanly', () => {
    const s = store();
    s.put(pod('a', 'p', { owners: [{ uid: 'same' }, { uid: 'same' }] }));
    assert.deepEqual(names(s.byIndex(OWNER_UID_INDEX, 'same')), ['p']);
    s.put(pod('a', 'p'));
    assert.deepEqual(s.byIndex(OWNER_UID_INDEX, 'same'), []);
  });
});
