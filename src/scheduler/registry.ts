// Every plugin kubets' scheduler has, by upstream's name, built from its pluginConfig args.
import { DefaultBinder } from './plugins/defaultbinder/default-binder.js';
import { DefaultPreemption, type DefaultPreemptionArgs } from './plugins/defaultpreemption/plugin.js';
import { ImageLocality } from './plugins/imagelocality/image-locality.js';
import { InterPodAffinity, type InterPodAffinityArgs } from './plugins/interpodaffinity/plugin.js';
import { NodeAffinity } from './plugins/nodeaffinity/node-affinity.js';
import { NodeName } from './plugins/nodename/node-name.js';
import { NodePorts } from './plugins/nodeports/node-ports.js';
import { NodeResourcesBalancedAllocation } from './plugins/noderesources/balanced-allocation.js';
import { NodeResourcesFit, type NodeResourcesFitArgs } from './plugins/noderesources/fit.js';
import { NodeUnschedulable } from './plugins/nodeunschedulable/node-unschedulable.js';
import { PodTopologySpread } from './plugins/podtopologyspread/plugin.js';
import { TaintToleration } from './plugins/tainttoleration/taint-toleration.js';
import type { PluginRegistry } from './config.js';

export const IN_TREE_PLUGINS: PluginRegistry = {
  NodeUnschedulable: () => new NodeUnschedulable(),
  NodeName: () => new NodeName(),
  TaintToleration: () => new TaintToleration(),
  NodeAffinity: (a) => new NodeAffinity(a),
  NodePorts: () => new NodePorts(),
  NodeResourcesFit: (a) => new NodeResourcesFit((a.args ?? {}) as NodeResourcesFitArgs),
  PodTopologySpread: (a) => PodTopologySpread.fromArgs(a, a.handle?.defaultSelector),
  InterPodAffinity: (a) => new InterPodAffinity({ ...((a.args ?? {}) as InterPodAffinityArgs), namespaceLabels: a.handle?.namespaceLabels }),
  NodeResourcesBalancedAllocation: (a) => new NodeResourcesBalancedAllocation((a.args ?? {}) as never),
  ImageLocality: () => new ImageLocality(),
  DefaultBinder: (a) => new DefaultBinder(a.handle?.client),
  DefaultPreemption: (a) => new DefaultPreemption({ ...((a.args ?? {}) as DefaultPreemptionArgs), podDisruptionBudgets: a.handle?.podDisruptionBudgets }),
};
