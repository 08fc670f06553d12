// One datastore's run: a fresh `kubets server` measured by the load process, then the bare HTTPS
// server answering the bytes kubets answered, measured the same way.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmtInt } from '../storage/measure.js';
import { makeAgent, readCredentials, sendOk } from './client.js';
import { type LoadProcess, startBare, startKubets, stopChild } from './children.js';
import type { BenchConfig, Datastore } from './config.js';
import { configMapTemplate, fill, podTemplate } from './objects.js';
import type { BodyTemplate, ListResult, RateResult, Target, WatchResult } from './protocol.js';
import type { DatastoreFigures, SideFigures } from './report.js';

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const PODS = '/api/v1/namespaces/default/pods';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

export function status(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

/** The bytes the bare server answers with, saved from kubets's own answers. */
interface Samples {
  getFile: string;
  createdPodFile: string;
  createdConfigMapFile: string;
  listFile: string;
  tableFile: string;
}

/** What both servers are measured with after the list is loaded, in the same order. */
async function measureSide(
  name: string,
  load: LoadProcess,
  target: Target,
  cfg: BenchConfig,
  bodies: { pod: BodyTemplate; cm: BodyTemplate },
  watchFrom: () => Promise<string>,
): Promise<Omit<SideFigures, 'list' | 'table'>> {
  status(`${name}: creates, ${cfg.createConcurrency} concurrent (${cfg.phaseMs} ms after ${cfg.warmupMs} ms warm-up)`);
  const createsClosed = await load.run<RateResult>({
    kind: 'creates-closed',
    target,
    path: PODS,
    body: bodies.pod,
    namePrefix: 'closed-',
    concurrency: cfg.createConcurrency,
    durationMs: cfg.phaseMs,
    warmupMs: cfg.warmupMs,
  });
  status(`${name}: gets, ${cfg.getConcurrency} concurrent over ${fmtInt(cfg.listPods)} pods (${cfg.phaseMs} ms)`);
  const gets = await load.run<RateResult>({
    kind: 'gets',
    target,
    path: PODS + '/',
    namePrefix: 'list-',
    count: cfg.listPods,
    concurrency: cfg.getConcurrency,
    durationMs: cfg.phaseMs,
    warmupMs: cfg.warmupMs,
  });
  const resourceVersion = await watchFrom();
  status(`${name}: watch, ${cfg.watchers} watchers x ${fmtInt(cfg.watchEvents)} configmap creates`);
  const watch = await load.run<WatchResult>({
    kind: 'watch',
    target,
    path: CONFIGMAPS,
    resourceVersion,
    body: bodies.cm,
    namePrefix: 'wcm-',
    watchers: cfg.watchers,
    events: cfg.watchEvents,
    concurrency: cfg.createConcurrency,
  });
  return { createsClosed, gets, watch };
}

async function measureLists(name: string, load: LoadProcess, target: Target, cfg: BenchConfig): Promise<{ list: ListResult; table: ListResult }> {
  status(`${name}: list of ${fmtInt(cfg.listPods)} pods, ${cfg.listRuns} runs and 1 as Table`);
  const list = await load.run<ListResult>({ kind: 'list', target, path: PODS, runs: cfg.listRuns, expectItems: cfg.listPods });
  const table = await load.run<ListResult>({ kind: 'list', target, path: PODS, accept: TABLE_ACCEPT, runs: 1, expectItems: cfg.listPods });
  return { list, table };
}

export async function benchDatastore(
  datastore: Datastore,
  root: string,
  cfg: BenchConfig,
  load: LoadProcess,
): Promise<{ figures: DatastoreFigures; url: string }> {
  const dir = join(root, datastore);
  mkdirSync(dir);
  const bodies = { pod: podTemplate(), cm: configMapTemplate() };
  status(`${datastore}: starting kubets server`);
  const kubets = await startKubets(join(dir, 'data'), datastore);
  const target: Target = { url: kubets.url, kubeconfig: kubets.kubeconfig };
  // Setup requests (samples for the bare server, the watch's start) come from here, untimed.
  const base = new URL(kubets.url);
  const agent = makeAgent(readCredentials(kubets.kubeconfig), 2);
  const save = (file: string, body: Buffer | undefined): string => {
    const path = join(dir, file);
    writeFileSync(path, body ?? Buffer.alloc(0));
    return path;
  };
  let kubetsSide: SideFigures;
  let fillRate: RateResult;
  let createsOpen: RateResult;
  const samples = {} as Samples;
  try {
    fillRate = await load.run<RateResult>({
      kind: 'fill',
      target,
      path: PODS,
      body: bodies.pod,
      namePrefix: 'list-',
      count: cfg.listPods,
      concurrency: cfg.createConcurrency,
      label: `${datastore}: creating the pods to list`,
    });
    const lists = await measureLists(datastore, load, target, cfg);
    samples.getFile = save('get.json', (await sendOk(agent, base, `${PODS}/list-000000`, 200)).body);
    samples.listFile = save('list.json', (await sendOk(agent, base, PODS, 200)).body);
    samples.tableFile = save('table.json', (await sendOk(agent, base, PODS, 200, { accept: TABLE_ACCEPT })).body);

    status(`${datastore}: creates, open loop at ${cfg.openRate}/s (${cfg.openMs} ms)`);
    createsOpen = await load.run<RateResult>({
      kind: 'creates-open',
      target,
      path: PODS,
      body: bodies.pod,
      namePrefix: 'open-',
      ratePerSec: cfg.openRate,
      durationMs: cfg.openMs,
      maxSockets: cfg.createConcurrency,
    });
    const post = (path: string, body: BodyTemplate, name: string) => sendOk(agent, base, path, 201, { method: 'POST', body: fill(body, name) });
    samples.createdPodFile = save('created-pod.json', (await post(PODS, bodies.pod, 'sample-pod')).body);
    samples.createdConfigMapFile = save('created-configmap.json', (await post(CONFIGMAPS, bodies.cm, 'sample-configmap')).body);
    // Watch from the collection's current revision: no event is missed however late a watch starts.
    const watchFrom = async (): Promise<string> => {
      const res = await sendOk(agent, base, `${CONFIGMAPS}?limit=1`, 200);
      const rv = (JSON.parse(res.body!.toString('utf8')) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
      if (!rv) throw new Error('the configmap list has no resourceVersion');
      return rv;
    };
    const rest = await measureSide(datastore, load, target, cfg, bodies, watchFrom);
    kubetsSide = { ...lists, ...rest };
  } finally {
    agent.destroy();
    await load.run({ kind: 'forget', target }).catch(() => undefined);
    await stopChild(kubets.child);
  }

  status(`${datastore}: starting the bare HTTPS server (the ceiling)`);
  const bare = await startBare({ tlsDir: kubets.tlsDir, ...samples });
  const bareTarget: Target = { url: bare.url, kubeconfig: kubets.kubeconfig };
  let bareSide: SideFigures;
  try {
    const lists = await measureLists('bare', load, bareTarget, cfg);
    const rest = await measureSide('bare', load, bareTarget, cfg, bodies, async () => '1');
    bareSide = { ...lists, ...rest };
  } finally {
    await load.run({ kind: 'forget', target: bareTarget }).catch(() => undefined);
    await stopChild(bare.child);
  }
  return {
    figures: { datastore, fill: fillRate, createsOpen, kubets: kubetsSide, bare: bareSide },
    url: kubets.url,
  };
}
