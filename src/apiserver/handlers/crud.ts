// The verbs on a resource: get, list, create, update, patch, delete, deletecollection.
import type { KubeObject } from '../../api/types.js';
import { PATCH_MEDIA_TYPES, badRequest, unsupportedMediaType } from '../../apimachinery/errors.js';
import { encodedWithVersion } from '../registry/codec.js';
import { writeJson, writeJsonBytes } from '../http/respond.js';
import { bodyFormat, decodeBody, expectObject, mediaType, readBody } from '../http/body.js';
import { listObjects } from '../registry/list.js';
import { buildPredicate } from '../registry/selection.js';
import type { DeleteOptions } from '../registry/store.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, patchTypeFromContentType } from '../patch/index.js';
import { type RequestContext, apiVersionOf } from './context.js';
import { renderList, renderObject } from './render.js';
import { checkFieldValidation } from './field-validation.js';

export async function handleGet(ctx: RequestContext): Promise<void> {
  if (ctx.rendering.as === 'object' && ctx.def.builtin !== false && ctx.info.subresource === '') {
    // The stored bytes, with the resourceVersion spliced in: no parse, no re-serialisation.
    const kv = await ctx.store.getStored(ctx.info.namespace, ctx.info.name);
    writeJsonBytes(ctx.res, 200, encodedWithVersion(kv.value, kv.modRevision));
    return;
  }
  const obj = await ctx.store.get(ctx.info.namespace, ctx.info.name);
  renderObject(ctx, 200, obj);
}

export async function handleList(ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const limit = q.get('limit');
  if (limit !== null && !/^\d+$/.test(limit)) throw badRequest(`limit: Invalid value: "${limit}": must be a non-negative integer`);
  const page = await listObjects(ctx.store, {
    namespace: ctx.info.namespace,
    predicate: buildPredicate(ctx.def, q.get('labelSelector'), q.get('fieldSelector')),
    limit: limit ? Number(limit) : undefined,
    continue: q.get('continue') ?? undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  renderList(ctx, page, page);
}

const isDryRun = (ctx: RequestContext): boolean => {
  const v = ctx.query.getAll('dryRun');
  for (const d of v) if (d !== 'All') throw badRequest(`dryRun: Unsupported value: "${d}": supported values: "All"`);
  return v.length > 0;
};

/** Reads the body as an object of this resource, refusing another kind or version. */
async function readObject(ctx: RequestContext): Promise<KubeObject> {
  const raw = await readBody(ctx.req);
  const format = bodyFormat(ctx.req.headers['content-type']);
  const value = expectObject(decodeBody(raw, format));
  const obj = value as KubeObject;
  const want = apiVersionOf(ctx.def);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== ctx.def.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${ctx.def.kind})`);
  }
  checkFieldValidation(ctx, obj, raw, format);
  return obj;
}

export async function handleCreate(ctx: RequestContext): Promise<void> {
  const obj = await readObject(ctx);
  if (ctx.def.namespaced && !ctx.info.namespace) throw badRequest('the namespace of the object must be set in the URL for namespaced resources');
  const created = await ctx.store.create(ctx.info.namespace, obj, { dryRun: isDryRun(ctx) });
  renderObject(ctx, 201, created);
}

export async function handleUpdate(ctx: RequestContext): Promise<void> {
  const obj = await readObject(ctx);
  const name = obj.metadata?.name;
  if (name && name !== ctx.info.name) {
    throw badRequest(`the name of the object (${name}) does not match the name on the URL (${ctx.info.name})`);
  }
  if (ctx.def.namespaced && obj.metadata?.namespace && obj.metadata.namespace !== ctx.info.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const sub = ctx.info.subresource === 'status' ? 'status' : '';
  const updated = await ctx.store.update(ctx.info.namespace, ctx.info.name, obj, { dryRun: isDryRun(ctx), subresource: sub });
  renderObject(ctx, 200, updated);
}

export async function handlePatch(ctx: RequestContext): Promise<void> {
  const type = patchTypeFromContentType(ctx.req.headers['content-type'] ?? '');
  // Server-side apply is not served yet: only the three patch types are accepted.
  const accepted = PATCH_MEDIA_TYPES.filter((t) => !t.includes('apply') && (ctx.def.builtin !== false || !t.includes('strategic')));
  if (!type || type === 'apply' || (type === 'strategic' && ctx.def.builtin === false)) {
    throw unsupportedMediaType(mediaType(ctx.req.headers['content-type']), accepted);
  }
  const raw = await readBody(ctx.req);
  const patch = decodeBody(raw, 'json');
  const sub = ctx.info.subresource === 'status' ? 'status' : '';
  const def = ctx.def;
  const updated = await ctx.store.guaranteedUpdate(
    ctx.info.namespace,
    ctx.info.name,
    (current) => {
      const patched = applyPatchOfType(type, current, patch, def) as KubeObject;
      expectObject(patched);
      // A resourceVersion the patch did not set is no precondition (upstream drops it).
      if (patched.metadata?.resourceVersion === current.metadata?.resourceVersion && !patchSetsResourceVersion(patch)) {
        delete patched.metadata!.resourceVersion;
      }
      if (type !== 'json') checkFieldValidation(ctx, patched, raw, 'json', true);
      return patched;
    },
    { dryRun: isDryRun(ctx), subresource: sub },
  );
  renderObject(ctx, 200, updated);
}

function applyPatchOfType(type: 'json' | 'merge' | 'strategic', current: KubeObject, patch: unknown, def: RequestContext['def']): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(current, patch);
    case 'merge':
      return applyMergePatch(current, patch);
    case 'strategic':
      return applyStrategicMergePatch(current, patch, { group: def.group, version: def.version, kind: def.kind });
  }
}

function patchSetsResourceVersion(patch: unknown): boolean {
  if (Array.isArray(patch)) return patch.some((op) => typeof op?.path === 'string' && op.path === '/metadata/resourceVersion');
  const meta = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return typeof meta?.resourceVersion === 'string';
}

/** DeleteOptions from the body (kubectl sends them there) or the query. */
async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const raw = await readBody(ctx.req);
  let body: Record<string, unknown> = {};
  if (raw.length > 0 && raw.toString().trim() !== '') body = expectObject(decodeBody(raw, bodyFormat(ctx.req.headers['content-type'])), 'DeleteOptions');
  const q = ctx.query;
  const opts: DeleteOptions = { dryRun: isDryRun(ctx) || (Array.isArray(body.dryRun) && body.dryRun.includes('All')) };
  const grace = body.gracePeriodSeconds ?? (q.get('gracePeriodSeconds') !== null ? Number(q.get('gracePeriodSeconds')) : undefined);
  if (grace !== undefined) {
    if (typeof grace !== 'number' || !Number.isInteger(grace)) throw badRequest('gracePeriodSeconds must be an integer');
    opts.gracePeriodSeconds = grace;
  }
  let policy = (body.propagationPolicy ?? q.get('propagationPolicy') ?? undefined) as string | undefined;
  const orphan = body.orphanDependents ?? (q.get('orphanDependents') !== null ? q.get('orphanDependents') === 'true' : undefined);
  if (policy === undefined && orphan !== undefined) policy = orphan ? 'Orphan' : 'Background';
  if (policy !== undefined) {
    if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
      throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Background", "Foreground", "Orphan"`);
    }
    opts.propagationPolicy = policy;
  }
  const pre = body.preconditions as { uid?: string; resourceVersion?: string } | undefined;
  if (pre) opts.preconditions = pre;
  return opts;
}

export async function handleDelete(ctx: RequestContext): Promise<void> {
  const opts = await readDeleteOptions(ctx);
  const { object, deleted } = await ctx.store.delete(ctx.info.namespace, ctx.info.name, opts);
  if (!deleted || ctx.info.resource === 'namespaces') {
    renderObject(ctx, 200, object);
    return;
  }
  writeJson(ctx.res, 200, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: object.metadata?.name, group: ctx.def.group || undefined, kind: ctx.def.plural, uid: object.metadata?.uid },
  });
}

export async function handleDeleteCollection(ctx: RequestContext): Promise<void> {
  const opts = await readDeleteOptions(ctx);
  const q = ctx.query;
  const page = await listObjects(ctx.store, {
    namespace: ctx.info.namespace,
    predicate: buildPredicate(ctx.def, q.get('labelSelector'), q.get('fieldSelector')),
  });
  const items: KubeObject[] = [];
  for (const obj of page.items) {
    try {
      const out = await ctx.store.delete(obj.metadata?.namespace ?? '', obj.metadata!.name!, opts);
      items.push(out.object);
    } catch (e) {
      // Gone in the meantime: nothing left to delete.
      if ((e as { reason?: string }).reason !== 'NotFound') throw e;
    }
  }
  renderList(ctx, { items, entries: [] }, { resourceVersion: page.resourceVersion });
}
