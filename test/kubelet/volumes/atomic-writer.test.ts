import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { AtomicWriter, validatePayloadPath } from '../../../src/kubelet/volumes/atomic-writer.js';
import type { Payload } from '../../../src/kubelet/volumes/types.js';
import { cleanupDirs, linkOf, modeOf, read, tempDir } from './helpers.js';

const payload = (files: Record<string, string>, mode = 0o644): Payload => new Map(Object.entries(files).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));
const tsDirs = (dir: string) => readdirSync(dir).filter((n) => /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/.test(n));

describe('AtomicWriter', () => {
  afterEach(cleanupDirs);

  test('lays files out as upstream: a timestamped directory, ..data, and top-level links through it', () => {
    const dir = tempDir();
    const w = new AtomicWriter(dir, () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    assert.equal(w.write(payload({ 'a.conf': 'A', 'nested/deep/b': 'B' }, 0o600)), true);
    const [ts] = tsDirs(dir);
    assert.match(ts!, /^\.\.2024_01_02_03_04_05\.\d+$/);
    assert.equal(linkOf(join(dir, '..data')), ts);
    assert.equal(linkOf(join(dir, 'a.conf')), '..data/a.conf');
    assert.equal(linkOf(join(dir, 'nested')), '..data/nested');
    assert.equal(read(join(dir, 'a.conf')), 'A');
    assert.equal(read(join(dir, 'nested/deep/b')), 'B');
    assert.equal(modeOf(join(dir, ts!, 'a.conf')), 0o600);
    assert.equal(modeOf(join(dir, ts!)), 0o755);
    assert.deepEqual(readdirSync(dir).sort(), ['..data', ts!, 'a.conf', 'nested'].sort());
  });

  test('an unchanged payload writes nothing; a change swaps ..data and removes the old directory and names', () => {
    const dir = tempDir();
    const w = new AtomicWriter(dir);
    w.write(payload({ keep: '1', gone: '2' }));
    const [first] = tsDirs(dir);
    assert.equal(w.write(payload({ keep: '1', gone: '2' })), false);
    assert.deepEqual(tsDirs(dir), [first]);
    assert.equal(w.write(payload({ keep: '1b', added: '3' })), true);
    const [second] = tsDirs(dir);
    assert.notEqual(second, first);
    assert.equal(existsSync(join(dir, first!)), false);
    assert.equal(existsSync(join(dir, 'gone')), false);
    assert.equal(read(join(dir, 'keep')), '1b');
    assert.equal(read(join(dir, 'added')), '3');
  });

  test('dropping a key alone (same remaining content) is an update', () => {
    const dir = tempDir();
    const w = new AtomicWriter(dir);
    w.write(payload({ a: '1', b: '2' }));
    assert.equal(w.write(payload({ a: '1' })), true);
    assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')), ['a']);
  });

  test('an empty payload leaves only ..data and its empty directory', () => {
    const dir = tempDir();
    new AtomicWriter(dir).write(new Map());
    assert.equal(readdirSync(dir).filter((n) => !n.startsWith('..')).length, 0);
    assert.equal(lstatSync(join(dir, '..data')).isSymbolicLink(), true);
  });

  test('a file left in the way of a name gives way to the link', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x'), 'stale');
    mkdirSync(join(dir, 'y'));
    new AtomicWriter(dir).write(payload({ x: 'new', 'y/z': 'deep' }));
    assert.equal(read(join(dir, 'x')), 'new');
    assert.equal(read(join(dir, 'y/z')), 'deep');
  });

  const invalid: [string, string][] = [
    ['', 'invalid path: must not be empty: ""'],
    ['/abs', 'invalid path: must be relative path: /abs'],
    ['a/../b', "invalid path: must not contain '..': a/../b"],
    ['..hidden', "invalid path: must not start with '..': ..hidden"],
    ['x'.repeat(256), 'invalid path: filenames must be less than or equal to 255 characters'],
    [`a/${'b/'.repeat(2100)}`, 'invalid path: must be less than or equal to 4096 characters'],
  ];
  for (const [p, message] of invalid) {
    test(`refuses the path ${JSON.stringify(p.slice(0, 20))} with upstream's words`, () => {
      assert.throws(() => validatePayloadPath(p), { message });
      const dir = tempDir();
      assert.throws(() => new AtomicWriter(dir).write(payload({ [p]: 'x' })), { message });
      assert.deepEqual(readdirSync(dir), []);
    });
  }
});
