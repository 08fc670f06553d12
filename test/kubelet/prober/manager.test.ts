// Probe workers with the fake runtime's exec: results change only after successThreshold /
// failureThreshold in a row; readiness starts false; liveness waits for the startup probe; a
// liveness failure asks for the container to be killed, once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { ProbeManager, type ProbeType } from '../../../src/kubelet/prober/manager.js';
import { resolvePort } from '../../../src/kubelet/prober/probe.js';
import { containerConfig, sandboxConfig } from '../runtime/contract.js';
import { FakeRuntime } from '../runtime/fake-runtime.js';

const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [] } };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const probe = (cmd: string, o: Record<string, number> = {}) => ({ exec: { command: [cmd] }, periodSeconds: 0.05 as number, ...o });

async function container(runtime: FakeRuntime, name: string): Promise<string> {
  const sb = sandboxConfig('/tmp/kubets-probe-test', `p-${name}`);
  const sandbox = await runtime.runPodSandbox(sb);
  const id = await runtime.createContainer(sandbox, containerConfig(name), sb);
  await runtime.startContainer(id);
  return id;
}

function setup() {
  const runtime = new FakeRuntime();
  let healthy = new Map<string, boolean>();
  runtime.execHandler = (_id, cmd) => ({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: healthy.get(cmd[0]!) ? 0 : 1 });
  const changes: string[] = [];
  const failures: { type: ProbeType; id: string }[] = [];
  const m = new ProbeManager({ runtime, onChange: (uid) => changes.push(uid), onFailure: (_p, _c, id, type) => failures.push({ type, id }) });
  return { m, changes, failures, runtime, set: (cmd: string, ok: boolean) => (healthy = new Map(healthy).set(cmd, ok)) };
}

describe('ProbeManager', () => {
  it('readiness starts false, turns true after successThreshold, false after failureThreshold', async () => {
    const { m, set, runtime } = setup();
    const c: Container = { name: 'app', readinessProbe: probe('ready', { successThreshold: 2, failureThreshold: 2 }) };
    m.update(pod, [{ container: c, containerId: await container(runtime, 'a') }], '127.0.0.1');
    assert.equal(m.ready('u1', c), false);
    set('ready', true);
    await wait(250);
    assert.equal(m.ready('u1', c), true);
    set('ready', false);
    await wait(250);
    assert.equal(m.ready('u1', c), false);
    m.stopAll();
  });

  it('liveness fails after failureThreshold and asks for a kill once; none while a startup probe is pending', async () => {
    const { m, failures, set, runtime } = setup();
    const c: Container = { name: 'app', startupProbe: probe('started', { failureThreshold: 1000 }), livenessProbe: probe('alive', { failureThreshold: 3 }) };
    const c1 = await container(runtime, 'b');
    m.update(pod, [{ container: c, containerId: c1 }], '127.0.0.1');
    await wait(300);
    assert.deepEqual(failures, [], 'liveness waits for startup');
    assert.equal(m.startupPending('u1', c), true);
    set('started', true);
    await wait(500);
    assert.equal(m.startupPending('u1', c), false);
    assert.deepEqual(failures, [{ type: 'liveness', id: c1 }], 'one kill for the failing liveness probe');
    m.stopAll();
  });

  it('a new container id restarts the workers; a removed pod stops them', async () => {
    const { m, set, runtime } = setup();
    const c: Container = { name: 'app', readinessProbe: probe('ready') };
    set('ready', true);
    m.update(pod, [{ container: c, containerId: await container(runtime, 'c') }], '127.0.0.1');
    await wait(150);
    assert.equal(m.ready('u1', c), true);
    m.update(pod, [{ container: c, containerId: await container(runtime, 'd') }], '127.0.0.1');
    assert.equal(m.ready('u1', c), false, 'a restarted container is not ready until probed again');
    m.removePod('u1');
    assert.equal(m.ready('u1', c), false);
  });

  it('resolves named and numeric ports', () => {
    const c: Container = { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] };
    assert.deepEqual([resolvePort('http', c), resolvePort(9090, c), resolvePort('9091', c), resolvePort('nope', c)], [8080, 9090, 9091, undefined]);
  });
});
