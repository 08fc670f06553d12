import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { rfc3339Nano } from '../../../src/kubelet/runtime/process/clock.js';
import { CriLogWriter, parseCriLogLine, rotatedLogFiles } from '../../../src/kubelet/runtime/process/log-writer.js';

const root = mkdtempSync(join(tmpdir(), 'kubets-log-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const T = 1_700_000_000_123_456_789n;
/** A writer whose clock stands still at T (2023-11-14T22:13:20.123456789Z). */
const writer = (options: { maxSize?: number; maxFiles?: number; maxLineSize?: number } = {}) =>
  new CriLogWriter(join(root, `c${n++}`, '0.log'), { now: () => T, ...options });
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').slice(0, -1);

describe('rfc3339Nano', () => {
  test("formats like Go's time.RFC3339Nano in UTC", () => {
    const cases: [bigint, string][] = [
      [T, '2023-11-14T22:13:20.123456789Z'],
      [1_700_000_000_120_000_000n, '2023-11-14T22:13:20.12Z'],
      [1_700_000_000_000_000_000n, '2023-11-14T22:13:20Z'],
      [1_700_000_000_000_000_001n, '2023-11-14T22:13:20.000000001Z'],
    ];
    for (const [ns, want] of cases) assert.equal(rfc3339Nano(ns), want);
  });
});

describe('CriLogWriter', () => {
  test('one entry per line, F for complete lines, P for cut ones and for what is left at the end', () => {
    const stamp = '2023-11-14T22:13:20.123456789Z';
    const cases: { name: string; writes: [('stdout' | 'stderr'), string][]; want: string[] }[] = [
      { name: 'lines', writes: [['stdout', 'a\nb\n']], want: ['stdout F a', 'stdout F b'] },
      { name: 'a line across chunks', writes: [['stdout', 'a'], ['stdout', 'bc\nd'], ['stdout', 'e\n']], want: ['stdout F abc', 'stdout F de'] },
      { name: 'streams kept apart', writes: [['stdout', 'out'], ['stderr', 'err\n'], ['stdout', '\n']], want: ['stderr F err', 'stdout F out'] },
      { name: 'CRLF dropped', writes: [['stdout', 'dos\r\n']], want: ['stdout F dos'] },
      { name: 'empty line', writes: [['stdout', '\n']], want: ['stdout F '] },
      { name: 'trailing text', writes: [['stdout', 'a\nend']], want: ['stdout F a', 'stdout P end'] },
      { name: 'exactly the max line size', writes: [['stdout', 'abcd\n']], want: ['stdout F abcd'] },
      { name: 'longer than the max', writes: [['stdout', 'abcdefghij\n']], want: ['stdout P abcd', 'stdout P efgh', 'stdout F ij'] },
      { name: 'long without newline', writes: [['stderr', 'abcdefghi']], want: ['stderr P abcd', 'stderr P efgh', 'stderr P i'] },
    ];
    for (const c of cases) {
      const w = writer({ maxLineSize: 4 });
      for (const [stream, text] of c.writes) w.write(stream, Buffer.from(text));
      w.close();
      assert.deepEqual(lines(w.path), c.want.map((l) => `${stamp} ${l}`), c.name);
    }
  });

  test('16 KiB is the default line limit', () => {
    const w = writer();
    w.write('stdout', Buffer.from(`${'x'.repeat(16 * 1024)}\n${'y'.repeat(16 * 1024 + 1)}\n`));
    w.close();
    const entries = lines(w.path).map((l) => parseCriLogLine(l)!);
    assert.deepEqual(
      entries.map((e) => [e.partial, e.content.length]),
      [[false, 16384], [true, 16384], [false, 1]],
    );
  });

  test('rotation: the current file keeps its name and stays under maxSize; maxFiles counts it', () => {
    // Each entry is 50 bytes: 31 (stamp) + 10 ("stdout F ") + 8 + newline.
    const w = writer({ maxSize: 120, maxFiles: 3 });
    for (let i = 0; i < 10; i++) w.write('stdout', Buffer.from(`line-00${i}\n`));
    w.close();
    const rotated = rotatedLogFiles(w.path);
    assert.deepEqual(
      rotated.map((f) => f.slice(w.path.length)),
      ['.20231114-221320-2', '.20231114-221320-3'],
      'same second: numbered, oldest first; the two oldest were removed',
    );
    const contents = [...rotated, w.path].map((f) => lines(f).map((l) => parseCriLogLine(l)!.content));
    assert.deepEqual(contents, [['line-004', 'line-005'], ['line-006', 'line-007'], ['line-008', 'line-009']]);
  });

  test('a new writer appends to an existing file and counts its size', () => {
    const path = join(root, 'append', '0.log');
    const first = new CriLogWriter(path, { now: () => T, maxSize: 120 });
    first.write('stdout', Buffer.from('line-001\nline-002\n'));
    first.close();
    const second = new CriLogWriter(path, { now: () => T, maxSize: 120 });
    second.write('stdout', Buffer.from('line-003\n'));
    second.close();
    assert.equal(rotatedLogFiles(path).length, 1);
    assert.deepEqual(lines(path).map((l) => parseCriLogLine(l)!.content), ['line-003']);
  });
});

describe('parseCriLogLine', () => {
  test('splits an entry; rejects what is not one', () => {
    assert.deepEqual(parseCriLogLine('2023-11-14T22:13:20Z stderr P a b '), { time: '2023-11-14T22:13:20Z', stream: 'stderr', partial: true, content: 'a b ' });
    for (const bad of ['', 'plain text', '2023-11-14T22:13:20Z stdin F x', '2023-11-14T22:13:20Z stdout X x']) assert.equal(parseCriLogLine(bad), undefined, bad);
  });
});

describe('CriLogWriter when its directory is removed', () => {
  test('entries are dropped, not thrown; the writer recovers once the directory is back', () => {
    const dir = join(root, 'removed');
    const path = join(dir, '0.log');
    const w = new CriLogWriter(path, { now: () => T, maxSize: 60 });
    w.write('stdout', Buffer.from('line-001\n'));
    rmSync(dir, { recursive: true });
    // The next entry rotates: the rename fails, and so does reopening in a directory that is gone.
    assert.doesNotThrow(() => w.write('stdout', Buffer.from('line-002\nline-003\n')));
    mkdirSync(dir);
    w.write('stdout', Buffer.from('line-004\n'));
    w.close();
    assert.deepEqual(lines(path).map((l) => parseCriLogLine(l)!.content), ['line-004']);
  });
});
