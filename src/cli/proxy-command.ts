// `kubets proxy rules [--node NAME]`: what a node's service proxy has programmed (its nftables
// table, or the userspace mode's listeners), read through the API server's node proxy from the
// node's kubelet API (/debug/proxy/rules), so it works for any node a kubeconfig can reach.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiClient } from '../client/client.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { NODES } from '../client/resources.js';
import { httpsTransport } from '../client/transport.js';
import { defaultKubeconfigPath } from './kubeconfig.js';

const HELP = `Usage: kubets proxy rules [flags]

Prints what a node's service proxy has programmed: its nftables table (nftables mode) or its
listening sockets and endpoints (userspace mode).

Flags:
  --node NAME         the node (default: the only node, else this machine's host name)
  --kubeconfig FILE   how to reach the API server (default $KUBECONFIG or ~/.kube/config)
  --context NAME      kubeconfig context (default: its current-context)
  -h, --help          this help
`;

export async function runProxyCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '-h' || sub === '--help' || sub === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (sub !== 'rules') {
    process.stderr.write(`kubets proxy: ${sub === undefined ? 'a subcommand is required' : `unknown subcommand "${sub}"`} (see 'kubets proxy --help')\n`);
    return 2;
  }
  let v;
  try {
    v = parseArgs({ args: rest, strict: true, allowPositionals: false, options: { node: { type: 'string' }, kubeconfig: { type: 'string' }, context: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (e) {
    process.stderr.write(`kubets proxy rules: ${(e as Error).message} (see 'kubets proxy --help')\n`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let client: ApiClient | undefined;
  try {
    client = new ApiClient(httpsTransport(loadKubeconfig(v.kubeconfig ?? defaultKubeconfigPath(), v.context)));
    const node = v.node ?? (await defaultNode(client));
    const res = await client.stream({ method: 'GET', path: `/api/v1/nodes/${encodeURIComponent(node)}/proxy/debug/proxy/rules`, accept: 'text/plain' });
    for await (const chunk of res) process.stdout.write(chunk as Buffer);
    return 0;
  } catch (e) {
    process.stderr.write(`kubets proxy rules: ${(e as Error).message}\n`);
    return 1;
  } finally {
    client?.close();
  }
}

async function defaultNode(client: ApiClient): Promise<string> {
  const nodes = (await client.resource<Node>(NODES).list('')).items;
  if (nodes.length === 1) return nodes[0]!.metadata!.name!;
  return hostname().toLowerCase();
}
