// Thousands of generated bad requests: each gets a 4xx metav1.Status, nothing is stored, and the
// server keeps serving.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestCluster } from './harness.js';

const JSON_CT = { 'Content-Type': 'application/json' };

/** A deterministic stream of bad requests of many shapes. */
function* badRequests(n: number): Generator<[string, string, string | Buffer | undefined, Record<string, string>]> {
  const names = ['Bad_Name', '-x', 'a'.repeat(300), 'UPPER', 'dot..dot', ''];
  const bodies = ['{', '[]', '"str"', '42', 'null', '{"metadata": 5}', '{"metadata":{"name":7}}', '{"data":{"a":1}}', '{"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"x"}}', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}', '\u0000\u0001', 'kind: [unclosed'];
  for (let i = 0; i < n; i++) {
    switch (i % 12) {
      case 0:
        yield ['POST', '/api/v1/namespaces/default/configmaps', bodies[i % bodies.length]!, JSON_CT];
        break;
      case 1:
        yield ['POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: names[i % names.length] }, data: { k: 'v' } }), JSON_CT];
        break;
      case 2:
        yield ['POST', `/api/v1/namespaces/missing-${i}/configmaps`, JSON.stringify({ metadata: { name: 'x' } }), JSON_CT];
        break;
      case 3:
        yield ['GET', `/apis/nonexistent.example.com/v${i}/widgets`, undefined, {}];
        break;
      case 4:
        yield ['GET', `/api/v1/namespaces/default/configmaps?limit=abc${i}`, undefined, {}];
        break;
      case 5:
        yield ['GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent('a in (b')}`, undefined, {}];
        break;
      case 6:
        yield ['GET', `/api/v1/namespaces/default/pods?fieldSelector=spec.unknownField%3D${i}`, undefined, {}];
        break;
      case 7:
        yield ['PATCH', '/api/v1/namespaces/default/configmaps/nope', '{}', { 'Content-Type': 'application/x-unknown' }];
        break;
      case 8:
        yield ['PUT', '/api/v1/namespaces/default/configmaps/a', JSON.stringify({ metadata: { name: 'b' } }), JSON_CT];
        break;
      case 9:
        yield ['POST', '/api/v1/namespaces/default/configmaps', Buffer.alloc(3 * 1024 * 1024 + 10, 0x20), JSON_CT];
        break;
      case 10:
        yield ['POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify({ metadata: { name: `d${i}` }, spec: { replicas: 'three', selector: 5 } }), JSON_CT];
        break;
      default:
        yield ['GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=notanumber${i}`, undefined, {}];
    }
  }
}

describe('bad input', () => {
  let c: TestCluster;
  before(async () => {
    // No controllers: their background writes (the leader lease renewals) would hide a stray write.
    c = await TestCluster.start({ datastore: 'memory', extraArgs: ['--disable-controllers', '--disable-scheduler'] });
  });
  after(async () => {
    await c.stop();
  });

  it('answers 3000 bad requests with 4xx Statuses and stores nothing', { timeout: 120_000 }, async () => {
    const { send, close } = c.http();
    try {
      // Let the bootstrap writes settle, then note the revision.
      let before = '';
      for (let i = 0; i < 50; i++) {
        const now = JSON.parse((await send('GET', '/api/v1/serviceaccounts')).body);
        if (now.metadata.resourceVersion === before) break;
        before = now.metadata.resourceVersion;
        await new Promise((r) => setTimeout(r, 100));
      }
      const requests = [...badRequests(3000)];
      const counts = new Map<number, number>();
      for (let i = 0; i < requests.length; i += 16) {
        const replies = await Promise.all(requests.slice(i, i + 16).map(([m, p, b, h]) => send(m, p, b, h)));
        replies.forEach((r, j) => {
          const [m, p] = requests[i + j]!;
          assert.ok(r.status >= 400 && r.status < 500, `${m} ${p.slice(0, 80)} answered ${r.status}: ${r.body.slice(0, 200)}`);
          const status = JSON.parse(r.body);
          assert.equal(status.kind, 'Status', `${m} ${p.slice(0, 80)}: ${r.body.slice(0, 200)}`);
          assert.equal(status.status, 'Failure');
          assert.equal(status.code, r.status);
          assert.ok(status.reason && status.message, r.body.slice(0, 200));
          counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
        });
      }
      for (const code of [400, 404, 413, 415, 422]) assert.ok((counts.get(code) ?? 0) > 0, `saw some ${code}s: ${[...counts]}`);
      const readyz = await send('GET', '/readyz');
      assert.equal(readyz.status, 200);
      const afterList = JSON.parse((await send('GET', '/api/v1/serviceaccounts')).body);
      assert.equal(afterList.metadata.resourceVersion, before, 'no write happened');
    } finally {
      close();
    }
  });
});
