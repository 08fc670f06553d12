import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { podTable } from '../../../../src/api/core/v1/pod-table.js';
import { container } from '../../workload-fixtures.js';

const now = new Date('2024-05-01T12:00:00Z');

const cs = (name: string, over: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name,
  image: 'nginx',
  imageID: '',
  ready: false,
  restartCount: 0,
  ...over,
});

function podWith(status: PodStatus, over: Partial<Pod> = {}, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: 'web-1', creationTimestamp: '2024-05-01T11:00:00Z', ...over.metadata },
    spec: { containers: [container({ name: 'app' }), container({ name: 'log' })], ...spec },
    status,
  };
}

const running = { running: { startedAt: '2024-05-01T11:00:10Z' } };

describe('pods table', () => {
  it('has upstream columns', () => {
    assert.deepEqual(
      podTable.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Ready', 'string', 0],
        ['Status', 'string', 0],
        ['Restarts', 'string', 0],
        ['Age', 'string', 0],
        ['IP', 'string', 1],
        ['Node', 'string', 1],
        ['Nominated Node', 'string', 1],
        ['Readiness Gates', 'string', 1],
      ],
    );
  });

  it('a new pending pod', () => {
    assert.deepEqual(podTable.cells(podWith({ phase: 'Pending' }), now), ['web-1', '0/2', 'Pending', '0', '60m', '<none>', '<none>', '<none>', '<none>']);
  });

  it('a running pod on a node', () => {
    const p = podWith(
      {
        phase: 'Running',
        podIPs: [{ ip: '10.244.0.7' }],
        containerStatuses: [cs('app', { ready: true, state: running }), cs('log', { ready: true, state: running })],
      },
      {},
      { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/lb' }] },
    );
    assert.deepEqual(podTable.cells(p, now), ['web-1', '2/2', 'Running', '0', '60m', '10.244.0.7', 'node-1', '<none>', '0/1']);
  });

  const statusCases: [string, PodStatus, Partial<Pod>, string, string][] = [
    ['waiting for the image', { phase: 'Pending', containerStatuses: [cs('app', { state: { waiting: { reason: 'ContainerCreating' } } })] }, {}, 'ContainerCreating', '0/2'],
    [
      'crash looping, restarted 5 minutes ago',
      {
        phase: 'Running',
        containerStatuses: [
          cs('app', { restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:55:00Z' } } }),
          cs('log', { ready: true, state: running }),
        ],
      },
      {},
      'CrashLoopBackOff',
      '1/2',
    ],
    ['completed', { phase: 'Succeeded', containerStatuses: [cs('app', { state: { terminated: { exitCode: 0, reason: 'Completed' } } })] }, {}, 'Completed', '0/2'],
    ['killed by a signal', { phase: 'Failed', containerStatuses: [cs('app', { state: { terminated: { exitCode: 137, signal: 9 } } })] }, {}, 'Signal:9', '0/2'],
    ['exit code without reason', { phase: 'Failed', containerStatuses: [cs('app', { state: { terminated: { exitCode: 2 } } })] }, {}, 'ExitCode:2', '0/2'],
    ['evicted', { phase: 'Failed', reason: 'Evicted' }, {}, 'Evicted', '0/2'],
    ['being deleted', { phase: 'Running' }, { metadata: { deletionTimestamp: '2024-05-01T11:59:00Z' } }, 'Terminating', '0/2'],
    ['deleted after finishing', { phase: 'Succeeded' }, { metadata: { deletionTimestamp: '2024-05-01T11:59:00Z' } }, 'Succeeded', '0/2'],
    ['on a lost node', { phase: 'Running', reason: 'NodeLost' }, { metadata: { deletionTimestamp: '2024-05-01T11:59:00Z' } }, 'Unknown', '0/2'],
    ['scheduling gated', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }, {}, 'SchedulingGated', '0/2'],
    [
      'one container completed, one still running',
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [cs('app', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }), cs('log', { ready: true, state: running })],
      },
      {},
      'NotReady',
      '1/2',
    ],
  ];
  for (const [name, status, over, expected, ready] of statusCases) {
    it(name, () => {
      const cells = podTable.cells(podWith(status, over), now);
      assert.equal(cells[2], expected);
      assert.equal(cells[1], ready);
    });
  }

  it('restarts say when the last one was', () => {
    const p = podWith({
      phase: 'Running',
      containerStatuses: [cs('app', { restartCount: 4, state: running, ready: true, lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:55:00Z' } } })],
    });
    assert.equal(podTable.cells(p, now)[3], '4 (5m ago)');
  });

  const initCases: [string, ContainerStatus[], string][] = [
    ['first init container running', [cs('init-a', { state: running }), cs('init-b', { state: { waiting: { reason: 'PodInitializing' } } })], 'Init:0/2'],
    ['second init container running', [cs('init-a', { state: { terminated: { exitCode: 0 } } }), cs('init-b', { state: running })], 'Init:1/2'],
    ['init container failed', [cs('init-a', { state: { terminated: { exitCode: 1, reason: 'Error' } } })], 'Init:Error'],
    ['init container crash looping', [cs('init-a', { state: { waiting: { reason: 'CrashLoopBackOff' } } })], 'Init:CrashLoopBackOff'],
    ['init container exit code', [cs('init-a', { state: { terminated: { exitCode: 3 } } })], 'Init:ExitCode:3'],
  ];
  for (const [name, statuses, expected] of initCases) {
    it(name, () => {
      const p = podWith({ phase: 'Pending', initContainerStatuses: statuses }, {}, { initContainers: [container({ name: 'init-a' }), container({ name: 'init-b' })] });
      assert.equal(podTable.cells(p, now)[2], expected);
    });
  }

  it('counts sidecars (restartable init containers) as containers', () => {
    const p = podWith(
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [cs('proxy', { started: true, ready: true, state: running })],
        containerStatuses: [cs('app', { ready: true, state: running }), cs('log', { ready: true, state: running })],
      },
      {},
      { initContainers: [container({ name: 'proxy', restartPolicy: 'Always' })] },
    );
    assert.deepEqual(podTable.cells(p, now).slice(1, 3), ['3/3', 'Running']);
  });
});
