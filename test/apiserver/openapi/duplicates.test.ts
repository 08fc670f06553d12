import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  findDuplicateFields,
  findDuplicateFieldsInYaml,
  findYamlDuplicates,
  parseJsonTree,
} from '../../../src/apiserver/openapi/duplicates.js';

describe('parseJsonTree', () => {
  it('keeps member order and repeated keys', () => {
    assert.deepEqual(parseJsonTree('{"b": 1, "a": [true, null, "x\\"y"], "b": -2.5e3}'), {
      kind: 'object',
      entries: [
        { key: 'b', value: { kind: 'scalar', value: 1 } },
        {
          key: 'a',
          value: { kind: 'array', items: [{ kind: 'scalar', value: true }, { kind: 'scalar', value: null }, { kind: 'scalar', value: 'x"y' }] },
        },
        { key: 'b', value: { kind: 'scalar', value: -2500 } },
      ],
    });
  });

  it('decodes escaped keys and accepts empty containers', () => {
    const tree = parseJsonTree(' {"\\u0061": {}, "c": []} ');
    assert.deepEqual(tree, {
      kind: 'object',
      entries: [
        { key: 'a', value: { kind: 'object', entries: [] } },
        { key: 'c', value: { kind: 'array', items: [] } },
      ],
    });
  });

  const invalid = ['', '{', '{"a" 1}', '{"a": 1,}', '[1 2]', '{"a": 1} x', 'tru', '{a: 1}', '"open'];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseJsonTree(text), SyntaxError));
  }

  it('rejects absurd nesting instead of overflowing the stack', () => {
    assert.throws(() => parseJsonTree('['.repeat(5000) + ']'.repeat(5000)), /nesting too deep/);
  });
});

describe('findDuplicateFields', () => {
  const cases: [string, string, string[]][] = [
    ['none', '{"a": 1, "b": {"a": 2}}', []],
    ['top level', '{"kind": "Pod", "kind": "Pod"}', ['kind']],
    ['nested, once per repetition', '{"spec": {"paused": true, "paused": false, "paused": true}}', ['spec.paused', 'spec.paused']],
    ['in list items', '{"spec": {"containers": [{"name": "a"}, {"name": "b", "image": "x", "image": "y"}]}}', ['spec.containers[1].image']],
    ['in maps', '{"metadata": {"labels": {"app": "a", "app": "b"}}}', ['metadata.labels.app']],
    ['inside repeated values', '{"a": {"x": 1}, "a": {"y": 1, "y": 2}}', ['a', 'a.y']],
    ['in top-level arrays', '[{"a": 1, "a": 2}]', ['[0].a']],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(findDuplicateFields(text), expected));
  }
});

describe('findDuplicateFieldsInYaml', () => {
  it('finds repeated keys with their lines', () => {
    const yaml = 'metadata:\n  name: a\n  name: b\nspec:\n  containers:\n  - name: x\n    image: y\n    image: z\n';
    assert.deepEqual(findDuplicateFieldsInYaml(yaml), ['metadata.name', 'spec.containers[0].image']);
    assert.deepEqual(findYamlDuplicates(yaml).map((d) => [d.key, d.line]), [['name', 3], ['image', 8]]);
  });

  it('reads JSON bodies as YAML with their line numbers (server-side apply)', () => {
    const json = '{\n  "spec": {\n    "paused": false,\n    "paused": true\n  }\n}';
    assert.deepEqual(findYamlDuplicates(json), [{ path: 'spec.paused', key: 'paused', line: 4 }]);
  });

  it('finds nothing in a clean document and checks every document of a stream', () => {
    assert.deepEqual(findDuplicateFieldsInYaml('a: 1\nb: {c: 2}\n'), []);
    assert.deepEqual(findDuplicateFieldsInYaml('a: 1\n---\nb: 1\nb: 2\n'), ['b']);
  });
});
