import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signCertificate } from '../../src/pki/certs.js';
import { loadSigningKey } from '../../src/pki/keys.js';
import {
  DEFAULT_SERVING_DNS_NAMES,
  PKI_FILES,
  ensurePki,
  issueClientCertificate,
  servingNames,
  userFromPeerCertificate,
  type Pki,
} from '../../src/pki/index.js';

const DAY = 24 * 60 * 60 * 1000;
const ALL_FILES = Object.values(PKI_FILES);
const root = mkdtempSync(join(tmpdir(), 'kubets-pki-'));
let seq = 0;
const freshDir = (): string => join(root, `d${++seq}`);
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(ALL_FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const cert = (pem: string): X509Certificate => new X509Certificate(pem);
const years = (c: X509Certificate): number => (Date.parse(c.validTo) - Date.parse(c.validFrom)) / (365 * DAY);

after(() => rmSync(root, { recursive: true, force: true }));

describe('ensurePki: first start', () => {
  let dir: string;
  let pki: Pki;
  before(async () => {
    dir = freshDir();
    pki = await ensurePki({ dir, ips: ['10.43.0.1'], hostnames: ['api.example.test'] });
  });

  it('writes all six files and reports them', () => {
    assert.deepEqual([...pki.created].sort(), ALL_FILES.map((f) => join(dir, f)).sort());
    assert.deepEqual(snapshot(dir), {
      'ca.crt': pki.caCertPem,
      'ca.key': pki.caKeyPem,
      'server.crt': pki.serving.certPem,
      'server.key': pki.serving.keyPem,
      'admin.crt': pki.admin.certPem,
      'admin.key': pki.admin.keyPem,
    });
  });

  it('keeps private keys readable by the owner only, keys in PKCS#8', () => {
    for (const f of [PKI_FILES.caKey, PKI_FILES.servingKey, PKI_FILES.adminKey]) {
      assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
      assert.match(readFileSync(join(dir, f), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/, f);
    }
  });

  it('makes a 10-year self-signed CA named kubets-ca', () => {
    const ca = cert(pki.caCertPem);
    assert.equal(ca.subject, 'CN=kubets-ca');
    assert.equal(ca.issuer, 'CN=kubets-ca');
    assert.equal(ca.ca, true);
    assert.ok(ca.verify(ca.publicKey));
    assert.ok(Math.abs(years(ca) - 10) < 0.02, `CA validity ${years(ca)} years`);
  });

  it('issues a serving certificate for every name and address the API server is reached by', () => {
    const serving = cert(pki.serving.certPem);
    const ca = cert(pki.caCertPem);
    assert.ok(serving.checkIssued(ca) && serving.verify(ca.publicKey));
    assert.equal(serving.ca, false);
    assert.deepEqual(serving.keyUsage, ['1.3.6.1.5.5.7.3.1']); // serverAuth
    assert.ok(Math.abs(years(serving) - 1) < 0.01);
    for (const name of [...DEFAULT_SERVING_DNS_NAMES, hostname().toLowerCase(), 'api.example.test']) {
      assert.equal(serving.checkHost(name, { subject: 'never' }), name, name);
    }
    const hostIps = Object.values(networkInterfaces())
      .flatMap((a) => a ?? [])
      .filter((a) => !a.internal && !a.address.startsWith('fe80'))
      .map((a) => a.address);
    for (const ip of ['127.0.0.1', '::1', '10.43.0.1', ...hostIps]) assert.equal(serving.checkIP(ip), ip, ip);
    assert.equal(serving.checkHost('other.example.test', { subject: 'never' }), undefined);
    assert.equal(serving.checkIP('10.43.0.2'), undefined);
  });

  it('issues the admin client certificate as kubets-admin in system:masters', () => {
    const admin = cert(pki.admin.certPem);
    assert.ok(admin.verify(cert(pki.caCertPem).publicKey));
    assert.deepEqual(admin.keyUsage, ['1.3.6.1.5.5.7.3.2']); // clientAuth
    assert.deepEqual(userFromPeerCertificate(admin), { name: 'kubets-admin', groups: ['system:masters'] });
  });

  it('reuses every file byte-for-byte on restart', async () => {
    const before = snapshot(dir);
    const again = await ensurePki({ dir, ips: ['10.43.0.1'], hostnames: ['api.example.test'] });
    assert.deepEqual(again.created, []);
    assert.deepEqual(snapshot(dir), before);
    assert.equal(again.serving.certPem, pki.serving.certPem);
  });

  it('reuses the serving certificate when asked for a subset of its names', async () => {
    const again = await ensurePki({ dir });
    assert.deepEqual(again.created, []);
  });
});

describe('ensurePki: reissuing', () => {
  it('reissues only the serving certificate, with its old key, when a new SAN is requested', async () => {
    const dir = freshDir();
    await ensurePki({ dir, ips: ['10.43.0.1'] });
    const before = snapshot(dir);
    for (const opts of [{ ips: ['10.43.0.1', '192.0.2.10'] }, { ips: ['10.43.0.1', '192.0.2.10'], hostnames: ['new.example.test'] }]) {
      const pki = await ensurePki({ dir, ...opts });
      assert.deepEqual(pki.created, [join(dir, PKI_FILES.servingCert)]);
    }
    const after = snapshot(dir);
    assert.notEqual(after['server.crt'], before['server.crt']);
    for (const f of ALL_FILES.filter((f) => f !== PKI_FILES.servingCert)) assert.equal(after[f], before[f], f);
    const serving = cert(after['server.crt']!);
    assert.equal(serving.checkIP('192.0.2.10'), '192.0.2.10');
    assert.equal(serving.checkIP('10.43.0.1'), '10.43.0.1');
    assert.equal(serving.checkHost('new.example.test', { subject: 'never' }), 'new.example.test');
    assert.ok(serving.verify(cert(after['ca.crt']!).publicKey));
  });

  it('reissues leaf certificates within 30 days of expiry but keeps the CA', async () => {
    const dir = freshDir();
    await ensurePki({ dir });
    const before = snapshot(dir);
    assert.deepEqual((await ensurePki({ dir, now: new Date(Date.now() + 330 * DAY) })).created, []);
    const later = await ensurePki({ dir, now: new Date(Date.now() + 340 * DAY) });
    assert.deepEqual([...later.created].sort(), [join(dir, PKI_FILES.adminCert), join(dir, PKI_FILES.servingCert)]);
    assert.equal(readFileSync(join(dir, PKI_FILES.caCert), 'utf8'), before['ca.crt']);
    assert.ok(Date.parse(cert(later.serving.certPem).validTo) > Date.now() + 700 * DAY);
  });

  it('reissues leaves that another CA signed, and a certificate that does not match its key', async () => {
    const dir = freshDir();
    const other = freshDir();
    await ensurePki({ dir });
    await ensurePki({ dir: other });
    writeFileSync(join(dir, PKI_FILES.servingKey), readFileSync(join(other, PKI_FILES.servingKey)));
    writeFileSync(join(dir, PKI_FILES.adminCert), readFileSync(join(other, PKI_FILES.adminCert)));
    writeFileSync(join(dir, PKI_FILES.adminKey), readFileSync(join(other, PKI_FILES.adminKey)));
    const pki = await ensurePki({ dir });
    assert.deepEqual([...pki.created].sort(), [join(dir, PKI_FILES.adminCert), join(dir, PKI_FILES.servingCert)]);
    const ca = cert(pki.caCertPem);
    for (const [c, k] of [
      [pki.serving.certPem, pki.serving.keyPem],
      [pki.admin.certPem, pki.admin.keyPem],
    ] as const) {
      assert.ok(cert(c).verify(ca.publicKey));
      assert.ok(cert(c).checkPrivateKey((await loadSigningKey(k, 'k')).keyObject));
    }
  });

  it('creates a new key and certificate when only the certificate is left', async () => {
    const dir = freshDir();
    await ensurePki({ dir });
    rmSync(join(dir, PKI_FILES.adminKey));
    const pki = await ensurePki({ dir });
    assert.deepEqual(pki.created, [join(dir, PKI_FILES.adminKey), join(dir, PKI_FILES.adminCert)]);
  });

  it('signs leaves with an existing RSA CA', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const key = await loadSigningKey(rsaPem, 'rsa');
    writeFileSync(join(dir, PKI_FILES.caKey), rsaPem);
    writeFileSync(join(dir, PKI_FILES.caCert), await signCertificate({ subject: { commonName: 'rsa-ca' }, publicKeyDer: key.publicKeyDer, rsa: true, selfKey: key }));
    const pki = await ensurePki({ dir });
    assert.equal(pki.created.length, 4);
    assert.ok(cert(pki.serving.certPem).verify(cert(pki.caCertPem).publicKey));
    assert.equal(cert(pki.serving.certPem).issuer, 'CN=rsa-ca');
  });
});

describe('ensurePki: broken files', () => {
  for (const file of ALL_FILES) {
    it(`refuses a corrupt ${file} with a one-line error and leaves it alone`, async () => {
      const dir = freshDir();
      await ensurePki({ dir });
      writeFileSync(join(dir, file), 'garbage\n');
      await assert.rejects(ensurePki({ dir }), (err: Error) => {
        assert.ok(err.message.includes(join(dir, file)), err.message);
        assert.ok(!err.message.includes('\n'), err.message);
        return true;
      });
      assert.equal(readFileSync(join(dir, file), 'utf8'), 'garbage\n');
    });
  }

  it('reports an unreadable file by name', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, PKI_FILES.caCert), { recursive: true });
    await assert.rejects(ensurePki({ dir }), { message: `cannot read ${join(dir, PKI_FILES.caCert)}: EISDIR` });
  });

  it('refuses half a CA rather than replacing it', async () => {
    for (const [keep, gone] of [
      [PKI_FILES.caCert, PKI_FILES.caKey],
      [PKI_FILES.caKey, PKI_FILES.caCert],
    ] as const) {
      const dir = freshDir();
      await ensurePki({ dir });
      rmSync(join(dir, gone));
      const kept = readFileSync(join(dir, keep), 'utf8');
      await assert.rejects(ensurePki({ dir }), new RegExp(`^Error: ${join(dir, gone)} is missing while ${join(dir, keep)} exists`));
      assert.equal(readFileSync(join(dir, keep), 'utf8'), kept);
    }
  });

  it('refuses a CA key that does not belong to the CA certificate', async () => {
    const dir = freshDir();
    const other = freshDir();
    await ensurePki({ dir });
    await ensurePki({ dir: other });
    writeFileSync(join(dir, PKI_FILES.caKey), readFileSync(join(other, PKI_FILES.caKey)));
    await assert.rejects(ensurePki({ dir }), { message: `${join(dir, PKI_FILES.caKey)} does not match ${join(dir, PKI_FILES.caCert)}` });
  });

  it('refuses a leaf certificate in place of the CA', async () => {
    const dir = freshDir();
    await ensurePki({ dir });
    writeFileSync(join(dir, PKI_FILES.caCert), readFileSync(join(dir, PKI_FILES.adminCert)));
    writeFileSync(join(dir, PKI_FILES.caKey), readFileSync(join(dir, PKI_FILES.adminKey)));
    await assert.rejects(ensurePki({ dir }), { message: `${join(dir, PKI_FILES.caCert)}: not a CA certificate` });
  });
});

describe('issueClientCertificate', () => {
  it('issues CA-signed client credentials for any user and groups', async () => {
    const pki = await ensurePki({ dir: freshDir() });
    const issued = await issueClientCertificate(pki, { commonName: 'system:node:worker-1', organizations: ['system:nodes', 'extra'] });
    const c = cert(issued.certPem);
    assert.ok(c.verify(cert(pki.caCertPem).publicKey));
    assert.ok(c.checkPrivateKey((await loadSigningKey(issued.keyPem, 'k')).keyObject));
    assert.deepEqual(c.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.deepEqual(userFromPeerCertificate(c), { name: 'system:node:worker-1', groups: ['system:nodes', 'extra'] });
    // Values that mean something in RFC 4514 text, and non-ASCII, survive exactly.
    for (const name of ['jane, "the" admin', '#hash', 'back\\slash+plus', 'zoë']) {
      const issued = await issueClientCertificate(pki, { commonName: name, organizations: [`${name} team`] });
      assert.deepEqual(userFromPeerCertificate(cert(issued.certPem)), { name, groups: [`${name} team`] });
    }
    const noGroups = await issueClientCertificate(pki, { commonName: 'jane' });
    assert.deepEqual(userFromPeerCertificate(cert(noGroups.certPem)), { name: 'jane', groups: [] });
    await assert.rejects(issueClientCertificate(pki, { commonName: '' }), /commonName is required/);
  });
});

describe('userFromPeerCertificate', () => {
  it('is undefined without a certificate or without a common name', async () => {
    assert.equal(userFromPeerCertificate({} as never), undefined);
    const pki = await ensurePki({ dir: freshDir() });
    const key = await loadSigningKey(pki.caKeyPem, 'ca');
    const pem = await signCertificate({
      subject: { commonName: '', organizations: ['g'] },
      publicKeyDer: key.publicKeyDer,
      rsa: false,
      issuer: { certPem: pki.caCertPem, key },
    });
    assert.equal(userFromPeerCertificate(cert(pem)), undefined);
  });
});

describe('servingNames', () => {
  it('adds defaults, the host name and addresses, routes IP literals and de-duplicates', () => {
    const names = servingNames({ hostnames: ['Extra.Example.Test', '192.0.2.7', 'localhost'], ips: ['10.43.0.1', '127.0.0.1'] });
    assert.deepEqual(names.dnsNames.slice(0, DEFAULT_SERVING_DNS_NAMES.length), DEFAULT_SERVING_DNS_NAMES);
    assert.ok(names.dnsNames.includes(hostname().toLowerCase()));
    assert.ok(names.dnsNames.includes('extra.example.test'));
    assert.deepEqual(names.ips.slice(0, 2), ['127.0.0.1', '::1']);
    assert.ok(names.ips.includes('192.0.2.7') && names.ips.includes('10.43.0.1'));
    assert.ok(!names.dnsNames.includes('192.0.2.7'));
    assert.equal(new Set(names.ips).size, names.ips.length);
    assert.equal(new Set(names.dnsNames).size, names.dnsNames.length);
    assert.ok(names.ips.every((ip) => !ip.startsWith('fe80')));
  });
});
