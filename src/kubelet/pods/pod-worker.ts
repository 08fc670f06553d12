// One pod's worker (upstream podWorkers + kuberuntime SyncPod, reduced): level-triggered — each
// sync compares the pod's spec with what the runtime runs and takes the next step: a sandbox,
// then init containers one at a time, then every container; exited containers restart as the
// restart policy says, after the CrashLoopBackOff delay; a pod being deleted has its containers
// stopped within the grace period, its sandbox removed and its API object deleted. Each sync
// ends with the status computed from the runtime's records.
import type { Container, Pod, PodStatus, Service } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../apimachinery/quantity.js';
import type { EventRecorder } from '../../client/events/types.js';
import type { Logger } from '../../logging/index.js';
import { type ContainerConfig, type ContainerStatus, type Mount, type PodSandboxConfig, type RuntimeService, RuntimeError, containerLogPath, podLogDirectory } from '../runtime/types.js';
import type { ProbeManager, RunningContainer } from '../prober/manager.js';
import type { RestartBackoff } from './backoff.js';
import { EnvError, commandLine, containerEnv, type EnvSources } from './environment.js';
import { PodEtcFiles, type PodEtcFilesOptions, withEtcMounts } from './etc-files.js';
import { killContainer, runHook } from './lifecycle.js';
import { serviceEnv, servicesForPod } from './service-env.js';
import { ContainerMountError, PodVolumesError, type VolumeManager } from '../volumes/index.js';
import { podStatus, type ContainerView } from './status.js';

export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';

export interface WorkerDeps {
  runtime: RuntimeService;
  backoff: RestartBackoff;
  env: EnvSources;
  logger: Logger;
  logRoot: string;
  hostIP: string;
  /** Writes the status when it changed (the kubelet's status manager). */
  setStatus(pod: Pod, status: PodStatus): Promise<void>;
  /** Deletes the API object once everything is stopped (grace 0, uid precondition). */
  finishDeletion(pod: Pod): Promise<void>;
  /** Asks for another sync of this pod after `ms` (back-off ends, periodic checks). */
  resyncAfter(ms: number): void;
  /** Probe workers (readiness, liveness, startup); absent: containers are ready while running. */
  probes?: ProbeManager;
  /** Events on the pod, as upstream's kubelet records them (Created, Started, Killing, BackOff ...). */
  recorder?: EventRecorder;
  /** The Services whose variables containers get (the kubelet's informer cache). */
  services?: () => Iterable<Service>;
  /** Sets up the pod's volumes before its sandbox; absent: pods with volumes get no mounts. */
  volumes?: VolumeManager;
  /**
   * Cluster DNS and domain: containers get the pod's /etc/resolv.conf and /etc/hosts, written in
   * the pod's directory (the VolumeManager's); absent, or without volumes, they see the node's.
   */
  dns?: PodEtcFilesOptions;
  /** Node allocatable, for resourceFieldRef to unset limits. */
  allocatable?: () => Record<string, string>;
  now?: () => number;
}

/**
 * The cgroup settings for a container, with upstream's formulas (kuberuntime_container_linux):
 * memory limit as is, cpu shares from the request (min 2), quota from the limit over a 100 ms period.
 */
export function linuxResources(c: Container): NonNullable<NonNullable<ContainerConfig['linux']>['resources']> {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const milli = (q: string | number | undefined) => (q === undefined ? undefined : Number(Quantity.parse(String(q)).milliValue()));
  const cpuRequest = milli(requests.cpu ?? limits.cpu);
  const cpuLimit = milli(limits.cpu);
  const memory = limits.memory === undefined ? undefined : Number(Quantity.parse(String(limits.memory)).value());
  return {
    cpuShares: cpuRequest === undefined ? 2 : Math.max(2, Math.floor((cpuRequest * 1024) / 1000)),
    ...(cpuLimit !== undefined ? { cpuPeriod: 100_000, cpuQuota: Math.max(1000, cpuLimit * 100) } : {}),
    ...(memory !== undefined ? { memoryLimitInBytes: memory } : {}),
  };
}

const terminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const ns2ms = (ns: bigint) => Number(ns / 1_000_000n);

export class PodWorker {
  private startTime: Date | undefined;
  /** Why a container could not be created, by name (shown as its waiting reason until it can). */
  private readonly createErrors = new Map<string, { reason: string; message: string }>();
  /** The exited container each BackOff event was recorded for (one event per wait). */
  private readonly backoffReported = new Map<string, string>();
  /** FailedMount messages already recorded as events (one event per distinct failure). */
  private readonly mountFailures = new Set<string>();
  private volumesRefreshedAt = 0;
  /** The last sandbox creation failure recorded as an event (one event per distinct failure). */
  private sandboxFailure: string | undefined;
  private readonly etcFiles: PodEtcFiles | undefined;

  constructor(
    private readonly deps: WorkerDeps,
    readonly uid: string,
  ) {
    this.etcFiles = deps.dns && new PodEtcFiles(deps.dns);
  }

  private sandboxConfig(pod: Pod): PodSandboxConfig {
    const m = pod.metadata!;
    return {
      metadata: { name: m.name!, namespace: m.namespace!, uid: m.uid!, attempt: 0 },
      hostname: pod.spec?.hostname ?? m.name,
      logDirectory: podLogDirectory(this.deps.logRoot, m.namespace!, m.name!, m.uid!),
      labels: { [LABEL_POD_UID]: m.uid!, [LABEL_POD_NAME]: m.name!, [LABEL_POD_NAMESPACE]: m.namespace! },
      annotations: {},
      hostNetwork: pod.spec?.hostNetwork ?? false,
    };
  }

  /** One step towards the pod's desired state; safe to call any number of times. */
  async sync(pod: Pod): Promise<void> {
    if (pod.metadata?.deletionTimestamp) return this.terminate(pod);
    const rt = this.deps.runtime;
    const sandboxConfig = this.sandboxConfig(pod);
    let sandboxes = await rt.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: this.uid }, state: 'SANDBOX_READY' });
    const finished = terminal(pod);
    if (!finished && !(await this.volumesReady(pod))) {
      const status = podStatus({ pod, views: await this.views(pod), hostIP: this.deps.hostIP, sandboxReady: false, startTime: (this.startTime ??= new Date(this.now())) });
      await this.deps.setStatus(pod, status);
      this.deps.resyncAfter(2_000);
      return;
    }
    if (sandboxes.length === 0 && !finished) {
      // A stopped sandbox (the node stopped, or its network went away) is replaced by a new
      // attempt, as upstream's kubelet does; the old one's exited containers stay as the pod's
      // history (restart counts, --previous logs) until the pod goes.
      const stopped = await rt.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: this.uid } });
      const attempt = stopped.reduce((n, s) => Math.max(n, s.metadata.attempt + 1), 0);
      try {
        await rt.runPodSandbox({ ...sandboxConfig, metadata: { ...sandboxConfig.metadata, attempt } });
        this.sandboxFailure = undefined;
      } catch (e) {
        // As upstream: an event, the status written without a sandbox, another try later.
        const message = `Failed to create pod sandbox: ${(e as Error).message}`;
        if (this.sandboxFailure !== message) this.deps.recorder?.event(pod, 'Warning', 'FailedCreatePodSandBox', message);
        this.sandboxFailure = message;
        this.deps.logger.debug({ pod: this.uid, err: e }, 'could not create the pod sandbox');
        this.deps.resyncAfter(2_000);
      }
      sandboxes = await rt.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: this.uid }, state: 'SANDBOX_READY' });
    }
    const sandbox = sandboxes[0];
    const sandboxStatus = sandbox ? await rt.podSandboxStatus(sandbox.id) : undefined;
    this.startTime ??= pod.status?.startTime ? new Date(pod.status.startTime) : new Date(this.now());
    const views = await this.views(pod);
    if (sandbox && !finished) await this.advance(pod, sandbox.id, sandboxConfig, views, sandboxStatus?.network.ip);
    const after = await this.views(pod);
    for (const [name, e] of this.createErrors) {
      const v = after.get(name);
      if (v) v.waiting = e;
    }
    this.markBackoff(pod, after);
    this.applyProbes(pod, after, sandboxStatus?.network.ip ?? this.deps.hostIP);
    const status = podStatus({ pod, views: after, podIP: sandboxStatus?.network.ip, hostIP: this.deps.hostIP, sandboxReady: !!sandbox, startTime: this.startTime });
    await this.deps.setStatus(pod, status);
    // A pod that has finished keeps its records (logs, statuses) but nothing runs for it.
    if ((status.phase === 'Succeeded' || status.phase === 'Failed') && sandbox) await rt.stopPodSandbox(sandbox.id);
  }

  /**
   * Sets up the pod's volumes (a no-op once done) and refreshes ConfigMap/Secret/downward API
   * contents at most every 10 s; failures become FailedMount events, the pod waits in ContainerCreating.
   */
  private async volumesReady(pod: Pod): Promise<boolean> {
    const volumes = this.deps.volumes;
    if (!volumes || !pod.spec?.volumes?.length) return true;
    try {
      await volumes.setUp(pod);
      if (this.now() - this.volumesRefreshedAt >= 10_000) {
        this.volumesRefreshedAt = this.now();
        await volumes.refresh(pod);
      }
      this.mountFailures.clear();
      return true;
    } catch (e) {
      if (!(e instanceof PodVolumesError)) throw e;
      for (const err of e.errors) {
        if (this.mountFailures.has(err.message)) continue;
        this.mountFailures.add(err.message);
        this.deps.recorder?.event(pod, 'Warning', 'FailedMount', err.message);
      }
      this.deps.logger.debug({ pod: this.uid, err: e }, 'volumes not ready');
      return false;
    }
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** The newest and previous attempt of every container of the pod, by name. */
  private async views(pod: Pod): Promise<Map<string, ContainerView>> {
    const rt = this.deps.runtime;
    const list = await rt.listContainers({ labelSelector: { [LABEL_POD_UID]: this.uid } });
    const byName = new Map<string, ContainerStatus[]>();
    for (const c of list) {
      const name = c.labels[LABEL_CONTAINER_NAME] ?? c.metadata.name;
      const s = await rt.containerStatus(c.id).catch(() => undefined);
      if (!s) continue;
      const arr = byName.get(name) ?? [];
      arr.push(s);
      byName.set(name, arr);
    }
    const views = new Map<string, ContainerView>();
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      const attempts = (byName.get(c.name) ?? []).sort((a, b) => b.metadata.attempt - a.metadata.attempt);
      views.set(c.name, { current: attempts[0], previous: attempts[1] });
    }
    return views;
  }

  /** Starts what should run next: init containers in order, then all containers. */
  private async advance(pod: Pod, sandboxId: string, sandboxConfig: PodSandboxConfig, views: Map<string, ContainerView>, podIP: string | undefined): Promise<void> {
    const policy = pod.spec?.restartPolicy ?? 'Always';
    for (const c of pod.spec?.initContainers ?? []) {
      const cur = views.get(c.name)?.current;
      if (c.restartPolicy === 'Always') {
        // A sidecar: started in order, kept running; the next init container does not wait for it to end.
        await this.ensure(pod, c, cur, 'Always', sandboxId, sandboxConfig, podIP);
        if (!cur || cur.state !== 'CONTAINER_RUNNING') return;
        continue;
      }
      if (cur?.state === 'CONTAINER_EXITED' && cur.exitCode === 0) continue;
      // Init containers restart on failure unless the pod's policy is Never.
      await this.ensure(pod, c, cur, policy === 'Never' ? 'Never' : 'OnFailure', sandboxId, sandboxConfig, podIP);
      return;
    }
    for (const c of pod.spec?.containers ?? []) await this.ensure(pod, c, views.get(c.name)?.current, policy, sandboxId, sandboxConfig, podIP);
  }

  /** Creates and starts `c` if it never ran, or restarts it when its policy and back-off allow. */
  private async ensure(pod: Pod, c: Container, cur: ContainerStatus | undefined, policy: string, sandboxId: string, sandboxConfig: PodSandboxConfig, podIP: string | undefined): Promise<void> {
    if (cur && cur.state !== 'CONTAINER_EXITED') return;
    let attempt = 0;
    if (cur) {
      const restart = policy === 'Always' || (policy === 'OnFailure' && cur.exitCode !== 0);
      if (!restart) return;
      const key = `${this.uid}/${c.name}`;
      const wait = this.deps.backoff.remaining(key, ns2ms(cur.finishedAt));
      if (wait > 0) {
        if (this.backoffReported.get(c.name) !== cur.id) {
          this.backoffReported.set(c.name, cur.id);
          const m = pod.metadata!;
          this.deps.recorder?.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${m.name}_${m.namespace}(${m.uid})`);
        }
        this.deps.resyncAfter(wait);
        return;
      }
      this.deps.backoff.restarted(key);
      attempt = cur.metadata.attempt + 1;
    }
    await this.start(pod, c, attempt, sandboxId, sandboxConfig, podIP);
  }

  private async start(pod: Pod, c: Container, attempt: number, sandboxId: string, sandboxConfig: PodSandboxConfig, podIP: string | undefined): Promise<void> {
    const rt = this.deps.runtime;
    let id: string;
    try {
      const services = serviceEnv(servicesForPod(pod, this.deps.services?.() ?? []));
      const vars = await containerEnv(pod, c, this.deps.env, { podIP, hostIP: this.deps.hostIP, allocatable: this.deps.allocatable?.() }, services);
      const { command, args } = commandLine(c, vars);
      id = await rt.createContainer(
        sandboxId,
        {
          metadata: { name: c.name, attempt },
          image: { image: c.image ?? '' },
          command,
          args,
          workingDir: c.workingDir,
          envs: [...vars].map(([key, value]) => ({ key, value })),
          mounts: this.containerMounts(pod, c, vars, sandboxId, podIP),
          logPath: containerLogPath(c.name, attempt),
          stdin: c.stdin,
          stdinOnce: c.stdinOnce,
          tty: c.tty,
          labels: { [LABEL_POD_UID]: this.uid, [LABEL_CONTAINER_NAME]: c.name },
          annotations: {},
          linux: { resources: linuxResources(c) },
        },
        sandboxConfig,
      );
    } catch (e) {
      const reason = e instanceof EnvError || e instanceof ContainerMountError ? 'CreateContainerConfigError' : e instanceof RuntimeError ? e.reason : 'CreateContainerError';
      if (this.createErrors.get(c.name)?.message !== (e as Error).message) this.deps.recorder?.event(pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`);
      this.createErrors.set(c.name, { reason, message: (e as Error).message });
      this.deps.logger.debug({ pod: this.uid, container: c.name, err: e }, 'could not create container');
      this.deps.resyncAfter(2_000);
      return;
    }
    this.createErrors.delete(c.name);
    const rec = this.deps.recorder;
    // The process runtime has no images to pull: the image is "present" (upstream's wording).
    rec?.event(pod, 'Normal', 'Pulled', `Container image "${c.image ?? ''}" already present on machine`);
    rec?.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
    try {
      await rt.startContainer(id);
      rec?.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    } catch (e) {
      rec?.event(pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`);
      this.deps.logger.debug({ pod: this.uid, container: c.name, err: e }, 'could not start container');
      return;
    }
    const postStart = c.lifecycle?.postStart;
    if (!postStart) return;
    const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
    const failure = await runHook(postStart, { pod, container: c, containerId: id, podIP: podIP ?? this.deps.hostIP, runtime: rt }, Math.max(grace, 1));
    if (failure) {
      rec?.event(pod, 'Warning', 'FailedPostStartHook', failure);
      await killContainer({ runtime: rt, recorder: rec }, { pod, container: c, containerId: id, podIP: podIP ?? this.deps.hostIP }, grace).catch(() => undefined);
    }
  }

  /**
   * The container's volume mounts, and the pod's /etc/hosts and /etc/resolv.conf (written now,
   * the DNS events recorded on the pod as upstream's kubelet does) unless it mounts those itself.
   */
  private containerMounts(pod: Pod, c: Container, vars: ReadonlyMap<string, string>, sandboxId: string, podIP: string | undefined): Mount[] {
    const mounts = this.deps.volumes?.mountsFor(pod, c, vars) ?? [];
    const dir = this.deps.volumes?.podDir(this.uid);
    if (!this.etcFiles || !dir) return mounts;
    const { paths, events } = this.etcFiles.ensure(pod, dir, sandboxId, podIP);
    for (const e of events) this.deps.recorder?.event(pod, 'Warning', e.reason, e.message);
    return withEtcMounts(mounts, c, paths);
  }

  /** Starts probe workers for running containers and reads their readiness into the views. */
  private applyProbes(pod: Pod, views: Map<string, ContainerView>, podIP: string): void {
    const probes = this.deps.probes;
    if (!probes) return;
    const running: RunningContainer[] = [];
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      const cur = views.get(c.name)?.current;
      if (cur?.state === 'CONTAINER_RUNNING') running.push({ container: c, containerId: cur.id });
    }
    probes.update(pod, running, podIP);
    for (const c of pod.spec?.containers ?? []) {
      const v = views.get(c.name);
      if (!v) continue;
      v.ready = probes.ready(this.uid, c);
      if (probes.startupPending(this.uid, c)) v.started = false;
    }
  }

  /** Containers waiting out a back-off show CrashLoopBackOff (with the last run as lastState). */
  private markBackoff(pod: Pod, views: Map<string, ContainerView>): void {
    const policy = pod.spec?.restartPolicy ?? 'Always';
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      const v = views.get(c.name);
      const cur = v?.current;
      if (!v || v.waiting || cur?.state !== 'CONTAINER_EXITED') continue;
      const isInit = (pod.spec?.initContainers ?? []).includes(c);
      const effective = isInit && c.restartPolicy !== 'Always' ? (policy === 'Never' ? 'Never' : 'OnFailure') : isInit ? 'Always' : policy;
      if (isInit && c.restartPolicy !== 'Always' && cur.exitCode === 0) continue;
      const restarts = effective === 'Always' || (effective === 'OnFailure' && cur.exitCode !== 0);
      if (!restarts) continue;
      const key = `${this.uid}/${c.name}`;
      if (this.deps.backoff.remaining(key, ns2ms(cur.finishedAt)) <= 0) continue;
      const m = pod.metadata!;
      v.waiting = {
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(this.deps.backoff.delay(key) / 1000)}s restarting failed container=${c.name} pod=${m.name}_${m.namespace}(${m.uid})`,
      };
    }
  }

  /** Stops the pod's containers within the grace period, removes its sandbox, completes the deletion. */
  async terminate(pod: Pod): Promise<void> {
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    this.deps.probes?.removePod(this.uid);
    const rt = this.deps.runtime;
    const running = await rt.listContainers({ labelSelector: { [LABEL_POD_UID]: this.uid }, state: 'CONTAINER_RUNNING' });
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    const sandbox = (await rt.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: this.uid } }))[0];
    const podIP = (sandbox && (await rt.podSandboxStatus(sandbox.id).catch(() => undefined))?.network.ip) || this.deps.hostIP;
    await Promise.all(
      running.map((c) => {
        const name = c.labels[LABEL_CONTAINER_NAME] ?? c.metadata.name;
        this.deps.recorder?.event(pod, 'Normal', 'Killing', `Stopping container ${name}`);
        const container = specs.find((s) => s.name === name) ?? { name };
        return killContainer({ runtime: rt, recorder: this.deps.recorder }, { pod, container, containerId: c.id, podIP }, grace).catch(() => undefined);
      }),
    );
    await this.stopAll(0);
    await this.deps.volumes?.tearDown(this.uid);
    await this.deps.finishDeletion(pod);
    this.deps.backoff.forgetPod(this.uid);
  }

  /** Stops every container and sandbox of this pod (grace in seconds) and removes them. */
  async stopAll(graceSeconds: number): Promise<void> {
    const rt = this.deps.runtime;
    const containers = await rt.listContainers({ labelSelector: { [LABEL_POD_UID]: this.uid } });
    await Promise.all(containers.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => rt.stopContainer(c.id, graceSeconds).catch(() => undefined)));
    for (const s of await rt.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: this.uid } })) {
      await rt.stopPodSandbox(s.id);
      await rt.removePodSandbox(s.id);
    }
  }
}
