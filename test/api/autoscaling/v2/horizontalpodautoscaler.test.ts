import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec } from 'kubernetes-types/autoscaling/v2.js';
import { formatHPAMetrics, horizontalPodAutoscalerV2Resource as def } from '../../../../src/api/autoscaling/v2/horizontalpodautoscaler.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const spec = (o: Partial<HorizontalPodAutoscalerSpec> = {}): HorizontalPodAutoscalerSpec => ({
  scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
  minReplicas: 1,
  maxReplicas: 5,
  ...o,
});
const hpa = (s: HorizontalPodAutoscalerSpec, o: Partial<HorizontalPodAutoscaler> = {}): HorizontalPodAutoscaler => ({ metadata: { name: 'web', namespace: 'default' }, spec: s, ...o });
const cpu = (averageUtilization: number): MetricSpec => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });

describe('autoscaling/v2 horizontalpodautoscalers', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.version, def.shortNames, def.categories, def.subresources], ['autoscaling', 'v2', ['hpa'], ['all'], { status: true }]);
  });

  test('defaults: minReplicas, the CPU target, and behavior gaps', () => {
    const h = hpa({ scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 });
    def.defaults!(h);
    assert.equal(h.spec!.minReplicas, 1);
    assert.deepEqual(h.spec!.metrics, [cpu(80)]);
    assert.equal(h.spec!.behavior, undefined);
    const b = hpa(spec({ metrics: [cpu(50)], behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } }));
    def.defaults!(b);
    assert.deepEqual(b.spec!.metrics, [cpu(50)]);
    assert.deepEqual(b.spec!.behavior, {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
  });

  test('validation', () => {
    const cases: [string, HorizontalPodAutoscalerSpec, string[]][] = [
      ['valid', spec({ metrics: [cpu(80)] }), []],
      ['scale target required', spec({ scaleTargetRef: { kind: '', name: '' } }), ['FieldValueRequired spec.scaleTargetRef.kind', 'FieldValueRequired spec.scaleTargetRef.name']],
      ['minReplicas at least 1', spec({ minReplicas: 0 }), ['FieldValueInvalid spec.minReplicas']],
      ['max below min', spec({ minReplicas: 3, maxReplicas: 2 }), ['FieldValueInvalid spec.maxReplicas']],
      ['max at least 1', spec({ minReplicas: undefined, maxReplicas: 0 }), ['FieldValueInvalid spec.maxReplicas']],
      ['utilization positive', spec({ metrics: [cpu(0)] }), ['FieldValueInvalid spec.metrics[0].resource.target.averageUtilization']],
      // A lone source of another type is validated, not forbidden (as upstream).
      ['source must match type', spec({ metrics: [{ type: 'Pods', resource: cpu(1).resource }] }), ['FieldValueRequired spec.metrics[0].pods']],
      ['only the given source', spec({ metrics: [{ ...cpu(1), pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1' } } }] }),
        ['FieldValueForbidden spec.metrics[0].pods']],
      ['unknown type reported twice', spec({ metrics: [{ type: 'Magic' }] }), ['FieldValueNotSupported spec.metrics[0].type', 'FieldValueNotSupported spec.metrics[0].type']],
      ['pods need an average value', spec({ metrics: [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue' } } }] }),
        ['FieldValueRequired spec.metrics[0].pods.target.averageValue']],
      ['behavior policies', spec({ behavior: { scaleUp: { selectPolicy: 'Most', policies: [{ type: 'Pods', value: 0, periodSeconds: 2000 }] } } }),
        ['FieldValueNotSupported spec.behavior.scaleUp.selectPolicy', 'FieldValueInvalid spec.behavior.scaleUp.policies[0].value', 'FieldValueInvalid spec.behavior.scaleUp.policies[0].periodSeconds']],
    ];
    for (const [name, s, want] of cases) assert.deepEqual(summary(def.validate!(hpa(s))), want, name);
    assert.equal(def.validate!(hpa(spec({ minReplicas: 3, maxReplicas: 2 })))[0]!.message, 'Invalid value: 2: must be greater than or equal to `minReplicas`');
  });

  test('TARGETS', () => {
    const cases: [MetricSpec[] | undefined, unknown, string][] = [
      [undefined, undefined, '<none>'],
      [[cpu(80)], undefined, 'cpu: <unknown>/80%'],
      [[cpu(80)], [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42 } } }], 'cpu: 42%/80%'],
      [[{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1024Mi' } } }], undefined, 'memory: <unknown>/1Gi'],
      [[{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }], [{ type: 'Pods', pods: { metric: { name: 'qps' }, current: { averageValue: '5' } } }], '5/10'],
      [[{ type: 'External', external: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: '30' } } }], undefined, '<unknown>/30 (avg)'],
      [[cpu(1), cpu(2), cpu(3)], undefined, 'cpu: <unknown>/1%, cpu: <unknown>/2% + 1 more...'],
    ];
    for (const [specs, statuses, want] of cases) assert.equal(formatHPAMetrics(specs, statuses as never), want);
  });

  test('golden row', () => {
    assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    const h = hpa(spec({ metrics: [cpu(80)] }), { metadata: { name: 'web', creationTimestamp: '2024-01-01T00:00:00Z' }, status: { currentReplicas: 2, desiredReplicas: 2 } });
    assert.deepEqual(def.table!.cells(h, new Date('2024-01-01T00:03:00Z')), ['web', 'Deployment/web', 'cpu: <unknown>/80%', '1', 5, 2, '3m']);
    const unset = hpa(spec({ minReplicas: undefined }));
    assert.equal(def.table!.cells(unset, new Date())[3], '<unset>');
  });
});
