// The static pod source over a real directory: which files count, a bad file skipped with one
// message, and — watched — a new file, an edit (new uid) and a removal each reported as the full set.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createLogger } from '../../../src/logging/index.js';
import { StaticPodSource } from '../../../src/kubelet/config/index.js';

const root = mkdtempSync(join(tmpdir(), 'kubets-static-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;

const manifest = (name: string, command = 'sleep 3600') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers: [{name: app, image: busybox, command: [sh, -c, '${command}']}]
`;

/** A source over a fresh directory, with the messages it logs. */
function fresh(opts: { pollMs?: number } = {}) {
  const dir = join(root, `m${++seq}`);
  mkdirSync(dir);
  const lines: { msg: string; path?: string }[] = [];
  const logger = createLogger(0, { write: (s: string) => void lines.push(JSON.parse(s) as { msg: string; path?: string }) });
  const source = new StaticPodSource({ manifestDir: dir, nodeName: 'node-a', logger, pollMs: opts.pollMs ?? 60_000, debounceMs: 20 });
  return { dir, source, lines, write: (f: string, text: string) => writeFileSync(join(dir, f), text) };
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata?.name);

/** Waits for the listener's next call that satisfies `ok`. */
function nextChange(source: StaticPodSource, ok: (pods: Pod[]) => boolean, timeoutMs = 3000): Promise<Pod[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching change in ${timeoutMs} ms; have ${JSON.stringify(names(source.pods()))}`));
    }, timeoutMs);
    const off = source.onChange((pods) => {
      if (!ok(pods)) return;
      clearTimeout(timer);
      off();
      resolve(pods);
    });
  });
}

describe('StaticPodSource: reading the directory', () => {
  it('takes .yaml, .yml and .json files in name order; skips hidden files, other files and directories', async () => {
    const { source, write, dir } = fresh();
    write('b.yaml', manifest('bravo'));
    write('a.yml', manifest('alpha'));
    write('c.json', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'charlie' }, spec: { containers: [{ name: 'app', image: 'busybox', command: ['true'] }] } }));
    write('.hidden.yaml', manifest('hidden'));
    write('notes.txt', manifest('text'));
    write('web.yaml~', manifest('backup'));
    mkdirSync(join(dir, 'sub.yaml'));
    assert.equal(await source.rescan(), true);
    assert.deepEqual(names(source.pods()), ['alpha-node-a', 'bravo-node-a', 'charlie-node-a']);
    assert.equal(source.get('default', 'bravo-node-a')?.metadata?.name, 'bravo-node-a');
    assert.equal(source.get('default', 'bravo'), undefined);
  });

  it('skips a bad file with one message naming it, keeps the good ones, and logs again only when it changes', async () => {
    const { source, write, lines, dir } = fresh();
    write('good.yaml', manifest('good'));
    write('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: []}\n');
    await source.rescan();
    assert.deepEqual(names(source.pods()), ['good-node-a']);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.path, join(dir, 'bad.yaml'));
    assert.match(lines[0]!.msg, /static pod manifest skipped: .*bad\.yaml: invalid pod: \[spec\.containers: Required value\]/);
    await source.rescan();
    await source.rescan();
    assert.equal(lines.length, 1, 'the same problem is logged once');
    write('bad.yaml', 'not: [valid');
    await source.rescan();
    assert.equal(lines.length, 2);
    assert.match(lines[1]!.msg, /bad\.yaml: couldn't parse as pod/);
    write('bad.yaml', manifest('bad'));
    await source.rescan();
    assert.deepEqual(names(source.pods()), ['bad-node-a', 'good-node-a']);
    assert.equal(lines.length, 2);
  });

  it('a pod name defined twice is taken from the first file, the second is logged', async () => {
    const { source, write, lines } = fresh();
    write('1.yaml', manifest('same', 'echo one'));
    write('2.yaml', manifest('same', 'echo two'));
    await source.rescan();
    assert.equal(source.pods().length, 1);
    assert.match(JSON.stringify(source.pods()[0]!.spec?.containers[0]?.command), /echo one/);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!.msg, /2\.yaml: defines pod default\/same-node-a, already defined by .*1\.yaml; ignored/);
  });

  it('a missing directory is no pods; config.seen stays the same while the file does', async () => {
    const { source, write, dir } = fresh();
    write('p.yaml', manifest('p'));
    await source.rescan();
    const seen = source.pods()[0]!.metadata!.annotations!['kubernetes.io/config.seen'];
    assert.match(seen!, /^\d{4}-\d\d-\d\dT/);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(await source.rescan(), false, 'nothing changed');
    assert.equal(source.pods()[0]!.metadata!.annotations!['kubernetes.io/config.seen'], seen);
    rmSync(dir, { recursive: true });
    assert.equal(await source.rescan(), true);
    assert.deepEqual(source.pods(), []);
  });
});

describe('StaticPodSource: watching', () => {
  it('reports the first read, then a new file, an edit (new uid and hash) and a removal', async () => {
    const { source, write, dir } = fresh();
    write('one.yaml', manifest('one'));
    const calls: Pod[][] = [];
    source.onChange((pods) => calls.push(pods));
    const ac = new AbortController();
    const running = source.start(ac.signal);
    try {
      await source.synced();
      assert.deepEqual(calls.map(names), [['one-node-a']], 'the first read is reported');
      const first = source.pods()[0]!;

      const added = nextChange(source, (p) => p.length === 2);
      write('two.yaml', manifest('two'));
      assert.deepEqual(names(await added), ['one-node-a', 'two-node-a']);

      const edited = nextChange(source, (p) => p.find((x) => x.metadata?.name === 'one-node-a')?.metadata?.uid !== first.metadata?.uid);
      write('one.yaml', manifest('one', 'sleep 60'));
      const now = (await edited).find((x) => x.metadata?.name === 'one-node-a')!;
      assert.notEqual(now.metadata?.uid, first.metadata?.uid, 'an edited manifest is a new pod');
      assert.equal(now.metadata?.annotations?.['kubernetes.io/config.hash'], now.metadata?.uid);

      const removed = nextChange(source, (p) => p.length === 1);
      unlinkSync(join(dir, 'two.yaml'));
      assert.deepEqual(names(await removed), ['one-node-a']);
      const count = calls.length;
      await source.rescan();
      assert.equal(calls.length, count, 'a read that changes nothing is not reported');
    } finally {
      ac.abort();
      await running;
    }
  });

  it('creates a missing manifest directory; follows it when it is removed and made again', async () => {
    const { source, dir } = fresh({ pollMs: 100 });
    rmSync(dir, { recursive: true });
    const ac = new AbortController();
    const running = source.start(ac.signal);
    try {
      await source.synced();
      assert.ok(existsSync(dir), 'created');
      writeFileSync(join(dir, 'a.yaml'), manifest('a'));
      await nextChange(source, (p) => p.length === 1);
      const gone = nextChange(source, (p) => p.length === 0);
      rmSync(dir, { recursive: true });
      await gone;
      const back = nextChange(source, (p) => p.length === 1);
      mkdirSync(dir);
      writeFileSync(join(dir, 'b.yaml'), manifest('b'));
      assert.deepEqual(names(await back), ['b-node-a']);
      const c = nextChange(source, (p) => p.length === 2);
      writeFileSync(join(dir, 'c.yaml'), manifest('c'));
      assert.deepEqual(names(await c), ['b-node-a', 'c-node-a']);
    } finally {
      ac.abort();
      await running;
    }
  });

  it('a start stopped at once ends, and whoever waits for the first read is not left waiting', async () => {
    const { source } = fresh();
    const ac = new AbortController();
    ac.abort();
    await source.start(ac.signal);
    await source.synced();
    assert.deepEqual(source.pods(), []);
  });
});
