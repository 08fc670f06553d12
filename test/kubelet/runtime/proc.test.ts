import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { isSameLiveProcess, killOrphanedGroup, readProcStat, signalGroup } from '../../../src/kubelet/runtime/process/proc.js';

describe('/proc and the pid-reuse guard', () => {
  // A detached sleep: the leader of its own process group, like a container's process.
  const sleeper = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  after(() => {
    if (sleeper.exitCode === null && sleeper.signalCode === null) sleeper.kill('SIGKILL');
  });

  test('readProcStat reads state, group and start time (field 22)', async () => {
    await once(sleeper, 'spawn');
    const stat = readProcStat(sleeper.pid!)!;
    assert.equal(stat.pgid, sleeper.pid);
    assert.ok(Number.isInteger(stat.startTime) && stat.startTime > 0);
    assert.ok(stat.startTime >= readProcStat(process.pid)!.startTime, 'started after this process');
    assert.equal(readProcStat(2 ** 22 + 1), undefined, 'beyond pid_max');
  });

  test('nothing is signalled under a start time that does not match', async () => {
    const { startTime } = readProcStat(sleeper.pid!)!;
    assert.equal(isSameLiveProcess(sleeper.pid!, startTime), true);
    assert.equal(isSameLiveProcess(sleeper.pid!, startTime + 1), false);
    assert.equal(signalGroup(sleeper.pid!, startTime + 1, 'SIGKILL'), false);
    killOrphanedGroup(sleeper.pid!, startTime + 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sleeper.exitCode, null);
    assert.equal(sleeper.signalCode, null);
    assert.equal(signalGroup(sleeper.pid!, startTime, 'SIGTERM'), true);
    const [, signal] = await once(sleeper, 'exit');
    assert.equal(signal, 'SIGTERM');
    assert.equal(isSameLiveProcess(sleeper.pid!, startTime), false);
  });
});
