// The real thing: kubectl 1.33 (and 1.32) send protobuf bodies for their typed commands, kubectl
// 1.31 sends JSON for the same commands. A small recording server answers both; each protobuf body
// must decode to exactly the object 1.31 sent as JSON (nulls aside: upstream JSON writes null for
// nil slices and zero times, which we omit), and to the values the command line asked for.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtobufObject, isProtobufContentType } from '../../../src/apiserver/protobuf/index.js';

const KUBECTL = (v: string) => `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`;
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const BINARY = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]);

interface Recorded {
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
const stripNulls = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(stripNulls)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, stripNulls(x)]))
      : v;


type Obj = Record<string, any>;
interface Case {
  name: string;
  args: (dir: string) => string[];
  check: (o: Obj) => void;
  /** 1.31 sends a different object (another API version), so there is no JSON twin to compare with. */
  noJsonTwin?: boolean;
}

const CASES: Case[] = [
  {
    name: 'create configmap (literal + binary file)',
    args: (d) => ['create', 'configmap', 'cfg', '--from-literal=a=b', `--from-file=bin=${d}/bin`],
    check: (o) => {
      assert.deepEqual(o.metadata, { name: 'cfg', namespace: 'default' });
      assert.deepEqual(o.data, { a: 'b' });
      assert.deepEqual(o.binaryData, { bin: b64(BINARY) });
    },
  },
  {
    name: 'create secret generic',
    args: (d) => ['create', 'secret', 'generic', 's', '--from-literal=user=admin', `--from-file=key=${d}/bin`, '--type=Opaque'],
    check: (o) => assert.deepEqual([o.metadata.name, o.type, o.data], ['s', 'Opaque', { user: b64('admin'), key: b64(BINARY) }]),
  },
  {
    name: 'create secret docker-registry',
    args: () => ['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example.com', '--docker-username=u', '--docker-password=p'],
    check: (o) => {
      assert.equal(o.type, 'kubernetes.io/dockerconfigjson');
      const config = JSON.parse(Buffer.from(o.data['.dockerconfigjson'], 'base64').toString('utf8'));
      assert.equal(config.auths['r.example.com'].username, 'u');
    },
  },
  { name: 'create namespace', args: () => ['create', 'namespace', 'ns1'], check: (o) => assert.deepEqual(o, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' }, spec: {}, status: {} }) },
  {
    name: 'create deployment --replicas --port',
    args: () => ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80'],
    check: (o) => {
      assert.equal(o.spec.replicas, 2);
      assert.deepEqual(o.spec.selector, { matchLabels: { app: 'web' } });
      assert.deepEqual(o.spec.template.spec.containers, [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }]);
    },
  },
  {
    name: 'create service clusterip --tcp=80:8080',
    args: () => ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080'],
    check: (o) => {
      assert.equal(o.spec.type, 'ClusterIP');
      assert.deepEqual(o.spec.ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
    },
  },
  {
    name: 'create service nodeport --node-port',
    args: () => ['create', 'service', 'nodeport', 'np', '--tcp=80:http', '--node-port=30080'],
    check: (o) => assert.deepEqual(o.spec.ports, [{ name: '80-http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 }]),
  },
  {
    name: 'create service externalname',
    args: () => ['create', 'service', 'externalname', 'ext', '--external-name=example.com'],
    check: (o) => assert.deepEqual([o.spec.type, o.spec.externalName], ['ExternalName', 'example.com']),
  },
  {
    name: 'create job',
    args: () => ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'],
    check: (o) => {
      assert.equal(o.spec.template.spec.restartPolicy, 'Never');
      assert.deepEqual(o.spec.template.spec.containers[0].command, ['echo', 'hi']);
    },
  },
  {
    name: 'create cronjob',
    args: () => ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'],
    check: (o) => {
      assert.equal(o.spec.schedule, '*/5 * * * *');
      assert.equal(o.spec.jobTemplate.metadata.name, 'cj');
      assert.equal(o.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
    },
  },
  {
    name: 'create role',
    args: () => ['create', 'role', 'r', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=x'],
    check: (o) =>
      assert.deepEqual(o.rules, [
        { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] },
        { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['x'] },
      ]),
  },
  {
    name: 'create clusterrole --aggregation-rule',
    args: () => ['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate=true'],
    check: (o) => assert.deepEqual(o.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] }),
  },
  {
    name: 'create rolebinding',
    args: () => ['create', 'rolebinding', 'rb', '--role=r', '--user=u', '--group=g', '--serviceaccount=default:sa'],
    check: (o) => {
      assert.deepEqual(o.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
      assert.deepEqual(o.subjects.map((s: Obj) => s.kind), ['User', 'Group', 'ServiceAccount']);
    },
  },
  {
    name: 'create clusterrolebinding',
    args: () => ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--serviceaccount=default:sa'],
    check: (o) => assert.deepEqual(o.subjects, [{ kind: 'ServiceAccount', name: 'sa', namespace: 'default' }]),
  },
  { name: 'create serviceaccount', args: () => ['create', 'serviceaccount', 'sa'], check: (o) => assert.deepEqual(o.metadata, { name: 'sa', namespace: 'default' }) },
  {
    name: 'create quota --hard --scopes',
    args: () => ['create', 'quota', 'q', '--hard=pods=2,cpu=1,memory=1Gi', '--scopes=NotBestEffort'],
    check: (o) => assert.deepEqual(o.spec, { hard: { cpu: '1', memory: '1Gi', pods: '2' }, scopes: ['NotBestEffort'] }),
  },
  {
    name: 'create poddisruptionbudget --max-unavailable=50%',
    args: () => ['create', 'poddisruptionbudget', 'pdb', '--selector=app=x', '--max-unavailable=50%'],
    check: (o) => assert.deepEqual(o.spec, { selector: { matchLabels: { app: 'x' } }, maxUnavailable: '50%' }),
  },
  {
    name: 'create priorityclass',
    args: () => ['create', 'priorityclass', 'pc', '--value=1000', '--description=d', '--preemption-policy=Never'],
    check: (o) => assert.deepEqual([o.value, o.description, o.preemptionPolicy, o.globalDefault], [1000, 'd', 'Never', undefined]),
  },
  {
    name: 'create ingress --rule --default-backend --class',
    args: () => ['create', 'ingress', 'ing', '--class=nginx', '--rule=foo.com/bar=svc1:8080,tls=my-cert', '--rule=bar.com/*=svc2:http', '--default-backend=svc3:80', '--annotation=a=b'],
    check: (o) => {
      assert.deepEqual(o.metadata, { name: 'ing', namespace: 'default', annotations: { a: 'b' } });
      assert.equal(o.spec.ingressClassName, 'nginx');
      assert.deepEqual(o.spec.defaultBackend, { service: { name: 'svc3', port: { number: 80 } } });
      assert.deepEqual(o.spec.rules[1], { host: 'bar.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc2', port: { name: 'http' } } } }] } });
      assert.deepEqual(o.spec.tls, [{ hosts: ['foo.com'], secretName: 'my-cert' }]);
    },
  },
  {
    name: 'create token',
    args: () => ['create', 'token', 'sa', '--audience=api', '--duration=1h', '--bound-object-kind=Pod', '--bound-object-name=p', '--bound-object-uid=u-1'],
    check: (o) =>
      assert.deepEqual(o.spec, { audiences: ['api'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u-1' } }),
  },
  {
    name: 'auth can-i',
    args: () => ['auth', 'can-i', 'get', 'pods'],
    check: (o) => assert.deepEqual(o.spec, { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } }),
  },
  { name: 'auth whoami', args: () => ['auth', 'whoami'], check: (o) => assert.equal(o.kind, 'SelfSubjectReview') },
  {
    name: 'auth can-i --list',
    args: () => ['auth', 'can-i', '--list'],
    check: (o) => assert.deepEqual([o.kind, o.spec], ['SelfSubjectRulesReview', { namespace: 'default' }]),
  },
  {
    name: 'certificate approve (PUT of the whole CSR)',
    args: () => ['certificate', 'approve', 'csr1'],
    check: (o) => {
      assert.deepEqual(o.metadata, { name: 'csr1', uid: 'u3', resourceVersion: '7' });
      assert.deepEqual(o.spec.extra, { scopes: ['a', 'b'] });
      assert.equal(Buffer.from(o.spec.request, 'base64').toString(), 'not really a CSR');
      assert.match(o.status.conditions[0].lastUpdateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(o.status.conditions[0].type, 'Approved');
    },
  },
  {
    name: 'autoscale (autoscaling/v2 HorizontalPodAutoscaler)',
    args: () => ['autoscale', 'deployment', 'web', '--max=3', '--cpu-percent=50'],
    noJsonTwin: true,
    check: (o) =>
      assert.deepEqual(o.spec, {
        scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
        maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      }),
  },
];

describe('real kubectl request bodies', () => {
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
  const kubectl = (version: string, args: string[]) =>
    new Promise<{ code: number; stderr: string; requests: Recorded[] }>((resolve) => {
      const run = `r${++runs}`;
      const argv = ['--server', `${base}/${run}`, '--cache-dir', join(dir, `cache-${run}`), '-n', 'default', ...args];
      execFile(KUBECTL(version), argv, { timeout: 20_000, env: { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'none') } }, (err, _out, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr, requests: recorded.get(run) ?? [] }),
      );
    });

  /** One body per command: 1.33's protobuf and 1.31's JSON, run a few at a time. */
  const results = new Map<string, { pb: Awaited<ReturnType<typeof kubectl>>; json: Awaited<ReturnType<typeof kubectl>> }>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubets-pb-'));
    writeFileSync(join(dir, 'bin'), BINARY);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const queue = [...CASES];
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

  for (const c of CASES) {
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
      if (!c.noJsonTwin) assert.deepEqual(decoded, stripNulls(JSON.parse(jsonSent[0]!.body.toString('utf8'))));
      c.check(decoded as Obj);
    });
  }

  it('kubectl 1.32 sends protobuf too, and it decodes', async () => {
    const { code, stderr, requests } = await kubectl('1.32', ['create', 'deployment', 'd', '--image=busybox', '--replicas=0']);
    assert.equal(code, 0, stderr);
    assert.equal(requests[0]!.contentType, 'application/vnd.kubernetes.protobuf');
    const o = decodeProtobufObject(requests[0]!.body).object as Obj;
    // replicas is a pointer: its zero is on the wire and must survive.
    assert.deepEqual([o.kind, o.metadata.name, o.spec.replicas], ['Deployment', 'd', 0]);
  });
});
