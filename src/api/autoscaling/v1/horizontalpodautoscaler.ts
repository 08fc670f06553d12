// autoscaling/v1 HorizontalPodAutoscaler: validated and printed through the v2 shape, as upstream
// converts it to its internal (v2-like) object first; so error paths name v2 fields.
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v1.js';
import type { HorizontalPodAutoscaler as HPAv2 } from 'kubernetes-types/autoscaling/v2.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { HPA_COLUMNS, hpaCells, validateHPASpec } from '../v2/horizontalpodautoscaler.js';

/** upstream's v1 to internal conversion: the CPU target and current value become Resource metrics. */
export function toV2(hpa: HorizontalPodAutoscaler): HPAv2 {
  const spec = hpa.spec;
  const target = spec?.targetCPUUtilizationPercentage;
  const current = hpa.status?.currentCPUUtilizationPercentage;
  return {
    metadata: hpa.metadata,
    spec: {
      scaleTargetRef: spec?.scaleTargetRef ?? { kind: '', name: '' },
      ...(spec?.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec?.maxReplicas ?? 0,
      metrics:
        target === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }],
    },
    status: {
      desiredReplicas: hpa.status?.desiredReplicas ?? 0,
      ...(hpa.status?.currentReplicas !== undefined ? { currentReplicas: hpa.status.currentReplicas } : {}),
      currentMetrics: current === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }],
    },
  };
}

export const horizontalPodAutoscalerV1Resource: ResourceDefinition<HorizontalPodAutoscaler> = {
  group: 'autoscaling',
  version: 'v1',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: { status: true },
  tracksGeneration: false,
  defaults(hpa) {
    const spec = (hpa.spec ??= { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } });
    spec.minReplicas ??= 1;
    // Upstream stores v2, whose defaults add an 80% CPU target when there is no metric, and a v1
    // read shows it back as targetCPUUtilizationPercentage.
    spec.targetCPUUtilizationPercentage ??= 80;
  },
  prepareForCreate(hpa) {
    // v1 always serialises both replica counts.
    (hpa as Mutable<HorizontalPodAutoscaler>).status = { currentReplicas: 0, desiredReplicas: 0 };
  },
  validate: (hpa) => validateHPASpec(toV2(hpa).spec),
  validateUpdate: (hpa) => validateHPASpec(toV2(hpa).spec),
  table: { columns: HPA_COLUMNS, cells: (hpa, now) => hpaCells(toV2(hpa), now) },
};
