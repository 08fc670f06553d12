import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRequestInfo } from '../../src/apiserver/request-info.js';

const cases: [string, string, string, Record<string, unknown>][] = [
  ['GET', '/api/v1/namespaces/default/pods', '', { verb: 'list', namespace: 'default', resource: 'pods', name: '' }],
  ['GET', '/api/v1/namespaces/default/pods', 'watch=true', { verb: 'watch', resource: 'pods' }],
  ['GET', '/api/v1/namespaces/default/pods/p1', '', { verb: 'get', name: 'p1' }],
  ['GET', '/api/v1/namespaces/default/pods/p1/log', '', { verb: 'get', subresource: 'log' }],
  ['POST', '/api/v1/namespaces/default/pods', '', { verb: 'create', resource: 'pods' }],
  ['DELETE', '/api/v1/namespaces/default/pods', '', { verb: 'deletecollection' }],
  ['DELETE', '/api/v1/namespaces/default/pods/p', '', { verb: 'delete', name: 'p' }],
  ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/d/scale', '', { verb: 'patch', group: 'apps', subresource: 'scale' }],
  ['GET', '/api/v1/namespaces', '', { verb: 'list', resource: 'namespaces', namespace: '' }],
  ['GET', '/api/v1/namespaces/kube-system', '', { verb: 'get', resource: 'namespaces', name: 'kube-system', namespace: '' }],
  ['PUT', '/api/v1/namespaces/x/finalize', '', { verb: 'update', resource: 'namespaces', name: 'x', subresource: 'finalize' }],
  ['GET', '/api/v1/pods', '', { verb: 'list', resource: 'pods', namespace: '' }],
  ['GET', '/api/v1/watch/namespaces/default/pods', '', { verb: 'watch', namespace: 'default', resource: 'pods' }],
  ['GET', '/api/v1/nodes/n1', 'watch=1', { verb: 'watch', resource: 'nodes', name: 'n1' }],
];

describe('parseRequestInfo', () => {
  for (const [method, path, query, want] of cases) {
    it(`${method} ${path}${query ? '?' + query : ''}`, () => {
      const info = parseRequestInfo(method, path, new URLSearchParams(query));
      assert.equal(info.isResourceRequest, true);
      for (const [k, v] of Object.entries(want)) assert.equal((info as unknown as Record<string, unknown>)[k], v, k);
    });
  }
  it('tells discovery paths from resource paths', () => {
    assert.deepEqual(parseRequestInfo('GET', '/apis/apps/v1', new URLSearchParams()), {
      isResourceRequest: false,
      verb: 'get',
      path: '/apis/apps/v1',
      discovery: { root: 'apis', group: 'apps', version: 'v1' },
    });
    const api = parseRequestInfo('GET', '/api', new URLSearchParams());
    assert.equal(api.isResourceRequest, false);
    const version = parseRequestInfo('GET', '/version', new URLSearchParams());
    assert.equal(version.isResourceRequest, false);
  });
});
