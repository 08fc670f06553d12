// The informer's watch loop against a scripted resource client, for what a real server does not
// show on demand: bookmarks, ERROR events, watches that close at once, failing handlers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { Status } from 'kubernetes-types/meta/v1.js';
import { Informer } from '../../../src/client/cache/shared-informer.js';
import { CONFIG_MAPS } from '../../../src/client/resources.js';
import type { ListOptions, ObjectList, ResourceClient, WatchEvent, WatchOptions } from '../../../src/client/types.js';
import { silentLogger } from '../../../src/logging/index.js';
import { waitFor } from '../../controllers/harness.js';

const cm = (name: string, rv: string): ConfigMap => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const event = (type: WatchEvent<ConfigMap>['type'], obj: ConfigMap): WatchEvent<ConfigMap> => ({ type, object: obj });
const status = (code: number, message: string): WatchEvent<ConfigMap> => ({
  type: 'ERROR',
  object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message } as Status as unknown as ConfigMap,
});

/** Lists `items` at `listRv`; each watch plays the next script, then ends (or waits for abort if none is left). */
class ScriptedResource {
  readonly lists: ListOptions[] = [];
  readonly watches: WatchOptions[] = [];
  /** Runs after each list (to change what the next list answers). */
  afterList: (() => void) | undefined;
  constructor(
    public items: ConfigMap[],
    public listRv: string,
    readonly scripts: WatchEvent<ConfigMap>[][],
    /** Plays this script forever once the scripts run out (instead of waiting). */
    readonly forever?: WatchEvent<ConfigMap>[],
  ) {}

  client(): ResourceClient<ConfigMap> {
    const unused = () => Promise.reject(new Error('not used'));
    const self = this;
    return {
      type: CONFIG_MAPS,
      async list(_ns: string, opts: ListOptions = {}): Promise<ObjectList<ConfigMap>> {
        self.lists.push(opts);
        const page: ObjectList<ConfigMap> = { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: self.listRv }, items: structuredClone(self.items) };
        self.afterList?.();
        return page;
      },
      async *watch(_ns: string, opts: WatchOptions = {}) {
        self.watches.push(opts);
        const script = self.scripts.shift() ?? self.forever;
        if (!script) {
          await new Promise<void>((r) => opts.signal?.addEventListener('abort', () => r(), { once: true }));
          return;
        }
        for (const ev of script) yield structuredClone(ev);
      },
      get: unused,
      create: unused,
      update: unused,
      updateStatus: unused,
      patch: unused,
      delete: unused,
      deleteCollection: unused,
      getScale: unused,
      updateScale: unused,
    };
  }
}

async function withInformer(res: ScriptedResource, body: (inf: Informer<ConfigMap>, log: string[]) => Promise<void>): Promise<void> {
  const inf = new Informer(res.client(), silentLogger);
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => void log.push(`add ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    onUpdate: (_, o) => void log.push(`update ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    onDelete: (o) => void log.push(`delete ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
  });
  const ac = new AbortController();
  const running = inf.run(ac.signal);
  try {
    await body(inf, log);
  } finally {
    ac.abort();
    await running;
  }
}

test('a bookmark moves the resourceVersion on without touching the cache; the next watch starts there', async () => {
  const res = new ScriptedResource([cm('a', '10')], '10', [[event('ADDED', cm('b', '11')), event('BOOKMARK', { metadata: { resourceVersion: '50' } })]]);
  await withInformer(res, async (inf, log) => {
    await waitFor(() => res.watches.length === 2, 2000, 'second watch');
    assert.deepEqual(res.watches.map((w) => [w.resourceVersion, w.allowWatchBookmarks]), [['10', true], ['50', true]]);
    assert.equal(inf.lastSyncResourceVersion(), '50');
    assert.deepEqual(log, ['add a@10', 'add b@11']);
    assert.deepEqual(inf.store.keys().sort(), ['ns/a', 'ns/b']);
    assert.equal(inf.store.get('ns/b')?.kind, 'ConfigMap', 'objects get their kind');
  });
});

test('an ERROR event other than 410 is retried from the same version after a backoff, without a relist', async () => {
  const res = new ScriptedResource([], '10', [[event('ADDED', cm('a', '11')), status(500, 'internal error')]]);
  await withInformer(res, async (_inf, log) => {
    await waitFor(() => res.watches.length === 2, 2000, 'retried');
    assert.equal(res.watches[1]?.resourceVersion, '11');
    assert.equal(res.lists.length, 1);
    assert.deepEqual(log, ['add a@11']);
  });
});

test('410 Gone relists at once and reconciles the cache', async () => {
  const res = new ScriptedResource([cm('a', '10'), cm('b', '10')], '10', [[status(410, 'too old resource version: 10 (20)')]]);
  res.afterList = () => {
    // What the relist finds: a updated, b deleted, c created while the informer could not watch.
    res.items = [cm('a', '25'), cm('c', '22')];
    res.listRv = '30';
    res.afterList = undefined;
  };
  await withInformer(res, async (_inf, log) => {
    await waitFor(() => res.lists.length === 2 && res.watches.length === 2, 2000, 'relisted and watching');
    assert.deepEqual(log.slice(0, 2).sort(), ['add a@10', 'add b@10']);
    assert.deepEqual(log.slice(2).sort(), ['add c@22', 'delete b@10', 'update a@25']);
    assert.deepEqual(res.watches.map((w) => w.resourceVersion), ['10', '30']);
  });
});

test('watches that close at once with nothing received are backed off, not hammered', async () => {
  const res = new ScriptedResource([], '10', [], []);
  await withInformer(res, async () => {
    await new Promise((r) => setTimeout(r, 700));
    // Backoff 200 ms, 400 ms, ... (client-go's reflector: "very short watch").
    assert.ok(res.watches.length >= 2 && res.watches.length <= 4, `watched ${res.watches.length} times in 700 ms`);
  });
});

test('a DELETED event for an object never cached still reaches the handlers; a failing handler harms nothing', async () => {
  const res = new ScriptedResource([], '10', [[event('ADDED', cm('a', '11')), event('DELETED', cm('ghost', '12')), event('DELETED', cm('a', '13'))]]);
  const inf = new Informer(res.client(), silentLogger);
  const seen: string[] = [];
  inf.addEventHandler({ onAdd: () => { throw new Error('handler bug'); }, onDelete: () => { throw new Error('handler bug'); } });
  inf.addEventHandler({ onAdd: (o) => void seen.push(`add ${o.metadata?.name}`), onDelete: (o) => void seen.push(`delete ${o.metadata?.name}`) });
  const ac = new AbortController();
  const running = inf.run(ac.signal);
  try {
    await waitFor(() => seen.length === 3, 2000, 'three events');
    assert.deepEqual(seen, ['add a', 'delete ghost', 'delete a']);
    assert.equal(inf.store.size, 0);
    assert.equal(inf.lastSyncResourceVersion(), '13');
  } finally {
    ac.abort();
    await running;
  }
});
