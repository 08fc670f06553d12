import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podResource, podSelectableFields } from '../../../../src/api/core/v1/pod.js';
import { container, created, pod } from '../../workload-fixtures.js';

describe('podResource', () => {
  it('is discovered as upstream serves it', () => {
    const { group, version, kind, plural, singular, namespaced, shortNames, categories, subresources } = podResource;
    assert.deepEqual(
      { group, version, kind, plural, singular, namespaced, shortNames, categories, subresources },
      { group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: { status: true } },
    );
  });

  it('starts Pending with a QoS class, whatever status the client sent', () => {
    const p = pod({ containers: [container({ resources: { limits: { cpu: '1', memory: '1Gi' } } })] }) as Pod & { status: object };
    p.status = { phase: 'Running', podIP: '1.2.3.4' };
    assert.deepEqual(created(podResource, p).status, { phase: 'Pending', qosClass: 'Guaranteed' });
  });

  it('says why a gated pod waits', () => {
    const status = created(podResource, pod({ schedulingGates: [{ name: 'example.com/quota' }] })).status;
    assert.deepEqual(status, {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }],
    });
  });
});

describe('pod selectable fields', () => {
  it('has the fields upstream selects on, with defaults', () => {
    assert.deepEqual(podSelectableFields(created(podResource, pod())), {
      'spec.nodeName': '',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': '',
      'spec.hostNetwork': 'false',
      'status.phase': 'Pending',
      'status.podIP': '',
      'status.nominatedNodeName': '',
    });
  });

  it('reflects a scheduled, running pod', () => {
    const p = created(podResource, pod({ nodeName: 'node-1', hostNetwork: true, serviceAccountName: 'sa' })) as Pod & { status: object };
    p.status = { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], nominatedNodeName: 'node-2' };
    const f = podSelectableFields(p);
    assert.equal(f['spec.nodeName'], 'node-1');
    assert.equal(f['spec.hostNetwork'], 'true');
    assert.equal(f['spec.serviceAccountName'], 'sa');
    assert.equal(f['status.phase'], 'Running');
    assert.equal(f['status.podIP'], '10.0.0.1');
    assert.equal(f['status.nominatedNodeName'], 'node-2');
  });
});
