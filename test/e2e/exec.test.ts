// kubectl exec, attach and port-forward end to end (kubectl -> API server -> kubelet -> process
// runtime) with every protocol the kubectl versions speak: SPDY/3.1 (1.27-1.29 exec, 1.27-1.30
// port-forward), WebSocket v5.channel.k8s.io (1.30+ exec and attach), SPDY tunnelled in WebSocket
// (1.31+ port-forward); and @kubernetes/client-node's Exec and PortForward (WebSocket channels).
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { freePort, TestCluster, until } from './harness.js';

const kubectlBin = (version: string) => `/usr/lib/google-cloud-sdk/bin/kubectl.${version}`;


interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('kubectl exec, attach and port-forward (kubets server with its local node)', () => {
  let cluster: TestCluster;
  let pythonPort: number;
  let nodePort: number;
  const spawned: ChildProcess[] = [];

  const args = (version: string, rest: string[]) => ['--kubeconfig', cluster.kubeconfig, '--cache-dir', `${cluster.dataDir}/kubectl-cache-${version}`, ...rest];
  const env = () => ({ ...process.env, HOME: cluster.dataDir, KUBECONFIG: '' });

  /** Runs a kubectl of `version` (or any command with `bin`) to its end; stdin null: left open. */
  const run = (version: string, rest: string[], opts: { stdin?: string | Buffer | null; bin?: string; argv?: string[] } = {}): Promise<Run> =>
    new Promise((resolve) => {
      const child = execFile(opts.bin ?? kubectlBin(version), opts.argv ?? args(version, rest), { timeout: 20_000, env: env(), maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
      if (opts.stdin !== null) child.stdin!.end(opts.stdin ?? '');
    });

  /** Starts a long-running kubectl; killed by the caller (and in after()). */
  const start = (version: string, rest: string[]) => {
    const child = spawn(kubectlBin(version), args(version, rest), { stdio: ['ignore', 'pipe', 'pipe'], env: env() });
    spawned.push(child);
    const out = { text: '' };
    child.stdout!.on('data', (d) => (out.text += d));
    child.stderr!.on('data', (d) => (out.text += d));
    return { child, out };
  };

  const phase = async (pod: string) => (await cluster.kubectl(['get', 'pod', pod, '-o', 'jsonpath={.status.phase}'])).stdout;

  before(async () => {
    cluster = await TestCluster.start({ agent: true });
    [pythonPort, nodePort] = await Promise.all([freePort(), freePort()]);
    await until(async () => (await cluster.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}'])).stdout === 'True', 'the local node Ready');
    const pods: [string, string[]][] = [
      ['box', ['sh', '-c', 'sleep 3600 # e2e-exec-box']],
      ['ticker', ['sh', '-c', 'while true; do echo tick; sleep 0.2; done']],
      ['web-local', ['python3', '-m', 'http.server', String(pythonPort), '--bind', '127.0.0.1']],
      ['web-any', ['node', '-e', `require('http').createServer((q, s) => s.end('hello from node on 0.0.0.0')).listen(${nodePort}, '0.0.0.0')`]],
    ];
    await Promise.all([
      ...pods.map(([name, command]) => cluster.kubectlOk(['run', name, '--image=busybox', '--restart=Never', '--command', '--', ...command])),
      // Nothing to stream to: a pod no node fits, and a container that keeps exiting.
      cluster.kubectlOk(['run', 'unscheduled', '--image=busybox', '--restart=Never', '--overrides={"spec":{"nodeSelector":{"e2e-exec":"nowhere"}}}', '--command', '--', 'true']),
      cluster.kubectlOk(['run', 'crashy', '--image=busybox', '--command', '--', 'sh', '-c', 'exit 1']),
    ]);
    await Promise.all(pods.map(([name]) => until(async () => (await phase(name)) === 'Running', `${name} Running`, 15_000)));
  });

  after(async () => {
    for (const c of spawned) c.kill('SIGKILL');
    await cluster?.stop();
  });

  it('exec prints stdout and stderr and exits with the command\'s code: SPDY (1.27, 1.29) and WebSocket (1.30, 1.33)', async () => {
    const versions = ['1.27', '1.29', '1.30', '1.33'];
    const results = await Promise.all(versions.map((v) => run(v, ['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'])));
    results.forEach((r, i) => {
      assert.equal(r.code, 3, `kubectl ${versions[i]}: ${r.stderr}`);
      assert.equal(r.stdout, 'out\n', `kubectl ${versions[i]}`);
      assert.equal(r.stderr, 'err\ncommand terminated with exit code 3\n', `kubectl ${versions[i]}`);
    });
    const ok = await run('1.33', ['exec', 'box', '--', 'true']);
    assert.deepEqual(ok, { code: 0, stdout: '', stderr: '' });
  });

  it('exec -i passes stdin through to its end (200 kB: no flow-control stall over SPDY)', async () => {
    const big = Buffer.alloc(200_000, 'x');
    for (const v of ['1.27', '1.33']) {
      const echoed = await run(v, ['exec', '-i', 'box', '--', 'cat'], { stdin: 'hi\nthere\n' });
      assert.deepEqual(echoed, { code: 0, stdout: 'hi\nthere\n', stderr: '' }, `kubectl ${v}`);
      const counted = await run(v, ['exec', '-i', 'box', '--', 'wc', '-c'], { stdin: big });
      assert.equal(counted.stdout.trim(), '200000', `kubectl ${v}: ${counted.stderr}`);
    }
  });

  it('exec -it gets a terminal (TERM=xterm, the client\'s size) when kubectl runs on one', async () => {
    for (const v of ['1.27', '1.33']) {
      const quoted = [kubectlBin(v), ...args(v, ['exec', '-it', 'box', '--', 'sh', '-c', 'tty; echo TERM=$TERM; sleep 0.5; stty size; exit 4'])].map((a) => `'${a}'`).join(' ');
      // script gives kubectl a terminal of 33 rows and 101 columns; kubectl sends that size on.
      // Its stdin stays open: at EOF, script would type an end-of-file character into the session.
      const r = await run(v, [], { bin: 'script', argv: ['-qec', `stty rows 33 cols 101; ${quoted}`, '/dev/null'], stdin: null });
      assert.equal(r.code, 4, `kubectl ${v}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /^\/dev\/pts\/\d+\r\nTERM=xterm\r\n33 101\r\n/, `kubectl ${v}`);
      assert.match(r.stdout, /command terminated with exit code 4/);
    }
  });

  it('attach shows the output of a container that prints periodically (1.27 SPDY, 1.33 WebSocket)', async () => {
    for (const v of ['1.27', '1.33']) {
      const { child, out } = start(v, ['attach', 'ticker']);
      await until(() => (out.text.match(/^tick$/gm) ?? []).length >= 2, `two ticks through kubectl ${v} attach (got ${JSON.stringify(out.text)})`, 8000);
      child.kill();
    }
  });

  /** Starts kubectl port-forward, fetches through it (retrying while the server starts), then kills it. */
  const forward = async (v: string, pod: string, port: number) => {
    const { child, out } = start(v, ['-v=4', 'port-forward', `pod/${pod}`, `:${port}`]);
    try {
      const local = await until(() => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out.text)?.[1], `kubectl ${v} port-forward listening`, 10_000);
      let body = '';
      for (let attempt = 0; attempt < 20 && !body; attempt++) {
        body = await fetch(`http://127.0.0.1:${local}/`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => (r.ok ? r.text() : ''),
          () => '',
        );
        if (!body) await new Promise((r) => setTimeout(r, 250));
      }
      return { body, log: out.text };
    } finally {
      child.kill();
    }
  };

  it('port-forward reaches servers on 127.0.0.1 and 0.0.0.0: SPDY (1.27) and SPDY in WebSocket (1.33)', async () => {
    for (const v of ['1.27', '1.33']) {
      const python = await forward(v, 'web-local', pythonPort);
      assert.match(python.body, /Directory listing for \//, `kubectl ${v} to python3 on 127.0.0.1`);
      const node = await forward(v, 'web-any', nodePort);
      assert.equal(node.body, 'hello from node on 0.0.0.0', `kubectl ${v} to node on 0.0.0.0`);
      if (v === '1.33') {
        assert.match(node.log, /negotiated protocol: portforward\.k8s\.io/, 'the tunnel was used');
        assert.doesNotMatch(node.log, /fallback to secondary dialer/);
      }
    }
  });

  it("client-node's Exec reports the command's Status; its PortForward carries bytes (WebSocket channels)", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const exec = new k8s.Exec(kc);
    const runJs = (command: string[]) =>
      new Promise<{ out: string; err: string; status: k8s.V1Status }>((resolve, reject) => {
        let out = '';
        let err = '';
        const sink = (append: (s: string) => void) =>
          new Writable({
            write(chunk: Buffer, _enc, cb) {
              append(chunk.toString());
              cb();
            },
          });
        const stdout = sink((s) => (out += s));
        const stderr = sink((s) => (err += s));
        exec.exec('default', 'box', 'box', command, stdout, stderr, null, false, (status) => resolve({ out, err, status })).catch(reject);
      });
    const failed = await runJs(['sh', '-c', 'echo js-out; echo js-err >&2; exit 2']);
    assert.equal(failed.out, 'js-out\n');
    assert.equal(failed.err, 'js-err\n');
    assert.equal(failed.status.status, 'Failure');
    assert.equal(failed.status.reason, 'NonZeroExitCode');
    assert.deepEqual(failed.status.details?.causes, [{ reason: 'ExitCode', message: '2' }]);
    assert.equal((await runJs(['true'])).status.status, 'Success');

    const output = new PassThrough();
    const input = new PassThrough();
    let received = '';
    output.on('data', (d: Buffer) => (received += d.toString()));
    const pf = new k8s.PortForward(kc);
    const ws = (await pf.portForward('default', 'web-any', [nodePort], output, null, input)) as { close(): void };
    input.write(`GET / HTTP/1.1\r\nHost: pod\r\nConnection: close\r\n\r\n`);
    await until(() => received.includes('hello from node on 0.0.0.0'), `the HTTP answer through client-node's port-forward (got ${JSON.stringify(received)})`, 5000);
    assert.match(received, /^HTTP\/1\.1 200 OK\r\n/);
    ws.close();
  });

  it('refusals read as upstream: an unknown container, an unscheduled pod, a container that does not run', async () => {
    const unknown = await run('1.33', ['exec', 'box', '-c', 'nope', '--', 'true']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'Error from server (BadRequest): container nope is not valid for pod box\n');
    const unscheduled = await run('1.27', ['exec', 'unscheduled', '--', 'true']);
    assert.equal(unscheduled.stderr, 'Error from server (BadRequest): pod unscheduled does not have a host assigned\n');
    const backingOff = () =>
      until(
        async () => (await cluster.kubectl(['get', 'pod', 'crashy', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}'])).stdout === 'CrashLoopBackOff',
        'crashy in CrashLoopBackOff',
        25_000,
      );
    // 1.33's WebSocket attempt fails the same way and it falls back to SPDY: one message either way.
    for (const v of ['1.27', '1.33']) {
      // The back-off ends now and then with a restart that lives a few milliseconds: an exec that
      // lands in it runs (and dies with the container), so it is tried again in the next back-off.
      let notRunning;
      for (let attempt = 0; attempt < 3; attempt++) {
        await backingOff();
        notRunning = await run(v, ['exec', 'crashy', '--', 'true']);
        if (notRunning.stderr.includes('container not found')) break;
      }
      assert.equal(notRunning!.code, 1, `kubectl ${v}`);
      assert.equal(notRunning!.stderr, 'error: unable to upgrade connection: container not found ("crashy")\n', `kubectl ${v}`);
    }
  });
});
