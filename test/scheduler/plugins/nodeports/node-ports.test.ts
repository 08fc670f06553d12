import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerPort, Pod } from 'kubernetes-types/core/v1.js';
import { snapshotOf } from '../../../../src/scheduler/framework/node-info.js';
import { CycleState } from '../../../../src/scheduler/framework/types.js';
import { ERR_REASON_NODE_PORTS, NodePorts, portConflicts } from '../../../../src/scheduler/plugins/nodeports/node-ports.js';
import { info, makeNode, makePod } from '../helper/fixtures.js';

/** A pod with host ports written "PROTO/IP/PORT" (IP may be empty). */
function podWithPorts(name: string, ...specs: string[]): Pod {
  const ports: ContainerPort[] = specs.map((s) => {
    const [protocol, ip, port] = s.split('/');
    return { containerPort: 80, protocol, hostIP: ip || undefined, hostPort: Number(port) };
  });
  return makePod({ containers: [{ name: 'c', image: 'img', ports }] }, name);
}

const cases: { name: string; want: string[]; existing: string[]; fits: boolean }[] = [
  { name: 'other port', want: ['UDP/127.0.0.1/8080'], existing: ['UDP/127.0.0.1/9090'], fits: true },
  { name: 'same udp port', want: ['UDP/127.0.0.1/8080'], existing: ['UDP/127.0.0.1/8080'], fits: false },
  { name: 'same tcp port', want: ['TCP/127.0.0.1/8080'], existing: ['TCP/127.0.0.1/8080'], fits: false },
  { name: 'different host ip', want: ['TCP/127.0.0.1/8080'], existing: ['TCP/127.0.0.2/8080'], fits: true },
  { name: 'different protocol', want: ['UDP/127.0.0.1/8080'], existing: ['TCP/127.0.0.1/8080'], fits: true },
  { name: 'second udp port conflict', want: ['UDP/127.0.0.1/8000', 'UDP/127.0.0.1/8080'], existing: ['UDP/127.0.0.1/8080'], fits: false },
  { name: 'first tcp port conflict', want: ['TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8080'], existing: ['TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8081'], fits: false },
  { name: 'wanted 0.0.0.0 conflicts with a specific IP', want: ['TCP/0.0.0.0/8001'], existing: ['TCP/127.0.0.1/8001'], fits: false },
  { name: 'wanted specific IP and 0.0.0.0 conflict', want: ['TCP/10.0.10.10/8001', 'TCP/0.0.0.0/8001'], existing: ['TCP/127.0.0.1/8001'], fits: false },
  { name: 'used 0.0.0.0 conflicts with a specific IP', want: ['TCP/127.0.0.1/8001'], existing: ['TCP/0.0.0.0/8001'], fits: false },
  { name: 'used 0.0.0.0 of another protocol', want: ['UDP/127.0.0.1/8001'], existing: ['TCP/0.0.0.0/8001'], fits: true },
  { name: 'UDP conflict through 0.0.0.0', want: ['UDP/127.0.0.1/8001'], existing: ['TCP/0.0.0.0/8001', 'UDP/0.0.0.0/8001'], fits: false },
  { name: 'empty hostIP means 0.0.0.0', want: ['TCP//8001'], existing: ['TCP/192.168.0.1/8001'], fits: false },
  { name: 'empty protocol means TCP', want: ['/127.0.0.1/8001'], existing: ['TCP/127.0.0.1/8001'], fits: false },
  { name: 'empty node', want: ['TCP/127.0.0.1/8001'], existing: [], fits: true },
];

for (const c of cases) {
  test(`NodePorts: ${c.name}`, () => {
    const pl = new NodePorts();
    const node = info(makeNode('n'), [podWithPorts('existing', ...c.existing)]);
    const pod = podWithPorts('new', ...c.want);
    const state = new CycleState();
    assert.equal(pl.preFilter(state, pod, snapshotOf([node])).code, 'Success');
    const st = pl.filter(state, pod, node);
    if (c.fits) assert.equal(st.code, 'Success');
    else assert.deepEqual(st, { code: 'Unschedulable', reasons: [ERR_REASON_NODE_PORTS] });
    // Filter without PreFilter's state decides the same.
    assert.equal(pl.filter(new CycleState(), pod, node).code, st.code);
  });
}

test('NodePorts: PreFilter skips a pod without host ports, and such a pod fits anywhere', () => {
  const pl = new NodePorts();
  const pod = makePod({ containers: [{ name: 'c', image: 'img', ports: [{ containerPort: 8080 }] }] });
  const node = info(makeNode('n'), [podWithPorts('existing', 'TCP/0.0.0.0/8080')]);
  const state = new CycleState();
  assert.equal(pl.preFilter(state, pod, snapshotOf([node])).code, 'Skip');
  assert.equal(pl.filter(state, pod, node).code, 'Success');
});

test('NodePorts: ports freed when the pod leaves are free again', async () => {
  const { removePod } = await import('../../../../src/scheduler/framework/node-info.js');
  const pl = new NodePorts();
  const node = info(makeNode('n'), [podWithPorts('existing', 'TCP/0.0.0.0/8080')]);
  const pod = podWithPorts('new', 'TCP/10.0.0.1/8080');
  assert.equal(pl.filter(new CycleState(), pod, node).code, 'Unschedulable');
  assert.equal(removePod(node, 'uid-existing'), true);
  assert.equal(pl.filter(new CycleState(), pod, node).code, 'Success');
});

test('portConflicts: port 0 never conflicts; name and reason are upstream\'s', () => {
  assert.equal(portConflicts([{ ip: '0.0.0.0', protocol: 'TCP', port: 0 }], { ip: '0.0.0.0', protocol: 'TCP', port: 0 }), false);
  assert.equal(portConflicts([{ ip: '', protocol: '', port: 53 }], { ip: '1.2.3.4', protocol: 'TCP', port: 53 }), true);
  assert.equal(new NodePorts().name, 'NodePorts');
  assert.equal(ERR_REASON_NODE_PORTS, "node(s) didn't have free ports for the requested pod ports");
});
