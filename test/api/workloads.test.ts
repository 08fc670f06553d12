import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workloadResources } from '../../src/api/workloads.js';

describe('workloadResources', () => {
  it('lists the ten workload resources with their discovery facts', () => {
    const facts = workloadResources.map((d) => [d.group, d.version, d.kind, d.plural, d.singular, (d.shortNames ?? []).join(','), (d.categories ?? []).join(',')].join(' '));
    assert.deepEqual(facts, [
      ' v1 Pod pods pod po all',
      ' v1 PodTemplate podtemplates podtemplate  ',
      ' v1 ReplicationController replicationcontrollers replicationcontroller rc all',
      'apps v1 Deployment deployments deployment deploy all',
      'apps v1 ReplicaSet replicasets replicaset rs all',
      'apps v1 StatefulSet statefulsets statefulset sts all',
      'apps v1 DaemonSet daemonsets daemonset ds all',
      'apps v1 ControllerRevision controllerrevisions controllerrevision  ',
      'batch v1 Job jobs job  all',
      'batch v1 CronJob cronjobs cronjob cj all',
    ]);
  });

  it('gives every kind but PodTemplate and ControllerRevision a status subresource, and scale where upstream has it', () => {
    const sub = Object.fromEntries(workloadResources.map((d) => [d.plural, `${!!d.subresources?.status}/${!!d.subresources?.scale}`]));
    assert.deepEqual(sub, {
      pods: 'true/false',
      podtemplates: 'false/false',
      replicationcontrollers: 'true/true',
      deployments: 'true/true',
      replicasets: 'true/true',
      statefulsets: 'true/true',
      daemonsets: 'true/false',
      controllerrevisions: 'false/false',
      jobs: 'true/false',
      cronjobs: 'true/false',
    });
  });

  it('starts every table with the Name column', () => {
    for (const d of workloadResources) {
      assert.equal(d.table?.columns[0]?.name, 'Name', d.plural);
      assert.equal(d.table?.columns[0]?.format, 'name', d.plural);
      assert.ok(d.namespaced, d.plural);
    }
  });
});
