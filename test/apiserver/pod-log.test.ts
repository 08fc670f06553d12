import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { StatusError, toStatus } from '../../src/apimachinery/errors.js';
import { chooseContainer, kubeletEndpoint, kubeletErrorStatus } from '../../src/apiserver/handlers/pod-log.js';

const pod = (containers: string[], init: string[] = []): Pod => ({
  metadata: { name: 'p' },
  spec: { containers: containers.map((name) => ({ name })), initContainers: init.map((name) => ({ name })) },
});

describe('pods/log', () => {
  describe('container choice (upstream validateContainer)', () => {
    const cases: { name: string; pod: Pod; requested?: string; want: string | RegExp }[] = [
      { name: 'the only container', pod: pod(['a']), want: 'a' },
      { name: 'the only container despite init containers', pod: pod(['a'], ['i']), want: 'a' },
      { name: 'a named init container', pod: pod(['a'], ['i']), requested: 'i', want: 'i' },
      { name: 'several: must name one, init containers listed first', pod: pod(['a', 'b'], ['i']), want: /^a container name must be specified for pod p, choose one of: \[i a b\]$/ },
      { name: 'none at all', pod: pod([]), want: /^a container name must be specified for pod p$/ },
      { name: 'an unknown one', pod: pod(['a']), requested: 'x', want: /^container x is not valid for pod p$/ },
    ];
    for (const c of cases) {
      it(c.name, () => {
        if (typeof c.want === 'string') return assert.equal(chooseContainer(c.pod, c.requested), c.want);
        assert.throws(
          () => chooseContainer(c.pod, c.requested),
          (e: unknown) => e instanceof StatusError && e.code === 400 && (c.want as RegExp).test(e.message),
        );
      });
    }
  });

  describe('kubelet endpoint', () => {
    const node = (addresses: { type: string; address: string }[], port?: number): Node => ({
      metadata: { name: 'n' },
      status: { addresses, ...(port === undefined ? {} : { daemonEndpoints: { kubeletEndpoint: { Port: port } } }) },
    });
    const cases: { name: string; node: Node; want: { host: string; port: number } | RegExp }[] = [
      { name: 'InternalIP first', node: node([{ type: 'Hostname', address: 'h' }, { type: 'InternalIP', address: '10.0.0.2' }], 12345), want: { host: '10.0.0.2', port: 12345 } },
      { name: 'Hostname without an InternalIP', node: node([{ type: 'ExternalIP', address: '1.2.3.4' }, { type: 'Hostname', address: 'h' }], 1), want: { host: 'h', port: 1 } },
      { name: 'the default port when none is reported', node: node([{ type: 'InternalIP', address: '10.0.0.2' }]), want: { host: '10.0.0.2', port: 10250 } },
      { name: 'no address', node: node([]), want: /^no preferred addresses found; known addresses: \[\]$/ },
    ];
    for (const c of cases) {
      it(c.name, () => {
        if (c.want instanceof RegExp) return assert.throws(() => kubeletEndpoint(c.node, 10250), { message: c.want });
        assert.deepEqual(kubeletEndpoint(c.node, 10250), c.want);
      });
    }
  });

  describe("a kubelet's refusal (upstream GenericHttpResponseChecker)", () => {
    const status = (code: number, body: string) => {
      const s = kubeletErrorStatus(code, body, 'p');
      return s instanceof StatusError ? toStatus(s) : s;
    };
    const cases: { code: number; body: string; reason: string | undefined; message: string }[] = [
      { code: 400, body: 'container "c" in pod "p" is waiting to start: ContainerCreating', reason: 'BadRequest', message: 'container "c" in pod "p" is waiting to start: ContainerCreating' },
      { code: 404, body: 'pod "p" does not exist', reason: 'NotFound', message: 'the server could not find the requested resource ( pods/log p)' },
      { code: 401, body: 'Unauthorized', reason: 'Unauthorized', message: 'the server has asked for the client to provide credentials ( pods/log p)' },
      { code: 403, body: 'Forbidden (user=x)', reason: 'Forbidden', message: 'Forbidden (user=x) ( pods/log p)' },
      { code: 500, body: 'boom', reason: 'InternalError', message: 'Internal error occurred: boom' },
      { code: 502, body: 'bad gateway', reason: 'InternalError', message: 'an error on the server ("bad gateway") has prevented the request from succeeding ( pods/log p)' },
      { code: 418, body: 'teapot', reason: undefined, message: 'the server responded with the status code 418 but did not return more information ( pods/log p)' },
    ];
    for (const c of cases) {
      it(`${c.code}`, () => {
        const s = status(c.code, c.body);
        assert.deepEqual([s.code, s.reason, s.message], [c.code, c.reason, c.message]);
      });
    }
  });
});
