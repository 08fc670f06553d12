// Writes resource responses in the rendering the client negotiated (object, Table, metadata).
import type { KubeObject } from '../../api/types.js';
import { writeJson, writeJsonParts } from '../http/respond.js';
import { encodedWithVersionParts } from '../registry/codec.js';
import type { ListEntry } from '../registry/list.js';
import { partialObjectMetadata, toTable, type IncludeObject } from '../table.js';
import { type RequestContext, apiVersionOf } from './context.js';

function includeObject(ctx: RequestContext): IncludeObject {
  const v = ctx.query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function withWarnings(ctx: RequestContext): void {
  for (const w of ctx.warnings) ctx.res.appendHeader('Warning', `299 - ${JSON.stringify(w)}`);
}

export function renderObject(ctx: RequestContext, code: number, obj: KubeObject): void {
  withWarnings(ctx);
  const r = ctx.rendering;
  if (r.as === 'Table') {
    writeJson(ctx.res, code, toTable(ctx.def, [obj], { resourceVersion: obj.metadata?.resourceVersion }, { version: r.version, includeObject: includeObject(ctx) }));
  } else if (r.as === 'PartialObjectMetadata') {
    writeJson(ctx.res, code, partialObjectMetadata(obj, r.version));
  } else {
    writeJson(ctx.res, code, obj);
  }
}

export function renderList(
  ctx: RequestContext,
  list: { readonly items: KubeObject[]; entries: ListEntry[] },
  meta: { resourceVersion: string; continue?: string },
): void {
  withWarnings(ctx);
  const r = ctx.rendering;
  if (r.as === 'object' && ctx.def.builtin !== false && list.entries.length > 0) {
    writeJsonParts(ctx.res, 200, splicedList(ctx, list.entries, meta));
    return;
  }
  const items = list.items;
  const listMeta: Record<string, string> = { resourceVersion: meta.resourceVersion };
  if (meta.continue) listMeta.continue = meta.continue;
  if (r.as === 'Table') {
    writeJson(ctx.res, 200, toTable(ctx.def, items, listMeta, { version: r.version, includeObject: includeObject(ctx) }));
  } else if (r.as === 'PartialObjectMetadata') {
    writeJson(ctx.res, 200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${r.version}`,
      metadata: listMeta,
      items: items.map((o) => partialObjectMetadata(o, r.version)),
    });
  } else {
    writeJson(ctx.res, 200, { kind: `${ctx.def.kind}List`, apiVersion: apiVersionOf(ctx.def), metadata: listMeta, items });
  }
}

/** A list written from the stored bytes of its items (no parse, no re-serialisation). */
function splicedList(ctx: RequestContext, entries: ListEntry[], meta: { resourceVersion: string; continue?: string }): Buffer[] {
  const listMeta: Record<string, string> = { resourceVersion: meta.resourceVersion };
  if (meta.continue) listMeta.continue = meta.continue;
  const head = JSON.stringify({ kind: `${ctx.def.kind}List`, apiVersion: apiVersionOf(ctx.def), metadata: listMeta }).slice(0, -1);
  const parts: Buffer[] = [Buffer.from(head + ',"items":[')];
  entries.forEach((e, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(...encodedWithVersionParts(e.value, e.revision));
  });
  parts.push(CLOSE);
  return parts;
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');
