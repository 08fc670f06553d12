// Pod traffic leaving the cluster's pod network is masqueraded to the node's address, as the CNI
// bridge plugin's ipMasq does for containerd: replies to a pod IP would find no route back from
// anywhere beyond this node. Traffic to other pod IPs (the cluster CIDR) keeps its source, so pods
// see each other's real addresses. One nftables table per node bridge (`<bridge>-egress`),
// rewritten whole at start (one transaction) and deleted with the bridge; forwarding is enabled,
// since a pod's packets to the outside are routed by the node.
import type { Logger } from '../../../logging/index.js';
import { CommandRunner } from './command-runner.js';
import { findExecutable } from './ip-command.js';
import { setSysctl } from './sysctl.js';

export interface EgressMasqueradeOptions {
  bridgeName: string;
  /** This node's pod CIDR: the sources masqueraded. */
  podCIDR: string;
  /** Every node's pods: destinations inside it keep the pod's address. */
  clusterCIDR: string;
  logger: Logger;
}

export class EgressMasquerade {
  readonly table: string;

  constructor(private readonly options: EgressMasqueradeOptions) {
    this.table = `${options.bridgeName}-egress`;
  }

  /** The table's script: delete and recreate in one transaction (idempotent across restarts). */
  script(): string {
    const { podCIDR, clusterCIDR, bridgeName } = this.options;
    return [
      `add table ip ${this.table}`,
      `delete table ip ${this.table}`,
      `table ip ${this.table} {`,
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat + 10; policy accept;',
      `    ip saddr ${podCIDR} ip daddr != ${clusterCIDR} oifname != "${bridgeName}" masquerade`,
      '  }',
      '}',
      '',
    ].join('\n');
  }

  /** Programs the kernel; resolves with why pods cannot reach beyond the node, if they cannot. */
  async apply(): Promise<string | undefined> {
    if (!findExecutable('nft')) return 'nft is not installed (Debian package nftables)';
    try {
      setSysctl('net.ipv4.ip_forward', '1');
    } catch (e) {
      return `cannot enable net.ipv4.ip_forward: ${(e as Error).message}`;
    }
    const r = await CommandRunner.shared().run('nft', ['-f', '-'], { input: this.script(), timeoutMs: 10_000 });
    if (r.code !== 0) return `nft failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`;
    this.options.logger.debug({ table: this.table }, 'process runtime: pod traffic leaving the pod network is masqueraded');
    return undefined;
  }

  async remove(): Promise<void> {
    if (!findExecutable('nft')) return;
    await CommandRunner.shared().run('nft', ['-f', '-'], { input: `add table ip ${this.table}\ndelete table ip ${this.table}\n`, timeoutMs: 10_000 });
  }
}
