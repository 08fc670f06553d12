// Small builders shared by the plugin tests in these folders.
import type { Node, NodeSpec, NodeStatus, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { newNodeInfo } from '../../../../src/scheduler/framework/node-info.js';
import type { NodeInfo } from '../../../../src/scheduler/framework/types.js';

export function makeNode(name: string, opts: { labels?: Record<string, string>; spec?: NodeSpec; status?: NodeStatus } = {}): Node {
  return { metadata: { name, labels: opts.labels }, spec: opts.spec, status: opts.status };
}

export function makePod(spec: Partial<PodSpec> = {}, name = 'pod'): Pod {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [{ name: 'c', image: 'img' }], ...spec } };
}

export function info(node: Node, pods: Pod[] = []): NodeInfo {
  return newNodeInfo(node, pods);
}
