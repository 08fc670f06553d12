import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, ContainerImage, Pod } from 'kubernetes-types/core/v1.js';
import { snapshotOf } from '../../../../src/scheduler/framework/node-info.js';
import { CycleState, type NodeInfo } from '../../../../src/scheduler/framework/types.js';
import {
  ImageLocality,
  MAX_CONTAINER_THRESHOLD,
  MIN_THRESHOLD,
  calculatePriority,
  normalizedImageName,
} from '../../../../src/scheduler/plugins/imagelocality/image-locality.js';
import { info, makeNode, makePod } from '../helper/fixtures.js';

const MB = 1024 * 1024;
const node403002000: ContainerImage[] = [
  { names: ['gcr.io/40:latest', 'gcr.io/40:v1', 'gcr.io/40:v1'], sizeBytes: 40 * MB },
  { names: ['gcr.io/300:latest', 'gcr.io/300:v1'], sizeBytes: 300 * MB },
  { names: ['gcr.io/2000:latest'], sizeBytes: 2000 * MB },
];
const node25010: ContainerImage[] = [
  { names: ['gcr.io/250:latest'], sizeBytes: 250 * MB },
  { names: ['gcr.io/10:latest', 'gcr.io/10:v1'], sizeBytes: 10 * MB },
];
const containers = (...images: string[]): Container[] => images.map((image, i) => ({ name: `c${i}`, image }));
const imageNode = (name: string, images: ContainerImage[]) => info(makeNode(name, { status: { images } }));

function scoreAll(pod: Pod, nodes: NodeInfo[], feasible = nodes): number[] {
  const pl = new ImageLocality();
  const state = new CycleState();
  assert.equal(pl.preScore(state, pod, feasible, snapshotOf(nodes)).code, 'Success');
  return feasible.map((n) => pl.score(state, pod, n));
}

const cases: { name: string; pod: Pod; nodes: ContainerImage[][]; want: number[] }[] = [
  {
    // n1: 40MB/2 < 23MB -> 0. n2: 100*(250MB/2 - 23MB)/(2*1000MB - 23MB) = 5.
    name: 'two images spread on two nodes, prefer the larger image one',
    pod: makePod({ containers: containers('gcr.io/40', 'gcr.io/250') }),
    nodes: [node403002000, node25010],
    want: [0, 5],
  },
  {
    // n1: 100*((40MB + 300MB)/2 - 23MB)/(2000MB - 23MB) = 7.
    name: 'two images on one node, prefer this node',
    pod: makePod({ containers: containers('gcr.io/40', 'gcr.io/300') }),
    nodes: [node403002000, node25010],
    want: [7, 0],
  },
  {
    // n1: 100*(2000MB/2 - 23MB)/(2000MB - 23MB) = 49; n2: 10MB/2 < 23MB -> 0.
    name: 'scaled by the container count',
    pod: makePod({ containers: containers('gcr.io/10', 'gcr.io/2000') }),
    nodes: [node403002000, node25010],
    want: [49, 0],
  },
  {
    // n1: 100*(2000MB/3 - 23MB)/(2000MB - 23MB) = 32.
    name: 'a node without images lowers the spread',
    pod: makePod({ containers: containers('gcr.io/10', 'gcr.io/2000') }),
    nodes: [node403002000, node25010, []],
    want: [32, 0, 0],
  },
  {
    // Same as 'two images on one node': init containers count like containers.
    name: 'init containers count',
    pod: makePod({ initContainers: containers('gcr.io/300'), containers: containers('gcr.io/40') }),
    nodes: [node403002000, node25010],
    want: [7, 0],
  },
  {
    // 300MB on every node: spread 1; 100*(300MB - 23MB)/(1000MB - 23MB) = 28.
    name: 'an image on every node scores fully spread',
    pod: makePod({ containers: containers('gcr.io/300:v1') }),
    nodes: [node403002000, node403002000],
    want: [28, 28],
  },
  {
    // A single 2000MB image exceeds the 1000MB-per-container ceiling.
    name: 'clamped at the maximum',
    pod: makePod({ containers: containers('gcr.io/2000:latest') }),
    nodes: [node403002000],
    want: [100],
  },
  {
    name: 'an explicit other tag does not match',
    pod: makePod({ containers: containers('gcr.io/2000:v2') }),
    nodes: [node403002000],
    want: [0],
  },
];

for (const c of cases) {
  test(`ImageLocality: ${c.name}`, () => {
    const nodes = c.nodes.map((images, i) => imageNode(`machine${i + 1}`, images));
    assert.deepEqual(scoreAll(c.pod, nodes), c.want);
  });
}

test('ImageLocality: the spread counts every node of the snapshot, not only the feasible ones', () => {
  const nodes = [imageNode('m1', node403002000), imageNode('m2', []), imageNode('m3', [])];
  const pod = makePod({ containers: containers('gcr.io/2000') });
  // 2000MB/3 against a 1000MB ceiling: 100*(666.67MB - 23MB)/(977MB) = 65.
  assert.deepEqual(scoreAll(pod, nodes, [nodes[0]!]), [65]);
  // Without PreScore the node is taken as the only one: the full 2000MB, clamped to 100.
  assert.equal(new ImageLocality().score(new CycleState(), pod, nodes[0]!), 100);
});

test('normalizedImageName adds :latest only when no tag or digest is given', () => {
  const digest = 'sha256:4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2';
  const cases: [string, string][] = [
    ['root', 'root:latest'],
    ['gcr.io:5000/root', 'gcr.io:5000/root:latest'],
    ['root:tag', 'root:tag'],
    [`root@${digest}`, `root@${digest}`],
  ];
  for (const [input, want] of cases) assert.equal(normalizedImageName(input), want, input);
});

test('calculatePriority clamps to the thresholds', () => {
  assert.equal(MIN_THRESHOLD, 23 * MB);
  assert.equal(MAX_CONTAINER_THRESHOLD, 1000 * MB);
  assert.equal(calculatePriority(0, 1), 0);
  assert.equal(calculatePriority(23 * MB, 1), 0);
  assert.equal(calculatePriority(1000 * MB, 1), 100);
  assert.equal(calculatePriority(5000 * MB, 3), 100);
  assert.equal(calculatePriority(511.5 * MB, 1), 50);
  assert.equal(calculatePriority(0, 0), 0);
  assert.equal(new ImageLocality().name, 'ImageLocality');
});
