// Service account JWTs: the key files (created once, reloaded, mismatches reported), signing and
// verifying with RS256 and ES256, and every reason a token is refused (tampering, wrong key,
// issuer, audience, lifetime with go-jose's one-minute leeway).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER as ISSUER,
  SERVICE_ACCOUNT_KEY_FILES,
  TokenError,
  ensureServiceAccountKey,
  serviceAccountClaims,
  serviceAccountKeyFromPem,
  signServiceAccountToken,
  unverifiedIssuer,
  verifyServiceAccountToken,
  type ClaimsInput,
  type ServiceAccountSigningKey,
} from '../../src/pki/service-account-token.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubets-sa-key-'));
  dirs.push(d);
  return d;
};

const rsaKey = serviceAccountKeyFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, 'rsa');
const ecKey = serviceAccountKeyFromPem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string, 'ec');
const NOW = new Date('2026-01-01T00:00:00Z');
const SA = { namespace: 'team', name: 'robot', uid: 'sa-uid' };

const claims = (over: Partial<ClaimsInput> = {}) =>
  serviceAccountClaims({ issuer: ISSUER, audiences: [ISSUER], serviceAccount: SA, expirationSeconds: 3600, jti: 'jti-1', now: NOW, ...over });
const decode = (token: string, part: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[part]!, 'base64url').toString());
const verifyWith = (token: string, key: ServiceAccountSigningKey, over: { audiences?: string[]; requested?: string[]; now?: Date; issuer?: string } = {}) =>
  verifyServiceAccountToken(token, {
    publicKeys: [key.publicKey],
    issuer: over.issuer ?? ISSUER,
    apiAudiences: over.audiences ?? [ISSUER],
    requestedAudiences: over.requested,
    now: over.now ?? NOW,
  });

describe('service account signing key files', () => {
  it('creates sa.key (ECDSA, 0600) and sa.pub once, then reloads the same key', async () => {
    const dir = tempDir();
    const first = await ensureServiceAccountKey(dir);
    assert.deepEqual(first.created, [join(dir, 'sa.key'), join(dir, 'sa.pub')]);
    assert.equal(first.key.alg, 'ES256');
    assert.match(readFileSync(join(dir, 'sa.key'), 'utf8'), /^-----BEGIN EC PRIVATE KEY-----/);
    assert.equal(statSync(join(dir, 'sa.key')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'sa.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    const again = await ensureServiceAccountKey(dir);
    assert.deepEqual(again.created, []);
    assert.equal(again.key.keyId, first.key.keyId);
  });

  it('writes a lost sa.pub again, and refuses a lost sa.key or a pair that does not match', async () => {
    const dir = tempDir();
    const { key } = await ensureServiceAccountKey(dir);
    rmSync(join(dir, SERVICE_ACCOUNT_KEY_FILES.publicKey));
    assert.deepEqual((await ensureServiceAccountKey(dir)).created, [join(dir, 'sa.pub')]);
    writeFileSync(join(dir, 'sa.pub'), rsaKey.publicKey.export({ type: 'spki', format: 'pem' }));
    await assert.rejects(ensureServiceAccountKey(dir), /sa\.pub does not match .*sa\.key/);
    rmSync(join(dir, 'sa.key'));
    await assert.rejects(ensureServiceAccountKey(dir), /sa\.key is missing while .*sa\.pub exists/);
    assert.ok(key.keyId);
  });

  it('loads ECDSA P-256 keys as ES256 and refuses other kinds', () => {
    assert.equal(ecKey.alg, 'ES256');
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    assert.throws(() => serviceAccountKeyFromPem(ed, 'ed.key'), /ed\.key: unsupported key type/);
    assert.throws(() => serviceAccountKeyFromPem('nonsense', 'x.key'), /x\.key: not a valid PEM private key/);
  });
});

describe('service account tokens', () => {
  it('carries the claims of upstream bound tokens', () => {
    const c = claims({ pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' } });
    const token = signServiceAccountToken(rsaKey, c);
    assert.deepEqual(decode(token, 0), { alg: 'RS256', kid: rsaKey.keyId });
    const now = NOW.getTime() / 1000;
    assert.deepEqual(decode(token, 1), {
      aud: [ISSUER],
      exp: now + 3600,
      iat: now,
      iss: ISSUER,
      jti: 'jti-1',
      'kubernetes.io': { namespace: 'team', node: { name: 'n1', uid: 'node-uid' }, pod: { name: 'web', uid: 'pod-uid' }, serviceaccount: { name: 'robot', uid: 'sa-uid' } },
      nbf: now,
      sub: 'system:serviceaccount:team:robot',
    });
    // Keys in the order upstream's encoder writes them.
    assert.deepEqual(Object.keys(decode(token, 1)), ['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
    assert.equal(unverifiedIssuer(token), ISSUER);
    assert.equal(unverifiedIssuer('not.a-jwt'), undefined);
  });

  it('refuses to bind a token to a secret and a pod at once', () => {
    assert.throws(() => claims({ secret: { name: 's', uid: 'u' }, pod: { name: 'p', uid: 'u' } }), /only be bound to one object type/);
  });

  for (const key of [rsaKey, ecKey]) {
    it(`verifies its own ${key.alg} tokens and returns their claims`, () => {
      const token = signServiceAccountToken(key, claims({ warnAfterSeconds: 3607 }));
      const verified = verifyWith(token, key);
      assert.equal(verified.sub, 'system:serviceaccount:team:robot');
      assert.equal(verified['kubernetes.io'].warnafter, NOW.getTime() / 1000 + 3607);
    });
  }

  const token = signServiceAccountToken(rsaKey, claims({ audiences: ['vault', ISSUER] }));
  const [h, p, s] = token.split('.') as [string, string, string];
  const forged = Buffer.from(JSON.stringify({ ...decode(token, 1), sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
  const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
  const refusals: [string, () => unknown, RegExp][] = [
    ['a changed payload', () => verifyWith(`${h}.${forged}.${s}`, rsaKey), /error in cryptographic primitive/],
    ['another key', () => verifyWith(token, ecKey), /error in cryptographic primitive/],
    ['a stripped signature', () => verifyWith(`${h}.${p}.`, rsaKey), /error in cryptographic primitive/],
    ['alg none', () => verifyWith(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`, rsaKey), /unsupported signature algorithm "none"/],
    ['two parts', () => verifyWith(`${h}.${p}`, rsaKey), /three parts/],
    ['another issuer', () => verifyWith(token, rsaKey, { issuer: 'https://elsewhere' }), /token issuer .* is not "https:\/\/elsewhere"/],
    ['an audience the server does not accept', () => verifyWith(token, rsaKey, { audiences: ['api'] }), /token audiences \["vault" "https:\/\/kubernetes.default.svc.cluster.local"\] is invalid for the target audiences \["api"\]/],
    ['an audience not requested', () => verifyWith(token, rsaKey, { requested: ['other'] }), /is invalid for the target audiences \["other"\]/],
    ['expiry past the leeway', () => verifyWith(token, rsaKey, { now: at(3600 + 61) }), /service account token has expired/],
    ['nbf beyond the leeway', () => verifyWith(token, rsaKey, { now: at(-61) }), /service account token is not valid yet/],
  ];
  for (const [what, run, message] of refusals) {
    it(`refuses ${what}`, () => {
      assert.throws(run, (e: unknown) => e instanceof TokenError && message.test(e.message));
    });
  }

  it('accepts a requested audience, and tokens within the one-minute leeway', () => {
    assert.deepEqual(verifyWith(token, rsaKey, { requested: ['vault'] }).aud, ['vault', ISSUER]);
    assert.ok(verifyWith(token, rsaKey, { now: at(3600 + 59) }));
    assert.ok(verifyWith(token, rsaKey, { now: at(-59) }));
  });
});
