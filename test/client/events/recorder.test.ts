// EventBroadcaster against a real API server: core/v1 Events with involvedObject, source and
// count, repeats aggregated into one Event (count and lastTimestamp raised), a different message
// making a new Event, cluster-scoped objects' events in `default`, and the per-object spam filter.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Event, Node } from 'kubernetes-types/core/v1.js';
import { EventBroadcaster } from '../../../src/client/events/recorder.js';
import { CONFIG_MAPS, EVENTS } from '../../../src/client/resources.js';
import { silentLogger } from '../../../src/logging/index.js';
import { startControlPlane, type ControlPlane } from '../../controllers/harness.js';

let cp: ControlPlane;
let subject: ConfigMap;
before(async () => {
  cp = await startControlPlane();
  subject = await cp.client.resource<ConfigMap>(CONFIG_MAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'subject', namespace: 'default' } });
});
after(async () => {
  await cp.stop();
});

const eventsAbout = async (name: string, ns = 'default'): Promise<Event[]> =>
  (await cp.client.resource<Event>(EVENTS).list(ns)).items.filter((e) => e.involvedObject.name === name).sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));

describe('EventBroadcaster', () => {
  test('an event is created with involvedObject, source, type, reason and count 1', async () => {
    const b = new EventBroadcaster(cp.client, silentLogger, 'host-1');
    b.recorder('test-controller').event(subject, 'Normal', 'Created', 'made it');
    await b.flush();
    const [ev, ...rest] = await eventsAbout('subject');
    assert.equal(rest.length, 0);
    assert.deepEqual(ev!.involvedObject, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'subject',
      uid: subject.metadata!.uid,
      resourceVersion: subject.metadata!.resourceVersion,
    });
    assert.deepEqual(ev!.source, { component: 'test-controller', host: 'host-1' });
    assert.equal(ev!.type, 'Normal');
    assert.equal(ev!.reason, 'Created');
    assert.equal(ev!.message, 'made it');
    assert.equal(ev!.count, 1);
    assert.equal(ev!.metadata?.namespace, 'default');
    assert.match(ev!.metadata!.name!, /^subject\.[0-9a-f]+$/);
    assert.ok(ev!.firstTimestamp);
    assert.equal(ev!.firstTimestamp, ev!.lastTimestamp);
  });

  test('the same event again raises the count of the same Event; a different message is a new Event', async () => {
    const obj = await cp.client.resource<ConfigMap>(CONFIG_MAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'repeat', namespace: 'default' } });
    const b = new EventBroadcaster(cp.client, silentLogger);
    const r = b.recorder('test-controller');
    r.event(obj, 'Warning', 'Failed', 'boom');
    await b.flush();
    const [first] = await eventsAbout('repeat');
    await new Promise((res) => setTimeout(res, 1100)); // timestamps have second precision
    r.event(obj, 'Warning', 'Failed', 'boom');
    r.event(obj, 'Warning', 'Failed', 'boom');
    await b.flush();
    let events = await eventsAbout('repeat');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.metadata?.name, first!.metadata?.name);
    assert.equal(events[0]!.metadata?.uid, first!.metadata?.uid);
    assert.equal(events[0]!.count, 3);
    assert.equal(events[0]!.firstTimestamp, first!.firstTimestamp);
    assert.ok(Date.parse(events[0]!.lastTimestamp!) > Date.parse(first!.lastTimestamp!), 'lastTimestamp moved on');

    r.event(obj, 'Warning', 'Failed', 'a different boom');
    b.recorder('other-component').event(obj, 'Warning', 'Failed', 'boom');
    await b.flush();
    events = await eventsAbout('repeat');
    assert.equal(events.length, 3, 'new message and new source each make a new Event');
    assert.deepEqual(events.map((e) => `${e.source?.component}:${e.message}:${e.count}`).sort(), [
      'other-component:boom:1',
      'test-controller:a different boom:1',
      'test-controller:boom:3',
    ]);
  });

  test('a repeat of an event deleted meanwhile creates it afresh', async () => {
    const obj = await cp.client.resource<ConfigMap>(CONFIG_MAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'expired', namespace: 'default' } });
    const b = new EventBroadcaster(cp.client, silentLogger);
    const r = b.recorder('c');
    r.event(obj, 'Normal', 'Synced', 'ok');
    await b.flush();
    const [ev] = await eventsAbout('expired');
    await cp.client.resource<Event>(EVENTS).delete('default', ev!.metadata!.name!);
    r.event(obj, 'Normal', 'Synced', 'ok');
    await b.flush();
    const again = await eventsAbout('expired');
    assert.equal(again.length, 1);
    assert.equal(again[0]!.count, 1);
  });

  test('events about cluster-scoped objects go to the default namespace', async () => {
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-x', uid: 'node-uid' } };
    const b = new EventBroadcaster(cp.client, silentLogger);
    b.recorder('kubelet').event(node, 'Normal', 'NodeReady', 'ready');
    await b.flush();
    const [ev] = await eventsAbout('node-x');
    assert.equal(ev?.metadata?.namespace, 'default');
    assert.equal(ev?.involvedObject.kind, 'Node');
    assert.equal(ev?.involvedObject.namespace, undefined);
  });

  test('recording never throws; the spam filter caps a burst from one source about one object at 25', async () => {
    const obj = await cp.client.resource<ConfigMap>(CONFIG_MAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'spammy', namespace: 'default' } });
    const b = new EventBroadcaster(cp.client, silentLogger);
    const r = b.recorder('c');
    for (let i = 0; i < 40; i++) r.event(obj, 'Normal', 'Tick', `tick ${i}`);
    await b.flush();
    assert.equal((await eventsAbout('spammy')).length, 25);
    // The budget is per source and object: another component still gets through.
    b.recorder('other').event(obj, 'Normal', 'Tick', 'from elsewhere');
    await b.flush();
    const events = await eventsAbout('spammy');
    assert.equal(events.length, 26);
    assert.equal(events.filter((e) => e.source?.component === 'other').length, 1);
    // An event about an object in a namespace that does not exist fails quietly.
    r.event({ ...obj, metadata: { ...obj.metadata, name: 'ghost', namespace: 'no-such-ns' } }, 'Normal', 'X', 'y');
    await b.flush();
  });
});
