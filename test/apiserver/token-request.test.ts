// serviceaccounts/{name}/token against a real API server: defaults, upstream's validation and
// bound-object errors as a table, the claims of pod-, node- and secret-bound tokens, and the
// year-long "warn-only" tokens the kubelet asks for.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IncomingMessage } from 'node:http';
import type { Node, Pod, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { StatusError } from '../../src/apimachinery/errors.js';
import type { ApiClient } from '../../src/client/client.js';
import { NODES, PODS, SECRETS, SERVICE_ACCOUNTS } from '../../src/client/resources.js';
import { silentLogger } from '../../src/logging/index.js';
import { DEFAULT_SERVICE_ACCOUNT_ISSUER as ISSUER, ensureServiceAccountKey, verifyServiceAccountToken } from '../../src/pki/service-account-token.js';
import { defaultServerConfig } from '../../src/server/config.js';
import { KubetsServer } from '../../src/server/kubets-server.js';

let dataDir: string;
let server: KubetsServer;
let client: ApiClient;
const uids: Record<string, string> = {};

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kubets-tokenreq-'));
  server = new KubetsServer(
    { ...defaultServerConfig(), dataDir, port: 0, bindAddress: '127.0.0.1', datastore: 'memory', mergeKubeconfig: false, disableControllers: true, disableScheduler: true, disableAgent: true, leaderElection: false },
    silentLogger,
  );
  await server.start();
  client = server.inProcessClient();
  const sa = await client.resource<ServiceAccount>(SERVICE_ACCOUNTS).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } });
  await client.resource<ServiceAccount>(SERVICE_ACCOUNTS).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'kube-system' } });
  const node = await client.resource<Node>(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  const pod = (name: string, serviceAccountName: string, nodeName?: string) =>
    client.resource<Pod>(PODS).create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { serviceAccountName, nodeName, containers: [{ name: 'c', image: 'busybox' }] },
    });
  const web = await pod('web', 'robot', 'n1');
  await pod('lost', 'robot', 'gone-node');
  await pod('other', 'default');
  const secret = await client.resource<Secret>(SECRETS).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'default' } });
  Object.assign(uids, { sa: sa.metadata!.uid!, node: node.metadata!.uid!, web: web.metadata!.uid!, secret: secret.metadata!.uid! });
});

after(async () => {
  client.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: Record<string, any>;
}

async function post(sa: string, body: unknown, namespace = 'default'): Promise<Reply> {
  let res: IncomingMessage;
  try {
    res = await client.stream({ method: 'POST', path: `/api/v1/namespaces/${namespace}/serviceaccounts/${sa}/token`, body });
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    return { status: e.code, body: { message: e.message, reason: e.reason } };
  }
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return { status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) };
}

const request = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata, spec });
const podRef = (over: Record<string, unknown> = {}) => ({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', ...over } });

async function verified(reply: Reply) {
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  const { key } = await ensureServiceAccountKey(join(dataDir, 'tls'));
  return verifyServiceAccountToken(reply.body.status.token, { publicKeys: [key.publicKey], issuer: ISSUER, apiAudiences: [ISSUER], requestedAudiences: reply.body.spec.audiences });
}

describe('TokenRequest validation', () => {
  const cases: [string, string, unknown, number, string][] = [
    ['too short a lifetime', 'robot', request({ expirationSeconds: 599 }), 422, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes'],
    ['too long a lifetime', 'robot', request({ expirationSeconds: 2 ** 32 + 1 }), 422, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds'],
    ['another name in the body', 'robot', request({}, { name: 'other' }), 422, 'TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified'],
    ['another namespace in the body', 'robot', request({}, { namespace: 'kube-system' }), 422, 'TokenRequest.authentication.k8s.io "robot" is invalid: metadata.namespace: Invalid value: "kube-system": must match the service account namespace if specified'],
    ['a missing service account', 'ghost', request({}), 404, 'serviceaccounts "ghost" not found'],
    ['a missing pod', 'robot', request(podRef({ name: 'nope' })), 404, 'pods "nope" not found'],
    ['a pod of another service account', 'robot', request(podRef({ name: 'other' })), 400, 'cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name.'],
    ['a pod whose uid changed', 'robot', request(podRef({ uid: 'stale' })), 409, 'Operation cannot be fulfilled on Pod "web": the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated'],
    ['a pod without a name', 'robot', request(podRef({ name: '' })), 400, 'Name parameter required.'],
    ['a missing secret', 'robot', request({ boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'nope' } }), 404, 'secrets "nope" not found'],
    ['a missing node', 'robot', request({ boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'nope' } }), 404, 'nodes "nope" not found'],
    ['a core kind that cannot be bound', 'robot', request({ boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } }), 400, 'cannot bind token to object of type /v1, Kind=ConfigMap'],
    ['a kind of another group', 'robot', request({ boundObjectRef: { kind: 'Pod', apiVersion: 'apps/v1', name: 'web' } }), 400, 'cannot bind token to object of type apps/v1, Kind=Pod'],
    ['another API version', 'robot', { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'TokenRequest', spec: {} }, 400, 'the API version in the data (authentication.k8s.io/v1beta1) does not match the expected API version (authentication.k8s.io/v1)'],
    ['a lifetime that is no integer', 'robot', request({ expirationSeconds: 'long' }), 400, 'TokenRequest.spec.expirationSeconds must be an integer, not "long"'],
  ];
  for (const [what, sa, body, status, message] of cases) {
    it(`refuses ${what} (${status})`, async () => {
      const r = await post(sa, body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.message, message);
    });
  }

  it('is not served for other verbs', async () => {
    const r = await client.request({ method: 'GET', path: '/api/v1/namespaces/default/serviceaccounts/robot/token' }).catch((e: StatusError) => e);
    assert.ok(r instanceof StatusError);
    assert.equal(r.code, 405);
  });
});

describe('TokenRequest tokens', () => {
  it('defaults the audience and lifetime and returns the request with its token', async () => {
    const r = await post('robot', request({}));
    const claims = await verified(r);
    assert.equal(r.body.kind, 'TokenRequest');
    assert.equal(r.body.apiVersion, 'authentication.k8s.io/v1');
    assert.deepEqual({ ...r.body.metadata, creationTimestamp: undefined }, { name: 'robot', namespace: 'default', creationTimestamp: undefined });
    assert.deepEqual(r.body.spec, { audiences: [ISSUER], expirationSeconds: 3600, boundObjectRef: null });
    const created = Date.parse(r.body.metadata.creationTimestamp);
    assert.equal(Date.parse(r.body.status.expirationTimestamp), created + 3600_000);
    assert.ok(Date.parse(r.body.status.expirationTimestamp) <= claims.exp * 1000, 'status never promises more than the token');
    assert.equal(claims.exp - claims.iat, 3600);
    assert.equal(claims.sub, 'system:serviceaccount:default:robot');
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid: uids.sa } });
    assert.match(claims.jti ?? '', /^[0-9a-f-]{36}$/);
  });

  it('keeps the metadata a client sent but its system fields', async () => {
    const r = await post('robot', request({}, { name: 'robot', labels: { a: 'b' }, uid: 'mine', creationTimestamp: '2000-01-01T00:00:00Z' }));
    assert.equal(r.status, 201);
    assert.deepEqual(r.body.metadata.labels, { a: 'b' });
    assert.equal(r.body.metadata.uid, undefined);
    assert.notEqual(r.body.metadata.creationTimestamp, '2000-01-01T00:00:00Z');
  });

  it('accepts the shortest lifetime and other audiences (accepted no further than their audience)', async () => {
    const r = await post('robot', request({ expirationSeconds: 600, audiences: ['vault'] }));
    assert.equal(r.status, 201);
    assert.deepEqual(r.body.spec.audiences, ['vault']);
    const { key } = await ensureServiceAccountKey(join(dataDir, 'tls'));
    assert.throws(() => verifyServiceAccountToken(r.body.status.token, { publicKeys: [key.publicKey], issuer: ISSUER, apiAudiences: [ISSUER] }), /invalid for the target audiences/);
  });

  it('binds to a pod and names its node', async () => {
    const claims = await verified(await post('robot', request(podRef({ uid: uids.web }))));
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'web', uid: uids.web });
    assert.deepEqual(claims['kubernetes.io'].node, { name: 'n1', uid: uids.node });
    // A pod whose node does not exist keeps the node's name.
    const lost = await verified(await post('robot', request(podRef({ name: 'lost' }))));
    assert.deepEqual(lost['kubernetes.io'].node, { name: 'gone-node' });
  });

  it('binds to a secret or a node', async () => {
    const s = await verified(await post('robot', request({ boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's1' } })));
    assert.deepEqual(s['kubernetes.io'].secret, { name: 's1', uid: uids.secret });
    assert.equal(s['kubernetes.io'].pod, undefined);
    const n = await verified(await post('robot', request({ boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'n1', uid: uids.node } })));
    assert.deepEqual(n['kubernetes.io'].node, { name: 'n1', uid: uids.node });
  });

  it("extends the kubelet's 3607 s pod-bound API tokens to a year that warns after the hour", async () => {
    const r = await post('robot', request({ expirationSeconds: 3607, ...podRef() }));
    const claims = await verified(r);
    assert.equal(claims.exp - claims.iat, 365 * 24 * 3600);
    assert.equal(claims['kubernetes.io'].warnafter, claims.iat + 3607);
    assert.equal(Date.parse(r.body.status.expirationTimestamp) - Date.parse(r.body.metadata.creationTimestamp), 3607_000);
    // Not for other audiences, nor for unbound tokens.
    const vault = await verified(await post('robot', request({ expirationSeconds: 3607, audiences: ['vault'], ...podRef() })));
    assert.equal(vault.exp - vault.iat, 3607);
    const unbound = await verified(await post('robot', request({ expirationSeconds: 3607 })));
    assert.equal(unbound.exp - unbound.iat, 3607);
  });

  it('serves the subresource in discovery', async () => {
    const list = await client.request<{ resources: { name: string; kind: string; group?: string; verbs: string[] }[] }>({ method: 'GET', path: '/api/v1' });
    const token = list.resources.find((r) => r.name === 'serviceaccounts/token');
    assert.deepEqual(token && { kind: token.kind, group: token.group, verbs: token.verbs }, { kind: 'TokenRequest', group: 'authentication.k8s.io', verbs: ['create'] });
  });
});
