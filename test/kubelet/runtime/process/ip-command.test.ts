// Only read-only `ip` commands and deletions of devices that do not exist: nothing is changed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findExecutable, ip, IpBatcher, IpCommandError, showAddresses } from '../../../../src/kubelet/runtime/process/ip-command.js';

describe('ip commands', () => {
  test('findExecutable: an absolute path, or undefined', () => {
    assert.match(findExecutable('nsenter') ?? '', /^\/.*\/nsenter$/);
    assert.equal(findExecutable('no-such-binary-kubets'), undefined);
  });

  test('ip: stdout, or an IpCommandError with what ip said', async () => {
    assert.match(await ip(['-o', 'link', 'show', 'lo']), /^1: lo: /);
    await assert.rejects(ip(['link', 'show', 'kbt-no-such']), (e: unknown) => {
      assert.ok(e instanceof IpCommandError);
      assert.equal(e.exitCode, 1);
      assert.match(e.message, /^ip link show kbt-no-such: Device "kbt-no-such" does not exist\.$/);
      return true;
    });
  });

  test('showAddresses: JSON, empty for a missing device', async () => {
    const [lo] = await showAddresses({ dev: 'lo' });
    assert.ok(lo?.addr_info?.some((a) => a.family === 'inet' && a.local === '127.0.0.1' && a.prefixlen === 8));
    assert.deepEqual(await showAddresses({ dev: 'kbt-no-such' }), []);
  });

  test('IpBatcher: concurrent callers share a process; each hears only of its own failed lines', async () => {
    const batcher = new IpBatcher();
    const results = await Promise.allSettled([
      batcher.run([['link', 'show', 'lo']]),
      batcher.run([['link', 'show', 'lo'], ['link', 'del', 'kbt-no-such1']]),
      batcher.run([['link', 'show', 'lo']]),
      batcher.run([['link', 'del', 'kbt-no-such2'], ['link', 'show', 'lo']]),
      batcher.run([]),
    ]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).message)),
      [
        'ok',
        'ip -batch: link del kbt-no-such1: Cannot find device "kbt-no-such1"',
        'ok',
        'ip -batch: link del kbt-no-such2: Cannot find device "kbt-no-such2"',
        'ok',
      ],
    );
  });
});
