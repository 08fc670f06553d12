// What a new cluster has before anyone asks: the four system namespaces, the `kubernetes`
// service in `default` (its cluster IP is the first of the service range), the `kube-dns`
// service in `kube-system` (the tenth, where pods' resolv.conf points; the nodes' cluster DNS
// servers are its endpoints) and the system PriorityClasses (upstream's scheduling post-start hook).
import { systemPriorityClasses } from '../api/scheduling/v1/priorityclass.js';
import type { KubeObject } from '../api/types.js';
import { isAlreadyExists, isInvalid, isNotFound } from '../apimachinery/errors.js';
import { kubeDnsService } from '../dns/cluster-dns.js';
import type { StoreSet } from '../apiserver/registry/store-set.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(exists: () => Promise<unknown>, create: () => Promise<unknown>): Promise<void> {
  try {
    await exists();
    return;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  try {
    await create();
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

export async function bootstrapCluster(stores: StoreSet, opts: { kubernetesServiceIp: string; dnsServiceIp: string; apiserverPort: number }): Promise<void> {
  const namespaces = stores.byResource('', 'namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(
      () => namespaces.get('', name),
      () => namespaces.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
    );
  }
  const services = stores.byResource('', 'services');
  const kubernetes: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: opts.kubernetesServiceIp,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.apiserverPort }],
      sessionAffinity: 'None',
    },
  } as KubeObject;
  await ensure(
    () => services.get('default', 'kubernetes'),
    () => services.create('default', kubernetes),
  );
  const kubeDns = kubeDnsService(opts.dnsServiceIp) as KubeObject;
  await ensure(
    () => services.get('kube-system', 'kube-dns'),
    // A cluster made before kube-dns existed may have given its address away: take another.
    () =>
      services.create('kube-system', kubeDns).catch((e: unknown) => {
        if (!isInvalid(e)) throw e;
        const { clusterIP: _taken, ...spec } = (kubeDns as { spec: Record<string, unknown> }).spec;
        return services.create('kube-system', { ...kubeDns, spec } as KubeObject);
      }),
  );
  const priorityClasses = stores.byResource('scheduling.k8s.io', 'priorityclasses');
  for (const pc of systemPriorityClasses()) {
    const name = pc.metadata!.name!;
    await ensure(
      () => priorityClasses.get('', name),
      () => priorityClasses.create('', pc as KubeObject),
    );
  }
}
