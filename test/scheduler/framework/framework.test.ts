import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { CycleState, Framework, findNodesThatFit, fitErrorMessage, numFeasibleNodesToFind, selectHost } from '../../../src/scheduler/framework/framework.js';
import { newNodeInfo, snapshotOf } from '../../../src/scheduler/framework/node-info.js';
import { SUCCESS, unschedulable, type FilterPlugin, type NodeInfo, type ScorePlugin } from '../../../src/scheduler/framework/types.js';

const node = (name: string, labels: Record<string, string> = {}): Node => ({ metadata: { name, labels }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } });
const pod: Pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [] } };

const onlyLabelled: FilterPlugin = { name: 'OnlyLabelled', filter: (_s, _p, n: NodeInfo) => (n.node.metadata?.labels?.ok ? SUCCESS : unschedulable('node(s) were not ok')) };
const byName: ScorePlugin = { name: 'ByName', score: (_s, _p, n) => Number(n.node.metadata!.name!.slice(1)) };

describe('scheduling framework', () => {
  it('numFeasibleNodesToFind: all below 100 nodes, an adaptive share above, never under 100', () => {
    const cases: [number, number | undefined, number][] = [
      [50, undefined, 50],
      [99, undefined, 99],
      [1000, undefined, 420], // 50 - 1000/125 = 42%
      [5000, undefined, 500], // 50 - 40 = 10%
      [6000, undefined, 300], // max(5, 50 - 48) = 5%
      [1000, 100, 1000],
      [1000, 5, 100], // at least 100
    ];
    for (const [n, pct, want] of cases) assert.equal(numFeasibleNodesToFind(n, pct), want, `${n} nodes at ${pct}%`);
  });

  it('filters round-robin from the start index and records why nodes failed', () => {
    const infos = ['n0', 'n1', 'n2', 'n3'].map((n, i) => newNodeInfo(node(n, i % 2 ? { ok: 'y' } : {})));
    const fw = new Framework('default-scheduler', { preFilter: [], filter: [onlyLabelled], preScore: [], score: [{ plugin: byName, weight: 2 }] });
    const fit = findNodesThatFit(fw, new CycleState(), pod, snapshotOf(infos), 2);
    assert.deepEqual(fit.feasible.map((i) => i.node.metadata!.name), ['n3', 'n1']);
    assert.deepEqual([...fit.failures.keys()].sort(), ['n0', 'n2']);
    assert.equal(fit.failures.get('n0')!.plugin, 'OnlyLabelled');
    const scores = fw.runScore(new CycleState(), pod, fit.feasible, snapshotOf(infos));
    assert.deepEqual(scores, [{ name: 'n3', score: 6 }, { name: 'n1', score: 2 }]);
    assert.equal(selectHost(scores), 'n3');
  });

  it('selectHost breaks ties among the best at random', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(selectHost([{ name: 'a', score: 5 }, { name: 'b', score: 5 }, { name: 'c', score: 1 }])!);
    assert.deepEqual([...seen].sort(), ['a', 'b']);
  });

  it('fitErrorMessage counts each reason per node, sorted, as upstream prints it', () => {
    const failures = new Map([
      ['n1', unschedulable('Insufficient cpu')],
      ['n2', unschedulable('Insufficient cpu', 'Insufficient memory')],
      ['n3', unschedulable('node(s) had untolerated taint {dedicated: gpu}')],
    ]);
    assert.equal(fitErrorMessage(5, failures), '0/5 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.');
  });
});
