import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProxyEndpoint } from '../../../src/proxy/model.js';
import { RoundRobinBalancer } from '../../../src/proxy/userspace/balancer.js';

const ep = (port: number): ProxyEndpoint => ({ ip: '10.0.0.1', port, ready: true, serving: true, terminating: false });
const A = ep(1);
const B = ep(2);
const C = ep(3);
const picks = (b: RoundRobinBalancer, client: string | undefined, n: number) => Array.from({ length: n }, () => b.next(client)?.port);

describe('RoundRobinBalancer', () => {
  it('cycles through endpoints in order and returns undefined when empty', () => {
    const b = new RoundRobinBalancer();
    assert.equal(b.next('1.1.1.1'), undefined);
    b.update([A, B, C], undefined);
    assert.deepEqual(picks(b, '1.1.1.1', 6), [1, 2, 3, 1, 2, 3]);
  });

  it('keeps cycling over the survivors after an update', () => {
    const b = new RoundRobinBalancer();
    b.update([A, B, C], undefined);
    b.next(undefined);
    b.update([A, C], undefined);
    assert.deepEqual(picks(b, undefined, 4), [3, 1, 3, 1]);
  });

  const affinity: { name: string; run: (b: RoundRobinBalancer, clock: { t: number }) => (number | undefined)[]; want: (number | undefined)[] }[] = [
    {
      name: 'pins each client to its first endpoint',
      run: (b) => [...picks(b, 'c1', 3), ...picks(b, 'c2', 3)],
      want: [1, 1, 1, 2, 2, 2],
    },
    {
      name: 'a pin idle for the timeout expires, a used one is refreshed',
      run: (b, clock) => {
        const out = [b.next('c1')?.port];
        clock.t += 9_000;
        out.push(b.next('c1')?.port); // refreshes the pin
        clock.t += 9_000;
        out.push(b.next('c1')?.port);
        clock.t += 10_000;
        out.push(b.next('c1')?.port); // expired: next in turn
        return out;
      },
      want: [1, 1, 1, 2],
    },
    {
      name: 'forget() moves the client on',
      run: (b) => {
        const first = b.next('c1')?.port;
        b.forget('c1');
        return [first, b.next('c1')?.port, b.next('c1')?.port];
      },
      want: [1, 2, 2],
    },
    {
      name: 'pins to surviving endpoints survive an update, pins to removed ones move',
      run: (b) => {
        const out = [b.next('c1')?.port, b.next('c2')?.port];
        b.update([B, C], 10);
        out.push(b.next('c2')?.port, b.next('c1')?.port, b.next('c1')?.port);
        return out;
      },
      want: [1, 2, 2, 2, 2], // c1 lost A and was re-pinned to the next in turn
    },
  ];
  for (const tc of affinity)
    it(`affinity: ${tc.name}`, () => {
      const clock = { t: 1_000_000 };
      const b = new RoundRobinBalancer(() => clock.t);
      b.update([A, B, C], 10);
      assert.deepEqual(tc.run(b, clock), tc.want);
    });

  it('drops every pin when affinity is turned off', () => {
    const b = new RoundRobinBalancer();
    b.update([A, B], 10);
    b.next('c1');
    assert.equal(b.pinnedClients, 1);
    b.update([A, B], undefined);
    assert.equal(b.pinnedClients, 0);
    assert.deepEqual(picks(b, 'c1', 2), [2, 1]);
  });
});
