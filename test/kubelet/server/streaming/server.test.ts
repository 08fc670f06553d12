// The kubelet's exec, attach and port-forward endpoints over real TLS, with a fake runtime: every
// protocol a client can speak (SPDY v4/v2, WebSocket v5/v4/base64, port-forward over SPDY,
// SPDY-in-WebSocket and WebSocket channels) and the refusals before an upgrade.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Duplex, PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { WebSocket } from 'ws';
import { KubeletServer } from '../../../../src/kubelet/server/index.js';
import type { StreamTarget } from '../../../../src/kubelet/server/streaming/index.js';
import { RuntimeError, type StreamOptions } from '../../../../src/kubelet/runtime/types.js';
import { ensurePki, issueClientCertificate, type CertAndKey, type Pki } from '../../../../src/pki/index.js';
import { issueKubeletServingCertificate } from '../../../../src/pki/kubelet.js';
import { rawWebSocket } from './raw-websocket.js';
import { SpdyTestClient } from './spdy-client.js';

/** Commands the fake runtime's exec understands. */
async function fakeExec(_id: string, cmd: string[], s: StreamOptions): Promise<number> {
  switch (cmd[0]) {
    case 'both':
      s.stdout?.write('out\n');
      s.stderr?.write('err\n');
      return Number(cmd[1] ?? 0);
    case 'cat':
      for await (const chunk of s.stdin ?? []) s.stdout?.write(chunk);
      return 0;
    case 'size':
      for await (const size of s.resize ?? []) {
        s.stdout?.write(`${size.width}x${size.height}`);
        return 0;
      }
      return 1;
    default:
      throw new RuntimeError('ExecError', `failed to exec in container: exec: "${cmd[0]}": executable file not found in $PATH`);
  }
}

const targets: Record<string, StreamTarget> = {
  'default/web': { uid: 'uid-1', containerName: 'app', containerId: 'c1', podSandboxId: 's1' },
  'default/stopped': { uid: 'uid-2', containerName: 'app' },
};

describe('kubelet streaming endpoints', () => {
  const root = mkdtempSync(join(tmpdir(), 'kubets-kubelet-streams-'));
  const abort = new AbortController();
  let pki: Pki;
  let client: CertAndKey;
  let port: number;
  let echo: Server;
  let echoPort: number;
  let running: Promise<void>;

  before(async () => {
    pki = await ensurePki({ dir: join(root, 'tls') });
    client = await issueClientCertificate(pki, { commonName: 'kube-apiserver-kubelet-client' });
    const serving = await issueKubeletServingCertificate(pki, { nodeName: 'node-a' });
    echo = createServer((sock: Socket) => sock.pipe(sock));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as { port: number }).port;
    const server = new KubeletServer({
      port: 0,
      host: '127.0.0.1',
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: pki.caCertPem },
      logRoot: join(root, 'pods'),
      findPod: () => undefined,
      streams: {
        runtime: {
          exec: fakeExec,
          attach: async (_id, s) => {
            s.stdout?.write('attached\n');
            for await (const chunk of s.stdin ?? []) s.stdout?.write(chunk);
            return 0;
          },
          portForward: async (_sandbox, p) => {
            if (p !== echoPort) throw new RuntimeError('PortForwardError', `failed to connect to 127.0.0.1:${p}: connection refused`);
            const { connect } = await import('node:net');
            const sock = connect({ host: '127.0.0.1', port: p });
            await new Promise((r) => sock.once('connect', r));
            return sock;
          },
        },
        target: async (ns, name) => targets[`${ns}/${name}`],
        streamCreationTimeoutMs: 500,
      },
    });
    running = server.start(abort.signal);
    port = (await server.address()).port;
  });

  after(async () => {
    abort.abort();
    await running;
    await new Promise<void>((r) => echo.close(() => r()));
    rmSync(root, { recursive: true, force: true });
  });

  const tls = (creds: CertAndKey | null = client): Promise<Duplex> =>
    new Promise((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, ca: pki.caCertPem, cert: creds?.certPem, key: creds?.keyPem, servername: 'node-a' });
      s.once('secureConnect', () => resolve(s));
      s.once('error', reject);
    });

  const spdyRequest = (path: string, versions: string[], extra = 'Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n') =>
    `POST ${path} HTTP/1.1\r\nHost: node-a\r\n${extra}${versions.map((v) => `X-Stream-Protocol-Version: ${v}\r\n`).join('')}\r\n`;

  const spdy = async (path: string, versions: string[], creds: CertAndKey | null = client) => SpdyTestClient.upgrade(await tls(creds), spdyRequest(path, versions));

  const ws = (path: string, protocols: string[]) =>
    new Promise<{ ws: WebSocket; protocol: string; messages: Buffer[]; closed: Promise<number> }>((resolve, reject) => {
      const sock = new WebSocket(`wss://127.0.0.1:${port}${path}`, protocols, { ca: pki.caCertPem, cert: client.certPem, key: client.keyPem });
      const messages: Buffer[] = [];
      sock.on('message', (d: Buffer) => messages.push(Buffer.from(d)));
      const closed = new Promise<number>((r) => sock.once('close', (code) => r(code)));
      sock.once('open', () => resolve({ ws: sock, protocol: sock.protocol, messages, closed }));
      sock.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      sock.once('error', reject);
    });

  /** Channel -> concatenated payloads. */
  const channels = (messages: Buffer[]) => {
    const out: Record<number, string> = {};
    for (const m of messages) out[m[0]!] = (out[m[0]!] ?? '') + m.subarray(1).toString();
    return out;
  };

  describe('exec over SPDY', () => {
    it('v4: stdout and stderr streams, then a NonZeroExitCode Status on the error stream', async () => {
      const up = await spdy('/exec/default/web/app?command=both&command=3&output=1&error=1', ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'channel.k8s.io']);
      assert.ok('client' in up, up.head);
      assert.match(up.head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      assert.match(up.head, /\r\nUpgrade: SPDY\/3\.1\r\n/);
      assert.match(up.head, /\r\nX-Stream-Protocol-Version: v4\.channel\.k8s\.io\r\n/);
      const error = await up.client.open({ streamtype: ['error'] });
      const stdout = await up.client.open({ streamtype: ['stdout'] });
      const stderr = await up.client.open({ streamtype: ['stderr'] });
      await Promise.all([error.ended, stdout.ended, stderr.ended]);
      assert.equal(stdout.text(), 'out\n');
      assert.equal(stderr.text(), 'err\n');
      assert.deepEqual(JSON.parse(error.text()), {
        metadata: {},
        status: 'Failure',
        message: 'command terminated with non-zero exit code: error executing command [both 3], exit code 3',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      });
      up.client.close();
    });

    it('v4: stdin flows in until the client half-closes it; success is {"metadata":{},"status":"Success"}', async () => {
      const up = await spdy('/exec/default/web/app?command=cat&input=1&output=1', ['v4.channel.k8s.io']);
      assert.ok('client' in up);
      const error = await up.client.open({ streamtype: ['error'] });
      const stdin = await up.client.open({ streamtype: ['stdin'] });
      const stdout = await up.client.open({ streamtype: ['stdout'] });
      stdin.write('hello ');
      stdin.write('spdy');
      stdin.end();
      await Promise.all([error.ended, stdout.ended]);
      assert.equal(stdout.text(), 'hello spdy');
      assert.equal(error.text(), '{"metadata":{},"status":"Success"}');
      up.client.close();
    });

    it('v4 with a tty: a resize stream is expected and its sizes reach the command', async () => {
      const up = await spdy('/exec/default/web/app?command=size&input=1&output=1&error=1&tty=1', ['v4.channel.k8s.io']);
      assert.ok('client' in up);
      const error = await up.client.open({ streamtype: ['error'] });
      const stdin = await up.client.open({ streamtype: ['stdin'] });
      const stdout = await up.client.open({ streamtype: ['stdout'] });
      const resize = await up.client.open({ streamtype: ['resize'] });
      resize.write('{"Width":90,"Height":33}\n');
      await Promise.all([error.ended, stdout.ended]);
      assert.equal(stdout.text(), '90x33');
      stdin.end();
      up.client.close();
    });

    it('v2: the error stream carries only a failure message', async () => {
      const up = await spdy('/exec/default/web/app?command=both&command=2&output=1', ['v2.channel.k8s.io']);
      assert.ok('client' in up);
      const error = await up.client.open({ streamtype: ['error'] });
      const stdout = await up.client.open({ streamtype: ['stdout'] });
      await Promise.all([error.ended, stdout.ended]);
      assert.equal(error.text(), 'command terminated with non-zero exit code: error executing command [both 2], exit code 2');
      up.client.close();
    });

    it('a command that cannot run: an InternalError Status', async () => {
      const up = await spdy('/exec/default/web/app?command=nope&output=1', ['v4.channel.k8s.io']);
      assert.ok('client' in up);
      const error = await up.client.open({ streamtype: ['error'] });
      const stdout = await up.client.open({ streamtype: ['stdout'] });
      await Promise.all([error.ended, stdout.ended]);
      const status = JSON.parse(error.text());
      assert.equal(status.reason, 'InternalError');
      assert.equal(status.code, 500);
      assert.equal(status.message, 'Internal error occurred: error executing command in container: failed to exec in container: exec: "nope": executable file not found in $PATH');
      up.client.close();
    });

    it('a client that does not open its streams in time is dropped', async () => {
      const up = await spdy('/exec/default/web/app?command=both&output=1&error=1', ['v4.channel.k8s.io']);
      assert.ok('client' in up);
      await up.client.open({ streamtype: ['error'] });
      await up.client.closed;
    });
  });

  describe('exec and attach over WebSocket', () => {
    it('v5: an empty ready message, output channels, the close signal ends stdin, then the Status and a normal closure', async () => {
      const c = await ws('/exec/default/web/app?command=cat&input=1&output=1&error=1', ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
      assert.equal(c.protocol, 'v5.channel.k8s.io');
      c.ws.send(Buffer.from([0, ...Buffer.from('via websocket')]));
      c.ws.send(Buffer.from([255, 0]));
      assert.equal(await c.closed, 1000);
      assert.deepEqual(c.messages[0], Buffer.from([1]), 'the ready signal on stdout');
      assert.deepEqual(channels(c.messages), { 1: 'via websocket', 3: '{"metadata":{},"status":"Success"}' });
    });

    it('v4: exit code in the Status', async () => {
      const c = await ws('/exec/default/web/app?command=both&command=7&output=1&error=1', ['v4.channel.k8s.io']);
      assert.equal(await c.closed, 1000);
      const got = channels(c.messages);
      assert.equal(got[1], 'out\n');
      assert.equal(got[2], 'err\n');
      assert.deepEqual(JSON.parse(got[3]!).details, { causes: [{ reason: 'ExitCode', message: '7' }] });
    });

    it('v4.base64: text frames; the error channel ready message when only stdin is asked', async () => {
      const c = await ws('/attach/default/web/app?input=1', ['v4.base64.channel.k8s.io']);
      const first = await new Promise<string>((r) => c.ws.once('message', (d: Buffer) => r(d.toString())));
      assert.equal(first, '3');
      c.ws.close();
      assert.equal(await c.closed, 1005);
    });

    it('attach: output and stdin (v5)', async () => {
      const c = await ws('/attach/default/web/app?input=1&output=1', ['v5.channel.k8s.io']);
      c.ws.send(Buffer.from([0, ...Buffer.from('typed')]));
      c.ws.send(Buffer.from([255, 0]));
      assert.equal(await c.closed, 1000);
      assert.deepEqual(channels(c.messages), { 1: 'attached\ntyped', 3: '{"metadata":{},"status":"Success"}' });
    });

    it('no common subprotocol: 403', async () => {
      await assert.rejects(ws('/exec/default/web/app?command=cat&output=1', ['v2.channel.k8s.io']), /HTTP 403/);
    });
  });

  describe('port-forward', () => {
    const forwardOverSpdy = async (client: SpdyTestClient, requestId: string, p: number, payload: string) => {
      const error = await client.open({ streamtype: ['error'], port: [String(p)], requestid: [requestId] });
      error.end();
      const data = await client.open({ streamtype: ['data'], port: [String(p)], requestid: [requestId] });
      data.write(payload);
      data.end();
      await Promise.all([error.ended, data.ended]);
      return { error: error.text(), data: data.text() };
    };

    it('SPDY portforward.k8s.io: error and data streams paired by requestID, several connections on one session', async () => {
      const up = await spdy('/portForward/default/web', ['portforward.k8s.io']);
      assert.ok('client' in up);
      assert.match(up.head, /\r\nX-Stream-Protocol-Version: portforward\.k8s\.io\r\n/);
      assert.deepEqual(await forwardOverSpdy(up.client, '0', echoPort, 'first'), { error: '', data: 'first' });
      assert.deepEqual(await forwardOverSpdy(up.client, '1', echoPort, 'second'), { error: '', data: 'second' });
      assert.deepEqual(await forwardOverSpdy(up.client, '2', 9, 'x'), {
        error: 'error forwarding port 9 to pod s1, uid : failed to connect to 127.0.0.1:9: connection refused',
        data: '',
      });
      up.client.close();
    });

    it('SPDY: streams without a valid port or streamType are refused', async () => {
      const up = await spdy('/portForward/default/web', ['portforward.k8s.io']);
      assert.ok('client' in up);
      const refusedHeaders: Record<string, string[]>[] = [{ streamtype: ['data'] }, { streamtype: ['data'], port: ['0'] }, { streamtype: ['data'], port: ['http'] }, { port: ['80'] }, { streamtype: ['stdin'], port: ['80'] }];
      for (const headers of refusedHeaders) {
        const s = await up.client.open(headers);
        assert.deepEqual(await s.answer, { kind: 'reset', status: 5 }, JSON.stringify(headers));
      }
      up.client.close();
    });

    it('SPDY tunnelled in WebSocket (SPDY/3.1+portforward.k8s.io)', async () => {
      const { head, stream } = await rawWebSocket(await tls(), '/portForward/default/web', 'SPDY/3.1+portforward.k8s.io');
      assert.match(head, /\r\nSec-WebSocket-Protocol: SPDY\/3\.1\+portforward\.k8s\.io(\r\n|$)/);
      const client = new SpdyTestClient(stream!);
      assert.deepEqual(await forwardOverSpdy(client, '0', echoPort, 'tunnelled'), { error: '', data: 'tunnelled' });
      assert.deepEqual(await forwardOverSpdy(client, '1', echoPort, 'again'), { error: '', data: 'again' });
      stream!.destroy();
    });

    it('WebSocket channels: the port prefix on both channels, then the bytes', async () => {
      const c = await ws(`/portForward/default/web?port=${echoPort}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
      assert.equal(c.protocol, 'v4.channel.k8s.io');
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16LE(echoPort);
      await new Promise((r) => setTimeout(r, 50));
      c.ws.send(Buffer.from([0, ...Buffer.from('over channels')]));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(c.messages.slice(0, 2), [Buffer.from([0, ...prefix]), Buffer.from([1, ...prefix])]);
      assert.equal(Buffer.concat(c.messages.slice(2).map((m) => m.subarray(1))).toString(), 'over channels');
      c.ws.close();
      await c.closed;
    });
  });

  describe('refusals before the upgrade (the kubelet\'s codes and words)', () => {
    const refused = async (path: string, versions: string[], creds: CertAndKey | null = client, extra?: string) => {
      const r = await SpdyTestClient.upgrade(await tls(creds), spdyRequest(path, versions, extra));
      assert.ok(!('client' in r), 'not upgraded');
      return { status: Number(r.head.split(' ')[1]), head: r.head, body: r.body };
    };
    const cases: { name: string; path: string; versions?: string[]; creds?: null; extra?: string; status: number; body: string | RegExp }[] = [
      { name: 'no client certificate', path: '/exec/default/web/app?command=x&output=1', creds: null, status: 401, body: 'Unauthorized' },
      { name: 'no stream asked for', path: '/exec/default/web/app?command=x', status: 400, body: 'you must specify at least 1 of stdin, stdout, stderr' },
      { name: 'a pod the kubelet does not have', path: '/exec/default/ghost/app?command=x&output=1', status: 404, body: 'pod does not exist' },
      { name: 'a container that does not run', path: '/exec/default/stopped/app?command=x&output=1', status: 500, body: 'container not found ("app")' },
      { name: 'another pod uid', path: '/attach/default/web/other-uid/app?output=1', status: 500, body: 'container not found ("app")' },
      { name: 'a pod without a ready sandbox', path: '/portForward/default/stopped', status: 500, body: 'pod not found ("stopped_default")' },
      { name: 'no protocol version', path: '/exec/default/web/app?command=x&output=1', versions: [], status: 400, body: 'unable to upgrade: X-Stream-Protocol-Version is required\n' },
      {
        name: 'no common protocol version',
        path: '/exec/default/web/app?command=x&output=1',
        versions: ['v9.channel.k8s.io'],
        status: 403,
        body: 'unable to upgrade: unable to negotiate protocol: client supports [v9.channel.k8s.io], server accepts [v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io]\n',
      },
      {
        name: 'no upgrade headers',
        path: '/portForward/default/web',
        versions: ['portforward.k8s.io'],
        extra: 'Connection: close\r\n',
        status: 400,
        body: 'unable to upgrade: missing upgrade headers in request: http.Header{"Connection":[]string{"close"}, "X-Stream-Protocol-Version":[]string{"portforward.k8s.io"}}\n',
      },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.status}`, async () => {
        const r = await refused(c.path, c.versions ?? ['v4.channel.k8s.io', 'portforward.k8s.io'], c.creds === null ? null : client, c.extra);
        assert.equal(r.status, c.status, r.head);
        if (typeof c.body === 'string') assert.equal(r.body, c.body);
        else assert.match(r.body, c.body);
      });
    }

    it('the accepted versions are listed when none matches', async () => {
      const r = await refused('/portForward/default/web', ['v4.channel.k8s.io']);
      assert.match(r.head, /\r\nX-Accepted-Stream-Protocol-Versions: portforward\.k8s\.io\r\n/);
    });

    it('WebSocket port-forward without ?port=: 400', async () => {
      await assert.rejects(ws('/portForward/default/web', ['v4.channel.k8s.io']), /HTTP 400/);
    });

    it('a plain request (no upgrade) gets the same answers', async () => {
      const s = await tls();
      const reply = new PassThrough();
      s.pipe(reply);
      s.write('GET /exec/default/ghost/app?command=x&output=1 HTTP/1.1\r\nHost: node-a\r\nConnection: close\r\n\r\n');
      let text = '';
      for await (const chunk of reply) text += chunk;
      assert.match(text, /^HTTP\/1\.1 404 /);
      assert.match(text, /\r\nContent-Length: 18\r\n/);
      assert.match(text, /\r\n\r\npod does not exist$/);
    });
  });
});
