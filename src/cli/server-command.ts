// `kubets server [flags]`: flags become one typed ServerConfig; the server runs until SIGTERM or
// SIGINT. Bad flags and start-up failures are one line on stderr and a non-zero exit.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../logging/index.js';
import { defaultServerConfig, type ServerConfig } from '../server/config.js';
import { KubetsServer } from '../server/kubets-server.js';
import { SchedulerConfigError } from '../scheduler/config.js';
import { loadSchedulerConfig } from '../scheduler/manager.js';
import { NODE_FLAG_OPTIONS, NODE_FLAGS_HELP, parseNodeFlags } from './node-flags.js';

const HELP = `Usage: kubets server [flags]

Runs the Kubernetes API server, its storage and controllers in this process.

Flags:
  --data-dir DIR            where state, certificates and kubeconfig live (default ~/.kubets)
  --port N                  HTTPS port of the API server; 0 picks a free one (default 6443)
  --bind-address IP         address to listen on (default 0.0.0.0)
  --datastore KIND          sqlite (one file in the data dir) or memory (default sqlite)
  --service-cidr CIDR       range of service cluster IPs (default 10.43.0.0/16)
  --cluster-cidr CIDR       range of pod IPs; each node gets a /24 of it (default 10.42.0.0/16)
  --no-merge-kubeconfig     do not merge a "kubets" context into ~/.kube/config
  --kubeconfig PATH         merge into this file instead of $KUBECONFIG or ~/.kube/config
  --disable-controllers     run no controllers (Deployments, ReplicaSets, GC... stay as written)
  --disable-scheduler       run no scheduler (pods stay unbound)
  --scheduler-config FILE   KubeSchedulerConfiguration for the scheduler (profiles, plugins, weights)
  --disable-agent           run no local node (kubelet): only the control plane
  --node-name NAME          the local node's name (default: the host name)
  --kubelet-port N          the local kubelet's HTTPS port; 0 picks a free one (default 10250)
${NODE_FLAGS_HELP}  -v, --verbose             more logs (repeat for more)
  -h, --help                this help
`;

export class UsageError extends Error {}

export function parseServerFlags(args: string[]): ServerConfig | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        'bind-address': { type: 'string' },
        datastore: { type: 'string' },
        'service-cidr': { type: 'string' },
        'cluster-cidr': { type: 'string' },
        'no-merge-kubeconfig': { type: 'boolean' },
        kubeconfig: { type: 'string' },
        'disable-controllers': { type: 'boolean' },
        'disable-scheduler': { type: 'boolean' },
        'scheduler-config': { type: 'string' },
        'disable-agent': { type: 'boolean' },
        'node-name': { type: 'string' },
        'kubelet-port': { type: 'string' },
        ...NODE_FLAG_OPTIONS,
        verbose: { type: 'boolean', short: 'v', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const cfg = defaultServerConfig();
  if (v['data-dir'] !== undefined) cfg.dataDir = resolve(v['data-dir']);
  if (v.port !== undefined) {
    const port = Number(v.port);
    if (!/^\d+$/.test(v.port) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${v.port}"`);
    cfg.port = port;
  }
  if (v['bind-address'] !== undefined) cfg.bindAddress = v['bind-address'];
  if (v.datastore !== undefined) {
    if (v.datastore !== 'sqlite' && v.datastore !== 'memory') {
      throw new UsageError(`--datastore must be "sqlite" or "memory", not "${v.datastore}"`);
    }
    cfg.datastore = v.datastore;
  }
  if (v['service-cidr'] !== undefined) cfg.serviceCidr = v['service-cidr'];
  if (v['cluster-cidr'] !== undefined) {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/(\d|1\d|2[0-4])$/.test(v['cluster-cidr'])) throw new UsageError(`--cluster-cidr must be an IPv4 CIDR of /24 or wider, not "${v['cluster-cidr']}"`);
    cfg.clusterCidr = v['cluster-cidr'];
  }
  if (v['no-merge-kubeconfig']) cfg.mergeKubeconfig = false;
  if (v.kubeconfig !== undefined) cfg.kubeconfigPath = resolve(v.kubeconfig);
  if (v['disable-controllers']) cfg.disableControllers = true;
  if (v['disable-scheduler']) cfg.disableScheduler = true;
  if (v['disable-agent']) cfg.disableAgent = true;
  if (v['node-name'] !== undefined) cfg.nodeName = v['node-name'];
  if (v['kubelet-port'] !== undefined) {
    const port = Number(v['kubelet-port']);
    if (!/^\d+$/.test(v['kubelet-port']) || port > 65535) throw new UsageError(`--kubelet-port must be a number from 0 to 65535, not "${v['kubelet-port']}"`);
    cfg.kubeletPort = port;
  }
  if (v['scheduler-config'] !== undefined) cfg.schedulerConfigPath = resolve(v['scheduler-config']);
  cfg.node = parseNodeFlags(v, (m) => new UsageError(m));
  cfg.verbosity = v.verbose?.length ?? 0;
  return cfg;
}

export async function runServerCommand(args: string[]): Promise<number> {
  let cfg: ServerConfig | 'help';
  try {
    cfg = parseServerFlags(args);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`kubets server: ${e.message} (see 'kubets server --help')\n`);
      return 2;
    }
    throw e;
  }
  if (cfg === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (cfg.schedulerConfigPath) {
    try {
      cfg.schedulerConfig = await loadSchedulerConfig(cfg.schedulerConfigPath);
    } catch (e) {
      if (!(e instanceof SchedulerConfigError)) throw e;
      process.stderr.write(`kubets server: ${e.message}\n`);
      return 2;
    }
  }
  const logger = createLogger(cfg.verbosity);
  const server = new KubetsServer(cfg, logger);
  const started = await server.start();
  const out = process.stdout;
  for (const f of started.wrote) out.write(`kubets: wrote ${f}\n`);
  out.write(`kubets: serving the Kubernetes API at ${started.url} (data in ${cfg.dataDir}, ${cfg.datastore} storage)\n`);
  if (cfg.mergeKubeconfig) out.write(`kubets: kubectl is set to the "kubets" context; try: kubectl get namespaces\n`);
  else out.write(`kubets: try: kubectl --kubeconfig ${started.kubeconfigPath} get namespaces\n`);
  const stop = (sig: string) => {
    logger.info({ signal: sig }, 'shutting down');
    void server.stop();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await server.wait();
  out.write('kubets: stopped\n');
  return 0;
}
