// Subresources with their own shapes: scale (autoscaling/v1 Scale), pods/binding and
// namespaces/finalize (pods/eviction is in eviction.ts). status goes through the ordinary update path.
import type { KubeObject } from '../../api/types.js';
import { badRequest, conflict, unsupportedMediaType } from '../../apimachinery/errors.js';
import { rfc3339 } from '../../apimachinery/time.js';
import { labelSelectorString, selectorFromLabelSelector } from '../../apimachinery/labels.js';
import { writeJson } from '../http/respond.js';
import { bodyFormat, decodeBody, expectObject, mediaType, readBody } from '../http/body.js';
import { applyJsonPatch, applyMergePatch, patchTypeFromContentType } from '../patch/index.js';
import type { RequestContext } from './context.js';

/** Reads a JSON path like `.spec.replicas`. */
function readPath(obj: unknown, path: string): unknown {
  let cur = obj as Record<string, unknown> | undefined;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (cur === undefined || cur === null || typeof cur !== 'object') return undefined;
    cur = cur[part] as Record<string, unknown> | undefined;
  }
  return cur;
}

function writePath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (typeof cur[part] !== 'object' || cur[part] === null) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function toScale(ctx: RequestContext, obj: KubeObject): Record<string, unknown> {
  const scale = ctx.def.subresources!.scale!;
  const m = obj.metadata ?? {};
  let selector = '';
  if (scale.labelSelectorPath) {
    const sel = readPath(obj, scale.labelSelectorPath);
    if (typeof sel === 'string') selector = sel;
    else if (sel && typeof sel === 'object') {
      try {
        selector = selectorFromLabelSelector(sel).toString();
      } catch {
        selector = labelSelectorString(sel);
      }
    }
  }
  const status: Record<string, unknown> = { replicas: Number(readPath(obj, scale.statusReplicasPath) ?? 0) };
  if (selector) status.selector = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: Number(readPath(obj, scale.specReplicasPath) ?? 0) },
    status,
  };
}

export async function handleScale(ctx: RequestContext): Promise<void> {
  const { namespace, name, verb } = ctx.info;
  if (verb === 'get') {
    writeJson(ctx.res, 200, toScale(ctx, await ctx.store.get(namespace, name)));
    return;
  }
  const raw = await readBody(ctx.req);
  let desired: (scale: Record<string, unknown>) => Record<string, unknown>;
  if (verb === 'update') {
    const body = expectObject(decodeBody(raw, bodyFormat(ctx.req.headers['content-type'])), 'Scale');
    desired = () => body;
  } else if (verb === 'patch') {
    const type = patchTypeFromContentType(ctx.req.headers['content-type'] ?? '');
    const patch = decodeBody(raw, 'json');
    if (type === 'json') desired = (s) => applyJsonPatch(s, patch) as Record<string, unknown>;
    else if (type === 'merge' || type === 'strategic') desired = (s) => applyMergePatch(s, patch) as Record<string, unknown>;
    else throw unsupportedMediaType(mediaType(ctx.req.headers['content-type']));
  } else {
    throw badRequest(`${verb} is not supported on the scale subresource`);
  }
  const paths = ctx.def.subresources!.scale!;
  const updated = await ctx.store.guaranteedUpdate(namespace, name, (current) => {
    const scale = desired(toScale(ctx, current));
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw badRequest(`spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
    }
    const rv = (scale.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    writePath(current as unknown as Record<string, unknown>, paths.specReplicasPath, replicas);
    if (rv && verb === 'update') current.metadata!.resourceVersion = rv;
    else delete current.metadata!.resourceVersion;
    return current;
  });
  writeJson(ctx.res, 200, toScale(ctx, updated));
}

/** POST pods/{name}/binding: the scheduler's way to assign a pod to a node. */
export async function handleBinding(ctx: RequestContext): Promise<void> {
  const body = expectObject(decodeBody(await readBody(ctx.req), bodyFormat(ctx.req.headers['content-type'])), 'Binding');
  const target = body.target as { kind?: string; name?: string } | undefined;
  if (!target?.name) throw badRequest('Binding target.name is required');
  if (target.kind && target.kind !== 'Node') throw badRequest(`Binding target must be a Node, not ${target.kind}`);
  const { namespace, name } = ctx.info;
  await ctx.store.guaranteedUpdate(namespace, name, (pod) => {
    const p = pod as KubeObject & { spec?: { nodeName?: string }; status?: { conditions?: Record<string, unknown>[] } };
    if (p.metadata?.deletionTimestamp) throw conflict(ctx.store.qualified, name, 'pod is being deleted, cannot be assigned to a host');
    if (p.spec?.nodeName) {
      throw conflict(ctx.store.qualified, name, `pod ${name} is already assigned to node "${p.spec.nodeName}"`);
    }
    p.spec = { ...p.spec, nodeName: target.name };
    const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(new Date()) });
    p.status = { ...p.status, conditions };
    delete p.metadata!.resourceVersion;
    return p;
  }, { subresource: 'binding' });
  writeJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

// ---- pods/{name}/eviction (upstream pkg/registry/core/pod/storage/eviction.go) ----

/** PUT namespaces/{name}/finalize: only spec.finalizers changes (the namespace controller's last step). */
export async function handleFinalize(ctx: RequestContext): Promise<void> {
  const body = expectObject(decodeBody(await readBody(ctx.req), bodyFormat(ctx.req.headers['content-type'])), 'Namespace');
  const finalizers = (body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  if (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== 'string')) {
    throw badRequest('spec.finalizers must be a list of strings');
  }
  const out = await ctx.store.guaranteedUpdate(
    '',
    ctx.info.name,
    (ns) => {
      const n = ns as KubeObject & { spec?: { finalizers?: string[] } };
      n.spec = { ...n.spec, finalizers };
      delete n.metadata!.resourceVersion;
      return n;
    },
    { subresource: 'finalize' },
  );
  writeJson(ctx.res, 200, out);
}
