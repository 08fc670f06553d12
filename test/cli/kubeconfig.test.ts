import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import YAML from 'yaml';
import { adminKubeconfig, defaultKubeconfigPath, mergeIntoKubeconfig, writeKubeconfig } from '../../src/cli/kubeconfig.js';

const root = mkdtempSync(join(tmpdir(), 'kubets-kubeconfig-'));
let seq = 0;
const fresh = (): string => {
  const dir = join(root, `d${++seq}`);
  mkdirSync(dir);
  return dir;
};
after(() => rmSync(root, { recursive: true, force: true }));

const PEM = (label: string, body: string): string => `-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64')}\n-----END ${label}-----\n`;
const ours = adminKubeconfig({
  server: 'https://127.0.0.1:6443',
  caCertPem: PEM('CERTIFICATE', 'ca'),
  clientCertPem: PEM('CERTIFICATE', 'client'),
  clientKeyPem: PEM('PRIVATE KEY', 'key'),
});

function kubectl(home: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home };
    execFile('/usr/bin/kubectl', [...args, '--cache-dir', join(home, 'cache')], { env, timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    );
  });
}

interface Named {
  name: string;
  [key: string]: unknown;
}
interface ViewedConfig {
  clusters: Named[];
  users: Named[];
  contexts: Named[];
  'current-context': string;
  preferences?: Record<string, unknown>;
}
const view = async (dir: string, path: string): Promise<ViewedConfig> =>
  JSON.parse(await kubectl(dir, ['config', 'view', '--raw', '--kubeconfig', path, '-o', 'json'])) as ViewedConfig;
const names = (list: Named[]): string[] => list.map((e) => e.name);

describe('adminKubeconfig', () => {
  it('names cluster, user and context kubets and embeds the PEMs as base64 data', () => {
    assert.deepEqual(ours, {
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      clusters: [{ name: 'kubets', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from(PEM('CERTIFICATE', 'ca')).toString('base64') } }],
      users: [
        {
          name: 'kubets',
          user: {
            'client-certificate-data': Buffer.from(PEM('CERTIFICATE', 'client')).toString('base64'),
            'client-key-data': Buffer.from(PEM('PRIVATE KEY', 'key')).toString('base64'),
          },
        },
      ],
      contexts: [{ name: 'kubets', context: { cluster: 'kubets', user: 'kubets' } }],
      'current-context': 'kubets',
    });
    const named = adminKubeconfig({ server: 's', caCertPem: 'a', clientCertPem: 'b', clientKeyPem: 'c', name: 'dev' });
    assert.deepEqual([named.clusters[0]!.name, named.users[0]!.name, named.contexts[0]!.name, named['current-context']], ['dev', 'dev', 'dev', 'dev']);
    assert.deepEqual(named.contexts[0]!.context, { cluster: 'dev', user: 'dev' });
  });
});

describe('writeKubeconfig', () => {
  it('creates directories, writes mode 0600 YAML that kubectl reads', async () => {
    const dir = fresh();
    const path = join(dir, 'a', 'b', 'kubeconfig.yaml');
    writeKubeconfig(path, ours);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(YAML.parse(readFileSync(path, 'utf8')), ours);
    const viewed = await view(dir, path);
    assert.equal(viewed['current-context'], 'kubets');
    assert.deepEqual(viewed.users[0], ours.users[0]);
    assert.equal((await kubectl(dir, ['config', 'current-context', '--kubeconfig', path])).trim(), 'kubets');
  });

  it('tightens an existing file to 0600 when overwriting it', () => {
    const path = join(fresh(), 'config');
    writeFileSync(path, 'old', { mode: 0o644 });
    writeKubeconfig(path, ours);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(YAML.parse(readFileSync(path, 'utf8')), ours);
  });
});

const EXISTING = `# my clusters
apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
- name: prod
  cluster:
    server: https://prod.example.test
    insecure-skip-tls-verify: true
    extensions:
    - name: vendor
      extension: {anything: 1}
- name: kubets
  cluster:
    server: https://old.example.test:1
users:
- name: kubets
  user:
    token: stale
- name: prod-admin
  user:
    token: secret
contexts:
- name: prod
  context:
    cluster: prod
    user: prod-admin
    namespace: web
- name: kubets
  context: {cluster: kubets, user: kubets, namespace: old}
current-context: prod
extensions:
- name: top-level
  extension: {keep: me}
`;

describe('mergeIntoKubeconfig', () => {
  it('creates a missing file (and its directory) with mode 0600 and kubets current', async () => {
    const dir = fresh();
    const path = join(dir, '.kube', 'config');
    mergeIntoKubeconfig(path, ours);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const viewed = await view(dir, path);
    assert.deepEqual([names(viewed.clusters), names(viewed.users), names(viewed.contexts)], [['kubets'], ['kubets'], ['kubets']]);
    assert.deepEqual(viewed.clusters[0], ours.clusters[0]);
    assert.equal((await kubectl(dir, ['config', 'current-context', '--kubeconfig', path])).trim(), 'kubets');
    assert.ok(!existsSync(`${path}.lock`));
  });

  it('replaces only the kubets entries and keeps every other entry, field and comment', async () => {
    const dir = fresh();
    const path = join(dir, 'config');
    writeFileSync(path, EXISTING, { mode: 0o640 });
    mergeIntoKubeconfig(path, ours);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /^# my clusters\n/);
    assert.equal(statSync(path).mode & 0o777, 0o640, 'an existing file keeps its mode');

    const before = YAML.parse(EXISTING) as Record<string, unknown> & ViewedConfig;
    const merged = YAML.parse(text) as Record<string, unknown> & ViewedConfig;
    assert.deepEqual(merged.clusters, [before.clusters[0], ours.clusters[0]]);
    assert.deepEqual(merged.users, [ours.users[0], before.users[1]]);
    assert.deepEqual(merged.contexts, [before.contexts[0], ours.contexts[0]]);
    assert.equal(merged['current-context'], 'kubets');
    for (const key of ['apiVersion', 'kind', 'preferences', 'extensions']) assert.deepEqual(merged[key], before[key], key);

    const viewed = await view(dir, path);
    assert.deepEqual(names(viewed.clusters).sort(), ['kubets', 'prod']);
    assert.deepEqual(names(viewed.users).sort(), ['kubets', 'prod-admin']);
    assert.equal(viewed['current-context'], 'kubets');
    assert.equal((await kubectl(dir, ['config', 'current-context', '--kubeconfig', path])).trim(), 'kubets');
    // kubectl can switch back afterwards: the file is still one it manages.
    await kubectl(dir, ['config', 'use-context', 'prod', '--kubeconfig', path]);
    assert.equal((await kubectl(dir, ['config', 'current-context', '--kubeconfig', path])).trim(), 'prod');
  });

  it('is idempotent and drops duplicate kubets entries', () => {
    const path = join(fresh(), 'config');
    writeFileSync(path, EXISTING.replace('- name: prod-admin', '- name: kubets\n  user: {token: dup}\n- name: prod-admin'));
    mergeIntoKubeconfig(path, ours);
    const once = readFileSync(path, 'utf8');
    mergeIntoKubeconfig(path, ours);
    assert.equal(readFileSync(path, 'utf8'), once);
    const merged = YAML.parse(once) as ViewedConfig;
    assert.deepEqual(names(merged.users), ['kubets', 'prod-admin']);
  });

  it('leaves current-context alone when asked to', () => {
    const path = join(fresh(), 'config');
    writeFileSync(path, EXISTING);
    mergeIntoKubeconfig(path, ours, { setCurrentContext: false });
    const merged = YAML.parse(readFileSync(path, 'utf8')) as ViewedConfig;
    assert.equal(merged['current-context'], 'prod');
    assert.deepEqual(merged.contexts[1], ours.contexts[0]);
  });

  it('accepts an empty file and null lists, and JSON kubeconfigs', async () => {
    const dir = fresh();
    const inputs = ['', '# nothing yet\n', 'apiVersion: v1\nkind: Config\nclusters: null\nusers:\ncontexts: []\n', JSON.stringify(YAML.parse(EXISTING))];
    for (const [i, input] of inputs.entries()) {
      const path = join(dir, `config-${i}`);
      writeFileSync(path, input);
      mergeIntoKubeconfig(path, ours);
      const viewed = await view(dir, path);
      assert.ok(names(viewed.clusters).includes('kubets'), `input ${i}`);
      assert.equal(viewed['current-context'], 'kubets', `input ${i}`);
    }
  });

  it('writes through a symlink to the file it points to', () => {
    const dir = fresh();
    const real = join(dir, 'real-config');
    const link = join(dir, 'config');
    writeFileSync(real, EXISTING);
    symlinkSync(real, link);
    mergeIntoKubeconfig(link, ours);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal((YAML.parse(readFileSync(real, 'utf8')) as ViewedConfig)['current-context'], 'kubets');
  });

  const invalid: [string, string, RegExp][] = [
    ['broken YAML', 'clusters: [\n', /not a valid kubeconfig: /],
    ['a top-level list', '- a\n- b\n', /not a valid kubeconfig: top level is not a mapping$/],
    ['clusters that is not a list', 'clusters: {name: x}\n', /not a valid kubeconfig: clusters is not a list$/],
    ['an entry without a name', 'users:\n- user: {token: x}\n', /not a valid kubeconfig: users\[0\] has no name$/],
    ['another kind of object', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n', /not a valid kubeconfig: kind is Pod, not Config$/],
  ];
  for (const [title, content, message] of invalid) {
    it(`refuses ${title} with a one-line error and writes nothing`, () => {
      const path = join(fresh(), 'config');
      writeFileSync(path, content);
      assert.throws(
        () => mergeIntoKubeconfig(path, ours),
        (err: Error) => {
          assert.match(err.message, message);
          assert.ok(err.message.startsWith(`${path}: `), err.message);
          assert.ok(!err.message.includes('\n'), err.message);
          return true;
        },
      );
      assert.equal(readFileSync(path, 'utf8'), content);
      assert.ok(!existsSync(`${path}.lock`));
    });
  }

  it("respects kubectl's lock file", () => {
    const path = join(fresh(), 'config');
    writeFileSync(path, EXISTING);
    writeFileSync(`${path}.lock`, '');
    assert.throws(() => mergeIntoKubeconfig(path, ours), { message: `cannot lock ${path}: ${path}.lock exists (remove it if no kubectl is running)` });
    assert.equal(readFileSync(path, 'utf8'), EXISTING);
    assert.ok(existsSync(`${path}.lock`), 'someone else’s lock is not removed');
  });

  it('reports an unreadable file by name', () => {
    const dir = fresh();
    const path = join(dir, 'config');
    mkdirSync(path);
    chmodSync(path, 0o700);
    assert.throws(() => mergeIntoKubeconfig(path, ours), { message: `cannot read ${path}: EISDIR` });
  });
});

describe('defaultKubeconfigPath', () => {
  it('follows $KUBECONFIG like kubectl, else ~/.kube/config', () => {
    const dir = fresh();
    const existing = join(dir, 'exists');
    writeFileSync(existing, '');
    const cases: [string | undefined, string][] = [
      [undefined, join(dir, '.kube', 'config')],
      ['', join(dir, '.kube', 'config')],
      [join(dir, 'only'), join(dir, 'only')],
      [[join(dir, 'a'), existing, join(dir, 'b')].join(delimiter), existing],
      [[join(dir, 'a'), '', join(dir, 'b')].join(delimiter), join(dir, 'b')],
    ];
    const saved = { HOME: process.env['HOME'], KUBECONFIG: process.env['KUBECONFIG'] };
    try {
      process.env['HOME'] = dir;
      for (const [env, want] of cases) {
        if (env === undefined) delete process.env['KUBECONFIG'];
        else process.env['KUBECONFIG'] = env;
        assert.equal(defaultKubeconfigPath(), want, `KUBECONFIG=${env}`);
      }
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
