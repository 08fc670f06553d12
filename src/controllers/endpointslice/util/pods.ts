// What the Endpoints and EndpointSlice controllers read from a pod (k8s.io/endpointslice/util and
// pkg/api/v1/pod upstream): readiness, whether it belongs in endpoints at all, its IPs, the
// container port a service port targets, and whether an update can change its endpoints.
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status === 'True';
}

/** Succeeded or Failed: every container stopped for good. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The pod's IPs: status.podIPs, or status.podIP alone when a writer set only that. */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

/**
 * upstream ShouldPodBeInEndpoints: terminal pods and pods without an IP never are; pods being
 * deleted only when the caller includes terminating ones (EndpointSlices always do; Endpoints
 * only with publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** A pod names its DNS hostname under a service when its subdomain is that service. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

/** A cluster IP other than None is set (headless services have None). */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/**
 * upstream FindPort: a numeric targetPort is used as is; a named one is looked up among the
 * ports of the pod's containers, then of its sidecars (init containers that restart Always), by
 * name and protocol. Undefined when no port fits.
 */
export function findPort(pod: Pod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  const protocol = svcPort.protocol ?? 'TCP';
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean => {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b ?? {}).length) return false;
  return ak.every((k) => a![k] === b?.[k]);
};

/**
 * upstream podEndpointsChanged: `labelsChanged` when the pod may match other services now (labels,
 * hostname or subdomain changed); `podChanged` when its endpoint may look different (deletion
 * started, readiness or IPs changed). Unlike upstream, a move to a terminal phase counts too, since
 * kubets' writers do not always flip Ready in the same update.
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): { podChanged: boolean; labelsChanged: boolean } {
  const labelsChanged =
    !sameLabels(oldPod.metadata?.labels, newPod.metadata?.labels) ||
    (oldPod.spec?.hostname ?? '') !== (newPod.spec?.hostname ?? '') ||
    (oldPod.spec?.subdomain ?? '') !== (newPod.spec?.subdomain ?? '');
  const oldIPs = podIPs(oldPod);
  const newIPs = podIPs(newPod);
  const podChanged =
    (oldPod.metadata?.deletionTimestamp ?? '') !== (newPod.metadata?.deletionTimestamp ?? '') ||
    isPodReady(oldPod) !== isPodReady(newPod) ||
    isPodTerminal(oldPod) !== isPodTerminal(newPod) ||
    (oldPod.spec?.nodeName ?? '') !== (newPod.spec?.nodeName ?? '') ||
    oldIPs.length !== newIPs.length ||
    oldIPs.some((ip, i) => ip !== newIPs[i]);
  return { podChanged, labelsChanged };
}
