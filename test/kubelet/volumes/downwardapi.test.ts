import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { downwardAPIPayload, formatMap, goQuote, podFieldValue, resourceFieldValue } from '../../../src/kubelet/volumes/downwardapi.js';
import { VolumeManager } from '../../../src/kubelet/volumes/manager.js';
import { cleanupDirs, fakeSources, pod, read, tempDir } from './helpers.js';

const ALLOC = { cpu: '4', memory: '8Gi' };
const p = pod(
  {
    containers: [
      { name: 'app', image: 'x', resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } } },
      { name: 'bare', image: 'x' },
    ],
  },
  { labels: { tier: 'web', app: 'shop' }, annotations: { note: 'say "hi"\n' } },
);

describe('downwardAPI fields', () => {
  const fields: [string, string][] = [
    ['metadata.name', 'web'],
    ['metadata.namespace', 'ns'],
    ['metadata.uid', 'uid-1'],
    ['metadata.labels', 'app="shop"\ntier="web"'],
    ['metadata.annotations', 'note="say \\"hi\\"\\n"'],
    ["metadata.labels['tier']", 'web'],
    ["metadata.annotations['missing']", ''],
  ];
  for (const [path, want] of fields) test(`${path} -> ${JSON.stringify(want)}`, () => assert.equal(podFieldValue(p, path), want));

  test('unsupported paths fail with upstream words', () => {
    assert.throws(() => podFieldValue(p, 'spec.nodeName'), { message: 'unsupported fieldPath: spec.nodeName' });
    assert.throws(() => podFieldValue(p, "metadata.name['x']"), { message: `fieldPath "metadata.name['x']" does not support subscript` });
  });

  test('Go quoting of label values (what %q prints)', () => {
    assert.equal(goQuote('a\tb\x01\x7fé\u200b'), '"a\\tb\\x01\\x7fé\\u200b"');
    assert.equal(formatMap({}), '');
  });
});

describe('downwardAPI resources', () => {
  const cases: [string, string, string | undefined, string][] = [
    ['app', 'limits.cpu', undefined, '1'],
    ['app', 'limits.cpu', '1m', '500'],
    ['app', 'requests.cpu', '1m', '250'],
    ['app', 'limits.memory', undefined, String(128 * 1024 * 1024)],
    ['app', 'limits.memory', '1Mi', '128'],
    ['app', 'requests.memory', '1M', '68'],
    ['bare', 'limits.cpu', undefined, '4'],
    ['bare', 'limits.memory', '1Gi', '8'],
    ['bare', 'requests.cpu', undefined, '0'],
  ];
  for (const [container, resource, divisor, want] of cases) {
    test(`${container} ${resource} / ${divisor ?? '1'} = ${want}`, () => assert.equal(resourceFieldValue(p, { containerName: container, resource, divisor }, ALLOC), want));
  }

  test('an unknown container or resource fails', () => {
    assert.throws(() => resourceFieldValue(p, { containerName: 'nope', resource: 'limits.cpu' }, ALLOC), { message: 'container nope not found' });
    assert.throws(() => resourceFieldValue(p, { containerName: 'app', resource: 'limits.gpu' }, ALLOC), { message: 'unsupported container resource : limits.gpu' });
  });

  test('every item is tried and the failures aggregated', () => {
    const items = [
      { path: 'ok', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'a', fieldRef: { fieldPath: 'spec.x' } },
      { path: 'b', resourceFieldRef: { containerName: 'ghost', resource: 'limits.cpu' } },
    ];
    assert.throws(() => downwardAPIPayload(items, p, undefined, ALLOC), { message: '[unsupported fieldPath: spec.x, container ghost not found]' });
    assert.equal(downwardAPIPayload(items.slice(0, 1), p, 0o400, ALLOC).get('ok')?.mode, 0o400);
  });
});

describe('downwardAPI volumes', () => {
  afterEach(cleanupDirs);

  test('files follow the pod: a label change reaches them on refresh', async () => {
    const podsDir = tempDir();
    const vm = new VolumeManager({ podsDir, sources: fakeSources(), canMount: false, nodeAllocatable: () => ALLOC });
    const spec = { ...p.spec!, volumes: [{ name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } }] } }] };
    const v1 = { ...p, spec };
    await vm.setUp(v1);
    const dir = join(podsDir, 'uid-1/volumes/kubernetes.io~downward-api/info');
    assert.equal(read(join(dir, 'labels')), 'app="shop"\ntier="web"');
    assert.equal(read(join(dir, 'cpu')), '500');
    await vm.refresh({ ...v1, metadata: { ...v1.metadata, labels: { tier: 'db' } } });
    assert.equal(read(join(dir, 'labels')), 'tier="db"');
  });
});
