// Smoke test of the storage benchmark: the quick run finishes, prints every figure for both
// backends and cleans up its temporary files. It asserts nothing about speed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const MAIN = fileURLToPath(new URL('../../bench/storage/main.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBench(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const NUM = String.raw`[\d,]+(?:\.\d+)?`;
const RATE = String.raw`${NUM} /s`;
const MS = String.raw`${NUM} ms`;

function count(text: string, pattern: string): number {
  return text.match(new RegExp(pattern, 'gm'))?.length ?? 0;
}

describe('storage benchmark (quick run)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kubets-bench-test-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  let run: Run;

  it('exits 0', { timeout: 60_000 }, async () => {
    run = await runBench(['--quick', `--tmp-dir=${tmp}`]);
    assert.equal(run.code, 0, `exit code ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  });

  it('prints a table for each backend with every figure', () => {
    assert.ok(run, 'the benchmark did not run');
    const out = run.stdout;
    assert.match(out, /^== sqlite backend \(sync=full, /m);
    assert.match(out, /^== memory backend /m);
    const perBackend: [string, string][] = [
      ['writes/s, 1 writer', RATE],
      ['writes/s, 64 writers', RATE],
      ['reads/s, 64 readers', RATE],
      [String.raw`list [\d,]+ keys \(500 B values\), best of 3`, MS],
      [String.raw`list [\d,]+ keys, median of 3`, MS],
      ['watch events/s, 100 watchers x 200 writes', RATE],
    ];
    for (const [label, value] of perBackend) {
      assert.equal(count(out, String.raw`^  ${label}\b.*\s${value}`), 2, `one "${label}" line per backend:\n${out}`);
    }
    const sqliteOnly: [string, string][] = [
      [String.raw`ceiling: raw better-sqlite3 rows/s, 64 rows/txn`, RATE],
      [String.raw`ceiling: raw better-sqlite3 rows/s, 1 row/txn`, RATE],
      [String.raw`64-writer rate / ceiling \(64 rows/txn\)`, String.raw`\d+\.\d\d \(\d+%\)`],
      [String.raw`1-writer rate / ceiling \(1 row/txn\)`, String.raw`\d+\.\d\d \(\d+%\)`],
    ];
    for (const [label, value] of sqliteOnly) {
      assert.equal(count(out, String.raw`^  ${label}\s.*${value}`), 1, `one "${label}" line:\n${out}`);
    }
  });

  it('compares every backend with the targets', () => {
    assert.ok(run, 'the benchmark did not run');
    const out = run.stdout;
    assert.match(out, /^== targets ==$/m);
    for (const kind of ['sqlite', 'memory']) {
      assert.match(out, new RegExp(String.raw`^  ${kind} writes/s, 64 writers >= 20,000\s+${RATE}\s+(ok|MISS)`, 'm'));
      assert.match(out, new RegExp(String.raw`^  ${kind} list [\d,]+ keys \(median\) < 300 ms\s+${MS}\s+(ok|MISS)`, 'm'));
      assert.match(out, new RegExp(String.raw`^  ${kind} watch events/s delivered >= 200,000\s+${RATE}\s+(ok|MISS)`, 'm'));
    }
    assert.match(out, /^benchmark finished in \d+\.\d s$/m);
  });

  it('shows loading progress on stderr and leaves no temporary files', () => {
    assert.ok(run, 'the benchmark did not run');
    assert.match(run.stderr, /loading keys for the list: [\d,]+\/[\d,]+/);
    assert.deepEqual(readdirSync(tmp), []);
  });
});
