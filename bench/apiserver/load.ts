// The load process of the API server benchmark: a separate Node process, so the server under test
// and its clients do not share an event loop. It reads one JSON task per line on stdin (see
// protocol.ts), runs it over HTTPS and writes one JSON reply per line on stdout; progress goes to
// stderr. It exits when stdin closes.
//
//   echo '{"kind":"gets",...}' | node dist/bench/apiserver/load.js

import type { Agent } from 'node:https';
import { createInterface } from 'node:readline';
import { type Credentials, makeAgent, readCredentials } from './client.js';
import { type LoadContext, createsClosed, createsOpen, fillObjects, gets, lists } from './load-phases.js';
import { watchFanOut } from './load-watch.js';
import type { Reply, Target, Task, TaskResult } from './protocol.js';

const credentials = new Map<string, Credentials>();
const agents = new Map<string, Agent>();

function credsFor(target: Target): Credentials {
  let c = credentials.get(target.kubeconfig);
  if (!c) {
    c = readCredentials(target.kubeconfig);
    credentials.set(target.kubeconfig, c);
  }
  return c;
}

function contextFor(target: Target): LoadContext {
  const creds = credsFor(target);
  return {
    base: new URL(target.url),
    agent(maxSockets: number): Agent {
      const key = `${target.url}|${target.kubeconfig}|${maxSockets}`;
      let agent = agents.get(key);
      if (!agent) {
        agent = makeAgent(creds, maxSockets);
        agents.set(key, agent);
      }
      return agent;
    },
  };
}

async function run(task: Task): Promise<TaskResult> {
  if (task.kind === 'forget') return { forgotten: forget(task.target.url) };
  const ctx = contextFor(task.target);
  switch (task.kind) {
    case 'creates-closed':
      return createsClosed(ctx, task);
    case 'creates-open':
      return createsOpen(ctx, task);
    case 'fill':
      return fillObjects(ctx, task);
    case 'gets':
      return gets(ctx, task);
    case 'list':
      return lists(ctx, task);
    case 'watch':
      return watchFanOut(ctx, credsFor(task.target), task);
  }
}

/** Drops the pooled connections to a server that is about to stop. */
function forget(url: string): number {
  let n = 0;
  for (const [key, agent] of agents) {
    if (key.startsWith(`${url}|`)) {
      agent.destroy();
      agents.delete(key);
      n++;
    }
  }
  return n;
}

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let reply: Reply;
    try {
      reply = { ok: true, result: await run(JSON.parse(line) as Task) };
    } catch (e) {
      reply = { ok: false, error: (e as Error).stack ?? String(e) };
    }
    process.stdout.write(JSON.stringify(reply) + '\n');
  }
  for (const agent of agents.values()) agent.destroy();
}

await main();
