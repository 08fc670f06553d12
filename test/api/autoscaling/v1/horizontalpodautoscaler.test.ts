import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v1.js';
import { horizontalPodAutoscalerV1Resource as def } from '../../../../src/api/autoscaling/v1/horizontalpodautoscaler.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const hpa = (o: Partial<NonNullable<HorizontalPodAutoscaler['spec']>>, status?: HorizontalPodAutoscaler['status']): HorizontalPodAutoscaler => ({
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 4, ...o },
  ...(status ? { status } : {}),
});

describe('autoscaling/v1 horizontalpodautoscalers', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.version, def.plural, def.shortNames, def.categories], ['autoscaling', 'v1', 'horizontalpodautoscalers', ['hpa'], ['all']]);
  });

  test('defaults: minReplicas 1 and the 80% CPU target a v1 read shows', () => {
    const h = hpa({});
    def.defaults!(h);
    assert.equal(h.spec!.minReplicas, 1);
    assert.equal(h.spec!.targetCPUUtilizationPercentage, 80);
    def.prepareForCreate!(h);
    assert.deepEqual(h.status, { currentReplicas: 0, desiredReplicas: 0 });
  });

  test('validated through the v2 shape', () => {
    const cases: [Partial<NonNullable<HorizontalPodAutoscaler['spec']>>, string[]][] = [
      [{ minReplicas: 1, targetCPUUtilizationPercentage: 50 }, []],
      [{ minReplicas: 5 }, ['FieldValueInvalid spec.maxReplicas']],
      [{ scaleTargetRef: { kind: 'Deployment', name: 'a/b' } }, ['FieldValueInvalid spec.scaleTargetRef.name']],
      [{ targetCPUUtilizationPercentage: 0 }, ['FieldValueInvalid spec.metrics[0].resource.target.averageUtilization']],
    ];
    for (const [o, want] of cases) assert.deepEqual(summary(def.validate!(hpa(o))), want, JSON.stringify(o));
  });

  test('golden row', () => {
    const now = new Date('2024-01-01T00:00:20Z');
    assert.deepEqual(def.table!.cells(hpa({ minReplicas: 2, targetCPUUtilizationPercentage: 70 }, { currentReplicas: 3, desiredReplicas: 3, currentCPUUtilizationPercentage: 65 }), now), [
      'web', 'Deployment/web', 'cpu: 65%/70%', '2', 4, 3, '20s',
    ]);
    assert.equal(def.table!.cells(hpa({}), now)[2], '<none>');
  });
});
