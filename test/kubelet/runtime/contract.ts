// What every RuntimeService + ImageService must do, through the interface only: run it against a
// runtime with runtimeContract(name, makeRuntime). Containers run CONTRACT_COMMAND (a shell that
// exits with the code it reads on stdin) and the subject's exit(id, code) makes one exit by itself,
// so a real runtime and the fake are held to the same behaviour. Sandboxes are on the host network:
// port-forwards reach 127.0.0.1.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { PassThrough, Readable } from 'node:stream';
import type { ContainerConfig, ContainerEvent, ImageService, PodSandboxConfig, RuntimeService } from '../../../src/kubelet/runtime/types.js';
import { containerLogPath, NotFoundError, podLogDirectory, RuntimeError } from '../../../src/kubelet/runtime/types.js';

export interface RuntimeUnderTest {
  runtime: RuntimeService & ImageService;
  /** The IP sandboxes report. */
  nodeIp: string;
  /** Where pod log directories go. */
  logRoot: string;
  /** Makes a running container (created from containerConfig) exit by itself with `code`. */
  exit(id: string, code: number): Promise<void>;
  /** Stops whatever is left and releases the runtime. */
  close(): Promise<void>;
}

/** Runs until it reads an exit code on stdin. */
export const CONTRACT_COMMAND = ['/bin/sh', '-c', 'read code; exit "$code"'];
/** The exec every runtime is asked for, and what it must answer (the fake is told to). */
export const CONTRACT_EXEC = { cmd: ['/bin/sh', '-c', 'printf out; printf err >&2; exit 3'], stdout: 'out', stderr: 'err', exitCode: 3 };

export function sandboxConfig(logRoot: string, name: string, overrides: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const metadata = { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 };
  return {
    metadata,
    logDirectory: podLogDirectory(logRoot, metadata.namespace, metadata.name, metadata.uid),
    labels: { app: name },
    annotations: { note: 'contract' },
    hostNetwork: true,
    ...overrides,
  };
}

export function containerConfig(name: string, overrides: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: { image: `example.com/${name}:1` },
    command: CONTRACT_COMMAND,
    args: [],
    envs: [],
    mounts: [],
    logPath: containerLogPath(name, 0),
    stdin: true,
    labels: { container: name },
    annotations: {},
    ...overrides,
  };
}

const rejectsWith = (p: Promise<unknown>, type: typeof RuntimeError | typeof NotFoundError, reason?: string) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    if (reason !== undefined) assert.equal((e as RuntimeError).reason, reason);
    return true;
  });

export function runtimeContract(name: string, makeRuntime: () => Promise<RuntimeUnderTest>): void {
  describe(`RuntimeService contract: ${name}`, () => {
    let subject: RuntimeUnderTest;
    let rt: RuntimeService & ImageService;
    let events: ContainerEvent[];
    let unsubscribe: () => void;
    const sandbox = (n: string, o: Partial<PodSandboxConfig> = {}) => sandboxConfig(subject.logRoot, n, o);
    /** A sandbox with one container, started unless told otherwise. */
    const running = async (n = 'c', start = true) => {
      const sc = sandbox(`pod-${n}`);
      const sid = await rt.runPodSandbox(sc);
      const cid = await rt.createContainer(sid, containerConfig(n), sc);
      if (start) await rt.startContainer(cid);
      return { sid, cid, sc };
    };
    const eventsOf = (id: string) => events.filter((e) => e.containerId === id).map((e) => e.type);

    beforeEach(async () => {
      subject = await makeRuntime();
      rt = subject.runtime;
      events = [];
      unsubscribe = rt.onContainerEvent((e) => events.push(e));
    });
    afterEach(async () => {
      unsubscribe();
      await subject.close();
    });

    test('version names the runtime and speaks CRI v1', async () => {
      const v = await rt.version();
      assert.ok(v.runtimeName.length > 0 && v.runtimeVersion.length > 0);
      assert.equal(v.runtimeApiVersion, 'v1');
    });

    test('sandbox lifecycle: ready, stopped (idempotent), removed (idempotent)', async () => {
      const sc = sandbox('web');
      const id = await rt.runPodSandbox(sc);
      const status = await rt.podSandboxStatus(id);
      assert.equal(status.state, 'SANDBOX_READY');
      assert.deepEqual(status.metadata, sc.metadata);
      assert.deepEqual(status.labels, sc.labels);
      assert.deepEqual(status.annotations, sc.annotations);
      assert.equal(status.network.ip, subject.nodeIp);
      assert.ok(status.createdAt > 0n);
      await rt.stopPodSandbox(id);
      await rt.stopPodSandbox(id);
      assert.equal((await rt.podSandboxStatus(id)).state, 'SANDBOX_NOTREADY');
      await rt.removePodSandbox(id);
      await rt.removePodSandbox(id);
      await rejectsWith(rt.podSandboxStatus(id), NotFoundError);
      assert.deepEqual(await rt.listPodSandbox(), []);
      await rt.stopPodSandbox('no-such-sandbox');
      await rt.removePodSandbox('no-such-sandbox');
    });

    test('a sandbox name (name, namespace, uid, attempt) is reserved until removed', async () => {
      const id = await rt.runPodSandbox(sandbox('web'));
      await rejectsWith(rt.runPodSandbox(sandbox('web')), RuntimeError);
      const metadata = { ...sandbox('web').metadata, attempt: 1 };
      await rt.runPodSandbox(sandbox('web', { metadata }));
      await rt.removePodSandbox(id);
      await rt.runPodSandbox(sandbox('web'));
    });

    test('listPodSandbox filters by id, state and labels', async () => {
      const a = await rt.runPodSandbox(sandbox('a'));
      const b = await rt.runPodSandbox(sandbox('b'));
      await rt.stopPodSandbox(b);
      const ids = async (f: Parameters<RuntimeService['listPodSandbox']>[0]) => (await rt.listPodSandbox(f)).map((s) => s.id).sort();
      const cases: [Parameters<RuntimeService['listPodSandbox']>[0], string[]][] = [
        [undefined, [a, b].sort()],
        [{ id: a }, [a]],
        [{ state: 'SANDBOX_READY' }, [a]],
        [{ state: 'SANDBOX_NOTREADY' }, [b]],
        [{ labelSelector: { app: 'b' } }, [b]],
        [{ labelSelector: { app: 'c' } }, []],
      ];
      for (const [filter, want] of cases) assert.deepEqual(await ids(filter), want, JSON.stringify(filter));
    });

    test('container lifecycle: created, running, exits with its code, removed; events for each step', async () => {
      const { sid, cid, sc } = await running('app', false);
      let s = await rt.containerStatus(cid);
      assert.equal(s.state, 'CONTAINER_CREATED');
      assert.equal(s.podSandboxId, sid);
      assert.deepEqual(s.metadata, { name: 'app', attempt: 0 });
      assert.equal(s.image.image, 'example.com/app:1');
      assert.ok(s.imageRef.length > 0);
      assert.equal(s.logPath, join(sc.logDirectory, 'app/0.log'));
      assert.equal(s.startedAt, 0n);
      await rt.startContainer(cid);
      s = await rt.containerStatus(cid);
      assert.equal(s.state, 'CONTAINER_RUNNING');
      assert.ok(s.startedAt >= s.createdAt && s.startedAt > 0n);
      await subject.exit(cid, 3);
      s = await rt.containerStatus(cid);
      assert.equal(s.state, 'CONTAINER_EXITED');
      assert.equal(s.exitCode, 3);
      assert.equal(s.reason, 'Error');
      assert.ok(s.finishedAt >= s.startedAt);
      await rt.removeContainer(cid);
      await rt.removeContainer(cid);
      await rejectsWith(rt.containerStatus(cid), NotFoundError);
      assert.deepEqual(eventsOf(cid), ['CONTAINER_CREATED_EVENT', 'CONTAINER_STARTED_EVENT', 'CONTAINER_STOPPED_EVENT', 'CONTAINER_DELETED_EVENT']);
      assert.ok(events.every((e) => e.podSandboxId === sid && e.createdAt > 0n));
    });

    test('exit code 0 is reason Completed', async () => {
      const { cid } = await running();
      await subject.exit(cid, 0);
      const s = await rt.containerStatus(cid);
      assert.deepEqual([s.state, s.exitCode, s.reason], ['CONTAINER_EXITED', 0, 'Completed']);
    });

    test('stopContainer: a running container ends EXITED when it resolves; idempotent; a created one stays created', async () => {
      const { sid, cid, sc } = await running();
      await rt.stopContainer(cid, 5);
      const s = await rt.containerStatus(cid);
      assert.equal(s.state, 'CONTAINER_EXITED');
      assert.notEqual(s.exitCode, 0);
      assert.equal(s.reason, 'Error');
      await rt.stopContainer(cid, 5);
      const created = await rt.createContainer(sid, containerConfig('other'), sc);
      await rt.stopContainer(created, 0);
      assert.equal((await rt.containerStatus(created)).state, 'CONTAINER_CREATED');
      await rejectsWith(rt.stopContainer('no-such-container', 0), NotFoundError);
    });

    test('startContainer only starts a created container', async () => {
      const { cid } = await running();
      await rejectsWith(rt.startContainer(cid), RuntimeError, 'RunContainerError');
      await rt.stopContainer(cid, 0);
      await rejectsWith(rt.startContainer(cid), RuntimeError, 'RunContainerError');
      await rejectsWith(rt.startContainer('no-such-container'), NotFoundError);
    });

    test('createContainer needs a ready sandbox and a free name (name, attempt)', async () => {
      const sc = sandbox('p');
      await rejectsWith(rt.createContainer('no-such-sandbox', containerConfig('a'), sc), NotFoundError);
      const sid = await rt.runPodSandbox(sc);
      await rt.createContainer(sid, containerConfig('a'), sc);
      await rejectsWith(rt.createContainer(sid, containerConfig('a'), sc), RuntimeError, 'CreateContainerError');
      await rt.createContainer(sid, containerConfig('a', { metadata: { name: 'a', attempt: 1 } }), sc);
      await rt.stopPodSandbox(sid);
      await rejectsWith(rt.createContainer(sid, containerConfig('b'), sc), RuntimeError);
    });

    test('listContainers filters by id, sandbox, state and labels', async () => {
      const one = await running('one');
      const two = await running('two', false);
      const ids = async (f: Parameters<RuntimeService['listContainers']>[0]) => (await rt.listContainers(f)).map((c) => c.id).sort();
      const cases: [Parameters<RuntimeService['listContainers']>[0], string[]][] = [
        [undefined, [one.cid, two.cid].sort()],
        [{ id: two.cid }, [two.cid]],
        [{ podSandboxId: one.sid }, [one.cid]],
        [{ state: 'CONTAINER_RUNNING' }, [one.cid]],
        [{ state: 'CONTAINER_CREATED' }, [two.cid]],
        [{ labelSelector: { container: 'two' } }, [two.cid]],
        [{ podSandboxId: one.sid, state: 'CONTAINER_CREATED' }, []],
      ];
      for (const [filter, want] of cases) assert.deepEqual(await ids(filter), want, JSON.stringify(filter));
      const [listed] = await rt.listContainers({ id: one.cid });
      assert.equal(listed!.metadata.name, 'one');
      assert.equal(listed!.podSandboxId, one.sid);
    });

    test('removeContainer kills a running container first', async () => {
      const { cid } = await running();
      await rt.removeContainer(cid);
      assert.deepEqual(await rt.listContainers(), []);
      assert.deepEqual(eventsOf(cid), ['CONTAINER_CREATED_EVENT', 'CONTAINER_STARTED_EVENT', 'CONTAINER_STOPPED_EVENT', 'CONTAINER_DELETED_EVENT']);
    });

    test('stopPodSandbox stops its containers (kept), removePodSandbox removes them', async () => {
      const { sid, cid } = await running();
      const other = await running('other');
      await rt.stopPodSandbox(sid);
      assert.equal((await rt.containerStatus(cid)).state, 'CONTAINER_EXITED');
      assert.equal((await rt.containerStatus(other.cid)).state, 'CONTAINER_RUNNING');
      await rt.removePodSandbox(sid);
      await rejectsWith(rt.containerStatus(cid), NotFoundError);
      assert.equal(eventsOf(cid).at(-1), 'CONTAINER_DELETED_EVENT');
      assert.deepEqual((await rt.listContainers()).map((c) => c.id), [other.cid]);
    });

    test('removePodSandbox stops a ready sandbox first', async () => {
      const { sid, cid } = await running();
      await rt.removePodSandbox(sid);
      assert.deepEqual(await rt.listPodSandbox(), []);
      assert.deepEqual(eventsOf(cid).slice(-2), ['CONTAINER_STOPPED_EVENT', 'CONTAINER_DELETED_EVENT']);
    });

    test('execSync runs in a running container and collects its output and exit code', async () => {
      const { cid } = await running();
      const r = await rt.execSync(cid, CONTRACT_EXEC.cmd, 10);
      assert.deepEqual([r.stdout.toString(), r.stderr.toString(), r.exitCode], [CONTRACT_EXEC.stdout, CONTRACT_EXEC.stderr, CONTRACT_EXEC.exitCode]);
      await rt.stopContainer(cid, 0);
      await rejectsWith(rt.execSync(cid, CONTRACT_EXEC.cmd, 10), RuntimeError);
      await rejectsWith(rt.execSync('no-such-container', CONTRACT_EXEC.cmd, 10), NotFoundError);
    });

    test('exec streams the output and resolves with the exit code', async () => {
      const { cid } = await running();
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
      stdout.on('data', (c: Buffer) => chunks.out.push(c));
      stderr.on('data', (c: Buffer) => chunks.err.push(c));
      const code = await rt.exec(cid, CONTRACT_EXEC.cmd, { stdout, stderr });
      assert.equal(code, CONTRACT_EXEC.exitCode);
      assert.equal(Buffer.concat(chunks.out).toString(), CONTRACT_EXEC.stdout);
      assert.equal(Buffer.concat(chunks.err).toString(), CONTRACT_EXEC.stderr);
    });

    test('attach resolves with the exit code when the container exits; only a running one', async () => {
      const { sid, cid, sc } = await running();
      const attached = rt.attach(cid, { stdout: new PassThrough(), stderr: new PassThrough() });
      await subject.exit(cid, 7);
      assert.equal(await attached, 7);
      const created = await rt.createContainer(sid, containerConfig('later'), sc);
      await rejectsWith(rt.attach(created, { stdin: Readable.from([]) }), RuntimeError);
    });

    test('portForward connects to a port of the sandbox network', async () => {
      const server: Server = createServer((socket) => socket.pipe(socket));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const port = (server.address() as { port: number }).port;
        const { sid } = await running();
        const stream = await rt.portForward(sid, port);
        stream.write('ping');
        const [reply] = (await once(stream, 'data')) as [Buffer];
        assert.equal(reply.toString(), 'ping');
        stream.destroy();
        await rejectsWith(rt.portForward('no-such-sandbox', port), NotFoundError);
      } finally {
        server.close();
      }
    });

    test('images: a pulled image and the images of created containers are known', async () => {
      assert.equal(await rt.imageStatus({ image: 'example.com/pulled:1' }), undefined);
      const ref = await rt.pullImage({ image: 'example.com/pulled:1' });
      assert.ok(ref.length > 0);
      assert.deepEqual((await rt.imageStatus({ image: 'example.com/pulled:1' }))?.repoTags, ['example.com/pulled:1']);
      await running('app', false);
      const tags = (await rt.listImages()).flatMap((i) => i.repoTags).sort();
      assert.deepEqual(tags, ['example.com/app:1', 'example.com/pulled:1']);
      await rt.removeImage({ image: 'example.com/pulled:1' });
      assert.equal(await rt.imageStatus({ image: 'example.com/pulled:1' }), undefined);
    });

    test('an unsubscribed listener hears nothing more', async () => {
      const { cid } = await running('app', false);
      unsubscribe();
      await rt.startContainer(cid);
      assert.deepEqual(eventsOf(cid), ['CONTAINER_CREATED_EVENT']);
    });
  });
}
