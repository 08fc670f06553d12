// The userspace proxy mode end to end (`--proxy-mode userspace`, the fallback where nftables
// cannot be used): cluster IPs become local addresses of the node, sockets relay to endpoints,
// and cluster DNS is reached through the kube-dns cluster IP over UDP like everything else.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KUBETS_BIN, TestCluster } from './harness.js';
import { CLIENT_POD, SPREAD, webDeployment } from './services-fixtures.js';

const asRoot = process.getuid?.() === 0;

const SERVER = "require('http').createServer((q, s) => s.end(process.env.POD)).listen(8080) // e2e-us-web";
describe('services in the userspace proxy mode (real kubectl, real server)', { skip: !asRoot && 'needs root (pod network namespaces, local cluster IPs)' }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ agent: true, extraArgs: ['--proxy-mode', 'userspace'] });
    await cluster.kubectlOk(['apply', '-f', '-'], {
      stdin: `${webDeployment({ replicas: 2, server: SERVER, readinessProbe: '{tcpSocket: {port: http}, periodSeconds: 1}' })}---
${CLIENT_POD}`,
    });
    await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/client', '--timeout=60s']);
  });

  after(async () => {
    await cluster?.stop();
  });

  it('resolves the service name and spreads requests over both pods; the listing says userspace', async () => {
    const clusterIP = (await cluster.kubectlOk(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const hosts = await cluster.kubectlOk(['exec', 'client', '--', 'getent', 'hosts', 'web']);
    assert.match(hosts, new RegExp(`^${clusterIP.replace(/\./g, '\\.')}\\s`));
    const names = (await cluster.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(' ').sort();
    const { counts, errors } = JSON.parse(await cluster.kubectlOk(['exec', 'client', '--', process.execPath, '-e', SPREAD, 'http://web/', '40']));
    assert.equal(errors, 0);
    assert.deepEqual(Object.keys(counts).sort(), names, JSON.stringify(counts));
    const rules = await promisify(execFile)(process.execPath, [KUBETS_BIN, 'proxy', 'rules', '--kubeconfig', cluster.kubeconfig]);
    assert.match(rules.stdout, /^# mode: userspace$/m);
    assert.match(rules.stdout, new RegExp(`${clusterIP.replace(/\./g, '\\.')}:80 -> `));
  });
});
