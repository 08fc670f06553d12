// The nftables dataplane of the service proxy (upstream: pkg/proxy/nftables Proxier): given the
// current Services and EndpointSlices, programs the kernel so that their virtual IPs and node
// ports reach endpoints, keeping the ruleset it last applied so that each sync sends the kernel
// only what changed. Wiring (informers, the sync loop, metrics export) lives elsewhere: this class
// only syncs when told to and reports figures about each sync.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { CommandRunner, type CommandOptions, type CommandResult } from '../kubelet/runtime/process/command-runner.js';
import { FIXED_RULE_COUNT } from './layout.js';
import { buildServicePorts, type ServicePortInfo } from './model.js';
import { diffScript, fullScript, type ScriptStats, type TableRef } from './nftables.js';
import { buildRuleset, countRuleset, type Ruleset, type RulesetOptions } from './ruleset.js';

/** What runs `nft`: the shared command runner by default. */
export interface NftRunner {
  run(file: string, args: string[], options?: CommandOptions): Promise<CommandResult>;
}

export interface NftablesProxierOptions extends RulesetOptions {
  /** This node's name, for the Local traffic policies. */
  nodeName: string;
  /** Table name (default "kubets"), in the `ip` family. */
  table?: string;
  /** Words put before `nft`, e.g. ['ip', 'netns', 'exec', 'node'] (tests). */
  commandPrefix?: string[];
  runner?: NftRunner;
  /** Kills an `nft` that hangs (default 30 s). */
  timeoutMs?: number;
}

/** Figures about one sync, for logs and a metrics layer. */
export interface SyncResult {
  /** The whole table was written (first sync, or after a failure or resync()). */
  full: boolean;
  /** Nothing had changed: nft was not run. */
  noop: boolean;
  /** Building the desired ruleset and the script. */
  generateMs: number;
  /** Running nft. */
  applyMs: number;
  /** generateMs + applyMs (upstream's sync_proxy_rules_duration_seconds). */
  durationMs: number;
  /** Rules now in the table, fixed chains included (upstream's sync_proxy_rules_nftables_total). */
  rules: number;
  chains: number;
  /** Elements in the verdict maps. */
  elements: number;
  /** What this sync changed. */
  changes: ScriptStats;
  scriptBytes: number;
}

export class NftablesError extends Error {
  override readonly name = 'NftablesError';
}

export class NftablesProxier {
  private readonly ref: TableRef;
  private readonly runner: NftRunner;
  private applied: Ruleset | undefined;
  private syncing: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: NftablesProxierOptions) {
    this.ref = { family: 'ip', table: options.table ?? 'kubets' };
    this.runner = options.runner ?? CommandRunner.shared();
  }

  /** The service ports the proxier would program for these objects (for debugging and tests). */
  servicePorts(services: Service[], slices: EndpointSlice[]): ServicePortInfo[] {
    return buildServicePorts(services, slices, { nodeName: this.options.nodeName });
  }

  /**
   * Programs the dataplane for exactly these Services and EndpointSlices (e.g. an informer cache's
   * list). Syncs are serialised. On failure nothing was applied (a script is one transaction) and
   * the next sync rewrites the whole table.
   */
  sync(services: Service[], slices: EndpointSlice[]): Promise<SyncResult> {
    return this.syncPorts(this.servicePorts(services, slices));
  }

  /** Same as sync(), from already-built service ports. */
  syncPorts(ports: ServicePortInfo[]): Promise<SyncResult> {
    const run = this.syncing.then(() => this.doSync(ports));
    this.syncing = run.catch(() => undefined);
    return run;
  }

  /** Makes the next sync rewrite the whole table (e.g. after someone else changed it). */
  resync(): void {
    this.applied = undefined;
  }

  /** `nft list table ip <table>`: the dataplane as the kernel has it. */
  async listing(): Promise<string> {
    const result = await this.nft(['list', 'table', this.ref.family, this.ref.table]);
    return result.stdout;
  }

  /** Deletes the table (the proxy is stopping or switching to another mode). */
  async cleanup(): Promise<void> {
    await this.syncing;
    this.applied = undefined;
    await this.nft(['-f', '-'], `add table ${this.ref.family} ${this.ref.table}\ndelete table ${this.ref.family} ${this.ref.table}\n`);
  }

  private async doSync(ports: ServicePortInfo[]): Promise<SyncResult> {
    const start = performance.now();
    const desired = buildRuleset(ports, this.options);
    const full = this.applied === undefined;
    const script = this.applied ? diffScript(this.ref, this.applied, desired) : fullScript(this.ref, desired);
    const generated = performance.now();
    if (!script.empty) {
      // Until nft says otherwise the kernel state is unknown: a failed or killed transaction
      // leaves the old state, but a lost reply would not tell which one is in place.
      this.applied = undefined;
      await this.nft(['-f', '-'], script.text);
    }
    this.applied = desired;
    const end = performance.now();
    const counts = countRuleset(desired);
    return {
      full,
      noop: script.empty,
      generateMs: generated - start,
      applyMs: end - generated,
      durationMs: end - start,
      rules: counts.rules + FIXED_RULE_COUNT,
      chains: counts.chains,
      elements: counts.elements,
      changes: script.stats,
      scriptBytes: script.text.length,
    };
  }

  private async nft(args: string[], input?: string): Promise<CommandResult> {
    const prefix = this.options.commandPrefix ?? [];
    const [file, ...rest] = [...prefix, 'nft', ...args];
    const result = await this.runner.run(file!, [...rest], { input, timeoutMs: this.options.timeoutMs ?? 30_000 });
    if (result.code !== 0) {
      const detail = result.timedOut ? 'timed out' : result.stderr.trim().split('\n').slice(0, 8).join('\n');
      throw new NftablesError(`nft ${args.join(' ')} failed (exit ${result.code}): ${detail}`);
    }
    return result;
  }
}
