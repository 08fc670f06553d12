import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeletServer, type PodLogInfo } from '../../../src/kubelet/server/index.js';
import { formatCriRecord } from '../../../src/kubelet/server/cri-log.js';
import { containerLogPath, podLogDirectory } from '../../../src/kubelet/runtime/types.js';
import { ensurePki, issueClientCertificate, type CertAndKey, type Pki } from '../../../src/pki/index.js';
import { issueKubeletServingCertificate } from '../../../src/pki/kubelet.js';

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '123456Z');

describe('kubelet server', () => {
  const root = mkdtempSync(join(tmpdir(), 'kubets-kubelet-srv-'));
  const logRoot = join(root, 'pods');
  const pods = new Map<string, PodLogInfo>();
  const abort = new AbortController();
  let pki: Pki;
  let client: CertAndKey;
  let stranger: CertAndKey;
  let port: number;
  let server: KubeletServer;

  const logFile = (ns: string, name: string, container: string, attempt: number) =>
    join(podLogDirectory(logRoot, ns, name, pods.get(`${ns}/${name}`)!.uid), containerLogPath(container, attempt));
  const write = (path: string, content: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  };

  /** `creds` null: no client certificate. */
  const get = (path: string, creds: CertAndKey | null = client, extra: RequestOptions = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, ca: pki.caCertPem, cert: creds?.certPem, key: creds?.keyPem, agent: false, ...extra },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end();
    });

  before(async () => {
    pki = await ensurePki({ dir: join(root, 'tls') });
    const other = await ensurePki({ dir: join(root, 'other-tls') });
    client = await issueClientCertificate(pki, { commonName: 'kube-apiserver-kubelet-client' });
    stranger = other.admin;
    const serving = await issueKubeletServingCertificate(pki, { nodeName: 'node-a' });
    const now = Date.now();
    pods.set('default/web', {
      uid: 'uid-web',
      containers: [
        { name: 'app', restartCount: 1, running: true },
        { name: 'sidecar', restartCount: 0, running: true },
        { name: 'crashy', restartCount: 2, running: false },
        { name: 'pending', restartCount: 0, running: false, waitingReason: 'CreateContainerConfigError' },
      ],
    });
    write(logFile('default', 'web', 'app', 0), formatCriRecord(iso(now - 600_000), 'stdout', false, 'old instance'));
    write(
      logFile('default', 'web', 'app', 1),
      [
        formatCriRecord(iso(now - 300_000), 'stdout', false, 'five minutes ago'),
        formatCriRecord(iso(now - 2_000), 'stderr', true, 'just '),
        formatCriRecord(iso(now - 1_900), 'stderr', false, 'now'),
      ].join(''),
    );
    write(logFile('default', 'web', 'sidecar', 0), formatCriRecord('2024-05-01T10:00:00.5Z', 'stdout', false, 'sidecar says hi'));
    write(logFile('default', 'web', 'crashy', 0), formatCriRecord(iso(now), 'stdout', false, 'crash 0'));
    write(logFile('default', 'web', 'crashy', 1), formatCriRecord(iso(now), 'stdout', false, 'crash 1'));
    server = new KubeletServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: pki.caCertPem },
      logRoot,
      findPod: (ns, name) => pods.get(`${ns}/${name}`),
      followPollMs: 25,
    });
    void server.start(abort.signal);
    port = (await server.address()).port;
  });

  after(() => {
    abort.abort();
    rmSync(root, { recursive: true, force: true });
  });

  const base = '/containerLogs/default/web';
  const table: { name: string; path: string; status: number; body: string | RegExp }[] = [
    { name: 'the current instance', path: `${base}/app`, status: 200, body: 'five minutes ago\njust now\n' },
    { name: 'tailLines', path: `${base}/app?tailLines=1`, status: 200, body: 'just now\n' },
    { name: 'the legacy tail parameter', path: `${base}/app?tail=1`, status: 200, body: 'just now\n' },
    { name: 'tail=all', path: `${base}/app?tail=all`, status: 200, body: 'five minutes ago\njust now\n' },
    { name: 'sinceSeconds', path: `${base}/app?sinceSeconds=60`, status: 200, body: 'just now\n' },
    { name: 'sinceTime', path: `${base}/app?sinceTime=${new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z/, 'Z')}`, status: 200, body: 'just now\n' },
    { name: 'timestamps', path: `${base}/sidecar?timestamps=true`, status: 200, body: '2024-05-01T10:00:00.500000000Z sidecar says hi\n' },
    { name: 'limitBytes', path: `${base}/sidecar?limitBytes=7`, status: 200, body: 'sidecar' },
    { name: 'previous', path: `${base}/app?previous=true`, status: 200, body: 'old instance\n' },
    { name: 'a container backing off shows its last run', path: `${base}/crashy`, status: 200, body: 'crash 1\n' },
    { name: 'previous of a backing-off container', path: `${base}/crashy?previous=true`, status: 200, body: 'crash 1\n' },
    { name: 'no previous instance', path: `${base}/sidecar?previous=true`, status: 400, body: 'previous terminated container "sidecar" in pod "web" not found' },
    { name: 'not started yet', path: `${base}/pending`, status: 400, body: 'container "pending" in pod "web" is waiting to start: CreateContainerConfigError' },
    { name: 'unknown pod', path: '/containerLogs/default/nope/app', status: 404, body: 'pod "nope" does not exist' },
    { name: 'unknown container', path: `${base}/nope`, status: 404, body: 'container "nope" not found in pod "web"' },
    { name: 'undecodable query', path: `${base}/app?tailLines=ten`, status: 400, body: '{"message": "Unable to decode query."}' },
    { name: 'invalid options', path: `${base}/app?limitBytes=0`, status: 422, body: '{"message": "Invalid request."}' },
    { name: 'a split stream', path: `${base}/app?stream=Stdout`, status: 400, body: /Please enable PodLogsQuerySplitStreams/ },
    { name: 'an unknown path', path: '/pods', status: 404, body: '404 page not found\n' },
  ];
  for (const c of table) {
    it(c.name, async () => {
      const r = await get(c.path);
      assert.equal(r.status, c.status, r.body);
      if (typeof c.body === 'string') assert.equal(r.body, c.body);
      else assert.match(r.body, c.body);
      if (c.status === 200) assert.match(String(r.headers['content-type']), /^text\/plain/);
    });
  }

  it('answers /healthz without a client certificate', async () => {
    const r = await get('/healthz', null);
    assert.deepEqual([r.status, r.body], [200, 'ok']);
  });

  it('refuses log requests without a client certificate, or with one from another CA', async () => {
    for (const creds of [null, stranger]) {
      const r = await get(`${base}/app`, creds);
      assert.deepEqual([r.status, r.body], [401, 'Unauthorized']);
    }
  });

  it('serves logs with GET only', async () => {
    const r = await get(`${base}/app`, client, { method: 'POST' });
    assert.equal(r.status, 405);
    assert.equal(r.headers['allow'], 'GET');
  });

  it('follows: lines appear as written, and the stream ends once the container stops', async () => {
    pods.set('default/tail', { uid: 'uid-tail', containers: [{ name: 'main', restartCount: 0, running: true }] });
    const file = logFile('default', 'tail', 'main', 0);
    write(file, formatCriRecord(iso(Date.now()), 'stdout', false, 'hello'));
    let body = '';
    let ended = false;
    const finished = new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/containerLogs/default/tail/main?follow=true', ca: pki.caCertPem, cert: client.certPem, key: client.keyPem, agent: false },
        (res) => {
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => {
            ended = true;
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    const until = async (cond: () => boolean, what: string) => {
      const deadline = Date.now() + 3000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; body so far ${JSON.stringify(body)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until(() => body === 'hello\n', 'the first line');
    appendFileSync(file, formatCriRecord(iso(Date.now()), 'stderr', false, 'world'));
    await until(() => body === 'hello\nworld\n', 'the appended line');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(ended, false, 'a running container keeps the stream open');
    appendFileSync(file, formatCriRecord(iso(Date.now()), 'stdout', false, 'bye'));
    pods.get('default/tail')!.containers[0]!.running = false;
    assert.equal(await finished, 200);
    assert.equal(body, 'hello\nworld\nbye\n');
  });
});
