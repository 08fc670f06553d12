// `kubets agent --kubeconfig F --ca-key F [flags]`: a node for another machine. Runs the kubelet
// (process runtime, Node registration and heartbeat, pod workers, kubelet API) against the API
// server of a kubeconfig, until SIGTERM or SIGINT, when it stops its pods' processes.
//
// Bootstrap, for now: the API server dials the kubelet (logs, exec) and checks that the kubelet's
// serving certificate chains to the cluster CA (pod-log.ts verifies it; a self-signed certificate
// would fail there), and the kubelet accepts only client certificates of that CA. With no TLS
// bootstrap or CSR signing yet, the agent signs its own serving certificate with the cluster CA's
// key, copied from the server's <data-dir>/tls/ca.key. Bad flags are one line and exit code 2.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isDNS1123Subdomain } from '../apimachinery/validation.js';
import { ApiClient } from '../client/client.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { httpsTransport, type RestConfig } from '../client/transport.js';
import { KubeletAgent } from '../kubelet/agent.js';
import { createLogger } from '../logging/index.js';
import { NODE_FLAG_OPTIONS, NODE_FLAGS_HELP, parseNodeFlags, type NodeFlags } from './node-flags.js';

const HELP = `Usage: kubets agent --kubeconfig FILE --ca-key FILE [flags]

Runs a node (the kubelet and its process runtime) on this machine and joins it to the cluster of
the kubeconfig. The kubeconfig's user must be allowed to manage nodes and pods (e.g. the admin
kubeconfig that 'kubets server' writes to <its data-dir>/kubeconfig.yaml; on another machine, set
its server: to an address of the server's machine, which the server's certificate names).

Until nodes can have certificates issued, the agent signs its own serving certificate with the
cluster CA: copy the server's <data-dir>/tls/ca.key (and keep it as private as the server does).

Flags:
  --kubeconfig FILE         how to reach the API server (required)
  --context NAME            kubeconfig context (default: its current-context)
  --ca-key FILE             the cluster CA's private key (required; the server's tls/ca.key)
  --ca-cert FILE            the cluster CA's certificate (default: the kubeconfig's certificate-authority)
  --data-dir DIR            runtime state, container logs and static pod manifests (DIR/manifests)
                            (default ~/.kubets/agent)
  --node-name NAME          this node's name (default: the host name)
  --kubelet-port N          the kubelet's HTTPS port; 0 picks a free one (default 10250)
  --cluster-cidr CIDR       the cluster's pod range, as given to the server (default 10.42.0.0/16)
  --service-cidr CIDR       the cluster's service range, as given to the server (default 10.43.0.0/16)
${NODE_FLAGS_HELP}  -v, --verbose             more logs (repeat for more)
  -h, --help                this help
`;

/** A bad flag: one line on stderr and exit code 2. */
export class UsageError extends Error {}

export interface AgentConfig {
  kubeconfig: string;
  context?: string;
  caKey: string;
  caCert?: string;
  dataDir: string;
  nodeName: string;
  kubeletPort?: number;
  clusterCIDR: string;
  serviceCIDR: string;
  node: NodeFlags;
  verbosity: number;
}

const IPV4_CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

export const defaultAgentDataDir = (): string => join(homedir(), '.kubets', 'agent');

export function parseAgentFlags(args: string[]): AgentConfig | 'help' {
  let v;
  try {
    v = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'ca-key': { type: 'string' },
        'ca-cert': { type: 'string' },
        'data-dir': { type: 'string' },
        'node-name': { type: 'string' },
        'kubelet-port': { type: 'string' },
        'cluster-cidr': { type: 'string' },
        'service-cidr': { type: 'string' },
        ...NODE_FLAG_OPTIONS,
        verbose: { type: 'boolean', short: 'v', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (v.help) return 'help';
  if (!v.kubeconfig) throw new UsageError('--kubeconfig is required');
  if (!v['ca-key']) throw new UsageError("--ca-key is required (the cluster CA's key, from the server's <data-dir>/tls/ca.key)");
  const nodeName = (v['node-name'] ?? hostname()).toLowerCase();
  const bad = isDNS1123Subdomain(nodeName);
  if (bad.length > 0) throw new UsageError(`--node-name "${nodeName}" is not a valid node name: ${bad[0]}`);
  let kubeletPort: number | undefined;
  if (v['kubelet-port'] !== undefined) {
    kubeletPort = Number(v['kubelet-port']);
    if (!/^\d+$/.test(v['kubelet-port']) || kubeletPort > 65535) throw new UsageError(`--kubelet-port must be a number from 0 to 65535, not "${v['kubelet-port']}"`);
  }
  return {
    kubeconfig: resolve(v.kubeconfig),
    context: v.context,
    caKey: resolve(v['ca-key']),
    caCert: v['ca-cert'] === undefined ? undefined : resolve(v['ca-cert']),
    dataDir: v['data-dir'] === undefined ? defaultAgentDataDir() : resolve(v['data-dir']),
    nodeName,
    kubeletPort,
    clusterCIDR: cidrFlag(v['cluster-cidr'], '--cluster-cidr', '10.42.0.0/16'),
    serviceCIDR: cidrFlag(v['service-cidr'], '--service-cidr', '10.43.0.0/16'),
    node: parseNodeFlags(v, (m) => new UsageError(m)),
    verbosity: v.verbose?.length ?? 0,
  };
}

function cidrFlag(value: string | undefined, flag: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (!IPV4_CIDR.test(value)) throw new UsageError(`${flag} must be an IPv4 CIDR such as ${fallback}, not "${value}"`);
  return value;
}

const readText = (path: string, what: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
};

/** The CA certificate and key, checked to belong together (a mismatch would only show when kubectl logs fails). */
function loadCa(cfg: AgentConfig, rest: RestConfig): { certPem: string; keyPem: string } {
  const certPem = cfg.caCert ? readText(cfg.caCert, 'CA certificate') : rest.caPem;
  if (!certPem) throw new Error(`--ca-cert is required: the kubeconfig ${cfg.kubeconfig} names no certificate authority`);
  const keyPem = readText(cfg.caKey, 'CA key');
  let matches: boolean;
  try {
    matches = new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch (e) {
    throw new Error(`the CA certificate or key is not usable: ${(e as Error).message}`);
  }
  if (!matches) throw new Error(`${cfg.caKey} is not the key of the cluster CA certificate${cfg.caCert ? ` ${cfg.caCert}` : ' in the kubeconfig'}`);
  return { certPem, keyPem };
}

export async function runAgentCommand(args: string[]): Promise<number> {
  let cfg: AgentConfig | 'help';
  try {
    cfg = parseAgentFlags(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`kubets agent: ${e.message} (see 'kubets agent --help')\n`);
    return 2;
  }
  if (cfg === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  let client: ApiClient;
  let ca: { certPem: string; keyPem: string };
  let server: string;
  try {
    const rest = loadKubeconfig(cfg.kubeconfig, cfg.context);
    server = rest.server;
    ca = loadCa(cfg, rest);
    mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
    client = new ApiClient(httpsTransport(rest));
  } catch (e) {
    process.stderr.write(`kubets agent: ${(e as Error).message}\n`);
    return 1;
  }
  const logger = createLogger(cfg.verbosity);
  const agent = new KubeletAgent({ client, logger, ca, dataDir: cfg.dataDir, nodeName: cfg.nodeName, kubeletPort: cfg.kubeletPort, clusterCIDR: cfg.clusterCIDR, serviceCIDR: cfg.serviceCIDR, ...cfg.node });
  const ac = new AbortController();
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    ac.abort();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`kubets: agent for node ${agent.nodeName} joining ${server} (data in ${cfg.dataDir})\n`);
  try {
    await agent.start(ac.signal);
  } catch (e) {
    process.stderr.write(`kubets agent: ${(e as Error).message}\n`);
    return 1;
  } finally {
    client.close();
  }
  if (!ac.signal.aborted) {
    process.stderr.write('kubets agent: the node stopped unexpectedly\n');
    return 1;
  }
  process.stdout.write('kubets: agent stopped\n');
  return 0;
}
