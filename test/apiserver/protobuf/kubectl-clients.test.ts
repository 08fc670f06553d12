// kubectl 1.33's other typed clients that send protobuf: create token, auth can-i / whoami,
// certificate approve, autoscale; and kubectl 1.32, the first version to send protobuf.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decodeProtobufObject } from '../../../src/apiserver/protobuf/index.js';
import { type Case, type Obj, b64, describeKubectl } from './kubectl-harness.js';

const CASES: Case[] = [
  {
    name: 'create token',
    args: () => ['create', 'token', 'sa', '--audience=api', '--duration=1h', '--bound-object-kind=Pod', '--bound-object-name=p', '--bound-object-uid=u-1'],
    check: (o) =>
      assert.deepEqual(o.spec, { audiences: ['api'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u-1' } }),
  },
  {
    name: 'auth can-i',
    args: () => ['auth', 'can-i', 'get', 'pods'],
    check: (o) => assert.deepEqual(o.spec, { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } }),
  },
  { name: 'auth whoami', args: () => ['auth', 'whoami'], check: (o) => assert.equal(o.kind, 'SelfSubjectReview') },
  {
    name: 'auth can-i --list',
    args: () => ['auth', 'can-i', '--list'],
    check: (o) => assert.deepEqual([o.kind, o.spec], ['SelfSubjectRulesReview', { namespace: 'default' }]),
  },
  {
    name: 'certificate approve (PUT of the whole CSR)',
    args: () => ['certificate', 'approve', 'csr1'],
    check: (o) => {
      assert.deepEqual(o.metadata, { name: 'csr1', uid: 'u3', resourceVersion: '7' });
      assert.deepEqual(o.spec.extra, { scopes: ['a', 'b'] });
      assert.equal(Buffer.from(o.spec.request, 'base64').toString(), 'not really a CSR');
      assert.match(o.status.conditions[0].lastUpdateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(o.status.conditions[0].type, 'Approved');
    },
  },
  {
    name: 'autoscale (autoscaling/v2 HorizontalPodAutoscaler)',
    args: () => ['autoscale', 'deployment', 'web', '--max=3', '--cpu-percent=50'],
    noJsonTwin: true,
    check: (o) =>
      assert.deepEqual(o.spec, {
        scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
        maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      }),
  },
];

describeKubectl('kubectl clients: protobuf bodies', CASES, (kubectl) => {
  it('kubectl 1.32 sends protobuf too, and it decodes', async () => {
    const { code, stderr, requests } = await kubectl('1.32', ['create', 'deployment', 'd', '--image=busybox', '--replicas=0']);
    assert.equal(code, 0, stderr);
    assert.equal(requests[0]!.contentType, 'application/vnd.kubernetes.protobuf');
    const o = decodeProtobufObject(requests[0]!.body).object as Obj;
    // replicas is a pointer: its zero is on the wire and must survive.
    assert.deepEqual([o.kind, o.metadata.name, o.spec.replicas], ['Deployment', 'd', 0]);
  });});
