// Pods that really run, with the real kubectl against a real `kubets server` and its local node
// (process runtime): a pod is Running within 2 s and its output is in `kubectl logs`; a crashing
// container restarts with back-off (CrashLoopBackOff); a process that ignores SIGTERM is killed
// after the grace period and `kubectl delete` returns then; liveness probes restart containers and
// readiness probes decide Ready; a server killed with SIGKILL and
// started again neither leaks nor duplicates its pods' processes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { freePort, TestCluster, until } from './harness.js';


/** Host processes whose command line contains `marker` (every test pod carries a unique one). */
function processes(marker: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('ps -eo'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe('pods that run (kubets server with its local node)', () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ agent: true });
    await until(async () => (await cluster.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}'])).stdout === 'True', 'the local node Ready');
  });

  after(async () => {
    await cluster?.stop();
  });

  const field = async (pod: string, path: string) => (await cluster.kubectl(['get', 'pod', pod, '-o', `jsonpath={${path}}`])).stdout;

  it('runs `sh -c "echo hello; sleep 3600"`: Running within 2 s, output in kubectl logs', async () => {
    const started = Date.now();
    await cluster.kubectlOk(['run', 'hello', '--image=busybox', '--restart=Never', '--command', '--', 'sh', '-c', 'echo hello; sleep 3600 # e2e-hello']);
    await until(async () => (await field('hello', '.status.phase')) === 'Running', 'hello Running', 5000);
    const took = Date.now() - started;
    assert.ok(took < 2000, `Running after ${took} ms`);
    assert.equal(processes('e2e-hello').length >= 1, true, 'the process runs on this machine');
    const logs = await until(async () => (await cluster.kubectl(['logs', 'hello'])).stdout, 'logs');
    assert.equal(logs, 'hello\n');
    const described = await until(async () => {
      const out = (await cluster.kubectl(['describe', 'pod', 'hello'])).stdout;
      return /Started\s+\S+\s+kubelet\s+Started container hello/.test(out) ? out : '';
    }, 'kubelet events in describe');
    for (const re of [/Normal\s+Scheduled\s+\S+\s+default-scheduler/, /Normal\s+Pulled\s+\S+\s+kubelet\s+Container image "busybox" already present on machine/, /Normal\s+Created\s+\S+\s+kubelet\s+Created container: hello/]) {
      assert.match(described, re);
    }
  });

  it('the kubelet serves /stats/summary with the running pods\' memory (kubectl get --raw through nodes/proxy)', async () => {
    const node = await cluster.kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']);
    const summary = (await until(async () => {
      const parsed = JSON.parse(await cluster.kubectlOk(['get', '--raw', `/api/v1/nodes/${node}/proxy/stats/summary`])) as {
        node: { nodeName: string; memory?: { workingSetBytes?: number } };
        pods: { podRef: { name: string }; memory?: { workingSetBytes?: number } }[];
      };
      return parsed.pods.some((p) => p.podRef.name === 'hello') ? parsed : undefined;
    }, 'hello in the summary', 10_000))!;
    assert.equal(summary.node.nodeName, node);
    assert.ok((summary.node.memory?.workingSetBytes ?? 0) > 0, 'node memory');
    const hello = summary.pods.find((p) => p.podRef.name === 'hello')!;
    assert.ok((hello.memory?.workingSetBytes ?? 0) > 0, `pod memory: ${JSON.stringify(hello)}`);
    const missing = await cluster.kubectl(['get', '--raw', `/api/v1/nodes/${node}/proxy/no-such-path`]);
    assert.notEqual(missing.code, 0, 'the kubelet\'s 404 comes back');
  });

  it('a crashing container restarts with back-off: restartCount rises, CrashLoopBackOff shows', async () => {
    await cluster.kubectlOk(['run', 'crash', '--image=busybox', '--command', '--', 'sh', '-c', 'echo boom; exit 3']);
    const reason = await until(async () => {
      const r = await field('crash', '.status.containerStatuses[0].state.waiting.reason');
      return r === 'CrashLoopBackOff' ? r : undefined;
    }, 'CrashLoopBackOff', 10_000);
    assert.equal(reason, 'CrashLoopBackOff');
    assert.ok(Number(await field('crash', '.status.containerStatuses[0].restartCount')) >= 1);
    assert.equal(await field('crash', '.status.containerStatuses[0].lastState.terminated.exitCode'), '3');
    const events = await cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=crash,reason=BackOff', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /^Back-off restarting failed container crash in pod crash_default\(/);
    const table = await cluster.kubectlOk(['get', 'pod', 'crash']);
    assert.match(table, /crash\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\S+ ago\)/);
  });

  it('a process that ignores SIGTERM is killed after the grace period; delete returns then', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "" TERM; while true; do sleep 1; done # e2e-stubborn']
`,
    });
    await until(async () => (await field('stubborn', '.status.phase')) === 'Running', 'stubborn Running', 5000);
    assert.ok(processes('e2e-stubborn').length >= 1);
    const started = Date.now();
    await cluster.kubectlOk(['delete', 'pod', 'stubborn']);
    const took = Date.now() - started;
    assert.ok(took >= 1800 && took < 6000, `kubectl delete returned after ${took} ms (grace 2 s)`);
    assert.deepEqual(processes('e2e-stubborn'), [], 'killed');
  });

  it('a failing liveness probe restarts the container; readiness follows an HTTP probe', async () => {
    const port = await freePort();
    await cluster.kubectlOk(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Pod
metadata: {name: unhealthy}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'sleep 3600 # e2e-unhealthy']
    livenessProbe: {exec: {command: [sh, -c, 'exit 1']}, periodSeconds: 1, failureThreshold: 2}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: node
    command: ['${process.execPath}', -e, "require('http').createServer((q, s) => s.end('ok')).listen(${port})"]
    ports: [{name: http, containerPort: ${port}}]
    readinessProbe: {httpGet: {port: http, path: /}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: never-ready}
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'sleep 3600 # e2e-never-ready']
    readinessProbe: {tcpSocket: {host: 127.0.0.1, port: ${await freePort()}}, periodSeconds: 1}
`,
    });
    await until(async () => Number(await field('unhealthy', '.status.containerStatuses[0].restartCount')) >= 1, 'a restart after liveness failures', 15_000);
    await until(async () => (await field('web', '.status.conditions[?(@.type=="Ready")].status')) === 'True', 'web Ready', 10_000);
    assert.equal(await field('never-ready', '.status.phase'), 'Running');
    assert.equal(await field('never-ready', '.status.containerStatuses[0].ready'), 'false');
    assert.equal(await field('never-ready', '.status.conditions[?(@.type=="Ready")].status'), 'False');
    await cluster.kubectlOk(['delete', 'pod', 'unhealthy', 'web', 'never-ready']);
  });

  it('a Deployment of 3 HTTP servers gets 3 pod IPs from the node\'s podCIDR, each answering from the host', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], {
      stdin: `apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 3
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: node
        env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        command: ['${process.execPath}', -e, "require('http').createServer((q, s) => s.end(process.env.POD)).listen(8080) // e2e-echo"]
        readinessProbe: {httpGet: {port: 8080}, periodSeconds: 1}
`,
    });
    await cluster.kubectlOk(['rollout', 'status', 'deployment/echo', '--timeout=60s']);
    const podCIDR = (await cluster.kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[0].spec.podCIDR}'])).trim();
    const prefix = podCIDR.split('.').slice(0, 3).join('.') + '.';
    const rows = (await cluster.kubectlOk(['get', 'pods', '-l', 'app=echo', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.podIP}{"\\n"}{end}'])).trim().split('\n');
    const ips = rows.map((r) => r.split(' ')[1]!);
    assert.equal(new Set(ips).size, 3, `three different IPs: ${rows.join(', ')}`);
    for (const ip of ips) assert.ok(ip.startsWith(prefix), `${ip} in ${podCIDR}`);
    // The same port in three pods: each answers at its own address with its own name.
    for (const row of rows) {
      const [name, ip] = row.split(' ');
      const body = await until(async () => {
        const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        return res?.ok ? res.text() : '';
      }, `${ip} answers`, 10_000);
      assert.equal(body, name);
    }
    await cluster.kubectlOk(['delete', 'deployment', 'echo']);
  });

  it('a pod with a ConfigMap volume and env sees the values, without touching the host', async () => {
    const dir = `/etc/kubets-e2e-${process.pid}`;
    await cluster.kubectlOk(['create', 'configmap', 'app-config', '--from-literal=greeting=hi-from-volume', '--from-literal=level=debug']);
    await cluster.kubectlOk(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Pod
metadata: {name: configured}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: cfg, configMap: {name: app-config}}]
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'echo "$(cat ${dir}/greeting) level=$LEVEL"; sleep 3600 # e2e-configured']
    env: [{name: LEVEL, valueFrom: {configMapKeyRef: {name: app-config, key: level}}}]
    volumeMounts: [{name: cfg, mountPath: ${dir}, readOnly: true}]
`,
    });
    const logs = await until(async () => (await cluster.kubectl(['logs', 'configured'])).stdout, 'configured logs', 15_000);
    assert.equal(logs, 'hi-from-volume level=debug\n');
    assert.equal(existsSync(dir), false, 'the mount path exists only in the pod\'s mount namespace');
    await cluster.kubectlOk(['delete', 'pod', 'configured']);
  });

  it('a server stopped with SIGTERM stops its pods and brings them back on the next start', async () => {
    await cluster.kubectlOk(['run', 'sleeper', '--image=busybox', '--command', '--', 'sh', '-c', 'sleep 3600 # e2e-sleeper']);
    await until(async () => (await field('sleeper', '.status.phase')) === 'Running', 'sleeper Running', 5000);
    const before = processes('e2e-sleeper');
    assert.ok(before.length >= 1);
    const restarted = cluster.restart({ signal: 'SIGTERM' });
    cluster = await restarted;
    await until(async () => (await field('sleeper', '.status.containerStatuses[0].restartCount')) === '1', 'sleeper restarted once', 15_000);
    assert.equal(await field('sleeper', '.status.phase'), 'Running');
    const after = (await until(() => (processes('e2e-sleeper').length ? processes('e2e-sleeper') : undefined), 'a new process'))!;
    assert.ok(after.every((pid) => !before.includes(pid)), `stopped on shutdown, started anew: ${before} -> ${after}`);
    await cluster.kubectlOk(['delete', 'pod', 'sleeper']);
    assert.deepEqual(processes('e2e-sleeper'), []);
  });

  it('a server killed with SIGKILL and started again neither leaks nor duplicates processes', async () => {
    await cluster.kubectlOk(['run', 'survivor', '--image=busybox', '--command', '--', 'sh', '-c', 'sleep 3600 # e2e-survivor']);
    await until(async () => (await field('survivor', '.status.phase')) === 'Running', 'survivor Running', 5000);
    const before = processes('e2e-survivor');
    assert.ok(before.length >= 1);
    cluster = await cluster.restart({ signal: 'SIGKILL' });
    await until(async () => (await field('survivor', '.status.phase')) === 'Running', 'survivor Running again', 10_000);
    // Give the kubelet a few syncs: it must adopt the process, not start a second one.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(processes('e2e-survivor'), before, 'the same process, adopted');
    await cluster.kubectlOk(['delete', 'pod', 'survivor']);
    assert.deepEqual(processes('e2e-survivor'), []);
  });
});
