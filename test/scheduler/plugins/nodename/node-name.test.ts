import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../../../src/scheduler/framework/types.js';
import { ERR_REASON_NODE_NAME, NodeName, fitsNodeName } from '../../../../src/scheduler/plugins/nodename/node-name.js';
import { info, makeNode, makePod } from '../helper/fixtures.js';

const cases: { name: string; nodeName?: string; node: string; want: boolean }[] = [
  { name: 'no host specified', node: 'foo', want: true },
  { name: 'host matches', nodeName: 'foo', node: 'foo', want: true },
  { name: 'host does not match', nodeName: 'bar', node: 'foo', want: false },
  { name: 'empty nodeName means any node', nodeName: '', node: 'foo', want: true },
];

for (const c of cases) {
  test(`NodeName: ${c.name}`, () => {
    const pl = new NodeName();
    const pod = makePod(c.nodeName === undefined ? {} : { nodeName: c.nodeName });
    const ni = info(makeNode(c.node));
    const st = pl.filter(new CycleState(), pod, ni);
    assert.equal(fitsNodeName(pod, ni), c.want);
    if (c.want) assert.equal(st.code, 'Success');
    else assert.deepEqual(st, { code: 'UnschedulableAndUnresolvable', reasons: [ERR_REASON_NODE_NAME] });
  });
}

test('NodeName: name and reason are upstream\'s', () => {
  assert.equal(new NodeName().name, 'NodeName');
  assert.equal(ERR_REASON_NODE_NAME, "node(s) didn't match the requested node name");
});
