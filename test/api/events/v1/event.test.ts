import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Event } from 'kubernetes-types/events/v1.js';
import { eventsV1EventResource as def, toCoreEvent } from '../../../../src/api/events/v1/event.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const ev = (o: Partial<Event> = {}): Event => ({
  metadata: { name: 'web.1', namespace: 'default' },
  eventTime: '2024-01-01T00:00:00.000000Z',
  reportingController: 'example.com/ctl',
  reportingInstance: 'ctl-1',
  action: 'Sync',
  reason: 'Synced',
  type: 'Normal',
  regarding: { kind: 'Pod', name: 'web', namespace: 'default' },
  ...o,
});

describe('events.k8s.io/v1 events', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.version, def.plural, def.namespaced], ['events.k8s.io', 'v1', 'events', true]);
  });

  test('conversion to the internal (core) shape', () => {
    const core = toCoreEvent(ev({ note: 'hi', deprecatedCount: 2 }));
    assert.equal(core.message, 'hi');
    assert.equal(core.reportingComponent, 'example.com/ctl');
    assert.equal(core.count, 2);
    assert.deepEqual(core.involvedObject, { kind: 'Pod', name: 'web', namespace: 'default' });
  });

  test('strict create rules, reported under internal field names', () => {
    const cases: [string, Partial<Event>, string[]][] = [
      ['valid', {}, []],
      ['eventTime required', { eventTime: undefined as unknown as string }, ['FieldValueRequired eventTime']],
      ['type enum', { type: 'Info' }, ['FieldValueInvalid type']],
      ['deprecated fields unset', { deprecatedCount: 1, deprecatedSource: { component: 'x' }, deprecatedFirstTimestamp: '2024-01-01T00:00:00Z' },
        ['FieldValueInvalid firstTimestamp', 'FieldValueInvalid count', 'FieldValueInvalid source']],
      ['series', { series: { count: 1, lastObservedTime: undefined as unknown as string } }, ['FieldValueInvalid series.count', 'FieldValueRequired series.lastObservedTime']],
      // New-style events only insist on a namespace for cluster objects outside default and kube-system.
      ['regarding namespace elsewhere', { regarding: { kind: 'Pod', namespace: 'other' } }, []],
      ['cluster object outside default', { metadata: { name: 'e', namespace: 'team' }, regarding: { kind: 'Node', name: 'n1' } }, ['FieldValueInvalid involvedObject.namespace']],
      ['note length', { note: 'n'.repeat(1025) }, ['FieldValueInvalid message']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!(ev(o))), want, name);
    assert.equal(def.validate!(ev({ type: 'Info' }))[0]!.message, 'Invalid value: "": has invalid value: Info');
  });

  test('updates may only move the series', () => {
    const old = ev();
    assert.deepEqual(def.validateUpdate!(ev({ series: { count: 2, lastObservedTime: '2024-01-01T00:01:00.000000Z' } }), old), []);
    assert.deepEqual(summary(def.validateUpdate!(ev({ note: 'changed', reason: 'Other' }), old)), [
      'FieldValueInvalid reason',
      'FieldValueInvalid message',
      'FieldValueInvalid reason',
    ]);
  });

  test('selectable fields use this API names', () => {
    const fields = def.selectableFields!(ev());
    assert.equal(fields['regarding.name'], 'web');
    assert.equal(fields.reportingController, 'example.com/ctl');
    assert.equal(fields.source, 'example.com/ctl');
    assert.equal(fields['involvedObject.name'], undefined);
  });

  test('printed like core events', () => {
    const row = def.table!.cells(ev({ note: 'synced it' }), new Date('2024-01-01T00:00:40Z'));
    assert.deepEqual(row, ['40s', 'Normal', 'Synced', 'pod/web', '', 'example.com/ctl, ctl-1', 'synced it', '40s', 1, 'web.1']);
  });
});
