// events.k8s.io/v1 Event: the same storage and internal object as core/v1 events, so it is
// validated and printed through the core shape (upstream's messages name the internal fields,
// e.g. "involvedObject.namespace" for regarding.namespace), with the strict rules of this API.
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event } from 'kubernetes-types/events/v1.js';
import {
  EVENT_COLUMNS,
  eventCells,
  referenceFields,
  legacyValidateEvent,
  strictValidateEventCreate,
  strictValidateEventUpdate,
} from '../../core/v1/event.js';
import type { ResourceDefinition } from '../../types.js';

/** upstream's conversion of an events.k8s.io/v1 Event to the internal (core-shaped) one. */
export function toCoreEvent(ev: Event): CoreEvent {
  const core: CoreEvent = { metadata: ev.metadata ?? {}, involvedObject: ev.regarding ?? {} };
  const set = <K extends keyof CoreEvent>(k: K, v: CoreEvent[K] | undefined) => {
    if (v !== undefined) core[k] = v;
  };
  set('eventTime', ev.eventTime);
  set('series', ev.series);
  set('reportingComponent', ev.reportingController);
  set('reportingInstance', ev.reportingInstance);
  set('action', ev.action);
  set('reason', ev.reason);
  set('related', ev.related);
  set('message', ev.note);
  set('type', ev.type);
  set('source', ev.deprecatedSource);
  set('firstTimestamp', ev.deprecatedFirstTimestamp);
  set('lastTimestamp', ev.deprecatedLastTimestamp);
  set('count', ev.deprecatedCount);
  return core;
}

export const eventsV1EventResource: ResourceDefinition<Event> = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  // The same REST storage as core events, with its short name.
  shortNames: ['ev'],
  validate(ev) {
    const core = toCoreEvent(ev);
    return [...legacyValidateEvent(core), ...strictValidateEventCreate(core)];
  },
  validateUpdate(ev, old) {
    const core = toCoreEvent(ev);
    return [...legacyValidateEvent(core), ...strictValidateEventUpdate(core, toCoreEvent(old))];
  },
  selectableFields(ev) {
    return {
      ...referenceFields('regarding', ev.regarding),
      reason: ev.reason ?? '',
      reportingController: ev.reportingController ?? '',
      source: ev.deprecatedSource?.component || ev.reportingController || '',
      type: ev.type ?? '',
    };
  },
  table: { columns: EVENT_COLUMNS, cells: (ev, now) => eventCells(toCoreEvent(ev), now) },
};
