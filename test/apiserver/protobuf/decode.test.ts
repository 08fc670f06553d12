// Hand-built protobuf bodies, laid out the way gogo protobuf writes them (non-pointer fields present
// even when zero), decoded into the JSON shape upstream's JSON encoding gives the same object.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtobufObject, isProtobufContentType } from '../../../src/apiserver/protobuf/index.js';
import {
  bool,
  bytes,
  entry,
  envelope,
  int,
  intOrString,
  msg,
  objectMeta,
  quantity,
  str,
  stringMap,
  time,
} from './writer.js';

describe('isProtobufContentType', () => {
  const cases: [string | undefined, boolean][] = [
    ['application/vnd.kubernetes.protobuf', true],
    ['application/vnd.kubernetes.protobuf; charset=utf-8', true],
    ['Application/VND.Kubernetes.Protobuf;stream=watch', true],
    ['application/json', false],
    ['application/vnd.kubernetes.protobuf+json', false],
    ['', false],
    [undefined, false],
  ];
  for (const [ct, want] of cases) it(`${ct} -> ${want}`, () => assert.equal(isProtobufContentType(ct), want));
});

describe('decodeProtobufObject: objects kubectl creates', () => {
  it('ConfigMap with data and labels; zero ObjectMeta fields and zero creationTimestamp are omitted', () => {
    const body = envelope(
      'v1',
      'ConfigMap',
      objectMeta(1, { name: 'cfg', namespace: 'ns1', labels: { tier: 'web', app: 'x' }, annotations: { note: 'hi' } }),
      stringMap(2, { a: 'b', empty: '' }),
    );
    const decoded = decodeProtobufObject(body);
    assert.equal(decoded.apiVersion, 'v1');
    assert.equal(decoded.kind, 'ConfigMap');
    assert.deepEqual(decoded.object, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'ns1', labels: { app: 'x', tier: 'web' }, annotations: { note: 'hi' } },
      data: { a: 'b', empty: '' },
    });
  });

  it('Secret: binary data becomes base64, stringData stays text, a pointer bool keeps its value', () => {
    const body = envelope(
      'v1',
      'Secret',
      objectMeta(1, { name: 's', created: 1704164645 }),
      entry(2, 'bin', bytes(2, Buffer.from([0, 1, 2, 255]))),
      entry(2, 'text', bytes(2, Buffer.from('hello'))),
      str(3, 'Opaque'),
      bool(5, false),
    );
    assert.deepEqual(decodeProtobufObject(body).object, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', creationTimestamp: '2024-01-02T03:04:05Z' },
      data: { bin: 'AAEC/w==', text: 'aGVsbG8=' },
      type: 'Opaque',
      immutable: false,
    });
  });

  it('Deployment with template, containers, ports, replicas, resource quantities and maxSurge "25%"', () => {
    const labels = { app: 'web' };
    const container = msg(
      2,
      str(1, 'nginx'),
      str(2, 'nginx:1.27'),
      msg(6, str(1, 'http'), int(2, 0), int(3, 80), str(4, 'TCP'), str(5, '')),
      msg(
        8,
        entry(1, 'cpu', quantity(2, '500m')),
        entry(1, 'memory', quantity(2, '128Mi')),
        entry(2, 'cpu', quantity(2, '250m')),
      ),
      str(5, ''),
      str(13, ''),
      str(14, 'IfNotPresent'),
      bool(16, false),
      bool(17, false),
      bool(18, false),
    );
    const podSpec = msg(2, container, str(3, 'Always'), str(8, ''), bool(11, false));
    const spec = msg(
      2,
      int(1, 3),
      msg(2, stringMap(1, labels)),
      msg(3, objectMeta(1, { labels }), podSpec),
      msg(4, str(1, 'RollingUpdate'), msg(2, intOrString(1, 1), intOrString(2, '25%'))),
      int(5, 0),
      int(6, 10),
      bool(7, false),
      int(9, 600),
    );
    const body = envelope('apps/v1', 'Deployment', objectMeta(1, { name: 'web', labels }), spec, msg(3, int(1, 0)));
    assert.deepEqual(decodeProtobufObject(body).object, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'nginx',
                image: 'nginx:1.27',
                ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
                resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
                imagePullPolicy: 'IfNotPresent',
              },
            ],
            restartPolicy: 'Always',
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    });
  });

  it('Service: ports with an int targetPort, selector, pointer fields kept, zero non-pointers dropped', () => {
    const port = msg(1, str(1, ''), str(2, 'TCP'), int(3, 80), intOrString(4, 8080), int(5, 0));
    const spec = msg(
      2,
      port,
      stringMap(2, { app: 'svc' }),
      str(3, ''),
      str(4, 'ClusterIP'),
      str(7, 'None'),
      msg(14, msg(1, int(1, 10800))),
      str(22, 'Cluster'),
    );
    const body = envelope('v1', 'Service', objectMeta(1, { name: 'svc' }), spec, msg(3, msg(1)));
    assert.deepEqual(decodeProtobufObject(body).object, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc' },
      spec: {
        ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: { app: 'svc' },
        type: 'ClusterIP',
        sessionAffinity: 'None',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    });
  });

  it('ClusterRoleBinding: required strings stay even when empty, optional ones go', () => {
    const body = envelope(
      'rbac.authorization.k8s.io/v1',
      'ClusterRoleBinding',
      objectMeta(1, { name: 'crb' }),
      msg(2, str(1, 'ServiceAccount'), str(2, ''), str(3, 'sa'), str(4, 'default')),
      msg(2, str(1, 'User'), str(2, 'rbac.authorization.k8s.io'), str(3, 'alice'), str(4, '')),
      msg(3, str(1, ''), str(2, 'ClusterRole'), str(3, 'view')),
    );
    assert.deepEqual(decodeProtobufObject(body).object, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'crb' },
      subjects: [
        { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      ],
      roleRef: { apiGroup: '', kind: 'ClusterRole', name: 'view' },
    });
  });

  it('Ingress: the inline IngressRuleValue merges `http` into the rule', () => {
    const backend = msg(2, msg(4, str(1, 'svc1'), msg(2, str(1, ''), int(2, 8080))));
    const path = msg(1, str(1, '/bar'), backend, str(3, 'Prefix'));
    const rule = msg(3, str(1, 'foo.com'), msg(2, msg(1, path)));
    const spec = msg(2, msg(2, str(1, 'foo.com'), str(2, 'my-cert')), rule, str(4, 'nginx'));
    const body = envelope('networking.k8s.io/v1', 'Ingress', objectMeta(1, { name: 'ing', namespace: 'default' }), spec);
    assert.deepEqual(decodeProtobufObject(body).object, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'ing', namespace: 'default' },
      spec: {
        tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
        rules: [
          {
            host: 'foo.com',
            http: { paths: [{ path: '/bar', backend: { service: { name: 'svc1', port: { number: 8080 } } }, pathType: 'Prefix' }] },
          },
        ],
        ingressClassName: 'nginx',
      },
    });
  });

  it('Pod: inline ProbeHandler, VolumeSource and LocalObjectReference; env from a secret key', () => {
    const probe = msg(10, msg(1, msg(2, str(1, '/healthz'), intOrString(2, 'http'), str(4, 'HTTP'))), int(2, 0), int(4, 10));
    const env = msg(7, str(1, 'PASSWORD'), str(2, ''), msg(3, msg(4, msg(1, str(1, 'db')), str(2, 'pw'))));
    const mount = msg(9, str(1, 'cfg'), bool(2, true), str(3, '/etc/cfg'), str(4, ''));
    const container = msg(2, str(1, 'app'), str(2, 'app:1'), env, mount, probe);
    const volumes = [
      msg(1, str(1, 'cfg'), msg(2, msg(19, msg(1, str(1, 'app-config')), msg(2, str(1, 'k'), str(2, 'k.txt'))))),
      msg(1, str(1, 'scratch'), msg(2, msg(2, str(1, 'Memory'), quantity(2, '64Mi')))),
    ];
    const body = envelope('v1', 'Pod', objectMeta(1, { name: 'p' }), msg(2, ...volumes, container));
    assert.deepEqual(decodeProtobufObject(body).object, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        volumes: [
          { name: 'cfg', configMap: { name: 'app-config', items: [{ key: 'k', path: 'k.txt' }] } },
          { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
        ],
        containers: [
          {
            name: 'app',
            image: 'app:1',
            env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } }],
            volumeMounts: [{ name: 'cfg', readOnly: true, mountPath: '/etc/cfg' }],
            livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 10 },
          },
        ],
      },
    });
  });

  it('an empty raw object decodes to just apiVersion and kind', () => {
    assert.deepEqual(decodeProtobufObject(envelope('v1', 'Namespace')).object, { apiVersion: 'v1', kind: 'Namespace' });
  });

  it('DeleteOptions under any served apiVersion and under meta.k8s.io/v1', () => {
    for (const apiVersion of ['v1', 'apps/v1', 'meta.k8s.io/v1']) {
      const body = envelope(apiVersion, 'DeleteOptions', int(1, 0), msg(2, str(1, 'uid-1')), str(4, 'Foreground'), str(5, 'All'));
      assert.deepEqual(decodeProtobufObject(body).object, {
        apiVersion,
        kind: 'DeleteOptions',
        gracePeriodSeconds: 0,
        preconditions: { uid: 'uid-1' },
        propagationPolicy: 'Foreground',
        dryRun: ['All'],
      });
    }
  });

  it('ManagedFieldsEntry: time, and fieldsV1 as embedded JSON', () => {
    const mf = msg(17, str(1, 'kubectl'), str(2, 'Update'), str(3, 'v1'), time(4, 1704164645), str(6, 'FieldsV1'), msg(7, bytes(1, Buffer.from('{"f:data":{}}'))));
    const body = envelope('v1', 'ConfigMap', msg(1, str(1, 'c'), mf));
    assert.deepEqual(decodeProtobufObject(body).object.metadata, {
      name: 'c',
      managedFields: [
        { manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } },
      ],
    });
  });

  it('PriorityClass: a required int32 zero stays; TokenRequest with audiences and a bound object (uID -> uid)', () => {
    const pc = envelope('scheduling.k8s.io/v1', 'PriorityClass', objectMeta(1, { name: 'pc' }), int(2, 0), bool(3, false), str(4, ''));
    assert.deepEqual(decodeProtobufObject(pc).object, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'pc' }, value: 0 });
    const tr = envelope(
      'authentication.k8s.io/v1',
      'TokenRequest',
      objectMeta(1, {}),
      msg(2, str(1, 'api'), str(1, 'vault'), int(4, 3600), msg(3, str(1, 'Pod'), str(2, 'v1'), str(3, 'p'), str(4, 'u-1'))),
      msg(3, str(1, ''), time(2, 0)),
    );
    assert.deepEqual(decodeProtobufObject(tr).object, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: { audiences: ['api', 'vault'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u-1' } },
      status: { token: '' },
    });
  });
});
