// The cgroup code that needs no root: where the pods' cgroups go on each kind of host (from
// mountinfo and /proc/self/cgroup fixtures), v2's files written and read in a directory standing in
// for cgroupfs (this machine may have no v2 controllers to try them on), the cpu rate, the move
// command, and the executable check.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CgroupV2, cpuSharesToWeight } from '../../../../src/kubelet/runtime/process/cgroup-v2.js';
import { cgroupMoveCommand, missingExecutable } from '../../../../src/kubelet/runtime/process/cgroups.js';
import { type DetectedCgroups, parseMountInfo, parseProcCgroup, planCgroups } from '../../../../src/kubelet/runtime/process/cgroups-detect.js';
import { CpuRate } from '../../../../src/kubelet/runtime/process/cgroups-fs.js';
import { silentLogger } from '../../../../src/logging/index.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubets-cgroups-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const HYBRID_MOUNTINFO = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const HYBRID_CGROUP = `9:name=systemd:/
8:pids:/
4:memory:/sandbox/job1
2:cpuacct:/
1:cpu:/
0::/`;
const COMOUNTED_MOUNTINFO = `25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw shared:9 - cgroup cgroup rw,cpu,cpuacct
26 24 0:23 / /sys/fs/cgroup/memory rw shared:10 - cgroup cgroup rw,memory`;
const V2_MOUNTINFO = '24 31 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
const DOCKER_V1_MOUNTINFO = `700 699 0:31 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory
701 699 0:28 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct`;

describe('where the pods’ cgroups go', () => {
  const cases: [string, string, string, DetectedCgroups][] = [
    [
      'hybrid v1: each controller’s tree, under kubets’s own cgroup in it; pids mounted',
      HYBRID_MOUNTINFO,
      HYBRID_CGROUP,
      {
        kind: 'v1',
        roots: { memory: '/sys/fs/cgroup/memory/sandbox/job1/kubepods', cpu: '/sys/fs/cgroup/cpu/kubepods', cpuacct: '/sys/fs/cgroup/cpuacct/kubepods', pids: '/sys/fs/cgroup/pids/kubepods' },
        unsupported: undefined,
      },
    ],
    [
      'v1 with cpu and cpuacct in one mount, no pids: pids limits said to be unenforced',
      COMOUNTED_MOUNTINFO,
      '3:memory:/\n2:cpu,cpuacct:/system.slice/kubets.service\n0::/',
      {
        kind: 'v1',
        roots: { memory: '/sys/fs/cgroup/memory/kubepods', cpu: '/sys/fs/cgroup/cpu,cpuacct/system.slice/kubets.service/kubepods', cpuacct: '/sys/fs/cgroup/cpu,cpuacct/system.slice/kubets.service/kubepods' },
        unsupported: 'pids limits are not enforced: the pids cgroup controller is not mounted',
      },
    ],
    ['v1 in a container without a cgroup namespace: its mount root is its own cgroup', DOCKER_V1_MOUNTINFO, '4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc', {
      kind: 'v1',
      roots: { memory: '/sys/fs/cgroup/memory/kubepods', cpu: '/sys/fs/cgroup/cpu,cpuacct/kubepods', cpuacct: '/sys/fs/cgroup/cpu,cpuacct/kubepods' },
      unsupported: 'pids limits are not enforced: the pids cgroup controller is not mounted',
    }],
    ['v2, kubets in the root cgroup: /kubepods', V2_MOUNTINFO, '0::/', { kind: 'v2', root: '/sys/fs/cgroup/kubepods', controllers: [] }],
    ['v2, kubets in a service: a sibling of its cgroup', V2_MOUNTINFO, '0::/system.slice/kubets.service', { kind: 'v2', root: '/sys/fs/cgroup/system.slice/kubepods', controllers: [] }],
    ['no cgroup mounts', '22 1 0:21 / /sys rw - sysfs sysfs rw', '0::/', { kind: 'none', reason: 'no cgroup hierarchy with the memory and cpu controllers is mounted' }],
  ];
  for (const [name, mountinfo, procCgroup, expected] of cases) {
    test(name, () => assert.deepEqual(planCgroups(parseMountInfo(mountinfo), parseProcCgroup(procCgroup), 'kubepods'), expected));
  }

  test('mountinfo: escaped paths and optional fields', () => {
    const [m] = parseMountInfo('40 30 0:37 /a\\040b /mnt/cg\\040x rw,relatime shared:5 master:1 - cgroup cgroup rw,memory,cpu');
    assert.deepEqual(m, { root: '/a b', mountPoint: '/mnt/cg x', fsType: 'cgroup', controllers: ['memory', 'cpu'] });
  });
});

describe('CgroupV2 (files in a stand-in directory)', () => {
  test('limits, the move command, OOM kills and usage, as runc and cAdvisor write and read them', async () => {
    const parent = tempDir();
    const root = join(parent, 'kubepods');
    const cg = new CgroupV2(root, ['memory', 'cpu', 'pids'], silentLogger);
    await cg.prepare('c1', 'u1', { memoryLimitInBytes: 64 << 20, cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000, pidsLimit: 9 });
    const dir = join(root, 'podu1', 'c1');
    const read = (path: string) => readFileSync(path, 'utf8');
    assert.deepEqual(
      [read(join(parent, 'cgroup.subtree_control')), read(join(root, 'cgroup.subtree_control')), read(join(root, 'podu1', 'cgroup.subtree_control'))],
      ['+memory +cpu +pids', '+memory +cpu +pids', '+memory +cpu +pids'],
    );
    assert.deepEqual(
      ['memory.max', 'cpu.weight', 'cpu.max', 'pids.max'].map((f) => read(join(dir, f))),
      [String(64 << 20), '20', '50000 100000', '9'],
    );
    assert.deepEqual(cg.wrapCommand('c1', ['sleep', '1']), ['/bin/sh', '-c', `echo $$ > '${dir}/cgroup.procs' && exec "$@"`, 'sh', 'sleep', '1']);
    assert.deepEqual(cg.wrapCommand('unknown', ['sleep', '1']), ['sleep', '1']);

    assert.equal(cg.exitReason('c1'), undefined);
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\n');
    assert.equal(cg.exitReason('c1'), undefined, 'hitting the limit without a kill is no OOM kill');
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n');
    assert.equal(cg.exitReason('c1'), 'OOMKilled');

    writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n');
    writeFileSync(join(dir, 'memory.current'), '52428800\n');
    writeFileSync(join(dir, 'memory.stat'), 'anon 41943040\nfile 10485760\ninactive_file 4194304\npgfault 100\npgmajfault 2\n');
    const s = cg.stats('c1')!;
    assert.deepEqual(
      [s.cpuUsageCoreNanoSeconds, s.memoryUsageBytes, s.memoryWorkingSetBytes, s.rssBytes, s.memoryAvailableBytes, s.pageFaults, s.majorPageFaults],
      [1.5e9, 52428800, 48234496, 41943040, (64 << 20) - 48234496, 100, 2],
    );
    assert.ok(s.cpuUsageNanoCores! > 0, 'measured from the cgroup’s creation, when it had used nothing');
    writeFileSync(join(dir, 'memory.max'), 'max\n');
    assert.equal(cg.stats('c1')!.memoryAvailableBytes, undefined, 'no limit, no available bytes');

    const again = new CgroupV2(root, ['memory', 'cpu', 'pids'], silentLogger);
    assert.equal(again.exitReason('c1'), 'OOMKilled', 'a new instance (a restarted runtime) finds the cgroup by looking');
  });

  test('cpu shares as a weight, as runc converts them', () => {
    const cases: [number, number][] = [
      [2, 1],
      [1024, 39],
      [512, 20],
      [262144, 10000],
      [1, 1],
      [1 << 20, 10000],
    ];
    for (const [shares, weight] of cases) assert.equal(cpuSharesToWeight(shares), weight, String(shares));
  });
});

describe('cpu rate', () => {
  test('from the previous sample; a close second sample measures from the stored one without replacing it', () => {
    const r = new CpuRate();
    const s = 1_000_000_000n;
    assert.equal(r.rate('a', 10n * s, 5e9), undefined, 'the first sample has nothing to compare with');
    assert.equal(r.rate('a', 12n * s, 6e9), 0.5e9, 'half a core over 2 s');
    assert.equal(r.rate('a', 12n * s + 1000n, 6e9 + 1000), 0.5e9, 'microseconds later: the last rate stands');
    assert.equal(r.rate('a', 14n * s, 8e9), 1e9);
    r.baseline('b', 0n, 0);
    assert.equal(r.rate('b', s / 2n, 0.25e9), 0.5e9, 'from a baseline, within a second: measured, not stored');
    assert.equal(r.rate('b', s, 0.25e9), 0.25e9);
    assert.equal(r.rate('b', 2n * s, 0.1e9), undefined, 'a counter going back (a new cgroup) starts over');
  });
});

describe('the move command', () => {
  test('the shell writes its pid, then becomes the command: same pid, arguments intact', () => {
    const dir = tempDir();
    const procs = [join(dir, "a'b.procs"), join(dir, 'c.procs')];
    const argv = cgroupMoveCommand(procs, ['/bin/sh', '-c', 'echo "$$ $1 $2"', 'x', 'one two', '$HOME']);
    const [pid, ...args] = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).trim().split(' ');
    assert.deepEqual(args, ['one', 'two', '$HOME']);
    for (const p of procs) assert.equal(readFileSync(p, 'utf8').trim(), pid);
    assert.deepEqual(cgroupMoveCommand([], ['true']), ['true']);
  });

  test('a write refused stops it before the command runs', () => {
    const argv = cgroupMoveCommand(['/nonexistent/cgroup.procs'], ['/bin/echo', 'ran']);
    assert.throws(() => execFileSync(argv[0]!, argv.slice(1), { stdio: 'pipe' }), (e: { status: number; stdout: Buffer }) => e.status === 2 && !e.stdout.toString().includes('ran'));
  });
});

describe('missingExecutable: what execvp would say', () => {
  test('found on PATH, relative to the working directory, missing, not executable', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'bin', 'tool'), 0o755);
    writeFileSync(join(dir, 'bin', 'data'), 'x');
    chmodSync(join(dir, 'bin', 'data'), 0o644);
    const cases: [string, string, string | undefined][] = [
      ['sh', '/usr/bin:/bin', undefined],
      ['tool', `/nonexistent:${join(dir, 'bin')}`, undefined],
      ['./bin/tool', '', undefined],
      ['tool', 'bin', undefined],
      ['nosuch-binary-kubets', '/usr/bin:/bin', 'ENOENT'],
      ['/nonexistent/x', '/usr/bin', 'ENOENT'],
      ['./bin', '', 'EACCES'],
      ['tool', '', 'ENOENT'],
    ];
    for (const [command, path, code] of cases) assert.equal(missingExecutable(command, path, dir)?.code, code, `${command} on ${path}`);
    // As root every file with an x bit runs; a file without any is refused (EACCES) for root too.
    assert.equal(missingExecutable('./bin/data', '', dir)?.code, 'EACCES');
  });
});
