// Real processes in real mount namespaces (root): what a container sees, and that the node never
// sees any of it. Every process is killed and every directory removed after each test; the
// namespaces' mounts die with their processes.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { Logger } from '../../../../src/logging/index.js';
import { chooseContainerMounts, MOUNT_SETUP_EXIT_CODE, NamespaceMounts, planMounts, shQuote } from '../../../../src/kubelet/runtime/process/mount-namespace.js';
import { HostPathMounts } from '../../../../src/kubelet/runtime/process/mounts.js';
import { ProcessRuntime } from '../../../../src/kubelet/runtime/process/runtime.js';
import type { ConfigMap, Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Mount } from '../../../../src/kubelet/runtime/types.js';
import { RuntimeError } from '../../../../src/kubelet/runtime/types.js';
import { VolumeManager } from '../../../../src/kubelet/volumes/manager.js';
import { mountsUnder, parseMountInfo } from '../../../../src/kubelet/volumes/mount-utils.js';
import type { VolumeSources } from '../../../../src/kubelet/volumes/types.js';
import { containerConfig, sandboxConfig } from '../contract.js';

const isRoot = process.getuid?.() === 0;

/** What one test made: removed (processes killed first) when it ends, so tests can run at once. */
class Scope {
  private readonly roots: string[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly runtimes: ProcessRuntime[] = [];
  private readonly deferred: (() => Promise<void>)[] = [];

  constructor(t: TestContext) {
    t.after(() => this.cleanup());
  }

  root(): string {
    const r = mkdtempSync(join(tmpdir(), 'kubets-mountns-'));
    this.roots.push(r);
    return r;
  }

  /** A volume directory holding `files`. */
  volume(files: Record<string, string>): string {
    const dir = join(this.root(), 'vol');
    mkdirSync(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  }

  mounts(stateDir = join(this.root(), 'state')): NamespaceMounts {
    return new NamespaceMounts({ stateDir });
  }

  runtime(root: string): ProcessRuntime {
    const rt = new ProcessRuntime({ stateDir: join(root, 'rt'), nodeIp: '192.0.2.10', mounts: this.mounts(join(root, 'rt', 'mounts')) });
    this.runtimes.push(rt);
    return rt;
  }

  spawn(argv: string[], cwd = '/', detached = false): ChildProcess {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached });
    this.children.push(child);
    return child;
  }

  /** Runs `argv` to its end: exit code and output. */
  exec(argv: string[], cwd = '/'): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = this.spawn(argv, cwd);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c));
    child.stderr!.on('data', (c: Buffer) => (stderr += c));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  /** Runs `script` (sh) as a container with `mounts`. */
  async run(mounts: Mount[], script: string, opts: { cwd?: string; nm?: NamespaceMounts; id?: string } = {}) {
    const nm = opts.nm ?? this.mounts();
    const id = opts.id ?? 'c1';
    await nm.prepare(id, mounts);
    return this.exec(nm.wrapCommand(id, mounts, ['sh', '-c', script]), opts.cwd ?? '/');
  }

  /** Starts a long-running container; resolves once it printed "ready". */
  async start(nm: NamespaceMounts, id: string, mounts: Mount[], cwd = '/'): Promise<ChildProcess> {
    await nm.prepare(id, mounts);
    const child = this.spawn(nm.wrapCommand(id, mounts, ['sh', '-c', 'echo ready; exec sleep 60']), cwd, true);
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', () => reject(new Error(`container exited: ${err}`)));
    });
    return child;
  }

  /** Runs `fn` at cleanup, after processes are killed and before directories are removed. */
  defer(fn: () => Promise<void>): void {
    this.deferred.push(fn);
  }

  private async cleanup(): Promise<void> {
    for (const rt of this.runtimes.splice(0)) {
      for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
      await rt.close();
    }
    for (const c of this.children.splice(0)) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
    for (const fn of this.deferred.splice(0)) await fn();
    for (const r of this.roots.splice(0)) rmSync(r, { recursive: true, force: true });
  }
}

/** A path below /etc that does not exist on the node (and must still not exist afterwards). */
const missingUnderEtc = () => `/etc/kubets-test-${randomBytes(4).toString('hex')}`;

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('NamespaceMounts', { skip: !isRoot && 'needs root (mount namespaces)', concurrency: true }, () => {
  test('a container sees a volume at a path missing on the node, and the node never gets it', async (t) => {
    const $ = new Scope(t);
    const base = missingUnderEtc();
    const vol = $.volume({ 'app.conf': 'hello' });
    const r = await $.run([{ containerPath: `${base}/config`, hostPath: vol, readonly: false }], `cat ${base}/config/app.conf; echo; ls /etc/hostname >/dev/null && echo etc-kept; pwd`, { cwd: '/tmp' });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'hello\netc-kept\n/tmp\n');
    assert.equal(r.code, 0);
    assert.equal(existsSync(base), false);
  });

  test('a missing top-level path overlays the root: /proc, /dev and writes to the volume still work', async (t) => {
    const $ = new Scope(t);
    const top = `/kubets-test-${randomBytes(4).toString('hex')}`;
    const vol = $.volume({ f: 'top' });
    const r = await $.run([{ containerPath: `${top}/data`, hostPath: vol, readonly: false }], `cat ${top}/data/f; echo; test -r /proc/self/status && echo proc; echo x > /dev/null && echo dev; echo written > ${top}/data/out`);
    assert.equal(r.stdout, 'top\nproc\ndev\n', r.stderr);
    assert.equal(readFileSync(join(vol, 'out'), 'utf8'), 'written\n');
    assert.equal(existsSync(top), false);
  });

  test('a read-only mount refuses writes; a read-write one next to it takes them', async (t) => {
    const $ = new Scope(t);
    const base = missingUnderEtc();
    const ro = $.volume({ f: 'ro' });
    const rw = $.volume({});
    const r = await $.run(
      [
        { containerPath: `${base}/ro`, hostPath: ro, readonly: true },
        { containerPath: `${base}/rw`, hostPath: rw, readonly: false },
      ],
      `touch ${base}/ro/new 2>/dev/null && echo wrote-ro; touch ${base}/rw/new && echo wrote-rw`,
    );
    assert.equal(r.stdout, 'wrote-rw\n');
    assert.equal(existsSync(join(ro, 'new')), false);
    assert.equal(existsSync(join(rw, 'new')), true);
  });

  test('subPath file mounts: onto a missing file, and over an existing node file left untouched', async (t) => {
    const $ = new Scope(t);
    const base = missingUnderEtc();
    const vol = $.volume({ 'app.conf': 'from-volume' });
    const nodeDir = $.root();
    const nodeFile = join(nodeDir, 'settings.ini');
    writeFileSync(nodeFile, 'node');
    const r = await $.run(
      [
        { containerPath: `${base}/app.conf`, hostPath: join(vol, 'app.conf'), readonly: true },
        { containerPath: nodeFile, hostPath: join(vol, 'app.conf'), readonly: false },
      ],
      `cat ${base}/app.conf; echo; cat ${nodeFile}; echo; ls ${base}`,
    );
    assert.equal(r.stdout, 'from-volume\nfrom-volume\napp.conf\n', r.stderr);
    assert.equal(readFileSync(nodeFile, 'utf8'), 'node');
    assert.equal(existsSync(base), false);
  });

  test('two containers mounting different things at the same path each see their own', async (t) => {
    const $ = new Scope(t);
    const path = `${missingUnderEtc()}/data`;
    const nm = $.mounts();
    const a = await $.start(nm, 'a', [{ containerPath: path, hostPath: $.volume({ who: 'A' }), readonly: false }]);
    const b = await $.start(nm, 'b', [{ containerPath: path, hostPath: $.volume({ who: 'B' }), readonly: false }]);
    const read = async (pid: number) => (await $.exec(nm.enterCommand('', pid, ['cat', `${path}/who`]))).stdout;
    assert.equal(await read(a.pid!), 'A');
    assert.equal(await read(b.pid!), 'B');
    assert.equal(existsSync(path), false);
  });

  test('the wrapper execs: the spawned pid is the container process and signals reach it', async (t) => {
    const $ = new Scope(t);
    const nm = $.mounts();
    const mounts = [{ containerPath: `${missingUnderEtc()}/v`, hostPath: $.volume({}), readonly: false }];
    await nm.prepare('c', mounts);
    const argv = nm.wrapCommand('c', mounts, ['sh', '-c', 'echo $$; exec sleep 60']);
    const child = $.spawn(argv);
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    assert.equal(Number(line.toString().trim()), child.pid);
    await until(() => readFileSync(`/proc/${child.pid}/cmdline`, 'utf8') === 'sleep\x0060\x00');
    child.kill('SIGTERM');
    const [, signal] = await once(child, 'exit');
    assert.equal(signal, 'SIGTERM');
  });

  test('exec sessions entered with enterCommand see the mounts and the working directory', async (t) => {
    const $ = new Scope(t);
    const base = missingUnderEtc();
    const nm = $.mounts();
    const workDir = $.root();
    const c = await $.start(nm, 'c', [{ containerPath: `${base}/v`, hostPath: $.volume({ f: 'seen' }), readonly: false }], workDir);
    const r = await $.exec(nm.enterCommand('c', c.pid!, ['sh', '-c', `cat ${base}/v/f; echo; pwd`]));
    assert.equal(r.stdout, `seen\n${workDir}\n`, r.stderr);
  });

  test('names with spaces, commas, quotes and shell syntax are carried as they are', async (t) => {
    const $ = new Scope(t);
    const weird = `we ird,x:y'"$(touch PWNED)\`x\``;
    const source = join($.root(), weird);
    mkdirSync(source);
    writeFileSync(join(source, 'f'), 'safe');
    // An existing node directory with such a name gets the overlay: its path cannot go into the overlay options as is.
    const nodeDir = join($.root(), weird);
    mkdirSync(nodeDir);
    const target = `${nodeDir}/a b'c $(touch PWNED2)`;
    const cwd = $.root();
    const r = await $.run([{ containerPath: target, hostPath: source, readonly: true }], `cat ${shQuote(`${target}/f`)}`, { cwd });
    assert.equal(r.stdout, 'safe', r.stderr);
    assert.deepEqual(planMounts([{ containerPath: target, hostPath: source, readonly: true }]).overlays.map((o) => o.path), [nodeDir]);
    assert.equal(existsSync(join(cwd, 'PWNED')) || existsSync('/PWNED') || existsSync(join(cwd, 'PWNED2')) || existsSync('/PWNED2'), false);
    assert.equal(existsSync(target), false);
  });

  test('a mount inside another volume: its mount point is made in that volume, as runc does', async (t) => {
    const $ = new Scope(t);
    const base = missingUnderEtc();
    const outer = $.volume({ o: 'outer' });
    const inner = $.volume({ i: 'inner' });
    const r = await $.run(
      [
        { containerPath: `${base}/outer/sub`, hostPath: inner, readonly: true },
        { containerPath: `${base}/outer`, hostPath: outer, readonly: true },
      ],
      `cat ${base}/outer/o ${base}/outer/sub/i`,
    );
    assert.equal(r.stdout, 'outerinner', r.stderr);
    assert.equal(existsSync(join(outer, 'sub')), true);
  });

  test('existing targets need no overlay: binds straight onto the paths, inside the namespace only', async (t) => {
    const $ = new Scope(t);
    const nodeDir = $.root();
    writeFileSync(join(nodeDir, 'node-file'), '');
    const mounts = [{ containerPath: nodeDir, hostPath: $.volume({ v: 'vol' }), readonly: false }];
    assert.deepEqual(planMounts(mounts).overlays, []);
    const nm = $.mounts();
    await nm.prepare('c', mounts);
    assert.equal(nm.wrapCommand('c', mounts, ['true']).join(' ').includes('chroot'), false);
    const r = await $.run(mounts, `ls ${nodeDir}; pwd`, { cwd: nodeDir, nm, id: 'c2' });
    // The working directory is entered again through the mount: the volume is what it shows.
    assert.equal(r.stdout, `v\n${nodeDir}\n`, r.stderr);
    assert.equal(existsSync(join(nodeDir, 'node-file')), true);
    assert.equal(existsSync(join(nodeDir, 'v')), false);
  });

  test('a symlink on the way to a missing path is followed as inside: the overlay goes on its target', (t) => {
    const $ = new Scope(t);
    const root = $.root();
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'link'));
    const plan = planMounts([{ containerPath: join(root, 'link/new/dir'), hostPath: root, readonly: false }]);
    assert.deepEqual(plan.overlays.map((o) => o.path), [join(root, 'real')]);
    assert.equal(plan.binds[0]!.target, join(root, 'real/new/dir'));
  });

  test('an overlay binds back the mounts below it', (t) => {
    const $ = new Scope(t);
    const table = parseMountInfo(['1 0 0:1 / / rw - ext4 /dev/vda rw', '2 1 0:2 / /run rw - tmpfs tmpfs rw', '3 2 0:3 / /run/netns rw - tmpfs tmpfs rw', '4 1 0:4 / /proc rw - proc proc rw'].join('\n'));
    const plan = planMounts([{ containerPath: `/kubets-missing-${randomBytes(3).toString('hex')}`, hostPath: $.root(), readonly: false }], table);
    assert.deepEqual(plan.overlays, [{ path: '/', submounts: ['/run', '/proc'] }]);
  });

  test('a command that cannot run exits 128 with runc words', async (t) => {
    const $ = new Scope(t);
    const mounts = [{ containerPath: `${missingUnderEtc()}/v`, hostPath: $.volume({}), readonly: false }];
    const nm = $.mounts();
    await nm.prepare('c', mounts);
    const r = await $.exec(nm.wrapCommand('c', mounts, ['no-such-command-kubets']));
    assert.equal(r.code, MOUNT_SETUP_EXIT_CODE);
    assert.equal(r.stderr, 'exec: "no-such-command-kubets": executable file not found in $PATH\n');
  });

  test('prepare creates a missing source directory (containerd) and refuses "/"; wrap refuses a vanished source; release cleans up', async (t) => {
    const $ = new Scope(t);
    const stateDir = join($.root(), 'state');
    const nm = $.mounts(stateDir);
    const src = join($.root(), 'made/by/prepare');
    await nm.prepare('c', [{ containerPath: '/x', hostPath: src, readonly: false }]);
    assert.equal(existsSync(src), true);
    await assert.rejects(nm.prepare('c', [{ containerPath: '/', hostPath: src, readonly: false }]), (e: unknown) => e instanceof RuntimeError && e.reason === 'CreateContainerError');
    rmSync(src, { recursive: true });
    assert.throws(() => nm.wrapCommand('c', [{ containerPath: '/x', hostPath: src, readonly: false }], ['true']), (e: unknown) => e instanceof RuntimeError && /does not exist/.test(e.message));
    assert.equal(existsSync(join(stateDir, 'c')), true);
    await nm.release('c');
    assert.equal(existsSync(join(stateDir, 'c')), false);
  });

  test('in the process runtime: the container reads its volume, execs entering its namespace see it too', async (t) => {
    const $ = new Scope(t);
    const root = $.root();
    const rt = $.runtime(root);
    const base = missingUnderEtc();
    const sc = sandboxConfig(join(root, 'logs'), 'pod');
    const sid = await rt.runPodSandbox(sc);
    const mounts = [{ containerPath: `${base}/cfg`, hostPath: $.volume({ k: 'v1' }), readonly: true }];
    const cid = await rt.createContainer(sid, containerConfig('c', { command: ['sh', '-c', `cat ${base}/cfg/k; exec sleep 60`], stdin: false, mounts }), sc);
    await rt.startContainer(cid);
    const status = await rt.containerStatus(cid);
    await until(() => readFileSync(`/proc/${status.pid}/cmdline`, 'utf8').startsWith('sleep'));
    const e1 = await rt.execSync(cid, ['cat', `${base}/cfg/k`], 10);
    const e2 = await rt.execSync(cid, ['sh', '-c', `cat ${base}/cfg/k; touch ${base}/cfg/x 2>/dev/null || echo ro`], 10);
    assert.deepEqual([e1.stdout.toString(), e2.stdout.toString()], ['v1', 'v1ro\n']);
    // The start's overlay keeps its changes on disk; execs joined that namespace (nsenter) instead of building their own.
    const state = join(root, 'rt', 'mounts', cid);
    assert.equal(existsSync(join(state, 'main', 'overlay0', 'upper', base.slice('/etc/'.length))), true);
    assert.equal(existsSync(join(state, 'exec')), false);
    await rt.stopContainer(cid, 5);
    assert.equal((await rt.containerStatus(cid)).state, 'CONTAINER_EXITED');
    await rt.removeContainer(cid);
    assert.equal(existsSync(join(root, 'rt', 'mounts', cid)), false);
    assert.equal(existsSync(base), false);
  });

  test('with the VolumeManager: a pod configMap, subPath file, token under /var/run, secret and emptyDir', async (t) => {
    const $ = new Scope(t);
    const configMaps: Record<string, ConfigMap> = { cfg: { data: { 'app.conf': 'A=1' } }, 'kube-root-ca.crt': { data: { 'ca.crt': 'CA' } } };
    const sources: VolumeSources = {
      configMap: async (_ns, name) => configMaps[name],
      secret: async () => ({ data: { pass: Buffer.from('pw').toString('base64') } }),
      serviceAccountToken: async (_ns, _sa, req) => ({ ...req, status: { token: 'tok', expirationTimestamp: new Date(Date.now() + 3600_000).toISOString() } }),
    };
    const vm = new VolumeManager({ podsDir: join($.root(), 'pods'), sources });
    $.defer(() => vm.tearDown('uid-e2e'));
    const etc = missingUnderEtc();
    const container: Container = {
      name: 'c',
      volumeMounts: [
        { name: 'cfg', mountPath: `${etc}/config` },
        { name: 'cfg', mountPath: `${etc}/app.conf`, subPath: 'app.conf' },
        { name: 'sa', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
        { name: 's', mountPath: `${etc}/secret` },
        { name: 'data', mountPath: `${etc}/data` },
      ],
    };
    const pod: Pod = {
      metadata: { name: 'p', namespace: 'ns', uid: 'uid-e2e' },
      spec: {
        containers: [container],
        volumes: [
          { name: 'cfg', configMap: { name: 'cfg' } },
          { name: 'data', emptyDir: {} },
          { name: 's', secret: { secretName: 's' } },
          { name: 'sa', projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } },
        ],
      },
    };
    await vm.setUp(pod);
    const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
    const r = await $.run(vm.mountsFor(pod, container), `cat ${etc}/config/app.conf ${etc}/app.conf ${sa}/token ${sa}/ca.crt ${etc}/secret/pass; echo hi > ${etc}/data/f && echo wrote`);
    assert.equal(r.stdout, 'A=1A=1tokCApwwrote\n', r.stderr);
    assert.equal(readFileSync(join(vm.volumePath('uid-e2e', { name: 'data', emptyDir: {} })!, 'f'), 'utf8'), 'hi\n');
    assert.equal(existsSync(etc), false);
    assert.equal(existsSync('/run/secrets/kubernetes.io/serviceaccount/token'), false);
  });
});

describe('chooseContainerMounts', () => {
  const logger = () => {
    const warnings: unknown[] = [];
    const l = { warn: (...a: unknown[]) => warnings.push(a), info: () => {} } as unknown as Logger;
    return { l, warnings };
  };

  test('as root with unshare and overlayfs working: NamespaceMounts', { skip: !isRoot && 'needs root' }, async (t) => {
    const $ = new Scope(t);
    const { l, warnings } = logger();
    const stateDir = join($.root(), 'mounts');
    assert.ok((await chooseContainerMounts({ stateDir, logger: l })) instanceof NamespaceMounts);
    assert.deepEqual(warnings, []);
    assert.deepEqual(mountsUnder(stateDir), []);
  });

  test('not root: HostPathMounts, the reason warned once', async (t) => {
    const $ = new Scope(t);
    const { l, warnings } = logger();
    const stateDir = join($.root(), 'mounts');
    assert.ok((await chooseContainerMounts({ stateDir, logger: l, uid: 1000 })) instanceof HostPathMounts);
    assert.ok((await chooseContainerMounts({ stateDir, logger: l, uid: 1000 })) instanceof HostPathMounts);
    assert.equal(warnings.length, 1);
    assert.match(JSON.stringify(warnings[0]), /not root/);
  });

  test('a state directory overlay options cannot carry falls back with the reason', { skip: !isRoot && 'needs root' }, async (t) => {
    const $ = new Scope(t);
    const { l, warnings } = logger();
    assert.ok((await chooseContainerMounts({ stateDir: join($.root(), 'a,b'), logger: l })) instanceof HostPathMounts);
    assert.match(JSON.stringify(warnings[0]), /overlay options cannot carry/);
  });
});
