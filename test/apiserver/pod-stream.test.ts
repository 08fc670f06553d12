import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { WebSocket } from 'ws';
import type { KubeObject } from '../../src/api/types.js';
import { notFound, StatusError } from '../../src/apimachinery/errors.js';
import { ANONYMOUS } from '../../src/apiserver/authn.js';
import { handlePodStreamUpgrade, podStreamLocation } from '../../src/apiserver/handlers/pod-stream.js';
import { parseRequestInfo, type ResourceRequestInfo } from '../../src/apiserver/request-info.js';
import { KubeletServer } from '../../src/kubelet/server/index.js';
import { ensurePki, issueClientCertificate, type CertAndKey, type Pki } from '../../src/pki/index.js';
import { issueKubeletServingCertificate } from '../../src/pki/kubelet.js';

const store = (objects: Record<string, KubeObject>, resource: string) => ({
  get: async (namespace: string, name: string): Promise<KubeObject> => {
    const o = objects[namespace ? `${namespace}/${name}` : name];
    if (!o) throw notFound({ group: '', resource }, name);
    return o;
  },
});

const pod = (name: string, containers: string[], nodeName?: string): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { containers: containers.map((c) => ({ name: c })), nodeName },
});

const node = (name: string, port: number): Node => ({
  metadata: { name },
  status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
});

describe('pods/exec, pods/attach, pods/portforward', () => {
  describe('the kubelet location (upstream streamLocation and streamParams)', () => {
    const pods = store({ 'default/web': pod('web', ['app']), 'default/two': pod('two', ['a', 'b'], 'n1'), 'default/one': pod('one', ['app'], 'n1') }, 'pods');
    const nodes = store({ n1: node('n1', 10250) }, 'nodes');
    const info = (method: string, path: string) => {
      const url = new URL(path, 'https://x');
      return { info: parseRequestInfo(method, url.pathname, url.searchParams) as ResourceRequestInfo, query: url.searchParams };
    };
    const cases: { name: string; method?: string; path: string; want: string | { code: number; message: string } }[] = [
      {
        name: 'exec: flags become the kubelet names, the command is kept in order',
        method: 'POST',
        path: '/api/v1/namespaces/default/pods/one/exec?command=sh&command=-c&command=echo+a%26b&stdin=true&stdout=true&stderr=true&tty=false',
        want: '/exec/default/one/app?input=1&output=1&error=1&command=sh&command=-c&command=echo+a%26b',
      },
      { name: 'exec over GET (WebSocket clients)', method: 'GET', path: '/api/v1/namespaces/default/pods/one/exec?command=ls&stdout=1&tty=1', want: '/exec/default/one/app?output=1&tty=1&command=ls' },
      { name: '"0" and "false" are false, an empty value is true', method: 'GET', path: '/api/v1/namespaces/default/pods/one/attach?stdin=0&stdout=FALSE&stderr=', want: '/attach/default/one/app?error=1' },
      { name: 'attach names the chosen container', method: 'POST', path: '/api/v1/namespaces/default/pods/two/attach?container=b&stdout=true', want: '/attach/default/two/b?output=1' },
      { name: 'portforward: ports become one comma-separated port', method: 'GET', path: '/api/v1/namespaces/default/pods/two/portforward?ports=8080&ports=9090', want: '/portForward/default/two?port=8080%2C9090' },
      { name: 'portforward over SPDY names no port', method: 'POST', path: '/api/v1/namespaces/default/pods/two/portforward', want: '/portForward/default/two' },
      { name: 'several containers, none named', path: '/api/v1/namespaces/default/pods/two/exec?command=ls&stdout=true', want: { code: 400, message: 'a container name must be specified for pod two, choose one of: [a b]' } },
      { name: 'an unknown container', path: '/api/v1/namespaces/default/pods/one/exec?container=x&command=ls', want: { code: 400, message: 'container x is not valid for pod one' } },
      { name: 'a pod not scheduled', path: '/api/v1/namespaces/default/pods/web/exec?command=ls', want: { code: 400, message: 'pod web does not have a host assigned' } },
      { name: 'a pod that does not exist', path: '/api/v1/namespaces/default/pods/ghost/exec?command=ls', want: { code: 404, message: 'pods "ghost" not found' } },
      { name: 'a port that is not a number', path: '/api/v1/namespaces/default/pods/one/portforward?ports=http', want: { code: 400, message: 'strconv.ParseInt: parsing "http": invalid syntax' } },
      { name: 'PUT is not a connect method', method: 'PUT', path: '/api/v1/namespaces/default/pods/one/exec', want: { code: 405, message: 'update is not supported on resources of kind "pods/exec"' } },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { info: i, query } = info(c.method ?? 'POST', c.path);
        const got = podStreamLocation(i, query, pods, nodes, 10250);
        if (typeof c.want === 'string') return assert.deepEqual(await got, { host: '127.0.0.1', port: 10250, path: c.want });
        const want = c.want;
        await assert.rejects(got, (e: unknown) => e instanceof StatusError && e.code === want.code && (e.code === 405 ? /pods\/exec/.test(e.message) : e.message === want.message));
      });
    }
  });

  describe('upgrade requests proxied to the kubelet', () => {
    const root = mkdtempSync(join(tmpdir(), 'kubets-pod-stream-'));
    const abort = new AbortController();
    let pki: Pki;
    let admin: CertAndKey;
    let kubeletClient: CertAndKey;
    let kubeletPort: number;
    let kubeletRunning: Promise<void>;
    let api: Server;
    let apiPort: number;
    let plainServed = 0;

    before(async () => {
      pki = await ensurePki({ dir: join(root, 'tls') });
      admin = pki.admin;
      kubeletClient = await issueClientCertificate(pki, { commonName: 'kube-apiserver-kubelet-client' });
      const serving = await issueKubeletServingCertificate(pki, { nodeName: 'n1', ips: ['127.0.0.1'] });
      const kubelet = new KubeletServer({
        port: 0,
        host: '127.0.0.1',
        tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: pki.caCertPem },
        logRoot: join(root, 'pods'),
        findPod: () => undefined,
        streams: {
          runtime: {
            exec: async (_id, cmd, s) => {
              s.stdout?.write(`ran ${cmd.join(' ')}\n`);
              s.stderr?.write('to stderr\n');
              return cmd[0] === 'fail' ? 5 : 0;
            },
            attach: async () => 0,
            portForward: async () => {
              throw new Error('nothing listens');
            },
          },
          target: async (ns, name) => (ns === 'default' && name === 'one' ? { uid: 'uid-one', containerName: 'app', containerId: 'c1', podSandboxId: 's1' } : undefined),
        },
      });
      kubeletRunning = kubelet.start(abort.signal);
      kubeletPort = (await kubelet.address()).port;
      const pods = store({ 'default/one': pod('one', ['app'], 'n1'), 'default/lost': pod('lost', ['app'], 'n2') }, 'pods');
      const nodes = store({ n1: node('n1', kubeletPort), n2: node('n2', 1) }, 'nodes');
      api = createHttpsServer({ cert: pki.serving.certPem, key: pki.serving.keyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false }, (_req, res) => res.end('plain'));
      api.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        void handlePodStreamUpgrade(req, socket, head, {
          authenticate: (r) => ((r.socket as TLSSocket).authorized ? { name: 'admin', groups: ['system:masters', 'system:authenticated'] } : ANONYMOUS),
          storeOf: (_g, _v, plural) => (plural === 'pods' ? pods : nodes),
          kubeletClient: { certPem: kubeletClient.certPem, keyPem: kubeletClient.keyPem, caPem: pki.caCertPem },
          signal: abort.signal,
          serve: async (_r, res) => {
            plainServed++;
            res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 25 });
            res.end('served as a plain request');
          },
        });
      });
      await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
      apiPort = (api.address() as { port: number }).port;
    });

    after(async () => {
      abort.abort();
      await kubeletRunning;
      await new Promise<void>((r) => api.close(() => r()));
      rmSync(root, { recursive: true, force: true });
    });

    /** Sends a raw request to the API server; resolves with everything it answers until it closes. */
    const raw = (request: string, creds: CertAndKey | null = admin, closeAfterMs?: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const s = tlsConnect({ host: '127.0.0.1', port: apiPort, ca: pki.caCertPem, cert: creds?.certPem, key: creds?.keyPem, servername: 'localhost' });
        let text = '';
        s.on('data', (d: Buffer) => (text += d.toString('latin1')));
        s.once('secureConnect', () => s.write(request));
        s.once('close', () => resolve(text));
        s.once('error', reject);
        if (closeAfterMs) setTimeout(() => s.destroy(), closeAfterMs);
      });

    it('WebSocket v5 exec goes through to the kubelet and back, frames untouched', async () => {
      const messages: Buffer[] = [];
      const sock = new WebSocket(`wss://127.0.0.1:${apiPort}/api/v1/namespaces/default/pods/one/exec?command=fail&command=now&stdout=true&stderr=true`, ['v5.channel.k8s.io'], {
        ca: pki.caCertPem,
        cert: admin.certPem,
        key: admin.keyPem,
        servername: 'localhost',
      } as WebSocket.ClientOptions);
      sock.on('message', (d: Buffer) => messages.push(Buffer.from(d)));
      const code = await new Promise<number>((resolve, reject) => {
        sock.once('close', (c) => resolve(c));
        sock.once('error', reject);
      });
      assert.equal(code, 1000);
      assert.equal(sock.protocol, 'v5.channel.k8s.io');
      const byChannel = (n: number) => Buffer.concat(messages.filter((m) => m[0] === n).map((m) => m.subarray(1))).toString();
      assert.equal(byChannel(1), 'ran fail now\n');
      assert.equal(byChannel(2), 'to stderr\n');
      assert.equal(JSON.parse(byChannel(3)).details.causes[0].message, '5');
    });

    it("a SPDY upgrade gets the kubelet's 101, the kubelet's refusals pass through as they are", async () => {
      const spdy = (path: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n`;
      const upgraded = await raw(spdy('/api/v1/namespaces/default/pods/one/exec?command=ls&stdout=true'), admin, 300);
      assert.match(upgraded, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      assert.match(upgraded, /\r\nX-Stream-Protocol-Version: v4\.channel\.k8s\.io\r\n/);
      const refused = await raw(spdy('/api/v1/namespaces/default/pods/one/exec?stdout=false'));
      assert.match(refused, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(refused, /\r\n\r\nyou must specify at least 1 of stdin, stdout, stderr$/);
    });

    const statusOf = (reply: string) => {
      const [head, body] = reply.split('\r\n\r\n');
      return { code: Number(head!.split(' ')[1]), status: JSON.parse(body!) };
    };
    const upgrade = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;

    it('refusals before the proxy are Statuses on the raw socket', async () => {
      const cases: { path: string; creds?: null; code: number; reason?: string; message: RegExp }[] = [
        { path: '/api/v1/namespaces/default/pods/ghost/exec?command=ls&stdout=true', code: 404, reason: 'NotFound', message: /^pods "ghost" not found$/ },
        { path: '/api/v1/namespaces/default/pods/one/exec?command=ls&stdout=true', creds: null, code: 403, reason: 'Forbidden', message: /User "system:anonymous" cannot get resource "pods\/exec"/ },
        { path: '/api/v1/namespaces/default/pods/lost/exec?command=ls&stdout=true', code: 500, reason: 'InternalError', message: /^Internal error occurred: error dialing backend: dial tcp 127\.0\.0\.1:1: connect: connection refused$/ },
      ];
      for (const c of cases) {
        const { code, status } = statusOf(await raw(upgrade(c.path), c.creds === null ? null : admin));
        assert.equal(code, c.code, c.path);
        assert.equal(status.kind, 'Status');
        assert.equal(status.reason, c.reason);
        assert.match(status.message, c.message);
      }
    });

    it('any other upgrade request is served as a plain request', async () => {
      const before = plainServed;
      const reply = await raw(upgrade('/api/v1/namespaces/default/pods'));
      assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(reply, /served as a plain request$/);
      assert.equal(plainServed, before + 1);
    });
  });
});
