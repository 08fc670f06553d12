// The counts kept across cycles must give exactly what counting from scratch gives: a random
// cluster is changed step by step (pods placed and removed, a node relabelled), and after every
// step a plugin that keeps counts and one that never does must agree on every node's Filter
// verdict and raw Score, for a variety of incoming pods.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { addPod, newNodeInfo, newPodInfo, removePod, setNode, snapshotOf } from '../../../../src/scheduler/framework/node-info.js';
import { CycleState, type NodeInfo } from '../../../../src/scheduler/framework/types.js';
import { InterPodAffinity } from '../../../../src/scheduler/plugins/interpodaffinity/plugin.js';
import { HOST, ZONE, keyIn, labelsIs, node, pod, term, weighted } from './fixtures.js';

/** A small deterministic PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const APPS = ['web', 'db', 'cache'];

function randomPod(r: () => number, name: string): Pod {
  const app = APPS[Math.floor(r() * APPS.length)]!;
  const key = r() < 0.5 ? HOST : ZONE;
  const other = APPS[Math.floor(r() * APPS.length)]!;
  const kind = Math.floor(r() * 6);
  const ns = r() < 0.2 ? 'other' : 'default';
  switch (kind) {
    case 0:
      return pod(name, { ns, labels: { app } });
    case 1:
      return pod(name, { ns, labels: { app }, antiAffinity: [term(key, labelsIs({ app: other }))] });
    case 2:
      return pod(name, { ns, labels: { app }, affinity: [term(key, keyIn('app', other, app))] });
    case 3:
      return pod(name, { ns, labels: { app }, preferredAffinity: [weighted(1 + Math.floor(r() * 100), term(key, labelsIs({ app: other })))] });
    case 4:
      return pod(name, { ns, labels: { app }, preferredAntiAffinity: [weighted(1 + Math.floor(r() * 100), term(key, labelsIs({ app: other })))] });
    default:
      return pod(name, { ns, labels: { app }, antiAffinity: [term(key, labelsIs({ app }), { namespaces: ['default', 'other'] })] });
  }
}

function verdicts(plugin: InterPodAffinity, incoming: Pod, infos: NodeInfo[], nodes: () => NodeInfo[]) {
  const snapshot = { ...snapshotOf(infos), nodeInfos: nodes };
  const state = new CycleState();
  const pre = plugin.preFilter(state, incoming, snapshot);
  const filter = pre.code === 'Success' ? infos.map((n) => plugin.filter(state, incoming, n).reasons.join()) : pre.code;
  const scoreState = new CycleState();
  const ps = plugin.preScore(scoreState, incoming, infos, snapshot);
  const score = ps.code === 'Success' ? infos.map((n) => plugin.score(scoreState, incoming, n)) : ps.code;
  return { filter, score };
}

for (const seed of [1, 2, 3, 4, 5]) {
  test(`counts kept across cycles equal counts from scratch (seed ${seed})`, () => {
    const r = rng(seed);
    const infos = Array.from({ length: 12 }, (_, i) => newNodeInfo(node(`n${i}`, { [HOST]: `n${i}`, [ZONE]: `z${i % 3}` })));
    // One array for the whole run, as the scheduler cache hands out while no node joins.
    const nodes = () => infos;
    const keeping = new InterPodAffinity({ memoMinNodes: 0 });
    const fresh = new InterPodAffinity({ memoMinNodes: Number.MAX_SAFE_INTEGER });
    const placed: { info: NodeInfo; uid: string }[] = [];
    const probes = Array.from({ length: 6 }, (_, i) => randomPod(r, `probe-${i}`));
    for (let step = 0; step < 60; step++) {
      const roll = r();
      if (roll < 0.6 || placed.length === 0) {
        const info = infos[Math.floor(r() * infos.length)]!;
        const p = randomPod(r, `p-${step}`);
        addPod(info, newPodInfo({ ...p, spec: { ...p.spec!, nodeName: info.node.metadata!.name } }));
        placed.push({ info, uid: p.metadata!.uid! });
      } else if (roll < 0.9) {
        const [gone] = placed.splice(Math.floor(r() * placed.length), 1);
        removePod(gone!.info, gone!.uid);
      } else {
        const info = infos[Math.floor(r() * infos.length)]!;
        const name = info.node.metadata!.name!;
        setNode(info, node(name, { [HOST]: name, [ZONE]: `z${Math.floor(r() * 4)}` }));
      }
      for (const probe of probes) {
        assert.deepEqual(verdicts(keeping, probe, infos, nodes), verdicts(fresh, probe, infos, nodes), `step ${step}, probe ${probe.metadata!.name}`);
      }
    }
  });
}
