// The kubelet's pod half: watches the pods bound to its node, runs one worker per pod (syncs of a
// pod never overlap; a sync asked for while one runs is done right after), reacts to the
// runtime's container events at once, resyncs every pod periodically, writes pod status only when
// it changed, and removes what the runtime still runs for pods that no longer exist.
import type { ConfigMap, Node, Pod, PodStatus, Secret, Service } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../apimachinery/errors.js';
import { InformerFactory } from '../client/cache/informer-factory.js';
import { Informer } from '../client/cache/shared-informer.js';
import type { SharedInformer } from '../client/cache/types.js';
import { EventBroadcaster } from '../client/events/recorder.js';
import type { EventRecorder } from '../client/events/types.js';
import { CONFIG_MAPS, NODES, PODS, SECRETS, SERVICES } from '../client/resources.js';
import type { Client } from '../client/types.js';
import type { Logger } from '../logging/index.js';
import type { Runnable } from '../manager/index.js';
import { ProbeManager } from './prober/manager.js';
import { RestartBackoff } from './pods/backoff.js';
import type { EnvSources } from './pods/environment.js';
import { DEFAULT_CLUSTER_DOMAIN } from './pods/dns-files.js';
import { killContainer } from './pods/lifecycle.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID, PodWorker } from './pods/pod-worker.js';
import type { RuntimeService } from './runtime/types.js';
import type { VolumeManager } from './volumes/index.js';
import { isMirrorPod, isStaticPod, MirrorPodManager, mirrorOf, type StaticPodSource } from './config/index.js';
import type { PodLogInfo } from './server/index.js';

export interface KubeletOptions {
  client: Client;
  runtime: RuntimeService;
  logger: Logger;
  nodeName: string;
  hostIP: string;
  /** Where container logs go (`<logRoot>/<ns>_<pod>_<uid>/<container>/<n>.log`). */
  logRoot: string;
  /** Every pod is synced at least this often (upstream syncFrequency 1 min; housekeeping 2 s). */
  resyncMs?: number;
  backoff?: RestartBackoff;
  /** On shutdown, containers get their grace period up to this many seconds (default 10). */
  shutdownGraceSeconds?: number;
  /** Pod volumes; absent: containers get no volume mounts. */
  volumes?: VolumeManager;
  /** Static pods (manifest files): run without the API, mirrored into it. The caller runs the source. */
  staticPods?: StaticPodSource;
  /** The cluster DNS servers pods with dnsPolicy ClusterFirst use (kubelet --cluster-dns); none: they fall back to Default. */
  clusterDNS?: string[];
  /** The cluster's DNS domain (kubelet --cluster-domain; default cluster.local). */
  clusterDomain?: string;
  /** The node resolver file pods' resolv.conf starts from (kubelet --resolv-conf; default /etc/resolv.conf). */
  resolvConf?: string;
  /** Informers shared with the node's other parts (their owner starts them); default: its own. */
  informers?: InformerFactory;
}

/** Where a stream for a pod's container goes (see Kubelet.streamTarget). */
export interface StreamTarget {
  uid: string;
  containerName: string;
  containerId?: string;
  podSandboxId?: string;
}

interface WorkerState {
  worker: PodWorker;
  running: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class Kubelet implements Runnable {
  readonly name = 'kubelet';
  readonly pods: Informer<Pod>;
  /** Every Service: containers get their environment variables (upstream's service lister). */
  readonly services: SharedInformer<Service>;
  /** Where `services` comes from: the node's shared factory, or one of its own (started here). */
  private readonly informers: InformerFactory;
  /** This node's own object (allocatable for resourceFieldRef). */
  readonly node: Informer<Node>;
  private readonly workers = new Map<string, WorkerState>();
  private readonly backoff: RestartBackoff;
  private readonly env: EnvSources;
  private readonly lastStatus = new Map<string, PodStatus>();
  private readonly probes: ProbeManager;
  private readonly events: EventBroadcaster;
  private readonly recorder: EventRecorder;
  private signal: AbortSignal | undefined;
  private readonly mirrors: MirrorPodManager | undefined;
  private staticByUid = new Map<string, Pod>();

  constructor(private readonly opts: KubeletOptions) {
    this.backoff = opts.backoff ?? new RestartBackoff();
    this.pods = new Informer<Pod>(opts.client.resource<Pod>(PODS), opts.logger, { fieldSelector: `spec.nodeName=${opts.nodeName}` });
    this.informers = opts.informers ?? new InformerFactory(opts.client, opts.logger);
    this.services = this.informers.for<Service>(SERVICES);
    this.node = new Informer<Node>(opts.client.resource<Node>(NODES), opts.logger, { fieldSelector: `metadata.name=${opts.nodeName}` });
    const get = async <T>(type: typeof CONFIG_MAPS, ns: string, name: string): Promise<T | undefined> => {
      try {
        return (await opts.client.resource(type).get(ns, name)) as T;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    };
    this.env = { configMap: (ns, n) => get<ConfigMap>(CONFIG_MAPS, ns, n), secret: (ns, n) => get<Secret>(SECRETS, ns, n) };
    this.events = new EventBroadcaster(opts.client, opts.logger, opts.nodeName);
    this.recorder = this.events.recorder('kubelet');
    this.probes = new ProbeManager({
      runtime: opts.runtime,
      onChange: (uid) => this.enqueue(uid),
      onFailure: (pod, container, containerId, type, message, grace) => {
        const uid = pod.metadata!.uid!;
        opts.logger.info({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, containerId, probe: type, message }, 'probe failed; killing the container');
        const probe = type === 'liveness' ? 'Liveness' : 'Startup';
        this.recorder.event(pod, 'Warning', 'Unhealthy', `${probe} probe failed: ${message}`);
        this.recorder.event(pod, 'Normal', 'Killing', `Container failed ${type} probe, will be restarted`);
        void killContainer({ runtime: opts.runtime, recorder: this.recorder }, { pod, container, containerId, podIP: pod.status?.podIP ?? opts.hostIP }, grace)
          .catch(() => undefined)
          .then(() => this.enqueue(uid));
      },
    });
    this.mirrors = opts.staticPods && new MirrorPodManager({ client: opts.client, nodeName: opts.nodeName, logger: opts.logger });
    this.pods.addEventHandler({
      onAdd: (p) => this.podEvent(p),
      onUpdate: (_o, p) => this.podEvent(p),
      onDelete: (p) => {
        if (!isMirrorPod(p)) return void this.forget(p);
        this.lastStatus.delete(p.metadata!.uid!);
        this.syncMirrors();
      },
    });
  }

  private podEvent(p: Pod): void {
    if (!isMirrorPod(p)) return this.enqueue(p.metadata!.uid!);
    const s = this.opts.staticPods?.get(p.metadata!.namespace!, p.metadata!.name!);
    if (s) this.enqueue(s.metadata!.uid!);
    this.syncMirrors();
  }

  private syncMirrors(): void {
    if (!this.mirrors || !this.opts.staticPods || !this.signal || this.signal.aborted) return;
    void this.mirrors.sync(this.opts.staticPods.pods(), this.pods.store.list());
  }

  private staticPodsChanged(pods: Pod[]): void {
    const now = new Map(pods.map((p) => [p.metadata!.uid!, p]));
    for (const [uid, old] of this.staticByUid) {
      if (now.has(uid)) continue;
      const st = this.workers.get(uid);
      clearTimeout(st?.timer);
      this.workers.delete(uid);
      this.probes.removePod(uid);
      void (st?.worker ?? this.newWorker(uid)).stopAll(old.spec?.terminationGracePeriodSeconds ?? 30).catch(() => undefined);
    }
    this.staticByUid = now;
    for (const uid of now.keys()) this.enqueue(uid);
    this.syncMirrors();
  }

  private podByUid(uid: string): Pod | undefined {
    return this.pods.store.list().find((p) => p.metadata?.uid === uid && !isMirrorPod(p)) ?? this.staticByUid.get(uid);
  }

  /** What the kubelet server needs to find a pod's logs: its uid and each container's attempt and state. */
  async logInfo(namespace: string, name: string): Promise<PodLogInfo | undefined> {
    const api = this.pods.store.get(`${namespace}/${name}`);
    const pod = api && isMirrorPod(api) ? this.opts.staticPods?.get(namespace, name) : api;
    if (!pod || !api) return undefined;
    const statuses = [...(api.status?.initContainerStatuses ?? []), ...(api.status?.containerStatuses ?? [])];
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => {
      const s = statuses.find((x) => x.name === c.name);
      return { name: c.name, restartCount: s?.restartCount ?? 0, running: !!s?.state?.running, waitingReason: s?.state?.waiting?.reason };
    });
    return { uid: pod.metadata!.uid!, containers };
  }

  /**
   * The running container a stream (exec, attach) goes to, and the pod's sandbox (port-forward):
   * `container` defaults to the pod's first container, as kubectl's default. Undefined when the
   * pod is not on this node; `containerId` undefined when that container is not running.
   */
  async streamTarget(namespace: string, name: string, container?: string): Promise<StreamTarget | undefined> {
    const api = this.pods.store.get(`${namespace}/${name}`);
    const pod = api && isMirrorPod(api) ? this.opts.staticPods?.get(namespace, name) : api;
    if (!pod) return undefined;
    const uid = pod.metadata!.uid!;
    const containerName = container || pod.spec?.containers?.[0]?.name || '';
    const running = await this.opts.runtime.listContainers({ state: 'CONTAINER_RUNNING', labelSelector: { [LABEL_POD_UID]: uid, [LABEL_CONTAINER_NAME]: containerName } });
    const sandboxes = await this.opts.runtime.listPodSandbox({ state: 'SANDBOX_READY', labelSelector: { [LABEL_POD_UID]: uid } });
    return { uid, containerName, containerId: running[0]?.id, podSandboxId: sandboxes[0]?.id };
  }

  /** Asks for a sync of the pod (now, or after `delayMs`). */
  enqueue(uid: string, delayMs = 0): void {
    if (!this.signal || this.signal.aborted) return;
    let st = this.workers.get(uid);
    if (!st) {
      st = { worker: this.newWorker(uid), running: false, again: false };
      this.workers.set(uid, st);
    }
    if (delayMs > 0) {
      clearTimeout(st.timer);
      st.timer = setTimeout(() => this.enqueue(uid), delayMs);
      return;
    }
    if (st.running) {
      st.again = true;
      return;
    }
    void this.run(uid, st);
  }

  private async run(uid: string, st: WorkerState): Promise<void> {
    st.running = true;
    try {
      do {
        st.again = false;
        const pod = this.podByUid(uid);
        if (!pod) break;
        try {
          await st.worker.sync(pod);
        } catch (e) {
          this.opts.logger.warn({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err: e }, 'pod sync failed; retrying');
          this.enqueue(uid, 1000);
        }
      } while (st.again && !this.signal?.aborted);
    } finally {
      st.running = false;
    }
  }

  private newWorker(uid: string): PodWorker {
    const { client, runtime, logger, logRoot, hostIP } = this.opts;
    return new PodWorker(
      {
        runtime,
        backoff: this.backoff,
        env: this.env,
        logger,
        logRoot,
        hostIP,
        setStatus: (pod, status) => this.setStatus(pod, status),
        finishDeletion: async (pod) => {
          try {
            await client.resource<Pod>(PODS).delete(pod.metadata!.namespace!, pod.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        },
        resyncAfter: (ms) => this.enqueue(uid, ms),
        probes: this.probes,
        recorder: this.recorder,
        services: () => this.services.store.list(),
        volumes: this.opts.volumes,
        dns: { clusterDNS: this.opts.clusterDNS ?? [], clusterDomain: this.opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN, hostResolvConfPath: this.opts.resolvConf },
        allocatable: () => (this.node.store.list()[0]?.status?.allocatable ?? {}) as Record<string, string>,
      },
      uid,
    );
  }

  /** Writes the status through the status subresource when it differs from the last written. */
  private async setStatus(staticOrApi: Pod, status: PodStatus): Promise<void> {
    const pod = isStaticPod(staticOrApi) ? mirrorOf(staticOrApi, (k) => this.pods.store.get(k)) : staticOrApi;
    if (!pod) return;
    const uid = pod.metadata!.uid!;
    const known = this.lastStatus.get(uid) ?? pod.status;
    const comparable = (s: PodStatus | undefined) => ({ ...s, conditions: s?.conditions?.map((c) => ({ ...c, lastTransitionTime: undefined, lastProbeTime: undefined })) });
    if (same(comparable(known), comparable(status))) return;
    try {
      await this.opts.client.resource<Pod>(PODS).patch(pod.metadata!.namespace!, pod.metadata!.name!, 'merge', { metadata: { uid }, status }, { subresource: 'status' });
      this.lastStatus.set(uid, status);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** The pod is gone from the API: whatever still runs for it is stopped at once. */
  private async forget(pod: Pod): Promise<void> {
    const uid = pod.metadata!.uid!;
    const st = this.workers.get(uid);
    clearTimeout(st?.timer);
    this.workers.delete(uid);
    this.lastStatus.delete(uid);
    this.probes.removePod(uid);
    await (st?.worker ?? this.newWorker(uid)).stopAll(0).catch((e) => this.opts.logger.warn({ uid, err: e }, 'could not stop a deleted pod'));
    await this.opts.volumes?.tearDown(uid).catch((e) => this.opts.logger.warn({ uid, err: e }, 'could not remove a deleted pod\'s volumes'));
  }

  /** Sandboxes of pods the API no longer has (deleted while the kubelet was away) are removed. */
  private async housekeeping(): Promise<void> {
    const known = new Set([...this.pods.store.list().map((p) => p.metadata?.uid), ...this.staticByUid.keys()]);
    for (const s of await this.opts.runtime.listPodSandbox()) {
      const uid = s.labels[LABEL_POD_UID];
      if (uid && !known.has(uid) && !this.workers.has(uid)) await this.forget({ metadata: { uid, name: s.metadata.name, namespace: s.metadata.namespace } });
    }
    await this.opts.volumes?.cleanupOrphans([...known, ...this.workers.keys()].filter((u): u is string => !!u));
  }

  async start(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    const unsubscribe = this.opts.runtime.onContainerEvent((e) => {
      // Container events name the sandbox; the sandbox's label names the pod.
      void this.opts.runtime
        .podSandboxStatus(e.podSandboxId)
        .then((s) => s.labels[LABEL_POD_UID] && this.enqueue(s.labels[LABEL_POD_UID]))
        .catch(() => undefined);
    });
    // Containers get the Services' variables: like upstream, pods start once the Services are known.
    const own = !this.opts.informers;
    if (own) this.informers.start(signal);
    const services = own ? this.informers.stopped() : Promise.resolve();
    const node = this.node.run(signal);
    await Promise.all([this.informers.waitForCacheSync(signal), this.node.waitForSync(signal)]);
    const informer = this.pods.run(signal);
    const offStatic = this.opts.staticPods?.onChange((pods) => this.staticPodsChanged(pods));
    if (this.opts.staticPods) this.staticPodsChanged(this.opts.staticPods.pods());
    const resync = setInterval(() => {
      for (const p of this.pods.store.list()) if (!isMirrorPod(p)) this.enqueue(p.metadata!.uid!);
      for (const uid of this.staticByUid.keys()) this.enqueue(uid);
      this.syncMirrors();
      void this.housekeeping().catch((e) => this.opts.logger.warn({ err: e }, 'housekeeping failed'));
    }, this.opts.resyncMs ?? 10_000);
    try {
      await Promise.all([informer, services, node]);
    } finally {
      clearInterval(resync);
      offStatic?.();
      unsubscribe();
      for (const st of this.workers.values()) clearTimeout(st.timer);
      this.probes.stopAll();
      await this.stopEverything();
      await this.events.flush().catch(() => undefined);
    }
  }

  /**
   * Shutdown (Ctrl-C, SIGTERM): every container gets its pod's grace period (at most
   * `shutdownGraceSeconds`), as a user stopping the server in a terminal expects. Sandboxes stay
   * recorded, stopped, so the next start restarts the pods as after a node reboot.
   */
  private async stopEverything(): Promise<void> {
    const rt = this.opts.runtime;
    const graceOf = new Map([...this.pods.store.list(), ...this.staticByUid.values()].map((p) => [p.metadata?.uid, p.spec?.terminationGracePeriodSeconds ?? 30]));
    const cap = this.opts.shutdownGraceSeconds ?? 10;
    const running = await rt.listContainers({ state: 'CONTAINER_RUNNING' }).catch(() => []);
    await Promise.all(
      running.map((c) => rt.stopContainer(c.id, Math.min(cap, graceOf.get(c.labels[LABEL_POD_UID]) ?? cap)).catch(() => undefined)),
    );
    for (const s of await rt.listPodSandbox({ state: 'SANDBOX_READY' }).catch(() => [])) await rt.stopPodSandbox(s.id).catch(() => undefined);
  }
}
