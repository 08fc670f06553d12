// A real API server (in-memory storage, no controllers of its own) for controller tests, with a
// client and fresh controller contexts. Nothing is mocked: requests take the server's full path.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InformerFactory } from '../../src/client/cache/informer-factory.js';
import type { ApiClient } from '../../src/client/client.js';
import type { KubeObject, ResourceType } from '../../src/client/types.js';
import { EventBroadcaster } from '../../src/client/events/recorder.js';
import type { ControllerContext } from '../../src/controllers/context.js';
import { silentLogger } from '../../src/logging/index.js';
import { defaultServerConfig } from '../../src/server/config.js';
import { KubetsServer } from '../../src/server/kubets-server.js';

export interface ControlPlane {
  client: ApiClient;
  server: KubetsServer;
  /** A context with its own informers and event recorder. */
  newContext(): ControllerContext & { events: EventBroadcaster };
  stop(): Promise<void>;
}

export async function startControlPlane(opts: { controllers?: boolean } = {}): Promise<ControlPlane> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubets-ctl-'));
  const server = new KubetsServer(
    {
      ...defaultServerConfig(),
      dataDir,
      port: 0,
      bindAddress: '127.0.0.1',
      datastore: 'memory',
      mergeKubeconfig: false,
      disableControllers: !opts.controllers,
      disableScheduler: !opts.controllers,
      disableAgent: true,
      leaderElection: false,
    },
    silentLogger,
  );
  await server.start();
  const client = server.inProcessClient();
  const logger = silentLogger;
  return {
    client,
    server,
    newContext() {
      const events = new EventBroadcaster(client, logger, 'test-host');
      return { client, informers: new InformerFactory(client, logger), recorder: (c) => events.recorder(c), logger, events };
    },
    async stop() {
      client.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Creates a namespaced CRD with a schemaless v1 (`kind`, plural `resource`) and waits until it is served. */
export async function createCrd(client: ApiClient, type: ResourceType, namespace = 'default'): Promise<void> {
  const singular = type.kind.toLowerCase();
  await client.resource({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false }).create({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${type.resource}.${type.group}` },
    spec: {
      group: type.group,
      scope: 'Namespaced',
      names: { plural: type.resource, singular, kind: type.kind },
      versions: [{ name: type.version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  } as KubeObject);
  await waitFor(() => client.resource(type).list(namespace).then(() => true, () => false), 5000, `${type.resource} served`);
}
