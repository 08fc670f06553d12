// autoscaling/v2 HorizontalPodAutoscaler, which is also upstream's internal shape: v1 objects are
// converted to it for validation and printing. Defaults: minReplicas 1, an 80% CPU target when no
// metric is given, and the scaling rules' gaps filled when a behavior is present.
import type {
  CrossVersionObjectReference,
  HPAScalingRules,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerSpec,
  MetricSpec,
  MetricStatus,
  MetricTarget,
} from 'kubernetes-types/autoscaling/v2.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { Quantity } from '../../../apimachinery/quantity.js';
import { isDNS1123Label, isValidPathSegmentName } from '../../../apimachinery/validation.js';
import { parseQuantity, validateContainerResourceName } from '../../core/v1/resource-validation.js';
import { quantityString } from '../../core/v1/resourcequota.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { Mutable, ResourceDefinition, TableColumn } from '../../types.js';

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];

const scaleUpRules = (): HPAScalingRules => ({
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
});
// The scale-down window stays unset: the controller manager's flag decides it.
const scaleDownRules = (): HPAScalingRules => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });

const fillRules = (from: HPAScalingRules | undefined, to: HPAScalingRules): HPAScalingRules => ({
  ...to,
  ...(from?.selectPolicy !== undefined ? { selectPolicy: from.selectPolicy } : {}),
  ...(from?.stabilizationWindowSeconds !== undefined ? { stabilizationWindowSeconds: from.stabilizationWindowSeconds } : {}),
  ...(from?.policies !== undefined ? { policies: from.policies } : {}),
});

function defaults(hpa: HorizontalPodAutoscaler): void {
  const spec = (hpa.spec ??= {} as HorizontalPodAutoscalerSpec);
  spec.minReplicas ??= 1;
  if (!spec.metrics?.length) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (spec.behavior) {
    spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, scaleUpRules());
    spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, scaleDownRules());
  }
}

/** upstream ValidateCrossVersionObjectReference. */
export function validateObjectReference(ref: Partial<CrossVersionObjectReference> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['kind', 'name'] as const) {
    const v = ref?.[f] ?? '';
    if (!v) errs.push(required(path.child(f)));
    else errs.push(...isValidPathSegmentName(v).map((m) => invalid(path.child(f), v, m)));
  }
  return errs;
}

function validateTarget(t: MetricTarget | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = t?.type ?? '';
  if (!type) errs.push(required(path.child('type'), 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) {
    errs.push(invalid(path.child('type'), type, 'must be either Utilization, Value, or AverageValue'));
  }
  for (const f of ['value', 'averageValue'] as const) {
    if (t?.[f] === undefined) continue;
    const q = parseQuantity(t[f], path.child(f));
    if (!(q instanceof Quantity)) errs.push(q);
    else if (q.sign() !== 1) errs.push(invalid(path.child(f), q.toString(), 'must be positive'));
  }
  if (t?.averageUtilization !== undefined && t.averageUtilization < 1) {
    errs.push(invalid(path.child('averageUtilization'), t.averageUtilization, 'must be greater than 0'));
  }
  return errs;
}

function validateMetricName(name: string | undefined, path: FieldPath): FieldError[] {
  if (!name) return [required(path.child('name'), 'must specify a metric name')];
  return isValidPathSegmentName(name).map((m) => invalid(path.child('name'), name, m));
}

function validateSource(m: MetricSpec, key: string, p: FieldPath): FieldError[] {
  const tp = p.child('target');
  const errs: FieldError[] = [];
  switch (key) {
    case 'object': {
      const s = m.object!;
      errs.push(...validateObjectReference(s.describedObject, p.child('describedObject')), ...validateMetricName(s.metric?.name, p.child('metric')));
      errs.push(...validateTarget(s.target, tp));
      if (s.target?.value === undefined && s.target?.averageValue === undefined) {
        errs.push(required(tp.child('averageValue'), 'must set either a target value or averageValue'));
      }
      break;
    }
    case 'external': {
      const s = m.external!;
      errs.push(...validateMetricName(s.metric?.name, p.child('metric')), ...validateTarget(s.target, tp));
      if (s.target?.value === undefined && s.target?.averageValue === undefined) {
        errs.push(required(tp.child('averageValue'), 'must set either a target value for metric or a per-pod target'));
      }
      if (s.target?.value !== undefined && s.target?.averageValue !== undefined) {
        errs.push(forbidden(tp.child('value'), 'may not set both a target value for metric and a per-pod target'));
      }
      break;
    }
    case 'pods': {
      const s = m.pods!;
      errs.push(...validateMetricName(s.metric?.name, p.child('metric')), ...validateTarget(s.target, tp));
      if (s.target?.averageValue === undefined) errs.push(required(tp.child('averageValue'), 'must specify a positive target averageValue'));
      break;
    }
    case 'resource':
    case 'containerResource': {
      const s = (key === 'resource' ? m.resource : m.containerResource)!;
      if (!s.name) errs.push(required(p.child('name'), 'must specify a resource name'));
      else errs.push(...validateContainerResourceName(s.name, p.child('name')));
      if (key === 'containerResource') {
        const c = m.containerResource!.container;
        if (!c) errs.push(required(p.child('container'), 'must specify a container'));
        else errs.push(...isDNS1123Label(c).map((msg) => invalid(p.child('container'), c, msg)));
      }
      errs.push(...validateTarget(s.target, tp));
      if (s.target?.averageUtilization === undefined && s.target?.averageValue === undefined) {
        errs.push(required(tp.child('averageUtilization'), 'must set either a target raw value or a target utilization'));
      }
      if (s.target?.averageUtilization !== undefined && s.target?.averageValue !== undefined) {
        errs.push(forbidden(tp.child('averageValue'), 'may not set both a target raw value and a target utilization'));
      }
      break;
    }
  }
  return errs;
}

const SOURCE_KEYS = ['object', 'external', 'pods', 'resource', 'containerResource'] as const;
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function validateMetric(m: MetricSpec, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = m.type ?? '';
  if (!type) errs.push(required(p.child('type'), 'must specify a metric source type'));
  if (!METRIC_TYPES.includes(type)) errs.push(notSupported(p.child('type'), type, METRIC_TYPES));
  const present = SOURCE_KEYS.filter((k) => m[k] !== undefined);
  // Only the first source given is validated; any other is reported as extra below.
  if (present.length) errs.push(...validateSource(m, present[0]!, p.child(present[0]!)));
  const expected = METRIC_TYPES.includes(type) ? lowerFirst(type) : '';
  if (expected && m[expected as (typeof SOURCE_KEYS)[number]] === undefined) {
    errs.push(required(p.child(expected), 'must populate information for the given metric source'));
  }
  // Upstream's switch reports an unknown type a second time.
  if (!expected) errs.push(notSupported(p.child('type'), type, METRIC_TYPES));
  if (present.length !== 1) {
    for (const k of present.filter((k) => k !== expected)) errs.push(forbidden(p.child(k), 'must populate the given metric source only'));
  }
  return errs;
}

function validateRules(rules: HPAScalingRules | undefined, p: FieldPath): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (w !== undefined && w < 0) errs.push(invalid(p.child('stabilizationWindowSeconds'), w, 'must be greater than or equal to zero'));
  if (w !== undefined && w > 3600) errs.push(invalid(p.child('stabilizationWindowSeconds'), w, 'must be less than or equal to 3600'));
  if (rules.selectPolicy !== undefined && !SELECT_POLICIES.includes(rules.selectPolicy)) {
    errs.push(notSupported(p.child('selectPolicy'), rules.selectPolicy, SELECT_POLICIES));
  }
  if (!rules.policies?.length) errs.push(required(p.child('policies'), 'must specify at least one Policy'));
  (rules.policies ?? []).forEach((pol, i) => {
    const pp = p.child('policies').index(i);
    if (!POLICY_TYPES.includes(pol.type)) errs.push(notSupported(pp.child('type'), pol.type ?? '', POLICY_TYPES));
    if (!(pol.value > 0)) errs.push(invalid(pp.child('value'), pol.value ?? 0, 'must be greater than zero'));
    if (!(pol.periodSeconds > 0)) errs.push(invalid(pp.child('periodSeconds'), pol.periodSeconds ?? 0, 'must be greater than zero'));
    if (pol.periodSeconds > 1800) errs.push(invalid(pp.child('periodSeconds'), pol.periodSeconds, 'must be less than or equal to 1800'));
  });
  return errs;
}

/** upstream validateHorizontalPodAutoscalerSpec, on the v2 (internal) shape. */
export function validateHPASpec(spec: HorizontalPodAutoscalerSpec | undefined): FieldError[] {
  const sp = FieldPath.root('spec');
  const errs: FieldError[] = [];
  const min = spec?.minReplicas;
  const max = spec?.maxReplicas ?? 0;
  if (min !== undefined && min < 1) errs.push(invalid(sp.child('minReplicas'), min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(invalid(sp.child('maxReplicas'), max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(invalid(sp.child('maxReplicas'), max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateObjectReference(spec?.scaleTargetRef, sp.child('scaleTargetRef')));
  (spec?.metrics ?? []).forEach((m, i) => errs.push(...validateMetric(m, sp.child('metrics').index(i))));
  errs.push(...validateRules(spec?.behavior?.scaleUp, sp.child('behavior', 'scaleUp')));
  errs.push(...validateRules(spec?.behavior?.scaleDown, sp.child('behavior', 'scaleDown')));
  return errs;
}

/** upstream formatHPAMetrics: "cpu: 40%/80%", "<unknown>" where the status has nothing yet. */
export function formatHPAMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined): string {
  if (!specs?.length) return '<none>';
  const q = quantityString;
  const list = specs.map((spec, i) => {
    const st = statuses?.[i];
    const unknown = '<unknown>';
    switch (spec.type) {
      case 'External':
      case 'Object': {
        const src = spec.type === 'External' ? spec.external : spec.object;
        const cur = spec.type === 'External' ? st?.external?.current : st?.object?.current;
        if (src?.target?.averageValue !== undefined) {
          const c = cur?.averageValue !== undefined ? q(cur.averageValue) : unknown;
          return `${c}/${q(src.target.averageValue)} (avg)`;
        }
        return `${cur ? q(cur.value) : unknown}/${q(src?.target?.value)}`;
      }
      case 'Pods':
        return `${st?.pods ? q(st.pods.current?.averageValue) : unknown}/${q(spec.pods?.target?.averageValue)}`;
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const cur = spec.type === 'Resource' ? st?.resource : st?.containerResource;
        if (src?.target?.averageValue !== undefined) {
          return `${src.name}: ${cur ? q(cur.current?.averageValue) : unknown}/${q(src.target.averageValue)}`;
        }
        const c = cur?.current?.averageUtilization !== undefined ? `${cur.current.averageUtilization}%` : unknown;
        const t = src?.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : '<auto>';
        return `${src?.name ?? ''}: ${c}/${t}`;
      }
      default:
        return '<unknown type>';
    }
  });
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}

const col = (name: string, description: string): TableColumn => ({ name, type: 'string', description, priority: 0 });

export const HPA_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  col('Reference', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.'),
  col('Targets', 'the metrics used to calculate the desired replica count'),
  col('MinPods', 'the lower limit for the number of pods that can be set by the autoscaler, default 1.'),
  col('MaxPods', 'the upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.'),
  col('Replicas', 'current number of replicas of pods managed by this autoscaler.'),
  AGE_COLUMN,
];

/** printHorizontalPodAutoscaler's cells from the v2 shape. */
export function hpaCells(hpa: HorizontalPodAutoscaler, now: Date): unknown[] {
  const spec = hpa.spec;
  return [
    hpa.metadata?.name ?? '',
    `${spec?.scaleTargetRef?.kind ?? ''}/${spec?.scaleTargetRef?.name ?? ''}`,
    formatHPAMetrics(spec?.metrics, hpa.status?.currentMetrics),
    spec?.minReplicas !== undefined ? String(spec.minReplicas) : '<unset>',
    spec?.maxReplicas ?? 0,
    hpa.status?.currentReplicas ?? 0,
    age(hpa.metadata?.creationTimestamp, now),
  ];
}

export const horizontalPodAutoscalerV2Resource: ResourceDefinition<HorizontalPodAutoscaler> = {
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: { status: true },
  tracksGeneration: false,
  defaults,
  prepareForCreate(hpa) {
    // Create cannot set status; desiredReplicas is always serialised upstream.
    (hpa as Mutable<HorizontalPodAutoscaler>).status = { desiredReplicas: 0 };
  },
  validate: (hpa) => validateHPASpec(hpa.spec),
  validateUpdate: (hpa) => validateHPASpec(hpa.spec),
  table: { columns: HPA_COLUMNS, cells: hpaCells },
};
