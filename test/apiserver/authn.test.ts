// Service account token authentication: the authenticator's verdicts (valid, expired, objects
// deleted or replaced, cached successes) on fake objects, then bearer tokens over HTTPS against a
// real API server: who they authenticate as, and 401 for anything else.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/types.js';
import { StatusError } from '../../src/apimachinery/errors.js';
import { ServiceAccountTokens, bearerToken, type BoundResource } from '../../src/apiserver/authn.js';
import { ApiClient } from '../../src/client/client.js';
import { PODS, SERVICE_ACCOUNTS } from '../../src/client/resources.js';
import { httpsTransport } from '../../src/client/transport.js';
import { silentLogger } from '../../src/logging/index.js';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER as ISSUER,
  serviceAccountClaims,
  serviceAccountKeyFromPem,
  signServiceAccountToken,
  type ClaimsInput,
} from '../../src/pki/service-account-token.js';
import { defaultServerConfig } from '../../src/server/config.js';
import { KubetsServer } from '../../src/server/kubets-server.js';

const key = serviceAccountKeyFromPem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'test');
const T0 = new Date('2026-03-01T12:00:00Z');

describe('ServiceAccountTokens.authenticateToken', () => {
  let now = T0;
  let lookups = 0;
  const objects = new Map<string, KubeObject>();
  const put = (resource: BoundResource, namespace: string, name: string, uid: string, extra: Record<string, unknown> = {}) =>
    objects.set(`${resource}/${namespace}/${name}`, { metadata: { name, namespace, uid, ...extra } });
  const tokens = new ServiceAccountTokens({
    key,
    issuer: ISSUER,
    objects: async (resource, namespace, name) => {
      lookups++;
      return objects.get(`${resource}/${namespace}/${name}`);
    },
    now: () => now,
  });
  const issue = (over: Partial<ClaimsInput> = {}) =>
    signServiceAccountToken(key, serviceAccountClaims({ issuer: ISSUER, audiences: [ISSUER], serviceAccount: { namespace: 'ns', name: 'sa', uid: 'sa-1' }, expirationSeconds: 3600, jti: 'j1', now: T0, ...over }));
  const reset = () => {
    now = T0;
    objects.clear();
    put('serviceaccounts', 'ns', 'sa', 'sa-1');
    put('pods', 'ns', 'web', 'pod-1');
    put('nodes', '', 'n1', 'node-1');
    put('secrets', 'ns', 's', 'secret-1');
  };

  it('authenticates a valid token as its service account, with upstream groups and extras', async () => {
    reset();
    const r = await tokens.authenticateToken(issue({ pod: { name: 'web', uid: 'pod-1' }, node: { name: 'n1', uid: 'node-1' } }));
    assert.ok('user' in r, JSON.stringify(r));
    assert.deepEqual(r.user, {
      name: 'system:serviceaccount:ns:sa',
      uid: 'sa-1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/pod-name': ['web'],
        'authentication.kubernetes.io/pod-uid': ['pod-1'],
        'authentication.kubernetes.io/node-name': ['n1'],
        'authentication.kubernetes.io/node-uid': ['node-1'],
        'authentication.kubernetes.io/credential-id': ['JTI=j1'],
      },
    });
    assert.deepEqual(r.audiences, [ISSUER]);
  });

  const refusals: [string, () => void, Partial<ClaimsInput>, string][] = [
    ['an expired token', () => (now = new Date(T0.getTime() + 3661_000)), {}, 'service account token has expired'],
    ['a deleted service account', () => objects.delete('serviceaccounts/ns/sa'), {}, 'serviceaccounts "sa" not found'],
    ['a recreated service account', () => put('serviceaccounts', 'ns', 'sa', 'sa-2'), {}, 'service account UID (sa-2) does not match claim (sa-1)'],
    ['a deleted pod', () => objects.delete('pods/ns/web'), { pod: { name: 'web', uid: 'pod-1' } }, 'service account token has been invalidated'],
    ['a pod deleted over a minute ago but still terminating', () => put('pods', 'ns', 'web', 'pod-1', { deletionTimestamp: '2026-03-01T11:58:00Z' }), { pod: { name: 'web', uid: 'pod-1' } }, 'service account token has been invalidated'],
    ['a recreated pod', () => put('pods', 'ns', 'web', 'pod-2'), { pod: { name: 'web', uid: 'pod-1' } }, 'pod UID (pod-2) does not match service account pod ref claim (pod-1)'],
    ['a deleted secret', () => objects.delete('secrets/ns/s'), { secret: { name: 's', uid: 'secret-1' } }, 'service account token has been invalidated'],
    ['a recreated node (node-bound)', () => put('nodes', '', 'n1', 'node-2'), { node: { name: 'n1', uid: 'node-1' } }, 'node UID (node-2) does not match service account node ref claim (node-1)'],
    ['another audience', () => undefined, { audiences: ['vault'] }, `token audiences ["vault"] is invalid for the target audiences ["${ISSUER}"]`],
  ];
  for (const [what, change, over, error] of refusals) {
    it(`refuses ${what}`, async () => {
      reset();
      const token = issue(over);
      change();
      assert.deepEqual(await tokens.authenticateToken(token), { error });
    });
  }

  it("keeps a pod-bound token's node for information only, and accepts a pod deleted within the leeway", async () => {
    reset();
    objects.delete('nodes//n1');
    put('pods', 'ns', 'web', 'pod-1', { deletionTimestamp: '2026-03-01T11:59:30Z' });
    assert.ok('user' in (await tokens.authenticateToken(issue({ pod: { name: 'web', uid: 'pod-1' }, node: { name: 'n1', uid: 'node-1' } }))));
  });

  it('refuses tokens of other issuers and other keys', async () => {
    reset();
    const other = serviceAccountKeyFromPem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'other');
    const base = { issuer: ISSUER, audiences: [ISSUER], serviceAccount: { namespace: 'ns', name: 'sa', uid: 'sa-1' }, expirationSeconds: 3600, now: T0 };
    assert.deepEqual(await tokens.authenticateToken(signServiceAccountToken(other, serviceAccountClaims(base))), { error: 'error in cryptographic primitive' });
    assert.deepEqual(await tokens.authenticateToken(signServiceAccountToken(key, serviceAccountClaims({ ...base, issuer: 'https://elsewhere' }))), { error: 'invalid bearer token' });
    assert.deepEqual(await tokens.authenticateToken('opaque-token'), { error: 'invalid bearer token' });
  });

  it('accepts an audience the caller asks for (TokenReview spec.audiences)', async () => {
    reset();
    const r = await tokens.authenticateToken(issue({ audiences: ['vault', 'other'] }), ['vault']);
    assert.ok('user' in r && r.audiences.join() === 'vault');
  });

  it('reuses a success for ten seconds, then looks again', async () => {
    reset();
    const token = issue({ pod: { name: 'web', uid: 'pod-1' } });
    assert.ok('user' in (await tokens.authenticateToken(token)));
    const before = lookups;
    objects.delete('pods/ns/web');
    now = new Date(T0.getTime() + 5_000);
    assert.ok('user' in (await tokens.authenticateToken(token)), 'cached');
    assert.equal(lookups, before);
    now = new Date(T0.getTime() + 10_001);
    assert.deepEqual(await tokens.authenticateToken(token), { error: 'service account token has been invalidated' });
  });

  it('reads bearer tokens as upstream does', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('  bearer abc  '), 'abc');
    assert.equal(bearerToken('Bearer abc extra'), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken('Bearer '), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});

describe('bearer tokens over HTTPS', () => {
  let dataDir: string;
  let server: KubetsServer;
  let admin: ApiClient;
  let url: string;
  let caPem: string;
  const opened: ApiClient[] = [];
  const withToken = (token: string) => {
    const c = new ApiClient(httpsTransport({ server: url, caPem, token }));
    opened.push(c);
    return c;
  };
  const createToken = async (sa: string, spec: Record<string, unknown> = {}) =>
    (await admin.request<{ status: { token: string } }>({ method: 'POST', path: `/api/v1/namespaces/default/serviceaccounts/${sa}/token`, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } })).status.token;
  const code = (p: Promise<unknown>) => p.then(() => 200, (e: StatusError) => e.code);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kubets-authn-'));
    server = new KubetsServer(
      { ...defaultServerConfig(), dataDir, port: 0, bindAddress: '127.0.0.1', datastore: 'memory', mergeKubeconfig: false, disableControllers: true, disableScheduler: true, disableAgent: true, leaderElection: false },
      silentLogger,
    );
    url = (await server.start()).url;
    caPem = readFileSync(join(dataDir, 'tls', 'ca.crt'), 'utf8');
    admin = server.inProcessClient();
    await admin.resource<ServiceAccount>(SERVICE_ACCOUNTS).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } });
  });

  after(async () => {
    for (const c of opened) c.close();
    admin.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('authenticates as the service account (anything goes until RBAC)', async () => {
    const robot = withToken(await createToken('robot'));
    assert.ok(Array.isArray((await robot.resource(PODS).list('default')).items));
    // A token can ask for another token, as in-cluster clients do.
    assert.match(await robot.request<{ status: { token: string } }>({ method: 'POST', path: '/api/v1/namespaces/default/serviceaccounts/robot/token', body: { spec: {} } }).then((r) => r.status.token), /^ey/);
  });

  it('answers 401 Unauthorized for tampered, foreign-audience and unknown tokens', async () => {
    const token = await createToken('robot');
    const e = await withToken(token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')).resource(PODS).list('default').catch((x: unknown) => x);
    assert.ok(e instanceof StatusError);
    assert.deepEqual({ code: e.code, reason: e.reason, message: e.message }, { code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
    assert.equal(await code(withToken(await createToken('robot', { audiences: ['vault'] })).resource(PODS).list('default')), 401);
    assert.equal(await code(withToken('not-a-jwt').resource(PODS).list('default')), 401);
  });

  it('stops a pod-bound token once its pod is deleted', async () => {
    const pods = admin.resource<Pod>(PODS);
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'holder', namespace: 'default' }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] } });
    const token = await createToken('robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'holder' } });
    // Deleted before first use: no cached success stands in the way.
    await pods.delete('default', 'holder', { gracePeriodSeconds: 0 });
    assert.equal(await code(withToken(token).resource(PODS).list('default')), 401);
  });

  it('leaves client certificates and anonymous access as they were', async () => {
    const anonymous = new ApiClient(httpsTransport({ server: url, caPem }));
    opened.push(anonymous);
    assert.equal(await code(anonymous.resource(PODS).list('default')), 403);
    assert.equal(await code(anonymous.request({ method: 'GET', path: '/version' })), 200);
  });
});
