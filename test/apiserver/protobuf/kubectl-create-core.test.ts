// kubectl 1.33's typed `create` commands for core objects send protobuf; each body decodes to
// what kubectl 1.31 sends as JSON for the same command line (see kubectl-harness.ts).
import assert from 'node:assert/strict';
import { BINARY, type Case, b64, describeKubectl } from './kubectl-harness.js';

const CASES: Case[] = [
  {
    name: 'create configmap (literal + binary file)',
    args: (d) => ['create', 'configmap', 'cfg', '--from-literal=a=b', `--from-file=bin=${d}/bin`],
    check: (o) => {
      assert.deepEqual(o.metadata, { name: 'cfg', namespace: 'default' });
      assert.deepEqual(o.data, { a: 'b' });
      assert.deepEqual(o.binaryData, { bin: b64(BINARY) });
    },
  },
  {
    name: 'create secret generic',
    args: (d) => ['create', 'secret', 'generic', 's', '--from-literal=user=admin', `--from-file=key=${d}/bin`, '--type=Opaque'],
    check: (o) => assert.deepEqual([o.metadata.name, o.type, o.data], ['s', 'Opaque', { user: b64('admin'), key: b64(BINARY) }]),
  },
  {
    name: 'create secret docker-registry',
    args: () => ['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example.com', '--docker-username=u', '--docker-password=p'],
    check: (o) => {
      assert.equal(o.type, 'kubernetes.io/dockerconfigjson');
      const config = JSON.parse(Buffer.from(o.data['.dockerconfigjson'], 'base64').toString('utf8'));
      assert.equal(config.auths['r.example.com'].username, 'u');
    },
  },
  { name: 'create namespace', args: () => ['create', 'namespace', 'ns1'], check: (o) => assert.deepEqual(o, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' }, spec: {}, status: {} }) },
  {
    name: 'create service clusterip --tcp=80:8080',
    args: () => ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080'],
    check: (o) => {
      assert.equal(o.spec.type, 'ClusterIP');
      assert.deepEqual(o.spec.ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
    },
  },
  {
    name: 'create service nodeport --node-port',
    args: () => ['create', 'service', 'nodeport', 'np', '--tcp=80:http', '--node-port=30080'],
    check: (o) => assert.deepEqual(o.spec.ports, [{ name: '80-http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 }]),
  },
  {
    name: 'create service externalname',
    args: () => ['create', 'service', 'externalname', 'ext', '--external-name=example.com'],
    check: (o) => assert.deepEqual([o.spec.type, o.spec.externalName], ['ExternalName', 'example.com']),
  },
  { name: 'create serviceaccount', args: () => ['create', 'serviceaccount', 'sa'], check: (o) => assert.deepEqual(o.metadata, { name: 'sa', namespace: 'default' }) },
  {
    name: 'create quota --hard --scopes',
    args: () => ['create', 'quota', 'q', '--hard=pods=2,cpu=1,memory=1Gi', '--scopes=NotBestEffort'],
    check: (o) => assert.deepEqual(o.spec, { hard: { cpu: '1', memory: '1Gi', pods: '2' }, scopes: ['NotBestEffort'] }),
  },
  {
    name: 'create priorityclass',
    args: () => ['create', 'priorityclass', 'pc', '--value=1000', '--description=d', '--preemption-policy=Never'],
    check: (o) => assert.deepEqual([o.value, o.description, o.preemptionPolicy, o.globalDefault], [1000, 'd', 'Never', undefined]),
  },
];

describeKubectl('kubectl create (core/v1 and scheduling): protobuf bodies', CASES);
