// A recording API server for real kubectl runs: it answers discovery and the few GETs some
// commands make, decodes each POST/PUT body (protobuf via the code under test, or JSON) and echoes
// it back. Each kubectl run gets its own path prefix, so runs can overlap.
//
// kubectl 1.33 sends protobuf for its typed commands; kubectl 1.31 sends JSON for the same
// commands. Each protobuf body must decode to exactly the object 1.31 sent as JSON (nulls aside:
// upstream JSON writes null for nil slices and zero times, which we omit), and to the values the
// command line asked for.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtobufObject, isProtobufContentType } from '../../../src/apiserver/protobuf/index.js';

export const KUBECTL = (v: string) => `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`;
export const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
export const BINARY = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]);

export interface Recorded {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

const resource = (name: string, kind: string, namespaced: boolean, extra: Record<string, string> = {}) => ({
  name,
  singularName: name.includes('/') ? '' : kind.toLowerCase(),
  namespaced,
  kind,
  verbs: ['create', 'get', 'list', 'update', 'patch'],
  ...extra,
});
const DISCOVERY: Record<string, ReturnType<typeof resource>[]> = {
  v1: [resource('pods', 'Pod', true), resource('configmaps', 'ConfigMap', true)],
  'apps/v1': [resource('deployments', 'Deployment', true), resource('deployments/scale', 'Scale', true, { group: 'autoscaling', version: 'v1' })],
  'autoscaling/v1': [resource('horizontalpodautoscalers', 'HorizontalPodAutoscaler', true)],
  'autoscaling/v2': [resource('horizontalpodautoscalers', 'HorizontalPodAutoscaler', true)],
  'certificates.k8s.io/v1': [
    resource('certificatesigningrequests', 'CertificateSigningRequest', false),
    resource('certificatesigningrequests/approval', 'CertificateSigningRequest', false),
  ],
};
/** Objects the commands read before writing (autoscale reads its target, certificate approve the CSR). */
const OBJECTS: Record<string, object> = {
  '/apis/apps/v1/namespaces/default/deployments/web': {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '1' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  },
  '/apis/certificates.k8s.io/v1/certificatesigningrequests/csr1': {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'csr1', uid: 'u3', resourceVersion: '7' },
    spec: { request: b64('not really a CSR'), signerName: 'example.com/signer', usages: ['client auth'], username: 'bob', extra: { scopes: ['a', 'b'] } },
    status: {},
  },
};

/** Answers discovery, and records each POST/PUT under the first path segment (one per kubectl run). */
function handle(recorded: Map<string, Recorded[]>, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const [, run = '', ...rest] = url.pathname.split('/');
  const path = `/${rest.join('/')}`;
  const send = (code: number, obj: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(obj));
  };
  if (req.method === 'GET') {
    if (path === '/version') return send(200, { major: '1', minor: '33', gitVersion: 'v1.33.0' });
    if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') {
      const byGroup = new Map<string, { groupVersion: string; version: string }[]>();
      for (const gv of Object.keys(DISCOVERY).filter((g) => g.includes('/'))) {
        const [group, version] = gv.split('/') as [string, string];
        byGroup.set(group, [...(byGroup.get(group) ?? []), { groupVersion: gv, version }]);
      }
      // The last version listed is preferred: autoscaling/v2, as upstream serves it.
      const groups = [...byGroup].map(([name, versions]) => ({ name, versions: versions.reverse(), preferredVersion: versions[0] }));
      return send(200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    if (OBJECTS[path]) return send(200, OBJECTS[path]);
    const gv = path === '/api/v1' ? 'v1' : path.startsWith('/apis/') ? path.slice(6) : '';
    if (DISCOVERY[gv]) return send(200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: DISCOVERY[gv] });
    return send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
  }
  const contentType = req.headers['content-type'] ?? '';
  recorded.set(run, [...(recorded.get(run) ?? []), { method: req.method ?? '', path, contentType, body }]);
  let object: Record<string, unknown>;
  try {
    object = isProtobufContentType(contentType) ? decodeProtobufObject(body).object : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } catch (e) {
    return send(400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: (e as Error).message });
  }
  // What the commands read back from the response: a token, a review's verdict, a user.
  if (object.kind === 'TokenRequest') object.status = { token: 'tok', expirationTimestamp: '2030-01-01T00:00:00Z' };
  if (object.kind === 'SelfSubjectAccessReview') object.status = { allowed: true };
  if (object.kind === 'SelfSubjectReview') object.status = { userInfo: { username: 'alice' } };
  send(201, object);
}

/** Drops nulls, which upstream JSON writes for nil slices/maps/pointers-to-struct and the zero time. */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Every RFC 3339 timestamp replaced by one placeholder. */
const sameClock = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sameClock)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sameClock(x)]))
      : typeof v === 'string' && TIMESTAMP.test(v)
        ? '<time>'
        : v;

const stripNulls = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(stripNulls)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, stripNulls(x)]))
      : v;


/** A decoded object, read field by field in the checks. */
export type Obj = Record<string, any>;
export interface Case {
  name: string;
  args: (dir: string) => string[];
  check: (o: Obj) => void;
  /** 1.31 sends a different object (another API version), so there is no JSON twin to compare with. */
  noJsonTwin?: boolean;
}

export type Kubectl = (version: string, args: string[]) => Promise<{ code: number; stderr: string; requests: Recorded[] }>;

/** One test per case (run with 1.33 and 1.31 before the tests), then `extra` for one-off tests. */
export function describeKubectl(title: string, cases: readonly Case[], extra?: (kubectl: Kubectl) => void): void {
  describe(title, () => {
    const recorded = new Map<string, Recorded[]>();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(recorded, req, res, Buffer.concat(chunks)));
    });
    let dir = '';
    let base = '';
    let runs = 0;

    /** Runs kubectl against its own path prefix; resolves with its exit and the bodies it sent. */
    const kubectl: Kubectl = (version, args) =>
      new Promise<{ code: number; stderr: string; requests: Recorded[] }>((resolve) => {
        const run = `r${++runs}`;
        const argv = ['--server', `${base}/${run}`, '--cache-dir', join(dir, `cache-${run}`), '-n', 'default', ...args];
        const env = { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'none') };
        execFile(KUBECTL(version), argv, { timeout: 20_000, env }, (err, _out, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stderr, requests: recorded.get(run) ?? [] });
        });
      });

    /** One body per command: 1.33's protobuf and 1.31's JSON, run a few at a time. */
    type Run = Awaited<ReturnType<Kubectl>>;
    const results = new Map<string, { pb: Run; json: Run }>();

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kubets-pb-'));
      writeFileSync(join(dir, 'bin'), BINARY);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const queue = [...cases];
      const worker = async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const [pb, json] = await Promise.all([kubectl('1.33', c.args(dir)), kubectl('1.31', c.args(dir))]);
          results.set(c.name, { pb, json });
        }
      };
      await Promise.all([worker(), worker()]);
    });
    after(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    for (const c of cases) {
      it(`kubectl ${c.name}`, () => {
        const { pb, json } = results.get(c.name)!;
        assert.equal(pb.code, 0, `kubectl 1.33 failed: ${pb.stderr}`);
        assert.equal(json.code, 0, `kubectl 1.31 failed: ${json.stderr}`);
        const sent = pb.requests.filter((r) => r.method !== 'GET');
        assert.equal(sent.length, 1, `1.33 sent ${sent.length} bodies`);
        assert.equal(sent[0]!.contentType, 'application/vnd.kubernetes.protobuf');
        const decoded = decodeProtobufObject(sent[0]!.body).object;
        const jsonSent = json.requests.filter((r) => r.method !== 'GET');
        assert.equal(jsonSent.length, 1);
        assert.match(jsonSent[0]!.contentType, /^application\/json/);
        // The two kubectls run a moment apart: timestamps they stamp themselves may differ by a second.
        if (!c.noJsonTwin) assert.deepEqual(sameClock(decoded), sameClock(stripNulls(JSON.parse(jsonSent[0]!.body.toString('utf8')))));
        c.check(decoded as Obj);
      });
    }

    extra?.(kubectl);
  });
}
