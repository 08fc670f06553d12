// `kubets scheduler --kubeconfig F [--config F]`: the scheduler alone, against any API server
// (kubets or upstream), with leader election on kube-system/kube-scheduler so several may run.
// Runs until SIGTERM or SIGINT; bad flags or a bad config file are one line and exit code 2.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiClient } from '../client/client.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { httpsTransport } from '../client/transport.js';
import { createLogger } from '../logging/index.js';
import { Manager } from '../manager/index.js';
import { SchedulerConfigError, type SchedulerConfiguration } from '../scheduler/config.js';
import { loadSchedulerConfig, newSchedulerManager } from '../scheduler/manager.js';

const HELP = `Usage: kubets scheduler --kubeconfig FILE [flags]

Runs the scheduler against the API server named by the kubeconfig.

Flags:
  --kubeconfig FILE         how to reach the API server (required)
  --context NAME            kubeconfig context (default: its current-context)
  --config FILE             KubeSchedulerConfiguration (profiles, plugins, weights)
  --leader-elect=false      schedule without holding the kube-system/kube-scheduler Lease
  -v, --verbose             more logs (repeat for more)
  -h, --help                this help
`;

const usage = (msg: string) => {
  process.stderr.write(`kubets scheduler: ${msg} (see 'kubets scheduler --help')\n`);
  return 2;
};

export async function runSchedulerCommand(args: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        config: { type: 'string' },
        'leader-elect': { type: 'string' },
        verbose: { type: 'boolean', short: 'v', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    return usage((e as Error).message);
  }
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!v.kubeconfig) return usage('--kubeconfig is required');
  const leaderElect = v['leader-elect'] ?? 'true';
  if (leaderElect !== 'true' && leaderElect !== 'false') return usage(`--leader-elect must be true or false, not "${leaderElect}"`);
  let config: SchedulerConfiguration | undefined;
  let client: ApiClient;
  try {
    if (v.config) config = await loadSchedulerConfig(resolve(v.config));
    client = new ApiClient(httpsTransport(loadKubeconfig(resolve(v.kubeconfig), v.context)));
  } catch (e) {
    if (e instanceof SchedulerConfigError) return usage(e.message);
    process.stderr.write(`kubets scheduler: ${(e as Error).message}\n`);
    return 1;
  }
  const logger = createLogger(v.verbose?.length ?? 0);
  const scheduler = newSchedulerManager({ client, logger, config, leaderElection: leaderElect === 'false' ? false : undefined });
  const manager = new Manager([{ name: 'scheduler', runnables: [scheduler] }], logger);
  const ac = new AbortController();
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    ac.abort();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`kubets: scheduler started${config?.profiles?.length ? ` with ${config.profiles.length} profile(s)` : ''}\n`);
  await manager.run(ac.signal);
  process.stdout.write('kubets: scheduler stopped\n');
  return 0;
}
