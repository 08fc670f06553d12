import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/apimachinery/errors.js';
import { applyJsonPatch, applyMergePatch } from '../../../src/apiserver/patch/index.js';
import { deployment, pod } from './fixtures.js';

/** Runs `fn` and returns the StatusError it throws. */
function statusErrorOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('json patch applies add, replace, remove, copy, move and a passing test', () => {
  const live = pod();
  const cases: Array<{ name: string; patch: unknown; check: (out: ReturnType<typeof pod>) => void }> = [
    {
      name: 'add a label',
      patch: [{ op: 'add', path: '/metadata/labels/tier', value: 'frontend' }],
      check: (out) => assert.deepEqual(out.metadata?.labels, { app: 'web', tier: 'frontend' }),
    },
    {
      name: 'replace an image by index (kubectl patch --type=json)',
      patch: [{ op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.27' }],
      check: (out) => assert.equal(out.spec?.containers[0]?.image, 'nginx:1.27'),
    },
    {
      name: 'remove a toleration',
      patch: [{ op: 'remove', path: '/spec/tolerations/0' }],
      check: (out) => assert.deepEqual(out.spec?.tolerations, []),
    },
    {
      name: 'append to a list with -',
      patch: [{ op: 'add', path: '/spec/containers/0/args', value: [] }, { op: 'add', path: '/spec/containers/0/args/-', value: '--v=2' }],
      check: (out) => assert.deepEqual(out.spec?.containers[0]?.args, ['--v=2']),
    },
    {
      name: 'test then replace',
      patch: [
        { op: 'test', path: '/metadata/labels/app', value: 'web' },
        { op: 'replace', path: '/metadata/labels/app', value: 'api' },
      ],
      check: (out) => assert.equal(out.metadata?.labels?.app, 'api'),
    },
    {
      name: 'copy and move',
      patch: [
        { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copied' },
        { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/moved' },
      ],
      check: (out) => assert.deepEqual(out.metadata?.labels, { copied: 'web', moved: 'web' }),
    },
  ];
  for (const c of cases) {
    c.check(applyJsonPatch(live, c.patch) as ReturnType<typeof pod>);
  }
  assert.deepEqual(live, pod(), 'the live object is left untouched');
});

test('json patch operations that cannot apply are 422 Invalid with upstream generic message', () => {
  const cases: Array<[string, unknown]> = [
    ['test failed', [{ op: 'test', path: '/metadata/name', value: 'other' }]],
    ['replace of a missing key', [{ op: 'replace', path: '/metadata/annotations/x', value: 'y' }]],
    ['remove of a missing key', [{ op: 'remove', path: '/metadata/labels/missing' }]],
    ['add under a missing parent', [{ op: 'add', path: '/metadata/annotations/a/b', value: 'y' }]],
    ['index out of bounds', [{ op: 'add', path: '/spec/containers/9', value: {} }]],
    ['unknown op', [{ op: 'frobnicate', path: '/metadata/name' }]],
    ['missing path', [{ op: 'add', value: 1 }]],
    ['null operation', [null]],
    ['prototype pollution', [{ op: 'add', path: '/__proto__/polluted', value: true }]],
  ];
  for (const [name, patch] of cases) {
    const err = statusErrorOf(() => applyJsonPatch(pod(), patch));
    assert.equal(err.code, 422, name);
    assert.equal(err.reason, 'Invalid', name);
    assert.equal(err.message, 'the server rejected our request due to an error in our request', name);
    assert.deepEqual(err.details, {}, name);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a failing operation leaves no partial change behind', () => {
  const live = pod();
  statusErrorOf(() =>
    applyJsonPatch(live, [
      { op: 'replace', path: '/metadata/labels/app', value: 'changed' },
      { op: 'test', path: '/metadata/name', value: 'nope' },
    ]),
  );
  assert.equal(live.metadata?.labels?.app, 'web');
});

test('json patch documents that do not decode are 400 BadRequest', () => {
  const cases: Array<[unknown, string]> = [
    [{ op: 'add', path: '/a', value: 1 }, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['add', 'json: cannot unmarshal string into Go value of type jsonpatch.Patch'],
    [['add'], 'json: cannot unmarshal string into Go value of type jsonpatch.Operation'],
    [[[1]], 'json: cannot unmarshal array into Go value of type jsonpatch.Operation'],
  ];
  for (const [patch, message] of cases) {
    const err = statusErrorOf(() => applyJsonPatch(pod(), patch));
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.equal(err.message, message);
  }
});

test('json patch: null is an empty patch; too many operations is 413', () => {
  assert.deepEqual(applyJsonPatch(pod(), null), pod());
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'Pod' }));
  const err = statusErrorOf(() => applyJsonPatch(pod(), ops));
  assert.equal(err.code, 413);
  assert.equal(err.reason, 'RequestEntityTooLarge');
  assert.equal(err.message, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
  assert.equal((applyJsonPatch(pod(), ops.slice(0, 10000)) as ReturnType<typeof pod>).kind, 'Pod');
});

test('merge patch: null deletes, objects merge, lists and scalars replace', () => {
  const live = deployment();
  const out = applyMergePatch(live, {
    metadata: { labels: { tier: null, team: 'blue' }, annotations: { note: 'x', gone: null } },
    spec: {
      replicas: 5,
      strategy: { rollingUpdate: null },
      // A merge patch has no merge keys: the whole container list is replaced.
      template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  }) as ReturnType<typeof deployment>;
  assert.deepEqual(out.metadata?.labels, { app: 'web', team: 'blue' });
  assert.deepEqual(out.metadata?.annotations, { note: 'x' }, 'nulls inside a new object are dropped');
  assert.equal(out.spec?.replicas, 5);
  assert.deepEqual(out.spec?.strategy, { type: 'RollingUpdate' });
  assert.deepEqual(out.spec?.template.spec?.containers, [{ name: 'web', image: 'nginx:1.27' }]);
  assert.deepEqual(out.spec?.template.spec?.volumes, deployment().spec?.template.spec?.volumes);
  assert.deepEqual(live, deployment(), 'the live object is left untouched');
});

test('merge patch: a value that is not an object is replaced wholesale', () => {
  const out = applyMergePatch({ a: 'scalar', b: { c: 1 } }, { a: { x: 1, y: null }, b: ['list'] });
  assert.deepEqual(out, { a: { x: 1 }, b: ['list'] });
});

test('merge patch documents that are not JSON objects are 400 BadRequest', () => {
  for (const patch of [null, [], ['x'], 'text', 3, true]) {
    const err = statusErrorOf(() => applyMergePatch(pod(), patch));
    assert.equal(err.code, 400, JSON.stringify(patch));
    assert.equal(err.reason, 'BadRequest');
    assert.equal(err.message, 'Invalid JSON Patch');
  }
});

test('merge patch keeps a __proto__ key as data', () => {
  const out = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
  assert.ok(Object.hasOwn(out, '__proto__'));
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
