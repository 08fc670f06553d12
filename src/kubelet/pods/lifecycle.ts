// Container lifecycle hooks (upstream pkg/kubelet/lifecycle + kuberuntime killContainer): postStart
// runs right after the container started — if it fails the container is killed (and restarted as
// the restart policy says) with a FailedPostStartHook event; preStop runs before a container is
// stopped, within its grace period, and what is left of the period (at least 2 s, upstream's
// minimum) goes to SIGTERM before SIGKILL. exec, httpGet and sleep actions; tcpSocket is
// deprecated upstream and does nothing.
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/events/types.js';
import { execAction, httpGetAction } from '../prober/probe.js';
import type { RuntimeService } from '../runtime/types.js';

/** upstream minimumGracePeriodInSeconds: what SIGTERM gets after a preStop hook at least. */
export const MIN_GRACE_AFTER_PRESTOP = 2;

export interface HookTarget {
  pod: Pod;
  container: Container;
  containerId: string;
  podIP: string;
  runtime: RuntimeService;
}

const podDesc = (pod: Pod) => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

/** Runs one hook; resolves with upstream's failure message, or undefined when it succeeded. */
export async function runHook(handler: LifecycleHandler, t: HookTarget, timeoutSeconds: number): Promise<string | undefined> {
  const where = `for Container "${t.container.name}" in Pod "${podDesc(t.pod)}"`;
  if (handler.exec) {
    const r = await execAction(handler.exec, t, timeoutSeconds);
    return r.ok ? undefined : `Exec lifecycle hook (${JSON.stringify(handler.exec.command ?? [])}) ${where} failed - error: ${r.message}`;
  }
  if (handler.httpGet) {
    // upstream's HTTP hook fails only when the request fails, whatever the status code.
    const r = await httpGetAction(handler.httpGet, t, timeoutSeconds * 1000);
    if (r.ok || r.message.startsWith('HTTP probe failed with statuscode')) return undefined;
    return `HTTP lifecycle hook (${handler.httpGet.path ?? ''}) ${where} failed - error: ${r.message}`;
  }
  if (handler.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(handler.sleep!.seconds, timeoutSeconds) * 1000));
    return undefined;
  }
  return undefined;
}

export interface KillDeps {
  runtime: RuntimeService;
  recorder?: EventRecorder;
}

/** Stops a container as upstream's killContainer: preStop (within the grace period), then SIGTERM, then SIGKILL. */
export async function killContainer(deps: KillDeps, t: Omit<HookTarget, 'runtime'>, graceSeconds: number): Promise<void> {
  let grace = graceSeconds;
  const preStop = t.container.lifecycle?.preStop;
  if (preStop && grace > 0) {
    const started = Date.now();
    const failure = await runHook(preStop, { ...t, runtime: deps.runtime }, grace);
    if (failure) deps.recorder?.event(t.pod, 'Warning', 'FailedPreStopHook', failure);
    grace = Math.max(MIN_GRACE_AFTER_PRESTOP, grace - Math.floor((Date.now() - started) / 1000));
  }
  await deps.runtime.stopContainer(t.containerId, grace);
}
