// `kubets server`: storage, the API server and the control-plane loops in one process, started
// by a manager in readiness order and stopped in reverse.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { builtinResources } from '../api/index.js';
import { ResourceRegistry } from '../api/registry.js';
import { ClusterIpAllocator, PortAllocator } from '../apiserver/allocators/cluster-ip.js';
import { namespaceHooks } from '../apiserver/registry/hooks/namespace-hooks.js';
import { podHooks } from '../apiserver/registry/hooks/pod-hooks.js';
import { priorityClassHooks, storePriorityClasses } from '../apiserver/registry/hooks/priority-admission.js';
import { restoreServiceAllocations, serviceHooks } from '../apiserver/registry/hooks/service-hooks.js';
import type { StoreHooks } from '../apiserver/registry/hooks.js';
import { decodeKeyValue } from '../apiserver/registry/codec.js';
import { StoreSet } from '../apiserver/registry/store-set.js';
import { ApiServer } from '../apiserver/server.js';
import { adminKubeconfig, mergeIntoKubeconfig, writeKubeconfig, defaultKubeconfigPath } from '../cli/kubeconfig.js';
import { CrdRegistrar } from '../apiserver/crd/registrar.js';
import { ApiClient } from '../client/client.js';
import { inProcessTransport } from '../client/transport.js';
import { ControllerManager } from '../controller-manager/controller-manager.js';
import { ALL_CONTROLLERS } from '../controller-manager/controllers.js';
import { newSchedulerManager } from '../scheduler/manager.js';
import { KubeletAgent } from '../kubelet/agent.js';
import type { UserInfo } from '../apiserver/handlers/context.js';
import type { Logger } from '../logging/index.js';
import { Manager, type Runnable } from '../manager/index.js';
import { ensurePki } from '../pki/pki.js';
import { ensureKubeletClientCertificate } from '../pki/kubelet.js';
import { DEFAULT_SERVICE_ACCOUNT_ISSUER, ensureServiceAccountKey } from '../pki/service-account-token.js';
import { ServiceAccountTokens, storeLookup } from '../apiserver/authn.js';
import { type Backend, Compactor, openBackend } from '../storage/index.js';
import { bootstrapCluster } from './bootstrap.js';
import { KUBERNETES_VERSION, KUBETS_VERSION, type ServerConfig } from './config.js';
import { openApiFor } from './openapi.js';
import { collectProcessMetrics } from '../metrics/registry.js';

export interface StartedServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  /** Files written at this start (certificates, kubeconfigs). */
  wrote: string[];
}

const CONTROLLER_MANAGER_USER: UserInfo = { name: 'system:kube-controller-manager', groups: ['system:authenticated'] };
const SCHEDULER_USER: UserInfo = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };
const ADMIN_USER: UserInfo = { name: 'kubets-admin', groups: ['system:masters', 'system:authenticated'] };

export class KubetsServer {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private storage: Backend | undefined;
  private ready = false;
  private apiserver: ApiServer | undefined;

  constructor(
    private readonly config: ServerConfig,
    private readonly logger: Logger,
  ) {}

  /** Starts everything; resolves once the API server serves and the cluster is bootstrapped. */
  async start(): Promise<StartedServer> {
    const cfg = this.config;
    collectProcessMetrics();
    const storage = openBackend({ datastore: cfg.datastore, dataDir: cfg.dataDir });
    this.storage = storage;
    const registry = new ResourceRegistry(builtinResources);
    const ips = new ClusterIpAllocator(cfg.serviceCidr);
    const ports = new PortAllocator(cfg.nodePortRange[0], cfg.nodePortRange[1]);
    const priorityClasses = storePriorityClasses(() => stores.byResource('scheduling.k8s.io', 'priorityclasses'));
    const stores = new StoreSet({
      storage,
      registry,
      hooks: {
        '/pods': podHooks({ priorityClasses }) as StoreHooks,
        'scheduling.k8s.io/priorityclasses': priorityClassHooks(priorityClasses) as StoreHooks,
        '/namespaces': namespaceHooks() as StoreHooks,
        '/services': serviceHooks(ips, ports) as StoreHooks,
      },
    });
    const services = stores.byResource('', 'services');
    restoreServiceAllocations((await storage.list(services.prefix(''))).items.map((kv) => decodeKeyValue(kv)), ips, ports);

    const crds = new CrdRegistrar({ registry, stores, logger: this.logger });
    await crds.loadExisting();
    const openapi = openApiFor(registry);
    const pki = await ensurePki({ dir: join(cfg.dataDir, 'tls'), ips: [ips.firstAddress], hostnames: [] });
    const kubeletClient = await ensureKubeletClientCertificate(pki);
    const saKey = await ensureServiceAccountKey(join(cfg.dataDir, 'tls'));
    const serviceAccountTokens = new ServiceAccountTokens({ key: saKey.key, issuer: DEFAULT_SERVICE_ACCOUNT_ISSUER, objects: storeLookup(stores) });
    const apiserver = new ApiServer({
      host: cfg.bindAddress,
      port: cfg.port,
      tls: { certPem: pki.serving.certPem, keyPem: pki.serving.keyPem, caPem: pki.caCertPem },
      registry,
      storeFor: (def) => stores.for(def),
      logger: this.logger,
      nonResource: {
        version: {
          ...KUBERNETES_VERSION,
          gitCommit: `kubets-${KUBETS_VERSION}`,
          gitTreeState: 'clean',
          buildDate: '2026-01-01T00:00:00Z',
          goVersion: `node${process.versions.node}`,
          compiler: 'tsc',
          platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
        },
        isReady: () => this.ready,
        openapi: openapi.openapi,
      },
      findFieldProblems: openapi.findFieldProblems,
      kubeletClient: { certPem: kubeletClient.certPem, keyPem: kubeletClient.keyPem, caPem: pki.caCertPem },
      serviceAccountTokens,
    });
    this.apiserver = apiserver;
    const controllers: Runnable[] = [crds];
    if (!cfg.disableControllers) {
      controllers.push(
        new ControllerManager({
          client: this.inProcessClient(CONTROLLER_MANAGER_USER),
          logger: this.logger,
          controllers: ALL_CONTROLLERS,
          leaderElection: cfg.leaderElection,
          settings: { clusterCIDR: cfg.clusterCidr, rootCA: pki.caCertPem },
        }),
      );
    }
    if (!cfg.disableScheduler) {
      controllers.push(
        newSchedulerManager({ client: this.inProcessClient(SCHEDULER_USER), logger: this.logger, config: cfg.schedulerConfig, leaderElection: cfg.leaderElection }),
      );
    }
    // The API serves once it listens and the system namespaces exist (controllers need them).
    const bootstrapped = apiserver
      .address()
      .then((addr) => bootstrapCluster(stores, { kubernetesServiceIp: ips.firstAddress, dnsServiceIp: ips.dnsAddress, apiserverPort: addr.port }).then(() => addr));
    const manager = new Manager(
      [
        { name: 'storage', runnables: [new Compactor({ backend: storage, logger: this.logger })] },
        { name: 'apiserver', runnables: [apiserver], ready: () => bootstrapped },
        { name: 'controllers', runnables: controllers },
        // The local node last: it registers itself once the API serves, and on shutdown stops its pods first.
        ...(cfg.disableAgent
          ? []
          : [
              {
                name: 'agent',
                runnables: [
                  new KubeletAgent({
                    client: this.inProcessClient({ name: `system:node:${(cfg.nodeName ?? hostname()).toLowerCase()}`, groups: ['system:nodes', 'system:authenticated'] }),
                    logger: this.logger,
                    dataDir: cfg.dataDir,
                    nodeName: cfg.nodeName,
                    controlPlane: true,
                    ca: { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
                    kubeletPort: cfg.kubeletPort,
                    clusterCIDR: cfg.clusterCidr,
                    serviceCIDR: cfg.serviceCidr,
                    ...cfg.node,
                  }),
                ],
              },
            ]),
      ],
      this.logger,
    );
    this.running = manager.run(this.abort.signal).finally(() => storage.close());
    const failed = this.running.then(() => {
      throw new Error('kubets server stopped while starting');
    });
    let addr;
    try {
      addr = await Promise.race([bootstrapped, failed]);
    } catch (e) {
      // Nothing may keep running after a failed start.
      await this.stop();
      throw e;
    }
    this.ready = true;

    const url = `https://127.0.0.1:${addr.port}`;
    const config = adminKubeconfig({
      server: url,
      caCertPem: pki.caCertPem,
      clientCertPem: pki.admin.certPem,
      clientKeyPem: pki.admin.keyPem,
    });
    const kubeconfigPath = join(cfg.dataDir, 'kubeconfig.yaml');
    writeKubeconfig(kubeconfigPath, config);
    const wrote = [...pki.created, ...kubeletClient.created, ...saKey.created, kubeconfigPath];
    if (cfg.mergeKubeconfig) {
      const target = cfg.kubeconfigPath ?? defaultKubeconfigPath();
      mergeIntoKubeconfig(target, config);
      wrote.push(target);
    }
    return { url, port: addr.port, kubeconfigPath, wrote };
  }

  /**
   * A client whose requests enter this server's request path in memory, authenticated as `user`
   * (no TLS, no socket, same authentication/authorization/admission/validation as over HTTPS).
   */
  inProcessClient(user: UserInfo = ADMIN_USER): ApiClient {
    const apiserver = this.apiserver;
    if (!apiserver) throw new Error('kubets server not started');
    // Components inside the server write objects built from typed structures: no unknown or
    // duplicate fields can occur, so the server need not look for them (the rest of the path stays).
    return new ApiClient(inProcessTransport(() => apiserver.connectInProcess(user), `kubets/${user.name}`), 'Ignore');
  }

  /** Resolves when the server stops (after stop(), or when a part fails). */
  wait(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }
}
