import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { otherResources } from '../../src/api/others.js';

describe('otherResources', () => {
  test('lists each resource once, under its group, version and plural', () => {
    const keys = otherResources.map((d) => `${d.group}/${d.version}/${d.plural}`);
    assert.equal(new Set(keys).size, keys.length);
    assert.deepEqual([...keys].sort(), [
      '/v1/configmaps', '/v1/endpoints', '/v1/events', '/v1/limitranges', '/v1/namespaces', '/v1/nodes', '/v1/persistentvolumeclaims',
      '/v1/persistentvolumes', '/v1/resourcequotas', '/v1/secrets', '/v1/serviceaccounts', '/v1/services',
      'apiextensions.k8s.io/v1/customresourcedefinitions', 'autoscaling/v1/horizontalpodautoscalers', 'autoscaling/v2/horizontalpodautoscalers',
      'coordination.k8s.io/v1/leases', 'discovery.k8s.io/v1/endpointslices', 'events.k8s.io/v1/events', 'networking.k8s.io/v1/ingressclasses',
      'networking.k8s.io/v1/ingresses', 'networking.k8s.io/v1/networkpolicies', 'policy/v1/poddisruptionbudgets',
      'rbac.authorization.k8s.io/v1/clusterrolebindings', 'rbac.authorization.k8s.io/v1/clusterroles', 'rbac.authorization.k8s.io/v1/rolebindings',
      'rbac.authorization.k8s.io/v1/roles', 'scheduling.k8s.io/v1/priorityclasses', 'storage.k8s.io/v1/storageclasses',
    ]);
  });

  test('short names are unique within a group, and each table leads with its name column', () => {
    const seen = new Map<string, string>();
    for (const d of otherResources) {
      for (const s of d.shortNames ?? []) {
        const k = `${d.group}/${d.version}/${s}`;
        assert.ok(!seen.has(k), `${s} used by ${seen.get(k)} and ${d.plural}`);
        seen.set(k, d.plural);
      }
      if (d.table) {
        assert.equal(d.table.columns.filter((c) => c.format === 'name').length, 1, d.plural);
        // Events print their name last, and only wide.
        if (d.kind !== 'Event') assert.equal(d.table.columns[0]!.format, 'name', d.plural);
      }
      assert.equal(d.singular, d.singular.toLowerCase());
    }
  });
});
