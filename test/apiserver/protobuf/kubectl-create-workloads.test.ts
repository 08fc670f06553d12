// kubectl 1.33's typed `create` commands for workloads, RBAC, Ingress and PDBs send protobuf; each
// body decodes to what kubectl 1.31 sends as JSON for the same command line (see kubectl-harness.ts).
import assert from 'node:assert/strict';
import { type Case, type Obj, describeKubectl } from './kubectl-harness.js';

const CASES: Case[] = [
  {
    name: 'create deployment --replicas --port',
    args: () => ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80'],
    check: (o) => {
      assert.equal(o.spec.replicas, 2);
      assert.deepEqual(o.spec.selector, { matchLabels: { app: 'web' } });
      assert.deepEqual(o.spec.template.spec.containers, [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }]);
    },
  },
  {
    name: 'create job',
    args: () => ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'],
    check: (o) => {
      assert.equal(o.spec.template.spec.restartPolicy, 'Never');
      assert.deepEqual(o.spec.template.spec.containers[0].command, ['echo', 'hi']);
    },
  },
  {
    name: 'create cronjob',
    args: () => ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'],
    check: (o) => {
      assert.equal(o.spec.schedule, '*/5 * * * *');
      assert.equal(o.spec.jobTemplate.metadata.name, 'cj');
      assert.equal(o.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
    },
  },
  {
    name: 'create role',
    args: () => ['create', 'role', 'r', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=x'],
    check: (o) =>
      assert.deepEqual(o.rules, [
        { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] },
        { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['x'] },
      ]),
  },
  {
    name: 'create clusterrole --aggregation-rule',
    args: () => ['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate=true'],
    check: (o) => assert.deepEqual(o.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] }),
  },
  {
    name: 'create rolebinding',
    args: () => ['create', 'rolebinding', 'rb', '--role=r', '--user=u', '--group=g', '--serviceaccount=default:sa'],
    check: (o) => {
      assert.deepEqual(o.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
      assert.deepEqual(o.subjects.map((s: Obj) => s.kind), ['User', 'Group', 'ServiceAccount']);
    },
  },
  {
    name: 'create clusterrolebinding',
    args: () => ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--serviceaccount=default:sa'],
    check: (o) => assert.deepEqual(o.subjects, [{ kind: 'ServiceAccount', name: 'sa', namespace: 'default' }]),
  },
  {
    name: 'create poddisruptionbudget --max-unavailable=50%',
    args: () => ['create', 'poddisruptionbudget', 'pdb', '--selector=app=x', '--max-unavailable=50%'],
    check: (o) => assert.deepEqual(o.spec, { selector: { matchLabels: { app: 'x' } }, maxUnavailable: '50%' }),
  },
  {
    name: 'create ingress --rule --default-backend --class',
    args: () => ['create', 'ingress', 'ing', '--class=nginx', '--rule=foo.com/bar=svc1:8080,tls=my-cert', '--rule=bar.com/*=svc2:http', '--default-backend=svc3:80', '--annotation=a=b'],
    check: (o) => {
      assert.deepEqual(o.metadata, { name: 'ing', namespace: 'default', annotations: { a: 'b' } });
      assert.equal(o.spec.ingressClassName, 'nginx');
      assert.deepEqual(o.spec.defaultBackend, { service: { name: 'svc3', port: { number: 80 } } });
      assert.deepEqual(o.spec.rules[1], { host: 'bar.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc2', port: { name: 'http' } } } }] } });
      assert.deepEqual(o.spec.tls, [{ hosts: ['foo.com'], secretName: 'my-cert' }]);
    },
  },
];

describeKubectl('kubectl create (workloads, RBAC, networking, policy): protobuf bodies', CASES);
