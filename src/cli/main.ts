#!/usr/bin/env node
// The kubets command line: `kubets server` runs the whole cluster in this process; `kubets
// scheduler` runs the scheduler alone against an API server; `kubets agent` joins this machine as
// a node of a cluster.
import './v8-tuning.js';
import { runAgentCommand } from './agent-command.js';
import { runSchedulerCommand } from './scheduler-command.js';
import { runServerCommand } from './server-command.js';
import { runProxyCommand } from './proxy-command.js';

const USAGE = `Usage: kubets <command> [flags]

Commands:
  server     run the control plane and a local node in this process
  scheduler  run only the scheduler, against the API server of a kubeconfig
  agent      run a node (kubelet) on this machine, joined to the cluster of a kubeconfig
  proxy      show what a node's service proxy has programmed (kubets proxy rules)
  version    print the version

Run 'kubets <command> --help' for a command's flags.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return runServerCommand(rest);
    case 'scheduler':
      return runSchedulerCommand(rest);
    case 'agent':
      return runAgentCommand(rest);
    case 'proxy':
      return runProxyCommand(rest);
    case 'version':
    case '--version': {
      const { KUBETS_VERSION, KUBERNETES_VERSION } = await import('../server/config.js');
      process.stdout.write(`kubets ${KUBETS_VERSION} (Kubernetes ${KUBERNETES_VERSION.gitVersion})\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`kubets: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`kubets: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
