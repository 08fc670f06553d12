// Service environment variables, as upstream's kubelet gives every container (pkg/kubelet/envvars):
// for the `kubernetes` Service of the default namespace always, and for every Service of the pod's
// namespace unless spec.enableServiceLinks is false — FOO_SERVICE_HOST/_PORT/_PORT_<NAME> plus the
// Docker-link style FOO_PORT, FOO_PORT_80_TCP(_PROTO/_PORT/_ADDR). Services without a cluster IP
// (headless, ExternalName) give none.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';

const MASTER_NAMESPACE = 'default';
const MASTER_SERVICES = new Set(['kubernetes']);

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');
const hasClusterIP = (s: Service) => !!s.spec?.clusterIP && s.spec.clusterIP !== 'None';

/** The Services whose variables a pod sees, by name (the pod's namespace wins over the master's). */
export function servicesForPod(pod: Pod, services: Iterable<Service>): Service[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const links = pod.spec?.enableServiceLinks ?? true;
  const byName = new Map<string, Service>();
  for (const s of services) {
    if (!hasClusterIP(s)) continue;
    const name = s.metadata?.name ?? '';
    const sns = s.metadata?.namespace ?? '';
    if (sns === MASTER_NAMESPACE && MASTER_SERVICES.has(name)) {
      if (!byName.has(name)) byName.set(name, s);
    } else if (sns === ns && links) byName.set(name, s);
  }
  return [...byName.values()];
}

/** The variables for `services`, in upstream's order. */
export function serviceEnv(services: Service[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of services) {
    const name = envName(s.metadata?.name ?? '');
    const ip = s.spec!.clusterIP!;
    const host = ip.includes(':') ? `[${ip}]` : ip;
    const ports = s.spec?.ports ?? [];
    env[`${name}_SERVICE_HOST`] = ip;
    if (ports[0]) env[`${name}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) env[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${host}:${p.port}`;
      if (i === 0) env[`${name}_PORT`] = url;
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
      env[prefix] = url;
      env[`${prefix}_PROTO`] = proto;
      env[`${prefix}_PORT`] = String(p.port);
      env[`${prefix}_ADDR`] = ip;
    });
  }
  return env;
}
