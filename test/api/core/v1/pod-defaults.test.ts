import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodTemplateSpec, Volume } from 'kubernetes-types/core/v1.js';
import { defaultPod, defaultPodTemplateSpec, defaultVolume, imageTag } from '../../../../src/api/core/v1/pod-defaults.js';
import { container, pod } from '../../workload-fixtures.js';

describe('imageTag (what imagePullPolicy defaulting looks at)', () => {
  const cases: [string, string][] = [
    ['nginx', 'latest'],
    ['nginx:latest', 'latest'],
    ['nginx:1.25', '1.25'],
    ['docker.io/library/nginx', 'latest'],
    ['localhost:5000/team/app', 'latest'],
    ['localhost:5000/team/app:v2', 'v2'],
    ['registry.example.com:443/app:5000', '5000'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', ''],
    ['nginx:1.25@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', '1.25'],
    ['NGINX', ''], // not a valid reference: no tag, like upstream's ignored parse error
    ['', ''],
  ];
  for (const [image, tag] of cases) it(`${JSON.stringify(image)} -> ${JSON.stringify(tag)}`, () => assert.equal(imageTag(image), tag));
});

describe('defaultPod', () => {
  it('fills what every pod shows', () => {
    const p = pod();
    defaultPod(p);
    assert.deepEqual(p.spec, {
      containers: [
        {
          name: 'app',
          image: 'nginx:1.25',
          imagePullPolicy: 'IfNotPresent',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      enableServiceLinks: true,
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
    });
  });

  const pullPolicies: [string, string][] = [
    ['busybox', 'Always'],
    ['busybox:latest', 'Always'],
    ['busybox:1.36', 'IfNotPresent'],
  ];
  for (const [image, policy] of pullPolicies) {
    it(`pulls ${image} ${policy}`, () => {
      const p = pod({ containers: [container({ image })] });
      defaultPod(p);
      assert.equal(p.spec!.containers[0]!.imagePullPolicy, policy);
    });
  }

  it('keeps what the user set', () => {
    const p = pod({ restartPolicy: 'Never', dnsPolicy: 'Default', terminationGracePeriodSeconds: 0, enableServiceLinks: false });
    p.spec!.containers[0]!.imagePullPolicy = 'Never';
    defaultPod(p);
    assert.equal(p.spec!.restartPolicy, 'Never');
    assert.equal(p.spec!.dnsPolicy, 'Default');
    assert.equal(p.spec!.terminationGracePeriodSeconds, 0);
    assert.equal(p.spec!.enableServiceLinks, false);
    assert.equal(p.spec!.containers[0]!.imagePullPolicy, 'Never');
  });

  it('defaults ports, probes, handlers and env field refs', () => {
    const p = pod({
      containers: [
        container({
          ports: [{ containerPort: 80 }],
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
          lifecycle: { preStop: { httpGet: { port: 'http' } } },
          env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        }),
      ],
    });
    defaultPod(p);
    const c = p.spec!.containers[0]!;
    assert.equal(c.ports![0]!.protocol, 'TCP');
    assert.deepEqual(c.livenessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(c.readinessProbe, { grpc: { port: 9000, service: '' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual(c.lifecycle!.preStop!.httpGet, { port: 'http', path: '/', scheme: 'HTTP' });
    assert.equal(c.env![0]!.valueFrom!.fieldRef!.apiVersion, 'v1');
  });

  it('defaults requests from limits, per resource, for containers and init containers', () => {
    const p = pod({
      containers: [container({ resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } } })],
      initContainers: [container({ name: 'init', resources: { limits: { memory: '64Mi' } } })],
    });
    defaultPod(p);
    assert.deepEqual(p.spec!.containers[0]!.resources!.requests, { cpu: '100m', memory: '128Mi' });
    assert.deepEqual(p.spec!.initContainers![0]!.resources!.requests, { memory: '64Mi' });
  });

  it('makes container ports host ports under host networking', () => {
    const p = pod({ hostNetwork: true, containers: [container({ ports: [{ containerPort: 8080 }] })] });
    defaultPod(p);
    assert.equal(p.spec!.containers[0]!.ports![0]!.hostPort, 8080);
  });
});

describe('defaultPodTemplateSpec', () => {
  it('gives templates the pod spec defaults but not the pod-only ones', () => {
    const t: PodTemplateSpec = { spec: { containers: [container({ resources: { limits: { cpu: '1' } } })] } };
    defaultPodTemplateSpec(t);
    assert.equal(t.spec!.restartPolicy, 'Always');
    assert.equal(t.spec!.enableServiceLinks, undefined);
    assert.equal(t.spec!.containers[0]!.resources!.requests, undefined);
  });
});

describe('defaultVolume', () => {
  const cases: [string, Volume, Volume][] = [
    ['no source is an emptyDir', { name: 'v' }, { name: 'v', emptyDir: {} }],
    ['secret file mode', { name: 'v', secret: { secretName: 's' } }, { name: 'v', secret: { secretName: 's', defaultMode: 420 } }],
    ['configMap file mode', { name: 'v', configMap: { name: 'c' } }, { name: 'v', configMap: { name: 'c', defaultMode: 420 } }],
    ['hostPath type', { name: 'v', hostPath: { path: '/data' } }, { name: 'v', hostPath: { path: '/data', type: '' } }],
    [
      'projected token expiry',
      { name: 'v', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
      { name: 'v', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      defaultVolume(input);
      assert.deepEqual(input, expected);
    });
  }
});
