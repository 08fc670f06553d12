// core/v1 Event, and what events.k8s.io/v1 shares with it: upstream keeps one internal Event (the
// core shape) for both, so validation messages and printer cells come from that shape.
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, invalid, required } from '../../../apimachinery/field-errors.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../../apimachinery/validation.js';
import { age } from '../../printing.js';
import type { ResourceDefinition, TableColumn } from '../../types.js';
import { semanticEqual } from './semantic-equal.js';

const LIMIT_128 = 'can have at most 128 characters';

/** upstream legacyValidateEvent: every event, whichever API wrote it, passes these. */
export function legacyValidateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  const nsMismatch = () => invalid(FieldPath.root('involvedObject').child('namespace'), involvedNs, 'does not match event.namespace');
  if (!ev.eventTime) {
    // Old-style events: the namespaces must agree ("default" is tolerated for old clients).
    if (!involvedNs ? ns !== '' && ns !== 'default' : ns !== involvedNs) errs.push(nsMismatch());
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(nsMismatch());
    // The internal field is reportingController, core/v1's JSON calls it reportingComponent.
    const controller = ev.reportingComponent ?? '';
    if (!controller) errs.push(required('reportingController'));
    errs.push(...isQualifiedName(controller).map((m) => invalid('reportingController', controller, m)));
    if (!ev.reportingInstance) errs.push(required('reportingInstance'));
    if ((ev.reportingInstance ?? '').length > 128) errs.push(invalid('reportingInstance', '', LIMIT_128));
    if (!ev.action) errs.push(required('action'));
    if ((ev.action ?? '').length > 128) errs.push(invalid('action', '', LIMIT_128));
    if (!ev.reason) errs.push(required('reason'));
    if ((ev.reason ?? '').length > 128) errs.push(invalid('reason', '', LIMIT_128));
    if ((ev.message ?? '').length > 1024) errs.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  errs.push(...isDNS1123Subdomain(ns).map((m) => invalid('namespace', ns, m)));
  return errs;
}

function validateSeries(ev: Event): FieldError[] {
  if (!ev.series) return [];
  const errs: FieldError[] = [];
  if ((ev.series.count ?? 0) < 2) errs.push(invalid('series.count', '', 'should be at least 2'));
  if (!ev.series.lastObservedTime) errs.push(required('series.lastObservedTime'));
  return errs;
}

/** The stricter create rules of events.k8s.io/v1 (paths name the internal fields). */
export function strictValidateEventCreate(ev: Event): FieldError[] {
  const errs = validateSeries(ev);
  if (!ev.eventTime) errs.push(required('eventTime'));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${ev.type ?? ''}`));
  if (ev.firstTimestamp) errs.push(invalid('firstTimestamp', '', 'needs to be unset'));
  if (ev.lastTimestamp) errs.push(invalid('lastTimestamp', '', 'needs to be unset'));
  if (ev.count) errs.push(invalid('count', '', 'needs to be unset'));
  if (ev.source?.component || ev.source?.host) errs.push(invalid('source', '', 'needs to be unset'));
  return errs;
}

/** The update rules of events.k8s.io/v1: everything but the series is fixed. */
export function strictValidateEventUpdate(ev: Event, old: Event): FieldError[] {
  const errs = semanticEqual(ev.series, old.series) ? [] : validateSeries(ev);
  const fields: [string, keyof Event][] = [
    ['involvedObject', 'involvedObject'],
    ['reason', 'reason'],
    ['message', 'message'],
    ['source', 'source'],
    ['firstTimestamp', 'firstTimestamp'],
    ['lastTimestamp', 'lastTimestamp'],
    ['count', 'count'],
    // Upstream checks reason twice.
    ['reason', 'reason'],
    ['type', 'type'],
    ['eventTime', 'eventTime'],
    ['action', 'action'],
    ['related', 'related'],
    ['reportingController', 'reportingComponent'],
    ['reportingInstance', 'reportingInstance'],
  ];
  for (const [path, key] of fields) {
    if (!semanticEqual(ev[key], old[key])) errs.push(invalid(path, ev[key] ?? '', 'field is immutable'));
  }
  return errs;
}

const since = (t: string | undefined, now: Date) => (t ? age(t, now) : '<unknown>');

/** printEvent's cells, wide form (the server always prints wide). */
export function eventCells(ev: Event, now: Date): unknown[] {
  const first = ev.firstTimestamp ? since(ev.firstTimestamp, now) : since(ev.eventTime, now);
  let last = ev.lastTimestamp ? since(ev.lastTimestamp, now) : first;
  let count = ev.count ?? 0;
  if (ev.series) {
    last = since(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events of the new API carry no count.
    count = 1;
  }
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  const source = instance ? `${component}, ${instance}` : component;
  return [last, ev.type ?? '', ev.reason ?? '', target, ev.involvedObject?.fieldPath ?? '', source, (ev.message ?? '').trim(), first, count, ev.metadata?.name ?? ''];
}

const col = (name: string, description: string, priority = 0, format?: string): TableColumn => ({
  name,
  type: 'string',
  ...(format ? { format } : {}),
  description,
  priority,
});

/** The event columns: no Name first, it comes last and only with -o wide. */
export const EVENT_COLUMNS: TableColumn[] = [
  col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
  col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
  col('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col('Object', 'The object that this event is about.'),
  col('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', 1),
  col('Source', 'The component reporting this event. Should be a short machine understandable string.', 1),
  col('Message', 'A human-readable description of the status of this operation.'),
  col('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
  col('Count', 'The number of times this event has occurred.', 1),
  col('Name', 'Name must be unique within a namespace.', 1, 'name'),
];

/** The selectable fields of an object reference under `prefix` (involvedObject, regarding). */
export function referenceFields(prefix: string, o: ObjectReference | undefined): Record<string, string> {
  const r = o ?? {};
  return {
    [`${prefix}.kind`]: r.kind ?? '',
    [`${prefix}.namespace`]: r.namespace ?? '',
    [`${prefix}.name`]: r.name ?? '',
    [`${prefix}.uid`]: r.uid ?? '',
    [`${prefix}.apiVersion`]: r.apiVersion ?? '',
    [`${prefix}.resourceVersion`]: r.resourceVersion ?? '',
    [`${prefix}.fieldPath`]: r.fieldPath ?? '',
  };
}

/** Field selector labels of core/v1 events (upstream ToSelectableFields). */
export function eventSelectableFields(ev: Event): Record<string, string> {
  return {
    ...referenceFields('involvedObject', ev.involvedObject),
    reason: ev.reason ?? '',
    reportingComponent: ev.reportingComponent ?? '',
    source: ev.source?.component || ev.reportingComponent || '',
    type: ev.type ?? '',
  };
}

export const eventResource: ResourceDefinition<Event> = {
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  // core/v1 events get only the legacy checks, on create and update alike (upstream keeps it so
  // for compatibility). No defaults: upstream's strategy fills nothing in.
  validate: legacyValidateEvent,
  validateUpdate: legacyValidateEvent,
  selectableFields: eventSelectableFields,
  table: { columns: EVENT_COLUMNS, cells: eventCells },
};
