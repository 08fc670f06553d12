// Smoke test of the API server benchmark: the quick run starts real kubets servers and the bare
// HTTPS server, prints every figure for both datastores, stops its servers and removes its
// temporary files. It asserts nothing about speed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const MAIN = fileURLToPath(new URL('../../bench/apiserver/main.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBench(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 90_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Command lines of the running processes that mention `text` (the servers name their data dir). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

const NUM = String.raw`[\d,]+(?:\.\d+)?`;
const RATE = String.raw`${NUM} /s`;
const MS = String.raw`${NUM} ms`;
const RATIO = String.raw`\d+\.\d\d \(\d+%\)`;
const S = String.raw`\s+`;

function count(text: string, pattern: string): number {
  return text.match(new RegExp(pattern, 'gm'))?.length ?? 0;
}

describe('API server benchmark (quick run)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kubets-bench-apiserver-test-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  let run: Run;

  it('refuses an unknown option with exit code 2', async () => {
    const r = await runBench(['--no-such-option']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --no-such-option/);
  });

  it('exits 0', { timeout: 90_000 }, async () => {
    run = await runBench(['--quick', `--tmp-dir=${tmp}`]);
    assert.equal(run.code, 0, `exit code ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  });

  it('prints a table for each datastore with every figure, beside the bare server', () => {
    assert.ok(run, 'the benchmark did not run');
    const out = run.stdout;
    assert.match(out, /^== sqlite datastore \(kubets server child process at https:\/\/127\.0\.0\.1:\d+\) ==$/m);
    assert.match(out, /^== memory datastore \(kubets server child process at https:\/\/127\.0\.0\.1:\d+\) ==$/m);
    const perDatastore: [string, string][] = [
      [String.raw`creates/s, open loop at 500/s for 0\.5 s`, `${RATE}${S}${MS}${S}${MS}$`],
      [String.raw`creates/s, 32 concurrent`, `${RATE}${S}${MS}${S}${MS}${S}${RATE}${S}${RATIO}$`],
      [String.raw`gets/s, 64 concurrent, over 500 pods`, `${RATE}${S}${MS}${S}${MS}${S}${RATE}${S}${RATIO}$`],
      [String.raw`list 500 pods \(\d+\.\d MB\), best of 3`, `${MS}${S}${MS}${S}${RATIO}$`],
      [String.raw`list 500 pods, median of 3`, `${MS}${S}${MS}${S}${RATIO}$`],
      [String.raw`list 500 pods as Table \(\d+\.\d MB\), once`, `${MS}${S}${MS}${S}${RATIO}$`],
      [String.raw`watch events/s, 20 watchers x 100 creates`, `${RATE}${S}${MS}${S}${MS}${S}${RATE}${S}${RATIO}$`],
      [String.raw`creates/s while loading the 500 pods, 32 concurrent`, `${RATE}${S}${MS}${S}${MS}$`],
      [String.raw`watch: 2,000 events delivered in`, `${MS}`],
    ];
    for (const [label, values] of perDatastore) {
      assert.equal(count(out, String.raw`^  ${label}${S}${values}`), 2, `one "${label}" line per datastore:\n${out}`);
    }
  });

  it('compares every datastore with the targets', () => {
    assert.ok(run, 'the benchmark did not run');
    const out = run.stdout;
    assert.match(out, /^== targets ==$/m);
    for (const ds of ['sqlite', 'memory']) {
      const line = (label: string, value: string): RegExp => new RegExp(String.raw`^  ${ds}\s+${label}${S}${value}\s+(ok|MISS)\b`, 'm');
      assert.match(out, line(String.raw`creates p99 at 500/s < 50 ms`, MS));
      assert.match(out, line(String.raw`gets/s >= 30% of the bare server's`, RATIO));
      assert.match(out, line(String.raw`list 500 pods \(median\) < 250 ms`, MS));
    }
    assert.match(out, /^CPU time during the run: \d+\.\d s by the benchmark's processes, \d+\.\d s by other processes \(of \d+\.\d s on all CPUs\)$/m);
    assert.match(out, /^benchmark finished in \d+\.\d s$/m);
  });

  it('shows progress on stderr, stops its servers and leaves no temporary files', () => {
    assert.ok(run, 'the benchmark did not run');
    assert.match(run.stderr, /creating the pods to list: [\d,]+\/[\d,]+/);
    assert.match(run.stderr, /starting the bare HTTPS server/);
    assert.deepEqual(processesMentioning(tmp), [], 'a server or load process outlived the run');
    assert.deepEqual(readdirSync(tmp), []);
  });
});
