import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { formatCriRecord, parseCriRecord, parseTimestamp } from '../../../src/kubelet/server/cri-log.js';
import { readLogs, type ReadLogsOptions } from '../../../src/kubelet/server/log-reader.js';

const T = (s: number, frac = '') => `2024-05-01T10:00:${String(s).padStart(2, '0')}${frac ? `.${frac}` : ''}Z`;
const rec = (s: number, content: string, partial = false, stream: 'stdout' | 'stderr' = 'stdout') => formatCriRecord(T(s), stream, partial, content);
const nanos = (s: number) => BigInt(Date.parse(T(s))) * 1_000_000n;

async function read(opts: Partial<ReadLogsOptions> & { livePath: string }): Promise<string> {
  const chunks: Buffer[] = [];
  await readLogs({
    timestamps: false,
    follow: false,
    write: async (c) => void chunks.push(Buffer.from(c)),
    ...opts,
  });
  return Buffer.concat(chunks).toString();
}

describe('CRI records', () => {
  const cases: { line: string; want: { stream: string; partial: boolean; content: string; terminated: boolean } | undefined }[] = [
    { line: `${T(1)} stdout F hello world\n`, want: { stream: 'stdout', partial: false, content: 'hello world', terminated: true } },
    { line: `${T(1)} stderr P part\n`, want: { stream: 'stderr', partial: true, content: 'part', terminated: true } },
    { line: `${T(1)} stdout F\n`, want: { stream: 'stdout', partial: false, content: '', terminated: true } },
    { line: `${T(1)} stdout F:x  two spaces\n`, want: { stream: 'stdout', partial: false, content: ' two spaces', terminated: true } },
    { line: `${T(1)} stdout F unfinished`, want: { stream: 'stdout', partial: false, content: 'unfinished', terminated: false } },
    { line: `${T(1)} stdin F nope\n`, want: undefined },
    { line: `yesterday stdout F nope\n`, want: undefined },
    { line: `${T(1)} stdout\n`, want: undefined },
  ];
  for (const c of cases) {
    it(`parses ${JSON.stringify(c.line)}`, () => {
      const r = parseCriRecord(Buffer.from(c.line));
      if (!c.want) return assert.equal(r, undefined);
      assert.ok(r);
      assert.deepEqual({ stream: r.stream, partial: r.partial, content: r.content.toString(), terminated: r.terminated }, c.want);
    });
  }

  it('keeps nanoseconds and prints nine fractional digits, in the zone written', () => {
    assert.deepEqual(parseTimestamp('2016-10-06T00:17:09.669794202Z'), {
      time: BigInt(Date.parse('2016-10-06T00:17:09Z')) * 1_000_000n + 669794202n,
      fixed: '2016-10-06T00:17:09.669794202Z',
    });
    assert.equal(parseTimestamp('2016-10-06T02:17:09.5+02:00')?.fixed, '2016-10-06T02:17:09.500000000+02:00');
    assert.equal(parseTimestamp('2016-10-06T02:17:09.5+02:00')?.time, BigInt(Date.parse('2016-10-06T00:17:09Z')) * 1_000_000n + 500_000_000n);
    assert.equal(parseTimestamp('2016-10-06 00:17:09Z'), undefined);
  });
});

describe('readLogs', () => {
  const root = mkdtempSync(join(tmpdir(), 'kubets-logread-'));
  let n = 0;
  /** A fresh container directory with `0.log` holding `content`. */
  const logFile = (content: string): string => {
    const dir = join(root, `c${n++}`);
    mkdirSync(dir, { recursive: true });
    const p = join(dir, '0.log');
    writeFileSync(p, content);
    return p;
  };
  const five = [1, 2, 3, 4, 5].map((i) => rec(i, `line ${i}`, false, i % 2 ? 'stdout' : 'stderr')).join('');
  after(() => rmSync(root, { recursive: true, force: true }));

  const table: { name: string; opts: Partial<ReadLogsOptions>; want: string }[] = [
    { name: 'everything, both streams in order', opts: {}, want: 'line 1\nline 2\nline 3\nline 4\nline 5\n' },
    { name: 'tail 2', opts: { tailLines: 2 }, want: 'line 4\nline 5\n' },
    { name: 'tail 0', opts: { tailLines: 0 }, want: '' },
    { name: 'tail beyond the file', opts: { tailLines: 50 }, want: 'line 1\nline 2\nline 3\nline 4\nline 5\n' },
    { name: 'since', opts: { since: nanos(4) }, want: 'line 4\nline 5\n' },
    { name: 'tail then since', opts: { tailLines: 3, since: nanos(4) }, want: 'line 4\nline 5\n' },
    { name: 'timestamps', opts: { tailLines: 1, timestamps: true }, want: '2024-05-01T10:00:05.000000000Z line 5\n' },
    { name: 'limitBytes cuts mid-line', opts: { limitBytes: 10 }, want: 'line 1\nlin' },
    { name: 'limitBytes counts timestamps', opts: { limitBytes: 35, timestamps: true }, want: '2024-05-01T10:00:01.000000000Z line' },
  ];
  for (const c of table) {
    it(c.name, async () => {
      assert.equal(await read({ livePath: logFile(five), ...c.opts }), c.want);
    });
  }

  it('joins partial records into one line: one timestamp, counted once by tail', async () => {
    const p = logFile(rec(1, 'alpha') + rec(2, 'be', true) + rec(3, 'ta', true) + rec(4, '!') + rec(5, 'gamma'));
    assert.equal(await read({ livePath: p }), 'alpha\nbeta!\ngamma\n');
    assert.equal(await read({ livePath: p, tailLines: 2 }), 'beta!\ngamma\n');
    assert.equal(await read({ livePath: p, tailLines: 2, timestamps: true }), `${T(2, '000000000')} beta!\n${T(5, '000000000')} gamma\n`);
    // since decides for the whole line from its first record
    assert.equal(await read({ livePath: p, since: nanos(3) }), 'gamma\n');
  });

  it('shows an unfinished last line and a trailing record without newline', async () => {
    const p = logFile(rec(1, 'done') + rec(2, 'half', true));
    assert.equal(await read({ livePath: p }), 'done\nhalf');
    assert.equal(await read({ livePath: p, tailLines: 1 }), 'half');
    const q = logFile(rec(1, 'done') + `${T(2)} stdout F cut`);
    assert.equal(await read({ livePath: q }), 'done\ncut');
  });

  it('skips lines that are not CRI records', async () => {
    const p = logFile(rec(1, 'a') + 'garbage\n' + rec(2, 'b'));
    assert.equal(await read({ livePath: p }), 'a\nb\n');
    assert.equal(await read({ livePath: p, tailLines: 1 }), 'b\n');
  });

  it('tails across chunk boundaries of a large file', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => rec(1, `${'x'.repeat(40)} ${i}`)).join('');
    const p = logFile(lines);
    const out = await read({ livePath: p, tailLines: 3 });
    assert.equal(out, [4997, 4998, 4999].map((i) => `${'x'.repeat(40)} ${i}\n`).join(''));
  });

  it('reads rotated files (gzipped too) oldest first, and tails across them', async () => {
    const p = logFile(rec(5, 'five') + rec(6, 'six'));
    writeFileSync(`${p}.20240501-100003`, rec(3, 'three'));
    // Several rotations within a second are numbered; 10 comes after 2.
    writeFileSync(`${p}.20240501-100003-2`, rec(3, 'three and a bit'));
    writeFileSync(`${p}.20240501-100003-10`, rec(4, 'four'));
    writeFileSync(`${p}.20240501-100001.gz`, gzipSync(rec(1, 'one') + rec(2, 'two')));
    assert.equal(await read({ livePath: p }), 'one\ntwo\nthree\nthree and a bit\nfour\nfive\nsix\n');
    assert.equal(await read({ livePath: p, tailLines: 3 }), 'four\nfive\nsix\n');
    assert.equal(await read({ livePath: p, tailLines: 6 }), 'two\nthree\nthree and a bit\nfour\nfive\nsix\n');
  });

  describe('follow', () => {
    let p: string;
    before(() => {
      p = logFile(rec(1, 'first'));
    });

    it('streams appended lines, completes partial records, and ends once not running', async () => {
      const seen: string[] = [];
      let running = true;
      const done = readLogs({
        livePath: p,
        timestamps: false,
        follow: true,
        pollMs: 20,
        isRunning: () => running,
        write: async (c) => void seen.push(c.toString()),
      });
      const waitFor = async (text: string) => {
        const deadline = Date.now() + 3000;
        while (!seen.join('').includes(text)) {
          if (Date.now() > deadline) throw new Error(`never saw ${JSON.stringify(text)} in ${JSON.stringify(seen.join(''))}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      await waitFor('first\n');
      appendFileSync(p, rec(2, 'second'));
      await waitFor('second\n');
      // A record written in two pieces is shown once complete.
      appendFileSync(p, `${T(3)} stdout F thi`);
      await new Promise((r) => setTimeout(r, 60));
      assert.doesNotMatch(seen.join(''), /thi/);
      appendFileSync(p, 'rd\n');
      await waitFor('third\n');
      // Rotation: the old file is drained, then the new one is read from its start.
      appendFileSync(p, rec(4, 'fourth'));
      renameSync(p, `${p}.20240501-100004`);
      writeFileSync(p, rec(5, 'fifth'));
      await waitFor('fifth\n');
      appendFileSync(p, rec(6, 'last words'));
      running = false;
      await done;
      assert.equal(seen.join(''), 'first\nsecond\nthird\nfourth\nfifth\nlast words\n');
    });

    it('with tail 0 shows only what comes next; stops on abort', async () => {
      const q = logFile(rec(1, 'old'));
      const seen: string[] = [];
      const abort = new AbortController();
      const done = readLogs({
        livePath: q,
        tailLines: 0,
        timestamps: false,
        follow: true,
        pollMs: 20,
        isRunning: () => true,
        signal: abort.signal,
        write: async (c) => void seen.push(c.toString()),
      });
      await new Promise((r) => setTimeout(r, 50));
      appendFileSync(q, rec(2, 'new'));
      const deadline = Date.now() + 3000;
      while (!seen.join('').includes('new\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      abort.abort();
      await done;
      assert.equal(seen.join(''), 'new\n');
    });

    it('ends at limitBytes while following', async () => {
      const q = logFile(rec(1, 'abcdef'));
      const seen: string[] = [];
      const done = readLogs({
        livePath: q,
        limitBytes: 10,
        timestamps: false,
        follow: true,
        pollMs: 20,
        isRunning: () => true,
        write: async (c) => void seen.push(c.toString()),
      });
      await new Promise((r) => setTimeout(r, 30));
      appendFileSync(q, rec(2, 'ghijkl'));
      await done;
      assert.equal(seen.join(''), 'abcdef\nghi');
    });
  });
});
