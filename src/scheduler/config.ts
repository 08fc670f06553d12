// Scheduler configuration in upstream's KubeSchedulerConfiguration shape (kubescheduler.config.k8s.io/v1):
// profiles by schedulerName, each starting from the default plugin set with plugins enabled,
// disabled (by name, or '*' for all defaults of an extension point) and weighted, plus pluginConfig
// args and percentageOfNodesToScore. Unknown plugins and bad weights are clear errors.
import { Framework, type PluginSet } from './framework/framework.js';
import type {
  BindPlugin,
  FilterPlugin,
  Plugin,
  PluginFactoryArgs,
  PluginHandle,
  PostFilterPlugin,
  PreFilterPlugin,
  PreScorePlugin,
  ReservePlugin,
  ScorePlugin,
} from './framework/types.js';

export type PluginFactory = (args: PluginFactoryArgs) => Plugin;
export type PluginRegistry = Record<string, PluginFactory>;

interface PluginRef {
  name: string;
  weight?: number;
}
interface PluginList {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}
export interface ProfileConfig {
  schedulerName?: string;
  plugins?: {
    preFilter?: PluginList;
    filter?: PluginList;
    postFilter?: PluginList;
    preScore?: PluginList;
    score?: PluginList;
    reserve?: PluginList;
    bind?: PluginList;
    multiPoint?: PluginList;
  };
  pluginConfig?: { name: string; args?: Record<string, unknown> }[];
  percentageOfNodesToScore?: number;
}
export interface SchedulerConfiguration {
  apiVersion?: string;
  kind?: string;
  percentageOfNodesToScore?: number;
  profiles?: ProfileConfig[];
}

/** Upstream's default plugins (in order) and score weights. */
export const DEFAULT_PLUGINS: { name: string; weight: number }[] = [
  { name: 'NodeUnschedulable', weight: 0 },
  { name: 'NodeName', weight: 0 },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts', weight: 0 },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultPreemption', weight: 0 },
  { name: 'DefaultBinder', weight: 0 },
];

export class SchedulerConfigError extends Error {}

const isFn = (p: Plugin, m: string) => typeof (p as unknown as Record<string, unknown>)[m] === 'function';

/** The frameworks for a configuration (one default-scheduler profile when none is given). */
export function buildProfiles(cfg: SchedulerConfiguration, registry: PluginRegistry, handle?: PluginHandle): { profiles: Framework[]; percentageOfNodesToScore?: number } {
  if (cfg.kind && cfg.kind !== 'KubeSchedulerConfiguration') throw new SchedulerConfigError(`kind must be KubeSchedulerConfiguration, not ${cfg.kind}`);
  const pct = cfg.percentageOfNodesToScore;
  if (pct !== undefined && (!Number.isInteger(pct) || pct < 0 || pct > 100)) {
    throw new SchedulerConfigError(`percentageOfNodesToScore: Invalid value: ${pct}: not in valid range [0-100]`);
  }
  const profiles = (cfg.profiles?.length ? cfg.profiles : [{}]).map((p, i) => buildProfile(p, i, registry, handle));
  const names = new Set<string>();
  for (const f of profiles) {
    if (names.has(f.profileName)) throw new SchedulerConfigError(`profiles[].schedulerName: Duplicate value: "${f.profileName}"`);
    names.add(f.profileName);
  }
  return { profiles, percentageOfNodesToScore: pct };
}

function buildProfile(p: ProfileConfig, index: number, registry: PluginRegistry, handle: PluginHandle | undefined): Framework {
  const name = p.schedulerName ?? 'default-scheduler';
  const args = new Map((p.pluginConfig ?? []).map((c) => [c.name, c.args]));
  // Start from the defaults; `multiPoint` and per-point lists adjust them as upstream merges.
  const weights = new Map(DEFAULT_PLUGINS.map((d) => [d.name, d.weight]));
  const enabled = new Set(DEFAULT_PLUGINS.map((d) => d.name));
  const lists = p.plugins ?? {};
  for (const list of [lists.multiPoint, lists.preFilter, lists.filter, lists.postFilter, lists.preScore, lists.score, lists.reserve, lists.bind]) {
    for (const d of list?.disabled ?? []) {
      if (d.name === '*') enabled.clear();
      else enabled.delete(d.name);
    }
  }
  for (const list of [lists.multiPoint, lists.preFilter, lists.filter, lists.postFilter, lists.preScore, lists.score, lists.reserve, lists.bind]) {
    for (const e of list?.enabled ?? []) {
      if (!registry[e.name]) throw new SchedulerConfigError(`profiles[${index}].plugins: Invalid value: "${e.name}": plugin not registered`);
      if (e.weight !== undefined && (!Number.isInteger(e.weight) || e.weight < 0 || e.weight > 100)) {
        throw new SchedulerConfigError(`profiles[${index}].plugins.score.enabled[${e.name}].weight: Invalid value: ${e.weight}: must be in the range [0, 100]`);
      }
      enabled.add(e.name);
      if (e.weight !== undefined) weights.set(e.name, e.weight);
      else if (!weights.has(e.name)) weights.set(e.name, 1);
    }
  }
  const set: PluginSet = { preFilter: [], filter: [], preScore: [], score: [], postFilter: [], reserve: [], bind: [] };
  for (const pluginName of enabled) {
    const factory = registry[pluginName];
    if (!factory) continue; // a default plugin kubets does not have (volume plugins) is simply absent
    let plugin: Plugin;
    try {
      plugin = factory({ args: args.get(pluginName), handle });
    } catch (e) {
      throw new SchedulerConfigError(`profiles[${index}].pluginConfig[${pluginName}].args: ${(e as Error).message}`);
    }
    if (isFn(plugin, 'preFilter')) set.preFilter.push(plugin as PreFilterPlugin);
    if (isFn(plugin, 'filter')) set.filter.push(plugin as FilterPlugin);
    if (isFn(plugin, 'postFilter')) set.postFilter!.push(plugin as PostFilterPlugin);
    if (isFn(plugin, 'reserve')) set.reserve!.push(plugin as ReservePlugin);
    if (isFn(plugin, 'bind')) set.bind!.push(plugin as BindPlugin);
    if (isFn(plugin, 'preScore')) set.preScore.push(plugin as PreScorePlugin);
    const weight = weights.get(pluginName) ?? 1;
    if (isFn(plugin, 'score') && weight > 0) set.score.push({ plugin: plugin as ScorePlugin, weight });
  }
  return new Framework(name, set);
}
