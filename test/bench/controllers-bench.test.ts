// Smoke test of the controller benchmark: the quick run starts a real kubets server, creates and
// rolls Deployments with a simulated node, prints every figure, stops its server and removes its
// temporary files. It asserts nothing about speed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const MAIN = fileURLToPath(new URL('../../bench/controllers/main.js', import.meta.url));

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 90_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

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

describe('controller benchmark (quick run)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kubets-bench-controllers-test-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('refuses an unknown option with exit code 2', async () => {
    const r = await runBench(['--no-such-option']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --no-such-option/);
  });

  it('creates and rolls Deployments, prints every figure and cleans up', { timeout: 90_000 }, async () => {
    const run = await runBench(['--quick', '--datastores=memory', `--tmp-dir=${tmp}`]);
    assert.equal(run.code, 0, `exit code ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    const out = run.stdout;
    assert.match(out, /^memory: 20 Deployments x 5 replicas = 100 pods$/m);
    assert.match(out, /^ {2}all available \(pods created end to end\)\s+[\d.,]+ s\s+[\d,]+ pods\/s \(target >= 500\)$/m);
    assert.match(out, /^ {2}rolling update of all \(pods replaced\)\s+[\d.,]+ s\s+[\d,]+ pods\/s$/m);
    for (const queue of ['deployment', 'replicaset']) {
      for (const phase of ['create', 'rollout']) {
        assert.match(out, new RegExp(String.raw`^  work queue ${queue} \(${phase}\)\s+p99 [\d.,]+ ms\s+p50 [\d.,]+ ms, [\d,]+ items$`, 'm'));
      }
    }
    assert.match(run.stderr, /starting kubets server \(memory\)/);
    assert.deepEqual(processesMentioning(tmp), [], 'the server outlived the run');
    assert.deepEqual(readdirSync(tmp), []);
  });
});
