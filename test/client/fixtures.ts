// Shared fixtures for the client tests: a real `kubets server` (memory storage, no controllers)
// reachable in process and over HTTPS with the kubeconfig it writes, and a tiny API server built
// straight on a StoreSet whose storage the test can compact (KubetsServer keeps its own private).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinResources } from '../../src/api/index.js';
import { ResourceRegistry } from '../../src/api/registry.js';
import type { UserInfo } from '../../src/apiserver/handlers/context.js';
import type { VersionInfo } from '../../src/apiserver/non-resource.js';
import { StoreSet } from '../../src/apiserver/registry/store-set.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { ApiClient } from '../../src/client/client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { httpsTransport, inProcessTransport } from '../../src/client/transport.js';
import type { KubeObject, ResourceClient } from '../../src/client/types.js';
import { silentLogger } from '../../src/logging/index.js';
import { defaultServerConfig } from '../../src/server/config.js';
import { KubetsServer } from '../../src/server/kubets-server.js';
import { openBackend, type Backend } from '../../src/storage/index.js';

export interface TestServer {
  server: KubetsServer;
  kubeconfigPath: string;
  /** In process, as the admin. */
  inProcess: ApiClient;
  /** Over HTTPS with the written kubeconfig (the admin's client certificate). */
  https: ApiClient;
  stop(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubets-client-'));
  const server = new KubetsServer(
    {
      ...defaultServerConfig(),
      dataDir,
      port: 0,
      bindAddress: '127.0.0.1',
      datastore: 'memory',
      mergeKubeconfig: false,
      disableControllers: true,
      disableScheduler: true,
      disableAgent: true,
      leaderElection: false,
    },
    silentLogger,
  );
  const started = await server.start();
  const inProcess = server.inProcessClient();
  const https = new ApiClient(httpsTransport(loadKubeconfig(started.kubeconfigPath)));
  return {
    server,
    kubeconfigPath: started.kubeconfigPath,
    inProcess,
    https,
    async stop() {
      inProcess.close();
      https.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const MINI_VERSION: VersionInfo = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0',
  gitCommit: 'test',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'node',
  compiler: 'tsc',
  platform: 'linux/amd64',
};

const ADMIN: UserInfo = { name: 'test-admin', groups: ['system:masters', 'system:authenticated'] };

export interface MiniServer {
  client: ApiClient;
  storage: Backend;
  stop(): Promise<void>;
}

/** An API server over memory storage the test owns, reached in process only (never listens). */
export async function startMiniServer(): Promise<MiniServer> {
  const storage = openBackend({ datastore: 'memory' });
  const registry = new ResourceRegistry(builtinResources);
  const stores = new StoreSet({ storage, registry });
  const api = new ApiServer({
    host: '127.0.0.1',
    port: 0,
    tls: { certPem: '', keyPem: '', caPem: '' },
    registry,
    storeFor: (def) => stores.for(def),
    logger: silentLogger,
    nonResource: { version: MINI_VERSION, isReady: () => true },
  });
  const client = new ApiClient(inProcessTransport(() => api.connectInProcess(ADMIN)));
  await client.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } });
  return {
    client,
    storage,
    async stop() {
      client.close();
      await storage.close();
    },
  };
}

/** Records list and watch calls of a resource client and lets a test cut or hold its watches. */
export class ObservedResource<T extends KubeObject> {
  readonly lists: { continue?: string; limit?: number; resourceVersion?: string }[] = [];
  readonly watches: { resourceVersion?: string; timeoutSeconds?: number }[] = [];
  private cut = new AbortController();
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  /** Overrides the informer's watch timeout (the server then ends each watch after it). */
  timeoutSeconds: number | undefined;
  readonly client: ResourceClient<T>;

  constructor(inner: ResourceClient<T>) {
    const self = this;
    this.client = {
      type: inner.type,
      get: (ns, name) => inner.get(ns, name),
      list: (ns, opts = {}) => {
        self.lists.push({ continue: opts.continue, limit: opts.limit, resourceVersion: opts.resourceVersion });
        return inner.list(ns, opts);
      },
      async *watch(ns, opts = {}) {
        if (self.gate) await self.gate;
        const timeoutSeconds = self.timeoutSeconds ?? opts.timeoutSeconds;
        self.watches.push({ resourceVersion: opts.resourceVersion, timeoutSeconds });
        const signal = opts.signal ? AbortSignal.any([opts.signal, self.cut.signal]) : self.cut.signal;
        yield* inner.watch(ns, { ...opts, timeoutSeconds, signal });
      },
      create: (o, w) => inner.create(o, w),
      update: (o, w) => inner.update(o, w),
      updateStatus: (o, w) => inner.updateStatus(o, w),
      patch: (ns, n, t, p, o) => inner.patch(ns, n, t, p, o),
      delete: (ns, n, o) => inner.delete(ns, n, o),
      deleteCollection: (ns, o) => inner.deleteCollection(ns, o),
      getScale: (ns, n) => inner.getScale(ns, n),
      updateScale: (ns, n, s) => inner.updateScale(ns, n, s),
    };
  }

  /** Ends the current watch; the next one waits until release(). */
  disconnect(): void {
    this.gate = new Promise((r) => (this.openGate = r));
    this.cut.abort();
    this.cut = new AbortController();
  }

  release(): void {
    this.gate = undefined;
    this.openGate?.();
  }
}
