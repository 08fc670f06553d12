// Smoke test of the scheduler benchmark: every case at a tiny scale (50 nodes, 100 measured pods
// for SchedulingBasic) starts its in-process API server and scheduler, binds every measured pod
// (PreemptionBasic only by preempting), prints every figure beside upstream's threshold, and
// removes its temporary files. It asserts nothing about speed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { CASES, scaled } from '../../bench/scheduler/cases.js';

const MAIN = fileURLToPath(new URL('../../bench/scheduler/main.js', import.meta.url));
const SCALE = 0.01;

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const num = String.raw`[\d,]+(?:\.\d+)?`;

/** The lines between a case's heading and the next blank line. */
function section(out: string, name: string): string {
  const start = out.search(new RegExp(`^${esc(name)}: `, 'm'));
  assert.notEqual(start, -1, `no section for ${name} in:\n${out}`);
  const end = out.indexOf('\n\n', start);
  return out.slice(start, end === -1 ? undefined : end);
}

describe('scheduler benchmark (tiny scale)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kubets-bench-scheduler-test-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('refuses an unknown option or case with exit code 2', async () => {
    const bad = await runBench(['--no-such-option']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown option --no-such-option/);
    const unknown = await runBench(['--case', 'NoSuchCase']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown case NoSuchCase; cases: SchedulingBasic\/5000Nodes_10000Pods, /);
  });

  it('binds every measured pod of every case and prints every figure', { timeout: 60_000 }, async () => {
    const run = await runBench([`--scale=${SCALE}`, '--stall-seconds=10', '--sample-interval-ms=100', `--tmp-dir=${tmp}`]);
    assert.equal(run.code, 0, `exit code ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    for (const bc of CASES) {
      const n = scaled(bc.counts, SCALE);
      const s = section(run.stdout, bc.name);
      assert.match(s, new RegExp(`^${esc(bc.name)}: ${n.nodes} nodes, ${n.initPods} existing pods, ${n.measurePods} measured pods \\(scale ${SCALE}\\)$`, 'm'));
      assert.match(s, new RegExp(`^  existing pods scheduled +${n.initPods}/${n.initPods} in ${num} s$`, 'm'));
      assert.match(s, new RegExp(`^  measured pods bound +${n.measurePods}/${n.measurePods} in ${num} s, ${num} pods/s overall$`, 'm'));
      assert.match(s, new RegExp(`^  throughput \\(1 s windows\\) +(avg ${num} pods/s, p50 ${num}, p90 ${num}, p99 ${num} \\(\\d+ windows\\)|n/a .*)$`, 'm'));
      const threshold = bc.threshold === undefined ? 'none upstream' : `${bc.threshold} pods/s; ratio ${num}`;
      assert.match(s, new RegExp(`^  upstream threshold +${threshold}$`, 'm'));
      assert.match(s, new RegExp(`^  latency unbound -> bound +p50 ${num} ms, p99 ${num} ms \\(${n.measurePods} pods\\)$`, 'm'));
      assert.match(s, new RegExp(`^  scheduler +${n.initPods + n.measurePods} bound, `, 'm'));
    }
    // Each high-priority pod fits only by evicting low-priority ones.
    const preemption = section(run.stdout, 'PreemptionBasic/1000Nodes');
    const preemptions = Number(/(\d+) preemptions/.exec(preemption)?.[1]);
    assert.ok(preemptions >= scaled(CASES.find((c) => c.alias === 'Preemption')!.counts, SCALE).measurePods, preemption);
    assert.match(run.stdout, /^summary /m);
    assert.match(run.stderr, /\.\.\. 50 nodes created in /);
    assert.deepEqual(readdirSync(tmp), []);
  });
});
