// The node agent against a real API server: registration (new and taken over), the heartbeat
// Lease, status updates on change and on the report interval, readiness errors, events, and a
// stop that leaves everything in place.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Event, Node } from 'kubernetes-types/core/v1.js';
import { EVENTS, LEASES, NODES } from '../../../src/client/resources.js';
import { NodeAgent, type NodeAgentOptions } from '../../../src/kubelet/node/agent.js';
import { type ControlPlane, startControlPlane, waitFor } from '../../controllers/harness.js';
import { FakeMachine } from './fake-machine.js';

let cp: ControlPlane;
const nodes = () => cp.client.resource<Node>(NODES);
const leases = () => cp.client.resource<Lease>(LEASES);
const condition = (n: Node, type: string) => n.status?.conditions?.find((c) => c.type === type);

interface Running {
  agent: NodeAgent;
  machine: FakeMachine;
  stop(): Promise<void>;
}

function runAgent(opts: Partial<NodeAgentOptions> & { nodeName: string }): Running {
  const machine = (opts.machine as FakeMachine | undefined) ?? new FakeMachine();
  const agent = new NodeAgent({ client: cp.client, machine, leaseRenewIntervalMs: 50, statusUpdateIntervalMs: 30, ...opts });
  const ac = new AbortController();
  const running = agent.start(ac.signal);
  return {
    agent,
    machine,
    async stop() {
      ac.abort();
      await running;
    },
  };
}

before(async () => {
  cp = await startControlPlane();
});

after(async () => {
  await cp.stop();
});

describe('node agent', () => {
  test('registers its Node with labels, resources, addresses, nodeInfo and conditions', async () => {
    const a = runAgent({ nodeName: 'Reg-1', controlPlane: true, kubeletPort: 10260, containerRuntimeVersion: 'process://9.9.9', labels: { team: 'blue' } });
    try {
      const registered = await a.agent.registered();
      assert.equal(a.agent.nodeName, 'reg-1', 'node names are lower-cased');
      const node = await nodes().get('', 'reg-1');
      assert.equal(registered.metadata?.uid, node.metadata?.uid);
      assert.deepEqual(node.metadata?.labels, {
        'kubernetes.io/hostname': 'reg-1',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'arm64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'arm64',
        'node-role.kubernetes.io/control-plane': '',
        team: 'blue',
      });
      assert.deepEqual(node.status?.capacity, { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' });
      assert.equal(node.status?.allocatable?.memory, '8092Mi');
      assert.deepEqual(node.status?.addresses, [
        { type: 'InternalIP', address: '192.0.2.10' },
        { type: 'Hostname', address: 'reg-1' },
      ]);
      assert.equal(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10260);
      assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.33.0');
      assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'process://9.9.9');
      assert.equal(node.status?.nodeInfo?.bootID, 'fake-boot-id');
      assert.deepEqual(
        node.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
        [
          ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
          ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
          ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
          ['Ready', 'True', 'KubeletReady'],
        ],
      );
      // Events name the node with its name as uid (kubectl describe node looks for both).
      const events = await waitFor(async () => {
        const all = (await cp.client.resource<Event>(EVENTS).list('default')).items.filter((e) => e.involvedObject.name === 'reg-1');
        return all.length >= 4 ? all : undefined;
      });
      const reasons = events.map((e) => e.reason).sort();
      assert.deepEqual(reasons, ['NodeHasNoDiskPressure', 'NodeHasSufficientMemory', 'NodeHasSufficientPID', 'Starting']);
      const starting = events.find((e) => e.reason === 'Starting')!;
      assert.deepEqual([starting.message, starting.source?.component, starting.source?.host, starting.involvedObject.uid], ['Starting kubelet.', 'kubelet', 'reg-1', 'reg-1']);
      assert.equal(events.find((e) => e.reason === 'NodeHasSufficientMemory')!.message, 'Node reg-1 status is now: NodeHasSufficientMemory');
    } finally {
      await a.stop();
    }
  });

  test('keeps a Lease in kube-node-lease, owned by the Node, renewed', async () => {
    const a = runAgent({ nodeName: 'lease-1' });
    try {
      const node = await a.agent.registered();
      const first = await waitFor(() => leases().get('kube-node-lease', 'lease-1'));
      assert.equal(first.spec?.holderIdentity, 'lease-1');
      assert.equal(first.spec?.leaseDurationSeconds, 40);
      assert.match(first.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      assert.deepEqual(first.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'lease-1', uid: node.metadata?.uid }]);
      await waitFor(async () => (await leases().get('kube-node-lease', 'lease-1')).spec?.renewTime !== first.spec?.renewTime, 2000, 'lease renewal');

      // Someone else's write (a conflict for the agent), then a deletion: the agent carries on.
      const current = await leases().get('kube-node-lease', 'lease-1');
      await leases().update({ ...current, spec: { ...current.spec, renewTime: '2000-01-01T00:00:00.000000Z' } });
      await waitFor(async () => ((await leases().get('kube-node-lease', 'lease-1')).spec?.renewTime ?? '') > '2001', 2000, 'renewal after a conflict');
      await leases().delete('kube-node-lease', 'lease-1');
      const again = await waitFor(() => leases().get('kube-node-lease', 'lease-1'), 2000, 'lease re-created');
      assert.equal(again.metadata?.ownerReferences?.[0]?.uid, node.metadata?.uid);
    } finally {
      await a.stop();
    }
  });

  test('writes status on change at once, and unchanged only every report interval', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const a = runAgent({ nodeName: 'status-1', now: () => new Date(clock), statusReportIntervalMs: 60_000 });
    try {
      await a.agent.registered();
      const before = await nodes().get('', 'status-1');
      // Syncs run every 30 ms; with nothing changed and the clock still, nothing is written.
      await new Promise((r) => setTimeout(r, 200));
      const still = await nodes().get('', 'status-1');
      assert.equal(still.metadata?.resourceVersion, before.metadata?.resourceVersion);

      clock += 10_000;
      a.machine.usage_.memoryAvailableBytes = 50 * 1024 * 1024;
      const pressured = await waitFor(async () => {
        const n = await nodes().get('', 'status-1');
        return condition(n, 'MemoryPressure')?.status === 'True' ? n : undefined;
      }, 2000, 'MemoryPressure');
      const mp = condition(pressured, 'MemoryPressure')!;
      assert.deepEqual([mp.reason, mp.message, mp.lastTransitionTime], ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', '2030-01-01T00:00:10Z']);
      assert.equal(condition(pressured, 'Ready')!.lastTransitionTime, '2030-01-01T00:00:00Z', 'Ready did not transition');
      assert.equal(condition(pressured, 'Ready')!.lastHeartbeatTime, '2030-01-01T00:00:10Z');

      // A minute later with nothing changed, the heartbeat is reported anyway.
      clock += 61_000;
      const beat = await waitFor(async () => {
        const n = await nodes().get('', 'status-1');
        return condition(n, 'Ready')?.lastHeartbeatTime === '2030-01-01T00:01:11Z' ? n : undefined;
      }, 2000, 'periodic report');
      assert.equal(condition(beat, 'MemoryPressure')!.lastTransitionTime, '2030-01-01T00:00:10Z');
    } finally {
      await a.stop();
    }
  });

  test('readiness errors make the node NotReady', async () => {
    let errors: string[] = [];
    const a = runAgent({ nodeName: 'ready-1', readyErrors: () => errors });
    try {
      await a.agent.registered();
      errors = ['container runtime network not ready'];
      const n = await waitFor(async () => {
        const node = await nodes().get('', 'ready-1');
        return condition(node, 'Ready')?.status === 'False' ? node : undefined;
      }, 2000, 'NotReady');
      assert.deepEqual([condition(n, 'Ready')!.reason, condition(n, 'Ready')!.message], ['KubeletNotReady', 'container runtime network not ready']);
      errors = [];
      await waitFor(async () => condition(await nodes().get('', 'ready-1'), 'Ready')?.status === 'True', 2000, 'Ready again');
    } finally {
      await a.stop();
    }
  });

  test('takes over an existing Node: default labels reconciled, status replaced, the rest kept', async () => {
    const created = await nodes().create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'taken-1', labels: { 'kubernetes.io/arch': 'amd64', team: 'red' } },
      spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    });
    await nodes().updateStatus({
      ...created,
      status: {
        conditions: [
          { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
          { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' },
        ],
      },
    });
    const a = runAgent({ nodeName: 'taken-1' });
    try {
      const registered = await a.agent.registered();
      assert.equal(registered.metadata?.uid, created.metadata?.uid, 'the same Node, not a new one');
      const node = await nodes().get('', 'taken-1');
      assert.equal(node.metadata?.labels?.['kubernetes.io/arch'], 'arm64');
      assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], 'taken-1');
      assert.equal(node.metadata?.labels?.team, 'red');
      assert.deepEqual(node.spec?.taints, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
      assert.equal(condition(node, 'Ready')?.status, 'True');
      assert.equal(condition(node, 'NetworkUnavailable')?.reason, 'RouteCreated', "another owner's condition stays");
      assert.equal(node.status?.capacity?.cpu, '4');
    } finally {
      await a.stop();
    }
  });

  test('a deleted Node is not registered again (as upstream, until restart); a new lease has no owner', async () => {
    const a = runAgent({ nodeName: 'gone-1' });
    try {
      await a.agent.registered();
      await waitFor(() => leases().get('kube-node-lease', 'gone-1'));
      await nodes().delete('', 'gone-1');
      await new Promise((r) => setTimeout(r, 150)); // a few status syncs see it gone
      await leases().delete('kube-node-lease', 'gone-1');
      const lease = await waitFor(() => leases().get('kube-node-lease', 'gone-1'), 2000, 'lease re-created');
      assert.equal(lease.metadata?.ownerReferences, undefined);
      await assert.rejects(nodes().get('', 'gone-1'), /not found/);
    } finally {
      await a.stop();
    }
  });

  test('stopping deletes nothing', async () => {
    const a = runAgent({ nodeName: 'stop-1' });
    await a.agent.registered();
    await waitFor(() => leases().get('kube-node-lease', 'stop-1'));
    await a.stop();
    const lease = await leases().get('kube-node-lease', 'stop-1');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await leases().get('kube-node-lease', 'stop-1')).spec?.renewTime, lease.spec?.renewTime, 'no renewal after stop');
    assert.equal(condition(await nodes().get('', 'stop-1'), 'Ready')?.status, 'True');
  });
});
