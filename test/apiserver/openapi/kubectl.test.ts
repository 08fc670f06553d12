// Drives the real kubectl against a tiny server that answers discovery and /openapi from kubets'
// functions: explain reads the documents, create/apply switch to server-side field validation,
// and client-side apply computes its strategic merge patch from the schemas' merge keys.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResourceDefinition } from '../../../src/api/types.js';
import { loadOpenApiSchemas } from '../../../src/apiserver/openapi/schemas.js';
import { type FakeApiServer, startFakeApiServer } from './fake-apiserver.js';

const KUBECTL = '/usr/bin/kubectl';

const RESOURCES: ResourceDefinition[] = [
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    singular: 'deployment',
    namespaced: true,
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true },
];

const deploymentYaml = (containers: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
${containers}`;
const WEB = '      - name: web\n        image: nginx\n';
const SIDECAR = '      - name: sidecar\n        image: busybox\n';

describe('real kubectl against the OpenAPI documents', () => {
  let server: FakeApiServer;
  let dir: string;

  const kubectl = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        KUBECTL,
        ['--server', server.url, '--cache-dir', path.join(dir, 'cache'), ...args],
        { env: { ...process.env, HOME: dir, KUBECONFIG: path.join(dir, 'kubeconfig') }, timeout: 20_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const writes = (method: string) => server.requests.filter((r) => r.method === method);

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kubets-kubectl-'));
    server = await startFakeApiServer(RESOURCES, loadOpenApiSchemas());
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('explains a field of a group resource from the v3 document', async () => {
    const r = await kubectl('explain', 'deployments.spec.replicas');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+apps/);
    assert.match(r.stdout, /KIND:\s+Deployment/);
    assert.match(r.stdout, /FIELD: replicas <integer>/);
    assert.match(r.stdout, /Number of desired pods\. This is a pointer to distinguish between explicit/);
    assert.ok(server.requests.some((q) => q.path === '/openapi/v3/apis/apps/v1' && q.query.has('hash')));
  });

  it('explains core resources, maps and nested kinds', async () => {
    const data = await kubectl('explain', 'configmaps.data');
    assert.equal(data.code, 0, data.stderr);
    assert.match(data.stdout, /FIELD: data <map\[string\]string>/);
    const strategy = await kubectl('explain', 'deployments.spec.strategy');
    assert.equal(strategy.code, 0, strategy.stderr);
    assert.match(strategy.stdout, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(strategy.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/);
    const surge = await kubectl('explain', 'deployments.spec.strategy.rollingUpdate.maxSurge');
    assert.match(surge.stdout, /FIELD: maxSurge <IntOrString>/);
  });

  it('creates with default validation by asking the server for strict field validation', async () => {
    const r = await kubectl('create', '-f', file('create.yaml', deploymentYaml(WEB)), '-n', 'created');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment.apps\/web created/);
    const post = writes('POST').find((q) => q.path === '/apis/apps/v1/namespaces/created/deployments');
    assert.equal(post?.query.get('fieldValidation'), 'Strict');
  });

  it('applies, then patches with merge-key directives computed from the schemas', async () => {
    const first = await kubectl('apply', '-f', file('v1.yaml', deploymentYaml(WEB + SIDECAR)));
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /deployment.apps\/web created/);
    const second = await kubectl('apply', '-f', file('v2.yaml', deploymentYaml(WEB.replace('nginx', 'nginx:2'))));
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /warning/i);
    const patch = writes('PATCH').find((q) => q.path === '/apis/apps/v1/namespaces/default/deployments/web');
    assert.ok(patch, 'no PATCH received');
    assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
    assert.equal(patch.query.get('fieldValidation'), 'Strict');
    const body = JSON.parse(patch.body) as { spec: { template: { spec: Record<string, unknown> } } };
    // Without the containers' merge key the patch would replace the list and the server would keep the sidecar.
    assert.deepEqual(body.spec.template.spec, {
      '$setElementOrder/containers': [{ name: 'web' }],
      containers: [{ image: 'nginx:2', name: 'web' }, { $patch: 'delete', name: 'sidecar' }],
    });
  });

  it('applies a List file (client-side validation reads the /openapi/v2 stub)', async () => {
    const list = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: settings}\n  data: {a: "1"}\n';
    const r = await kubectl('apply', '-f', file('list.yaml', list), '-n', 'listed');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/settings created/);
    assert.ok(writes('POST').some((q) => q.path === '/api/v1/namespaces/listed/configmaps'));
  });
});
