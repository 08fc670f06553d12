// GET /stats/summary over the fake runtime: upstream's Summary shape, pods grouped from their
// sandboxes and containers' labels with sums of their containers; the node from /proc (a fixture
// directory for exact numbers, and this machine's for sanity).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../../../src/kubelet/pods/pod-worker.js';
import { buildSummary, HostNodeStats, type NodeStatsSource, serveStatsSummary, type StatsSummaryDeps, type Summary } from '../../../src/kubelet/server/stats.js';
import { containerConfig, sandboxConfig } from '../runtime/contract.js';
import { FakeRuntime } from '../runtime/fake-runtime.js';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const fixedNode: NodeStatsSource = {
  sample: () => ({
    startTime: '2024-01-01T00:00:00Z',
    cpu: { time: '2024-01-02T00:00:00Z', usageNanoCores: 5, usageCoreNanoSeconds: 6 },
    memory: { time: '2024-01-02T00:00:00Z', usageBytes: 7, workingSetBytes: 8 },
    fs: { time: '2024-01-02T00:00:00Z', capacityBytes: 9 },
  }),
};

/** A pod as the pod worker lays it out: a sandbox and containers labelled with the pod's identity. */
async function pod(rt: FakeRuntime, name: string, containers: { name: string; run?: boolean; cpu?: number; nanoCores?: number; ws?: number }[]) {
  const uid = `uid-${name}`;
  const podLabels = { [LABEL_POD_UID]: uid, [LABEL_POD_NAME]: name, [LABEL_POD_NAMESPACE]: 'ns' };
  const sc = sandboxConfig('/logs', name, { metadata: { name, namespace: 'ns', uid, attempt: 0 }, labels: podLabels });
  const sid = await rt.runPodSandbox(sc);
  const ids: string[] = [];
  for (const c of containers) {
    const id = await rt.createContainer(sid, containerConfig(`${c.name}-cri`, { labels: { [LABEL_POD_UID]: uid, [LABEL_CONTAINER_NAME]: c.name } }), sc);
    if (c.run !== false) await rt.startContainer(id);
    if (c.cpu !== undefined) {
      rt.setUsage(id, {
        cpu: { usageCoreNanoSeconds: c.cpu, usageNanoCores: c.nanoCores },
        memory: { workingSetBytes: c.ws ?? 0, usageBytes: (c.ws ?? 0) + 100, rssBytes: 10, pageFaults: 1, majorPageFaults: 0 },
      });
    }
    ids.push(id);
  }
  return { sid, ids };
}

describe('stats summary', () => {
  test('node from its source; pods from sandboxes and container labels, summed; stopped pods and containers left out', async () => {
    const rt = new FakeRuntime();
    await pod(rt, 'web', [
      { name: 'app', cpu: 1000, nanoCores: 300, ws: 2000 },
      { name: 'sidecar', cpu: 500, nanoCores: 100, ws: 1000 },
    ]);
    const { ids } = await pod(rt, 'job', [
      { name: 'main', cpu: 10, ws: 5 },
      { name: 'done', cpu: 99, ws: 99 },
      { name: 'waiting', run: false },
    ]);
    rt.exit(ids[1]!, 0);
    await pod(rt, 'empty', []);
    const { sid: stopped } = await pod(rt, 'stopped', [{ name: 'x', cpu: 1 }]);
    await rt.stopPodSandbox(stopped);

    const summary = await buildSummary({ nodeName: 'node-a', runtime: rt, node: fixedNode });
    assert.deepEqual(summary.node, { nodeName: 'node-a', ...fixedNode.sample() });
    assert.deepEqual(
      summary.pods.map((p) => [p.podRef.name, p.podRef.namespace, p.podRef.uid, p.containers.map((c) => c.name)]),
      [
        ['empty', 'ns', 'uid-empty', []],
        ['job', 'ns', 'uid-job', ['main']],
        ['web', 'ns', 'uid-web', ['app', 'sidecar']],
      ],
    );
    const web = summary.pods.find((p) => p.podRef.name === 'web')!;
    assert.match(web.startTime, RFC3339);
    const app = web.containers[0]!;
    assert.match(app.startTime, RFC3339);
    assert.match(app.cpu!.time, RFC3339);
    assert.deepEqual({ ...app.cpu, time: '' }, { time: '', usageNanoCores: 300, usageCoreNanoSeconds: 1000 });
    assert.deepEqual({ ...app.memory, time: '' }, { time: '', usageBytes: 2100, workingSetBytes: 2000, rssBytes: 10, pageFaults: 1, majorPageFaults: 0 });
    assert.deepEqual({ ...web.cpu, time: '' }, { time: '', usageNanoCores: 400, usageCoreNanoSeconds: 1500 });
    assert.deepEqual({ ...web.memory, time: '' }, { time: '', usageBytes: 3200, workingSetBytes: 3000, rssBytes: 20, pageFaults: 2, majorPageFaults: 0 });
    const job = summary.pods.find((p) => p.podRef.name === 'job')!;
    assert.deepEqual({ ...job.cpu, time: '' }, { time: '', usageCoreNanoSeconds: 10 }, 'no rate yet for a container: none for the pod');
    const empty = summary.pods.find((p) => p.podRef.name === 'empty')!;
    assert.deepEqual([empty.cpu, empty.memory], [undefined, undefined]);
  });

  test('a restarted pod: its newest ready sandbox names it; a container keeps its pod through its labels', async () => {
    const rt = new FakeRuntime();
    const { sid } = await pod(rt, 'web', [{ name: 'app', cpu: 1 }]);
    await rt.stopPodSandbox(sid);
    const uid = 'uid-web';
    const labels = { [LABEL_POD_UID]: uid, [LABEL_POD_NAME]: 'web', [LABEL_POD_NAMESPACE]: 'ns' };
    const sc = sandboxConfig('/logs', 'web', { metadata: { name: 'web', namespace: 'ns', uid, attempt: 1 }, labels });
    const next = await rt.runPodSandbox(sc);
    const cid = await rt.createContainer(next, containerConfig('app', { labels: { [LABEL_POD_UID]: uid, [LABEL_CONTAINER_NAME]: 'app' } }), sc);
    await rt.startContainer(cid);
    const summary = await buildSummary({ nodeName: 'n', runtime: rt, node: fixedNode });
    assert.equal(summary.pods.length, 1);
    assert.equal(summary.pods[0]!.containers.length, 1);
  });

  test('the node from /proc: usage, working set, the cpu rate between two samples, the file system', () => {
    const proc = mkdtempSync(join(tmpdir(), 'kubets-stats-proc-'));
    dirs.push(proc);
    const stat = (user: number, system: number, idle: number) =>
      writeFileSync(join(proc, 'stat'), `cpu  ${user} 0 ${system} ${idle} 7 0 0 0 0 0\ncpu0 1 2 3 4\nbtime 1700000000\n`);
    writeFileSync(join(proc, 'meminfo'), 'MemTotal:       1000 kB\nMemFree:         200 kB\nInactive(file):  100 kB\nAnonPages:       300 kB\n');
    writeFileSync(join(proc, 'vmstat'), 'pgfault 42\npgmajfault 3\n');
    let now = 0n;
    stat(100, 50, 1000);
    const host = new HostNodeStats({ procRoot: proc, clock: () => now, fsPath: proc });
    now = 2_000_000_000n;
    stat(200, 150, 1000); // 200 ticks (2 s of cpu) in 2 s: one core
    const s = host.sample();
    assert.equal(s.startTime, '2023-11-14T22:13:20Z');
    assert.deepEqual({ ...s.cpu, time: '' }, { time: '', usageNanoCores: 1e9, usageCoreNanoSeconds: 350 * 1e7 });
    assert.deepEqual(
      { ...s.memory, time: '' },
      { time: '', availableBytes: 300 * 1024, usageBytes: 800 * 1024, workingSetBytes: 700 * 1024, rssBytes: 300 * 1024, pageFaults: 42, majorPageFaults: 3 },
    );
    assert.ok(s.fs!.capacityBytes! > 0 && s.fs!.usedBytes! <= s.fs!.capacityBytes! && s.fs!.inodes! > 0);
    now += 1000n;
    stat(200, 152, 1000);
    assert.equal(host.sample().cpu!.usageNanoCores, 1e9, 'a sample a microsecond later keeps the last rate');

    const real = new HostNodeStats().sample();
    assert.ok(real.cpu!.usageCoreNanoSeconds! > 0 && real.cpu!.usageNanoCores !== undefined);
    assert.ok(real.memory!.workingSetBytes! > 0 && real.memory!.workingSetBytes! <= real.memory!.usageBytes!);
    assert.ok(Date.parse(real.startTime) < Date.now());
    assert.equal(real.fs, undefined);
  });

  test('GET /stats/summary: JSON; only_cpu_and_memory leaves out the file system; other methods 405', async () => {
    const rt = new FakeRuntime();
    await pod(rt, 'web', [{ name: 'app', cpu: 1, nanoCores: 2, ws: 3 }]);
    const deps: StatsSummaryDeps = { nodeName: 'node-a', runtime: rt, node: fixedNode };
    const server = createServer((req, res) => void serveStatsSummary(req, res, deps));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const fetchJson = async (path: string) => {
      const res = await new Promise<import('node:http').IncomingMessage>((resolve) => get({ host: '127.0.0.1', port, path }, resolve));
      let body = '';
      for await (const chunk of res) body += chunk;
      return { status: res.statusCode, type: res.headers['content-type'], summary: JSON.parse(body) as Summary };
    };
    try {
      const full = await fetchJson('/stats/summary');
      assert.deepEqual([full.status, full.type], [200, 'application/json']);
      assert.equal(full.summary.node.fs?.capacityBytes, 9);
      assert.equal(full.summary.pods[0]!.containers[0]!.memory!.workingSetBytes, 3);
      assert.equal('availableBytes' in full.summary.pods[0]!.containers[0]!.memory!, false, 'absent fields are left out, not null');
      const slim = await fetchJson('/stats/summary?only_cpu_and_memory=true');
      assert.equal(slim.summary.node.fs, undefined);
      assert.deepEqual(slim.summary.node.cpu, full.summary.node.cpu);
      const status = await new Promise<number | undefined>((resolve) => request({ host: '127.0.0.1', port, path: '/stats/summary', method: 'POST' }, (r) => resolve(r.statusCode)).end());
      assert.equal(status, 405);
    } finally {
      server.close();
    }
  });
});
