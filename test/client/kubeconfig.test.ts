// loadKubeconfig: which context is read, *-data versus file fields (relative to the kubeconfig's
// own directory, as client-go resolves them), tokens, and clear errors for what is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubets-kubeconfig-'));
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'certs', 'ca.crt'), 'CA FROM FILE');
  writeFileSync(join(dir, 'certs', 'client.crt'), 'CERT FROM FILE');
  writeFileSync(join(dir, 'certs', 'client.key'), 'KEY FROM FILE');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');

interface Doc {
  current?: string;
  clusters?: Record<string, Record<string, unknown>>;
  users?: Record<string, Record<string, unknown>>;
  contexts?: Record<string, { cluster: string; user?: string }>;
}

let n = 0;
/** Writes a kubeconfig (in `dir`, or a sub-directory) and returns its path. */
function write(doc: Doc, sub = ''): string {
  const path = join(dir, sub, `config-${n++}.yaml`);
  const named = <T>(m: Record<string, T> | undefined, field: string) => Object.entries(m ?? {}).map(([name, v]) => ({ name, [field]: v }));
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: named(doc.clusters, 'cluster'),
      users: named(doc.users, 'user'),
      contexts: named(doc.contexts, 'context'),
      ...(doc.current ? { 'current-context': doc.current } : {}),
    }),
  );
  return path;
}

describe('loadKubeconfig', () => {
  test('embedded *-data fields are base64-decoded', () => {
    const path = write({
      current: 'c',
      clusters: { k: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA DATA') } },
      users: { u: { 'client-certificate-data': b64('CERT DATA'), 'client-key-data': b64('KEY DATA') } },
      contexts: { c: { cluster: 'k', user: 'u' } },
    });
    assert.deepEqual(loadKubeconfig(path), {
      server: 'https://127.0.0.1:6443',
      caPem: 'CA DATA',
      certPem: 'CERT DATA',
      keyPem: 'KEY DATA',
      insecureSkipTlsVerify: false,
      token: undefined,
    });
  });

  test('file fields are read relative to the kubeconfig, or as absolute paths', () => {
    const sub = 'certs';
    const path = write(
      {
        current: 'c',
        // Relative to certs/ where this kubeconfig lives, not to the process's cwd.
        clusters: { k: { server: 'https://h:1', 'certificate-authority': 'ca.crt' } },
        users: { u: { 'client-certificate': join(dir, 'certs', 'client.crt'), 'client-key': './client.key' } },
        contexts: { c: { cluster: 'k', user: 'u' } },
      },
      sub,
    );
    const cfg = loadKubeconfig(path);
    assert.equal(cfg.caPem, 'CA FROM FILE');
    assert.equal(cfg.certPem, 'CERT FROM FILE');
    assert.equal(cfg.keyPem, 'KEY FROM FILE');
  });

  test('a *-data field overrides its file field', () => {
    const path = write({
      current: 'c',
      clusters: { k: { server: 'https://h:1', 'certificate-authority': 'certs/ca.crt', 'certificate-authority-data': b64('CA DATA') } },
      contexts: { c: { cluster: 'k' } },
    });
    assert.equal(loadKubeconfig(path).caPem, 'CA DATA');
  });

  test('tokens, insecure-skip-tls-verify, and a context without a user', () => {
    const path = write({
      current: 'anon',
      clusters: { k: { server: 'https://h:1', 'insecure-skip-tls-verify': true } },
      users: { t: { token: 'abc.def' } },
      contexts: { anon: { cluster: 'k' }, tok: { cluster: 'k', user: 't' } },
    });
    const anon = loadKubeconfig(path);
    assert.equal(anon.insecureSkipTlsVerify, true);
    assert.equal(anon.token, undefined);
    assert.equal(anon.certPem, undefined);
    assert.equal(loadKubeconfig(path, 'tok').token, 'abc.def');
  });

  test('an explicit context wins over current-context', () => {
    const path = write({
      current: 'one',
      clusters: { a: { server: 'https://a:1' }, b: { server: 'https://b:2' } },
      contexts: { one: { cluster: 'a' }, two: { cluster: 'b' } },
    });
    assert.equal(loadKubeconfig(path).server, 'https://a:1');
    assert.equal(loadKubeconfig(path, 'two').server, 'https://b:2');
  });

  const base: Doc = { clusters: { k: { server: 'https://h:1' } }, contexts: { c: { cluster: 'k', user: 'u' } }, users: { u: {} } };
  const failures: { name: string; doc?: Doc; path?: string; context?: string; error: RegExp }[] = [
    { name: 'context named but absent', doc: { ...base, current: 'c' }, context: 'nope', error: /context "nope" not found/ },
    { name: 'current-context absent', doc: { ...base, current: 'gone' }, error: /context "gone" not found/ },
    { name: 'no current-context and none asked for', doc: base, error: /no current-context/ },
    { name: 'cluster of the context absent', doc: { ...base, current: 'x', contexts: { x: { cluster: 'missing' } } }, error: /cluster "missing" not found/ },
    { name: 'user of the context absent', doc: { ...base, current: 'x', contexts: { x: { cluster: 'k', user: 'ghost' } } }, error: /user "ghost" not found/ },
    { name: 'cluster without server', doc: { ...base, current: 'c', clusters: { k: {} } }, error: /cluster has no server/ },
    {
      name: 'certificate file missing',
      doc: { ...base, current: 'c', users: { u: { 'client-certificate': 'no-such.crt' } } },
      error: /cannot read .*no-such\.crt/,
    },
    { name: 'kubeconfig file missing', path: join('/nonexistent', 'kubeconfig'), error: /cannot read kubeconfig \/nonexistent\/kubeconfig/ },
  ];
  for (const f of failures) {
    test(`clear error: ${f.name}`, () => {
      const path = f.path ?? write(f.doc!);
      assert.throws(() => loadKubeconfig(path, f.context), (e: Error) => {
        assert.match(e.message, f.error);
        return true;
      });
    });
  }

  test('an empty file is a clear error, not a crash', () => {
    const path = join(dir, 'empty.yaml');
    writeFileSync(path, '');
    assert.throws(() => loadKubeconfig(path), /no current-context/);
  });
});
