import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import { eventResource as def } from '../../../../src/api/core/v1/event.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const ev = (o: Partial<Event> = {}): Event => ({
  metadata: { name: 'web.17a', namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
  ...o,
});

describe('core events', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.plural, def.shortNames, def.namespaced, def.defaults], ['', 'events', ['ev'], true, undefined]);
  });

  test('legacy validation', () => {
    const newStyle = { eventTime: '2024-01-01T00:00:00.000000Z', reportingComponent: 'kubelet', reportingInstance: 'n1', action: 'Pull', reason: 'Pulled' };
    const cases: [string, Partial<Event>, string[]][] = [
      ['old style, namespaces agree', {}, []],
      ['old style, namespaces differ', { involvedObject: { kind: 'Pod', namespace: 'other' } }, ['FieldValueInvalid involvedObject.namespace']],
      ['cluster object in default is tolerated', { involvedObject: { kind: 'Node', name: 'n1' } }, []],
      ['cluster object elsewhere', { metadata: { name: 'e', namespace: 'team' }, involvedObject: { kind: 'Node', name: 'n1' } }, ['FieldValueInvalid involvedObject.namespace']],
      ['new style complete', newStyle, []],
      ['new style needs reporting fields', { eventTime: '2024-01-01T00:00:00.000000Z' },
        ['FieldValueRequired reportingController', 'FieldValueInvalid reportingController', 'FieldValueRequired reportingInstance', 'FieldValueRequired action', 'FieldValueRequired reason']],
      ['new style limits', { ...newStyle, reason: 'r'.repeat(129), message: 'm'.repeat(1025) }, ['FieldValueInvalid reason', 'FieldValueInvalid message']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!(ev(o))), want, name);
    const [e] = def.validate!(ev({ involvedObject: { kind: 'Pod', namespace: 'other' } }));
    assert.equal(e!.message, 'Invalid value: "other": does not match event.namespace');
    // Updates through core/v1 get the same lenient checks.
    assert.deepEqual(def.validateUpdate!(ev({ message: 'changed' }), ev()), []);
  });

  test('golden rows (the server prints the wide form)', () => {
    const now = new Date('2024-01-01T01:00:00Z');
    assert.deepEqual(
      def.table!.columns.map((c) => [c.name, c.priority]),
      [['Last Seen', 0], ['Type', 0], ['Reason', 0], ['Object', 0], ['Subobject', 1], ['Source', 1], ['Message', 0], ['First Seen', 1], ['Count', 1], ['Name', 1]],
    );
    const cases: [Partial<Event>, unknown[]][] = [
      [
        { type: 'Normal', reason: 'Pulled', message: ' done \n', count: 3, firstTimestamp: '2024-01-01T00:00:00Z', lastTimestamp: '2024-01-01T00:59:00Z',
          source: { component: 'kubelet', host: 'n1' }, involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{app}' } },
        ['60s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{app}', 'kubelet, n1', 'done', '60m', 3, 'web.17a'],
      ],
      [
        // New-style singleton: first seen from eventTime, count 1, source from the reporting fields.
        { type: 'Warning', reason: 'Failed', eventTime: '2024-01-01T00:30:00.000000Z', reportingComponent: 'scheduler', involvedObject: { kind: 'Node' } },
        ['30m', 'Warning', 'Failed', 'node', '', 'scheduler', '', '30m', 1, 'web.17a'],
      ],
      [
        { eventTime: '2024-01-01T00:00:00.000000Z', series: { count: 7, lastObservedTime: '2024-01-01T00:58:00.000000Z' }, involvedObject: { kind: 'Pod', name: 'p' } },
        ['2m', '', '', 'pod/p', '', '', '', '60m', 7, 'web.17a'],
      ],
      [{ involvedObject: { kind: 'Pod', name: 'p' } }, ['<unknown>', '', '', 'pod/p', '', '', '', '<unknown>', 1, 'web.17a']],
    ];
    for (const [o, row] of cases) assert.deepEqual(def.table!.cells(ev(o), now), row, JSON.stringify(o));
  });

  test('selectable fields', () => {
    const fields = def.selectableFields!(ev({ reason: 'Pulled', type: 'Normal', reportingComponent: 'kubelet', involvedObject: { kind: 'Pod', name: 'web', uid: 'u1' } }));
    assert.deepEqual(fields, {
      'involvedObject.kind': 'Pod',
      'involvedObject.namespace': '',
      'involvedObject.name': 'web',
      'involvedObject.uid': 'u1',
      'involvedObject.apiVersion': '',
      'involvedObject.resourceVersion': '',
      'involvedObject.fieldPath': '',
      reason: 'Pulled',
      reportingComponent: 'kubelet',
      source: 'kubelet',
      type: 'Normal',
    });
    assert.equal(def.selectableFields!(ev({ source: { component: 'kubelet' }, reportingComponent: 'x' })).source, 'kubelet');
  });
});
