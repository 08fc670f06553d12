// What the built-in service load balancer publishes: which nodes serve a LoadBalancer service and
// the addresses that reach them, as k3s's ServiceLB computes them (pkg/cloudprovider/servicelb.go:
// getStatus, podIPs, filterByIPFamily, nodeHasDaemonSetLabel). k3s lists the nodes running its
// svclb DaemonSet pods; there are no such pods here, so a node serves when its pod would run and
// be ready there: the node is Ready, is not going away, and passes the enablelb/lbpool selection.
import { isIPv4, isIPv6 } from 'node:net';
import type { LoadBalancerIngress, Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

/** k3s: once any node carries this label (whatever its value), only nodes with "true" serve. */
export const LABEL_ENABLE_LB = 'svccontroller.k3s.cattle.io/enablelb';
/** k3s: with enablelb in force, a service labelled with a pool is served by that pool's nodes only. */
export const LABEL_LB_POOL = 'svccontroller.k3s.cattle.io/lbpool';
/** upstream v1.LabelNodeExcludeBalancers: the node takes no load-balancer traffic. */
export const LABEL_EXCLUDE_FROM_LB = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** upstream's ToBeDeletedTaint: the cluster autoscaler is about to remove the node. */
export const TAINT_TO_BE_DELETED = 'ToBeDeletedByClusterAutoscaler';
/** upstream servicehelper.LoadBalancerCleanupFinalizer: the service has a load balancer to tear down. */
export const LB_CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';

/** upstream wantsLoadBalancer, for this implementation: LoadBalancer services without a class. */
export const wantsLoadBalancer = (svc: Service): boolean => svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;

export const hasCleanupFinalizer = (svc: Service): boolean => (svc.metadata?.finalizers ?? []).includes(LB_CLEANUP_FINALIZER);

/**
 * upstream needsCleanup (widened to wantsLoadBalancer, as syncLoadBalancerIfNeeded takes the delete
 * path for it): the finalizer says this controller published a load balancer the service no longer
 * wants, or the service is being deleted.
 */
export const needsCleanup = (svc: Service): boolean => hasCleanupFinalizer(svc) && (!!svc.metadata?.deletionTimestamp || !wantsLoadBalancer(svc));

/** upstream RequestsOnlyLocalTraffic: external traffic only to endpoints on the receiving node. */
export const requestsOnlyLocalTraffic = (svc: Service): boolean =>
  (svc.spec?.type === 'LoadBalancer' || svc.spec?.type === 'NodePort') && svc.spec.externalTrafficPolicy === 'Local';

export const isNodeReady = (node: Node): boolean => (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** A node that could carry load-balancer traffic at all (cordoned ones do: DaemonSet pods tolerate that). */
export function nodeCanServe(node: Node): boolean {
  if (node.metadata?.deletionTimestamp) return false;
  if (node.metadata?.labels?.[LABEL_EXCLUDE_FROM_LB] !== undefined) return false;
  if ((node.spec?.taints ?? []).some((t) => t.key === TAINT_TO_BE_DELETED)) return false;
  return isNodeReady(node);
}

/** k3s nodeHasDaemonSetLabel: any node labelled (with any value) restricts the choice to "true" ones. */
export const enableLbSelectionInForce = (nodes: readonly Node[]): boolean => nodes.some((n) => n.metadata?.labels?.[LABEL_ENABLE_LB] !== undefined);

/** The node names with a ready pod endpoint of the service (k3s's readyNodes for Local traffic). */
export function nodesWithReadyEndpoints(slices: readonly EndpointSlice[]): Set<string> {
  const names = new Set<string>();
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      if (ep.targetRef?.kind === 'Pod' && ep.conditions?.ready === true && ep.nodeName) names.add(ep.nodeName);
    }
  }
  return names;
}

export interface IngressInputs {
  /** Every node the cache holds (the enablelb rule looks at all of them, not just ready ones). */
  nodes: readonly Node[];
  /** For services with externalTrafficPolicy Local: the nodes with ready endpoints. */
  localNodes?: ReadonlySet<string>;
}

/** The nodes that serve `svc`. */
export function servingNodes(svc: Service, { nodes, localNodes }: IngressInputs): Node[] {
  let serving = nodes.filter(nodeCanServe);
  if (enableLbSelectionInForce(nodes)) {
    serving = serving.filter((n) => n.metadata?.labels?.[LABEL_ENABLE_LB] === 'true');
    const pool = svc.metadata?.labels?.[LABEL_LB_POOL];
    if (pool) serving = serving.filter((n) => n.metadata?.labels?.[LABEL_LB_POOL] === pool);
  }
  if (localNodes && requestsOnlyLocalTraffic(svc)) serving = serving.filter((n) => localNodes.has(n.metadata?.name ?? ''));
  return serving;
}

/**
 * k3s podIPs + filterByIPFamily: the serving nodes' ExternalIPs if any of them has one (a mix
 * would hand outside clients internal addresses), else their InternalIPs; de-duplicated, kept to
 * the service's IP families in its order, each family sorted as Go's sort.Strings does.
 */
export function ingressAddresses(svc: Service, serving: readonly Node[]): string[] {
  const external = new Set<string>();
  const internal = new Set<string>();
  for (const node of serving) {
    for (const a of node.status?.addresses ?? []) {
      if (a.type === 'ExternalIP') external.add(a.address);
      else if (a.type === 'InternalIP') internal.add(a.address);
    }
  }
  const ips = [...(external.size ? external : internal)];
  const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const v4 = ips.filter((ip) => isIPv4(ip)).sort(byCodeUnit);
  const v6 = ips.filter((ip) => isIPv6(ip)).sort(byCodeUnit);
  // The server always fills ipFamilies for LoadBalancer services; an object without them is read
  // as wanting both rather than none.
  const families = svc.spec?.ipFamilies?.length ? svc.spec.ipFamilies : ['IPv4', 'IPv6'];
  return [...new Set(families)].flatMap((f) => (f === 'IPv4' ? v4 : f === 'IPv6' ? v6 : []));
}

/**
 * status.loadBalancer.ingress for `svc`. ipMode VIP: clients reach the load balancer's address
 * itself (here the node's), so the proxy programs that address for the service's ports, in-cluster
 * traffic to it included (Proxy would mean the balancer rewrites the destination itself).
 */
export function desiredIngress(svc: Service, inputs: IngressInputs): LoadBalancerIngress[] {
  return ingressAddresses(svc, servingNodes(svc, inputs)).map((ip) => ({ ip, ipMode: 'VIP' }));
}

/** upstream LoadBalancerStatusEqual: the same entries in the same order (ip, hostname, ipMode, ports). */
export function ingressEqual(a: readonly LoadBalancerIngress[] | undefined, b: readonly LoadBalancerIngress[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  return x.every((e, i) => {
    const f = y[i]!;
    return (e.ip ?? '') === (f.ip ?? '') && (e.hostname ?? '') === (f.hostname ?? '') && (e.ipMode ?? '') === (f.ipMode ?? '') && JSON.stringify(e.ports ?? []) === JSON.stringify(f.ports ?? []);
  });
}

/**
 * What about a node decides which services it serves and with which address: a change here sends
 * every load-balanced service back through the controller.
 */
export function nodeFingerprint(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  return JSON.stringify([
    nodeCanServe(node),
    labels[LABEL_ENABLE_LB] ?? null,
    labels[LABEL_LB_POOL] ?? null,
    (node.status?.addresses ?? []).filter((a) => a.type === 'ExternalIP' || a.type === 'InternalIP'),
  ]);
}
