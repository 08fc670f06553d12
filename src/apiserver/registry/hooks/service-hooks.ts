// Services get a cluster IP (unless headless or ExternalName) and node ports (NodePort and
// LoadBalancer) when created, keep them on update, and give them back when deleted.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { invalid as invalidErr } from '../../../apimachinery/errors.js';
import { type FieldError, FieldPath, invalid } from '../../../apimachinery/field-errors.js';
import type { ClusterIpAllocator, PortAllocator } from '../../allocators/cluster-ip.js';
import type { StoreHooks } from '../hooks.js';

type Svc = Service & { spec?: Service['spec'] & { clusterIPs?: string[] } };

const needsIp = (s: Svc) => s.spec?.type !== 'ExternalName' && s.spec?.clusterIP !== 'None';
const needsNodePorts = (s: Svc) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer';
/** Upstream allocates a health check node port for LoadBalancers that keep traffic on local endpoints. */
const needsHealthCheck = (s: Svc) => s.spec?.type === 'LoadBalancer' && s.spec.externalTrafficPolicy === 'Local';

export function serviceHooks(ips: ClusterIpAllocator, ports: PortAllocator): StoreHooks<Svc> {
  /** What this write took, so that a failed write gives it back. */
  const taken = new WeakMap<Svc, { ip?: string; ports: number[] }>();

  const fail = (svc: Svc, errs: FieldError[]) => {
    throw invalidErr({ group: '', kind: 'Service' }, svc.metadata?.name ?? '', errs);
  };

  function allocatePorts(svc: Svc, keep: Set<number>, got: { ports: number[] }): void {
    const errs: FieldError[] = [];
    (svc.spec?.ports ?? []).forEach((p: ServicePort, i) => {
      const path = FieldPath.root('spec').child('ports').index(i).child('nodePort');
      if (p.nodePort) {
        if (keep.has(p.nodePort)) return;
        if (!ports.contains(p.nodePort)) errs.push(invalid(path, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${ports.min}-${ports.max}`));
        else if (!ports.allocate(p.nodePort)) errs.push(invalid(path, p.nodePort, 'provided port is already allocated'));
        else got.ports.push(p.nodePort);
        return;
      }
      const port = ports.allocateNext();
      if (port === undefined) errs.push(invalid(path, null, 'range is full'));
      else {
        (p as { nodePort?: number }).nodePort = port;
        got.ports.push(port);
      }
    });
    if (needsHealthCheck(svc)) {
      const spec = svc.spec!;
      const path = FieldPath.root('spec').child('healthCheckNodePort');
      const hc = spec.healthCheckNodePort;
      if (hc && !keep.has(hc)) {
        if (!ports.contains(hc)) errs.push(invalid(path, hc, `provided port is not in the valid range. The range of valid ports is ${ports.min}-${ports.max}`));
        else if (!ports.allocate(hc)) errs.push(invalid(path, hc, 'provided port is already allocated'));
        else got.ports.push(hc);
      } else if (!hc) {
        const port = ports.allocateNext();
        if (port === undefined) errs.push(invalid(path, null, 'range is full'));
        else {
          spec.healthCheckNodePort = port;
          got.ports.push(port);
        }
      }
    }
    if (errs.length) {
      for (const p of got.ports) ports.release(p);
      got.ports = [];
      fail(svc, errs);
    }
  }

  return {
    beforeCreate(svc, ctx) {
      const got: { ip?: string; ports: number[] } = { ports: [] };
      const spec = (svc.spec ??= {});
      if (needsIp(svc)) {
        const path = FieldPath.root('spec').child('clusterIPs').index(0);
        if (spec.clusterIP) {
          if (!ips.contains(spec.clusterIP)) {
            fail(svc, [invalid(path, spec.clusterIP, `failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${ips.cidr}`)]);
          }
          if (!ips.allocate(spec.clusterIP)) {
            fail(svc, [invalid(path, spec.clusterIP, `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`)]);
          }
          got.ip = spec.clusterIP;
        } else {
          const ip = ips.allocateNext();
          if (!ip) fail(svc, [invalid(path, null, `failed to allocate a serviceIP: range is full`)]);
          spec.clusterIP = ip;
          got.ip = ip;
        }
        spec.clusterIPs = [spec.clusterIP!];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      } else if (spec.clusterIP === 'None') {
        spec.clusterIPs = ['None'];
        // A single-stack cluster gives headless services its one family too, as upstream does.
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
      if (needsNodePorts(svc)) {
        try {
          allocatePorts(svc, new Set(), got);
        } catch (e) {
          if (got.ip) ips.release(got.ip);
          throw e;
        }
      }
      if (ctx.dryRun) release(got);
      else taken.set(svc, got);
    },
    beforeUpdate(svc, old, ctx) {
      const got: { ports: number[] } = { ports: [] };
      const spec = (svc.spec ??= {});
      // The cluster IP stays with the service (its immutability is validation's business).
      if (!spec.clusterIP && old.spec?.clusterIP) {
        spec.clusterIP = old.spec.clusterIP;
        spec.clusterIPs = old.spec.clusterIPs;
      }
      if (needsNodePorts(svc)) {
        const oldPorts = new Set([...(old.spec?.ports ?? []).map((p) => p.nodePort), old.spec?.healthCheckNodePort].filter((p): p is number => !!p));
        allocatePorts(svc, oldPorts, got);
      }
      if (ctx.dryRun) release(got);
      else taken.set(svc, got);
    },
    abortWrite(svc) {
      const got = taken.get(svc);
      if (got) release(got);
    },
    afterDelete(svc) {
      if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') ips.release(svc.spec.clusterIP);
      for (const p of svc.spec?.ports ?? []) if (p.nodePort) ports.release(p.nodePort);
      if (svc.spec?.healthCheckNodePort) ports.release(svc.spec.healthCheckNodePort);
    },
  };

  function release(got: { ip?: string; ports: number[] }): void {
    if (got.ip) ips.release(got.ip);
    for (const p of got.ports) ports.release(p);
  }
}

/** Marks what the stored services hold, at start. */
export function restoreServiceAllocations(services: Svc[], ips: ClusterIpAllocator, ports: PortAllocator): void {
  for (const svc of services) {
    if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') ips.allocate(svc.spec.clusterIP);
    for (const p of svc.spec?.ports ?? []) if (p.nodePort) ports.allocate(p.nodePort);
    if (svc.spec?.healthCheckNodePort) ports.allocate(svc.spec.healthCheckNodePort);
  }
}
