import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Toleration } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../../../../src/scheduler/framework/types.js';
import { ERR_REASON_UNSCHEDULABLE, NodeUnschedulable } from '../../../../src/scheduler/plugins/nodeunschedulable/node-unschedulable.js';
import { info, makeNode, makePod } from '../helper/fixtures.js';

const KEY = 'node.kubernetes.io/unschedulable';
const cases: { name: string; unschedulable?: boolean; tolerations?: Toleration[]; want: boolean }[] = [
  { name: 'schedulable node (unset)', want: true },
  { name: 'schedulable node (false)', unschedulable: false, want: true },
  { name: 'unschedulable node refuses a plain pod', unschedulable: true, want: false },
  { name: 'toleration of the unschedulable taint', unschedulable: true, tolerations: [{ key: KEY, operator: 'Exists', effect: 'NoSchedule' }], want: true },
  { name: 'toleration without effect', unschedulable: true, tolerations: [{ key: KEY, operator: 'Exists' }], want: true },
  { name: 'tolerate-everything toleration', unschedulable: true, tolerations: [{ operator: 'Exists' }], want: true },
  { name: 'toleration of another effect only', unschedulable: true, tolerations: [{ key: KEY, operator: 'Exists', effect: 'NoExecute' }], want: false },
  { name: 'Equal toleration with a value (the taint has none)', unschedulable: true, tolerations: [{ key: KEY, operator: 'Equal', value: 'x', effect: 'NoSchedule' }], want: false },
  { name: 'toleration of another key', unschedulable: true, tolerations: [{ key: 'other', operator: 'Exists' }], want: false },
];

for (const c of cases) {
  test(`NodeUnschedulable: ${c.name}`, () => {
    const node = makeNode('n', { spec: c.unschedulable === undefined ? {} : { unschedulable: c.unschedulable } });
    const st = new NodeUnschedulable().filter(new CycleState(), makePod({ tolerations: c.tolerations }), info(node));
    if (c.want) assert.equal(st.code, 'Success');
    else assert.deepEqual(st, { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'] });
  });
}

test('NodeUnschedulable: plugin name and exported reason', () => {
  assert.equal(new NodeUnschedulable().name, 'NodeUnschedulable');
  assert.equal(ERR_REASON_UNSCHEDULABLE, 'node(s) were unschedulable');
});

test('NodeUnschedulable: a node without spec is schedulable', () => {
  const st = new NodeUnschedulable().filter(new CycleState(), makePod(), info({ metadata: { name: 'n' } }));
  assert.equal(st.code, 'Success');
});
