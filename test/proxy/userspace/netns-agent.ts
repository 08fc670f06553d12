// A UserspaceProxier running inside a network namespace, for the netns tests: Node cannot enter a
// namespace, so netns-proxier.ts starts this script under `ip netns exec` and drives it over the
// IPC channel. It exits when its parent goes away, closing everything it opened.
import net from 'node:net';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { CommandRunner } from '../../../src/kubelet/runtime/process/command-runner.js';
import { LocalAddresses } from '../../../src/proxy/userspace/local-addresses.js';
import { UserspaceProxier } from '../../../src/proxy/userspace/proxier.js';

export interface AgentConfig {
  nodeName: string;
  nodeAddresses?: string[];
  /** Make clusterIPs local with a LocalAddresses on "lo". */
  localAddresses?: boolean;
}

export type AgentRequest = { id: number } & (
  | { op: 'sync'; services: Service[]; slices: EndpointSlice[] }
  | { op: 'listing' }
  /** Holds a TCP port with a plain server, to make the proxier's bind fail. */
  | { op: 'squat'; host: string; port: number }
  | { op: 'unsquat' }
  | { op: 'close' }
);

export type AgentReply = { id: number; value?: unknown; error?: string } | { ready: true };

const config = JSON.parse(process.argv[2] ?? '{}') as AgentConfig;
const addresses = config.localAddresses ? new LocalAddresses() : undefined;
const proxier = new UserspaceProxier({ nodeName: config.nodeName, nodeAddresses: config.nodeAddresses, localAddresses: addresses, dialTimeoutsMs: [500] });
let squatter: net.Server | undefined;
let closing: Promise<void> | undefined;

function shutdown(): Promise<void> {
  closing ??= (async () => {
    squatter?.close();
    await proxier.close().catch(() => undefined);
    await addresses?.close().catch(() => undefined);
    await CommandRunner.shared().close();
  })();
  return closing;
}

async function handle(req: AgentRequest): Promise<unknown> {
  switch (req.op) {
    case 'sync':
      return proxier.sync(req.services, req.slices);
    case 'listing':
      return proxier.listing();
    case 'squat': {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(req.port, req.host, resolve);
      });
      squatter = server;
      return undefined;
    }
    case 'unsquat':
      await new Promise<void>((resolve) => (squatter ? squatter.close(() => resolve()) : resolve()));
      squatter = undefined;
      return undefined;
    case 'close':
      return shutdown();
  }
}

process.on('message', (req: AgentRequest) => {
  handle(req).then(
    (value) => process.send?.({ id: req.id, value } satisfies AgentReply),
    (e: Error) => process.send?.({ id: req.id, error: e.stack ?? e.message } satisfies AgentReply),
  );
});
process.on('disconnect', () => void shutdown().then(() => process.exit(0)));
process.send?.({ ready: true } satisfies AgentReply);
