import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { planEndpointSlices, type SlicePlan } from '../../../src/controllers/endpointslice/reconciler.js';
import { newEndpointSlice } from '../../../src/controllers/endpointslice/slices.js';
import { pod, service } from './fixtures.js';

/** What the server would hold after the plan: created slices named, updates replacing, deletes gone. */
function applyPlan(existing: EndpointSlice[], plan: SlicePlan): EndpointSlice[] {
  let n = 0;
  const byName = new Map(existing.map((s) => [s.metadata!.name!, s]));
  for (const s of plan.delete) assert.ok(byName.delete(s.metadata!.name!), `deleting unknown ${s.metadata?.name}`);
  for (const s of plan.update) {
    assert.ok(byName.has(s.metadata!.name!), `updating unknown ${s.metadata?.name}`);
    byName.set(s.metadata!.name!, structuredClone(s));
  }
  for (const s of plan.create) {
    const name = `${s.metadata!.generateName}${existing.length + n++}x`;
    byName.set(name, { ...structuredClone(s), metadata: { ...s.metadata, name, uid: `uid-${name}` } });
  }
  return [...byName.values()];
}

const counts = (p: SlicePlan) => ({ create: p.create.length, update: p.update.length, delete: p.delete.length });
const podsNamed = (names: string[], o: Parameters<typeof pod>[1] = {}) => names.map((n, i) => pod(n, { ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`, ...o }));
const endpointNames = (slices: EndpointSlice[]) => slices.flatMap((s) => (s.endpoints ?? []).map((e) => e.targetRef!.name!)).sort();

/** Plans, applies and checks that a second plan is empty (the controller converges). */
function converge(svc: Service, pods: Pod[], existing: EndpointSlice[] = []): { plan: SlicePlan; slices: EndpointSlice[] } {
  const plan = planEndpointSlices(svc, pods, existing);
  const slices = applyPlan(existing, plan);
  assert.deepEqual(counts(planEndpointSlices(svc, pods, slices)), { create: 0, update: 0, delete: 0 }, 'second plan is empty');
  return { plan, slices };
}

test('no pods: one empty placeholder slice, kept across syncs', () => {
  const { plan, slices } = converge(service('web'), []);
  assert.deepEqual(counts(plan), { create: 1, update: 0, delete: 0 });
  assert.deepEqual(slices[0]!.endpoints, []);
  assert.deepEqual(slices[0]!.ports, []);
});

test('three pods land in one slice with resolved ports', () => {
  const svc = service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  const { plan, slices } = converge(svc, podsNamed(['a', 'b', 'c']));
  assert.deepEqual(counts(plan), { create: 1, update: 0, delete: 0 });
  assert.deepEqual(endpointNames(slices), ['a', 'b', 'c']);
  assert.deepEqual(slices[0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.equal(slices[0]!.addressType, 'IPv4');
});

test('the placeholder is reused (updated) when pods come, and again when they go', () => {
  const svc = service('web');
  const first = converge(svc, []).slices;
  const name = first[0]!.metadata!.name;
  const withPods = converge(svc, podsNamed(['a']), first);
  assert.deepEqual(counts(withPods.plan), { create: 0, update: 1, delete: 0 });
  assert.equal(withPods.slices[0]!.metadata!.name, name);
  const none = converge(svc, [], withPods.slices);
  assert.deepEqual(counts(none.plan), { create: 0, update: 1, delete: 0 });
  assert.deepEqual(none.slices[0]!.endpoints, []);
  assert.equal(none.slices[0]!.metadata!.name, name);
});

test('150 pods: two slices of at most 100', () => {
  const names = Array.from({ length: 150 }, (_, i) => `p${i}`);
  const { slices } = converge(service('web'), podsNamed(names));
  assert.equal(slices.length, 2);
  assert.deepEqual(slices.map((s) => s.endpoints!.length).sort(), [100, 50]);
  assert.equal(endpointNames(slices).length, 150);
});

test('a changed pod is updated in place; other slices stay untouched', () => {
  const names = Array.from({ length: 150 }, (_, i) => `p${i}`);
  const svc = service('web');
  const pods = podsNamed(names);
  const { slices } = converge(svc, pods);
  const holder = slices.find((s) => s.endpoints!.some((e) => e.targetRef!.name === 'p7'))!;
  pods[7] = pod('p7', { ip: pods[7]!.status!.podIP, ready: false });
  const { plan } = converge(svc, pods, slices);
  assert.deepEqual(counts(plan), { create: 0, update: 1, delete: 0 });
  assert.equal(plan.update[0]!.metadata!.name, holder.metadata!.name);
  const ep = plan.update[0]!.endpoints!.find((e) => e.targetRef!.name === 'p7')!;
  assert.deepEqual(ep.conditions, { ready: false, serving: false, terminating: false });
  assert.equal(plan.update[0]!.endpoints!.length, holder.endpoints!.length);
});

test('removed and terminal pods leave; terminating ones stay as terminating', () => {
  const svc = service('web');
  const { slices } = converge(svc, podsNamed(['a', 'b', 'c', 'd']));
  const pods = [pod('a', { ip: '10.0.0.1' }), pod('b', { ip: '10.0.0.2', phase: 'Succeeded' }), pod('c', { ip: '10.0.0.3', deleting: true })];
  const { plan, slices: after } = converge(svc, pods, slices);
  assert.deepEqual(counts(plan), { create: 0, update: 1, delete: 0 });
  assert.deepEqual(endpointNames(after), ['a', 'c']);
  const c = after[0]!.endpoints!.find((e) => e.targetRef!.name === 'c')!;
  assert.deepEqual(c.conditions, { ready: false, serving: true, terminating: true });
});

test('pods whose named port resolves differently go to different slices', () => {
  const svc = service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  const pods = [
    pod('a', { ip: '10.0.0.1' }),
    pod('b', { ip: '10.0.0.2', ports: [{ name: 'http', containerPort: 9000, protocol: 'TCP' }] }),
    pod('c', { ip: '10.0.0.3', ports: [] }),
  ];
  const { slices } = converge(svc, pods);
  const byPort = new Map(slices.map((s) => [JSON.stringify(s.ports), endpointNames([s])]));
  assert.deepEqual(
    byPort,
    new Map([
      [JSON.stringify([{ name: 'http', port: 8080, protocol: 'TCP' }]), ['a']],
      [JSON.stringify([{ name: 'http', port: 9000, protocol: 'TCP' }]), ['b']],
      ['[]', ['c']],
    ]),
  );
});

test('new endpoints fill a slice being updated anyway, then the unchanged slice they fit best', () => {
  const svc = service('web');
  const names = Array.from({ length: 150 }, (_, i) => `p${i}`);
  const pods = podsNamed(names);
  const { slices } = converge(svc, pods);
  // Two new pods and nothing else: they fit into the 50-endpoint slice.
  const more = [...pods, ...podsNamed(['n1', 'n2']).map((p, i) => pod(p.metadata!.name!, { ip: `10.1.0.${i + 1}` }))];
  const { plan } = converge(svc, more, slices);
  assert.deepEqual(counts(plan), { create: 0, update: 1, delete: 0 });
  assert.equal(plan.update[0]!.endpoints!.length, 52);
});

test('slices not owned by this service, or of a dropped address type, are deleted', () => {
  const svc = service('web');
  const stranger = { ...newEndpointSlice(service('web', { uid: 'old' }), [], 'IPv4'), metadata: { ...newEndpointSlice(service('web', { uid: 'old' }), [], 'IPv4').metadata, name: 'web-old' } };
  const v6 = { ...newEndpointSlice(svc, [], 'IPv6'), metadata: { ...newEndpointSlice(svc, [], 'IPv6').metadata, name: 'web-v6' } };
  const plan = planEndpointSlices(svc, podsNamed(['a']), [stranger, v6]);
  assert.deepEqual(plan.delete.map((s) => s.metadata!.name).sort(), ['web-old', 'web-v6']);
  assert.equal(plan.create.length, 1, 'the stranger is not reused: it belongs to another service');
});

test('label changes on the service reach its slices', () => {
  const { slices } = converge(service('web'), podsNamed(['a']));
  const { plan } = converge(service('web', { labels: { team: 'x' } }), podsNamed(['a']), slices);
  assert.deepEqual(counts(plan), { create: 0, update: 1, delete: 0 });
  assert.equal(plan.update[0]!.metadata!.labels!.team, 'x');
});

test('dual-stack services get a slice per family, each with its addresses', () => {
  const svc = service('web', { ipFamilies: ['IPv4', 'IPv6'] });
  const { slices } = converge(svc, [pod('a', { ips: ['10.0.0.1', 'fd00::1'] }), pod('b', { ips: ['fd00::2'] })]);
  const v4 = slices.filter((s) => s.addressType === 'IPv4');
  const v6 = slices.filter((s) => s.addressType === 'IPv6');
  assert.deepEqual(v4.flatMap((s) => s.endpoints!.map((e) => e.addresses)), [['10.0.0.1']]);
  assert.deepEqual(v6.flatMap((s) => s.endpoints!.map((e) => e.addresses)).sort(), [['fd00::1'], ['fd00::2']]);
});

test('an IPv4 service ignores IPv6-only pods', () => {
  const { slices } = converge(service('web'), [pod('a', { ip: 'fd00::1' })]);
  assert.deepEqual(endpointNames(slices), []);
});
