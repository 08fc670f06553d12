// Watch fan-out as clients see it: t.watchers watch requests on one collection (each its own
// connection, like separate informers), then t.events creates into it; every event line that
// reaches every watcher is counted, and its delay since its create was sent is recorded.

import { request as httpsRequest } from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { collectGarbage, now } from '../storage/measure.js';
import { type Credentials, makeAgent, send } from './client.js';
import type { LoadContext } from './load-phases.js';
import { Recorder } from './load-phases.js';
import { fill } from './objects.js';
import { type WatchResult, type WatchTask, pad } from './protocol.js';

const TIMEOUT_MS = 120_000;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function watchFanOut(ctx: LoadContext, creds: Credentials, t: WatchTask): Promise<WatchResult> {
  // Watches hold their connection for good: a pool of their own, without keep-alive reuse.
  const watchAgent = makeAgent(creds, Infinity, false);
  const requests: ClientRequest[] = [];
  const sentAt = new Float64Array(t.events);
  const namePattern = new RegExp(`"name":"${escapeRegExp(t.namePrefix)}(\\d+)"`);
  const target = t.watchers * t.events;
  const delivery = new Recorder();
  let deliveries = 0;
  let fail: (e: Error) => void = () => {};
  let allDelivered: () => void = () => {};
  const delivered = new Promise<void>((resolve, reject) => {
    allDelivered = resolve;
    fail = reject;
  });
  // Failures are raced against below; this only keeps an early one from being "unhandled".
  delivered.catch(() => {});

  const onLine = (line: string, at: number): void => {
    if (line.length === 0) return;
    if (line.startsWith('{"type":"ERROR"')) return fail(new Error(`a watch sent an ERROR event: ${line.slice(0, 300)}`));
    deliveries++;
    const m = namePattern.exec(line);
    if (m) {
      const i = Number(m[1]);
      if (i < t.events && sentAt[i]! > 0) delivery.add(at - sentAt[i]!);
    }
    if (deliveries === target) allDelivered();
  };

  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const path = `${t.path}?watch=true&resourceVersion=${encodeURIComponent(t.resourceVersion)}`;
      const req = httpsRequest(
        { agent: watchAgent, host: ctx.base.hostname, port: ctx.base.port, path, headers: { Accept: 'application/json' } },
        (res: IncomingMessage) => {
          if (res.statusCode !== 200) {
            reject(new Error(`GET ${path} answered ${res.statusCode}`));
            res.resume();
            return;
          }
          res.setEncoding('utf8');
          let carry = '';
          res.on('data', (chunk: string) => {
            const at = now();
            const text = carry + chunk;
            let from = 0;
            for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
              onLine(text.slice(from, nl), at);
              from = nl + 1;
            }
            carry = text.slice(from);
          });
          res.on('error', () => {});
          resolve();
        },
      );
      req.on('error', (e) => {
        reject(e);
        fail(e);
      });
      req.end();
      requests.push(req);
    });

  try {
    // Open them in batches so the server sees a burst of watch starts, not 100 at one instant.
    for (let i = 0; i < t.watchers; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, t.watchers - i) }, open));
    }
    const agent = ctx.agent(t.concurrency);
    const creates = new Recorder();
    collectGarbage();
    const start = now();
    let next = 0;
    const writer = async (): Promise<void> => {
      for (let i = next++; i < t.events; i = next++) {
        const t0 = now();
        sentAt[i] = t0;
        const res = await send(agent, ctx.base, t.path, { method: 'POST', body: fill(t.body, t.namePrefix + pad(i)) });
        if (res.status !== 201) throw new Error(`POST ${t.path} answered ${res.status}`);
        creates.add(now() - t0);
      }
    };
    const writes = Promise.all(Array.from({ length: Math.min(t.concurrency, t.events) }, writer)).then(() => now() - start);
    writes.catch((e: Error) => fail(e));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`watch: only ${deliveries} of ${target} deliveries after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    });
    try {
      await Promise.race([delivered, timeout]);
    } finally {
      clearTimeout(timer);
    }
    const ms = now() - start;
    const writesMs = await writes;
    return {
      watchers: t.watchers,
      events: t.events,
      deliveries,
      ms,
      writesMs,
      perSec: (deliveries * 1000) / ms,
      delivery: delivery.count > 0 ? delivery.latency() : undefined,
      creates: creates.latency(),
    };
  } finally {
    for (const req of requests) req.destroy();
    watchAgent.destroy();
  }
}
