// Static pods end to end (needs the kubelet wiring): a manifest in <data-dir>/manifests runs
// without the API and shows as a mirror pod; kubectl delete of the mirror does not stop it (the
// mirror comes back); an edit restarts it as a new pod; removing the file stops it and removes the mirror.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestCluster, until } from './harness.js';

function processes(marker: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo')).map((l) => Number(l.trim().split(/\s+/)[0]));
}

const manifest = (marker: string, text: string) => `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {tier: static}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'echo ${text}; sleep 3600 # ${marker}']
`;

describe('static pods', () => {
  let cluster: TestCluster;
  const dataDir = mkdtempSync(join(tmpdir(), 'kubets-static-e2e-'));
  const file = join(dataDir, 'manifests', 'web.yaml');
  const marker = `e2e-static-${process.pid}`;

  before(async () => {
    mkdirSync(join(dataDir, 'manifests'));
    writeFileSync(file, manifest(marker, 'v1'));
    cluster = await TestCluster.start({ agent: true, dataDir, extraArgs: ['--node-name', 'static-node'] });
  });
  after(async () => {
    await cluster?.stop();
    for (const pid of processes(marker)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  });

  const field = async (path: string) => (await cluster.kubectl(['get', 'pod', 'web-static-node', '-o', `jsonpath={${path}}`])).stdout;

  it('runs the manifest, mirrored; survives kubectl delete of the mirror; follows edits and removal', async () => {
    await until(async () => (await field('.status.phase')) === 'Running', 'mirror Running', 20_000);
    assert.equal(await field(".metadata.annotations.kubernetes\\.io/config\\.source"), 'file');
    assert.equal(await field('.metadata.ownerReferences[0].kind'), 'Node');
    const logs = await until(async () => (await cluster.kubectl(['logs', 'web-static-node'])).stdout, 'logs');
    assert.equal(logs, 'v1\n');
    const pids = processes(marker);
    assert.equal(pids.length >= 1, true);
    const uid1 = await field('.metadata.uid');

    const started = Date.now();
    await cluster.kubectlOk(['delete', 'pod', 'web-static-node']);
    console.log('delete took', Date.now() - started);
    await until(async () => { const u = await field('.metadata.uid'); return u && u !== uid1; }, 'mirror recreated');
    await until(async () => (await field('.status.phase')) === 'Running', 'recreated mirror Running');
    assert.deepEqual(processes(marker), pids, 'the static pod kept running');

    writeFileSync(file, manifest(marker, 'v2'));
    await until(async () => (await cluster.kubectl(['logs', 'web-static-node'])).stdout === 'v2\n', 'edited pod runs', 20_000);
    assert.notDeepEqual(processes(marker), pids);

    unlinkSync(file);
    await until(async () => (await cluster.kubectl(['get', 'pod', 'web-static-node'])).code !== 0, 'mirror gone', 20_000);
    await until(() => processes(marker).length === 0, 'processes gone', 10_000);
  });
});
