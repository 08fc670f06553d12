import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import {
  ServiceSelectorCache,
  hasSelector,
  servicesForPodUpdate,
  servicesMatching,
} from '../../../../src/controllers/endpointslice/util/service-membership.js';
import { pod, service } from '../fixtures.js';

const SERVICES: Service[] = [
  service('web', { selector: { app: 'web' } }),
  service('web-canary', { selector: { app: 'web', track: 'canary' } }),
  service('api', { selector: { app: 'api' } }),
  service('manual', { selector: null }),
  service('empty', { selector: {} }),
];

test('hasSelector: absent and empty selectors are none', () => {
  assert.deepEqual(SERVICES.map(hasSelector), [true, true, true, false, false]);
});

test('servicesMatching matches selectors against labels; selector-less services match nothing', () => {
  const cache = new ServiceSelectorCache();
  const cases: { labels: Record<string, string> | undefined; want: string[] }[] = [
    { labels: { app: 'web' }, want: ['default/web'] },
    { labels: { app: 'web', track: 'canary' }, want: ['default/web', 'default/web-canary'] },
    { labels: { app: 'api', extra: 'x' }, want: ['default/api'] },
    { labels: {}, want: [] },
    { labels: undefined, want: [] },
  ];
  for (const c of cases) assert.deepEqual([...servicesMatching(SERVICES, c.labels, cache)].sort(), c.want, JSON.stringify(c.labels));
});

test('ServiceSelectorCache reparses when the service object changes', () => {
  const cache = new ServiceSelectorCache();
  const v1 = service('web', { selector: { app: 'web' } });
  assert.equal(cache.get(v1)?.matches({ app: 'web' }), true);
  const v2 = service('web', { selector: { app: 'api' } });
  assert.equal(cache.get(v2)?.matches({ app: 'web' }), false);
  assert.equal(cache.get(service('x', { selector: null })), undefined);
});

test('servicesForPodUpdate', () => {
  const cache = new ServiceSelectorCache();
  const inNs = () => SERVICES;
  const cases: { name: string; old: Pod; cur: Pod; want: string[] }[] = [
    { name: 'same resourceVersion (a resync)', old: pod('a'), cur: pod('a', { ready: false }), want: [] },
    { name: 'nothing relevant changed', old: pod('a'), cur: pod('a', { resourceVersion: '2' }), want: [] },
    { name: 'readiness changed', old: pod('a'), cur: pod('a', { ready: false, resourceVersion: '2' }), want: ['default/web'] },
    {
      name: 'labels only: services left or joined',
      old: pod('a', { labels: { app: 'web' } }),
      cur: pod('a', { labels: { app: 'web', track: 'canary' }, resourceVersion: '2' }),
      want: ['default/web-canary'],
    },
    {
      name: 'labels moved to another service',
      old: pod('a', { labels: { app: 'web' } }),
      cur: pod('a', { labels: { app: 'api' }, resourceVersion: '2' }),
      want: ['default/api', 'default/web'],
    },
    {
      name: 'labels and readiness: old and new services',
      old: pod('a', { labels: { app: 'web' } }),
      cur: pod('a', { labels: { app: 'web', track: 'canary' }, ready: false, resourceVersion: '2' }),
      want: ['default/web', 'default/web-canary'],
    },
  ];
  for (const c of cases) assert.deepEqual([...servicesForPodUpdate(inNs, cache, c.old, c.cur)].sort(), c.want, c.name);
});
