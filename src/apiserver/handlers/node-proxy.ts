// nodes/{name}/proxy/{path}: upstream's node proxy (ProxyREST), as `kubectl get --raw
// /api/v1/nodes/<node>/proxy/stats/summary` and metrics collectors use it. The request goes to the
// kubelet at the node's address and daemonEndpoints port with the API server's kubelet client
// certificate, method, query and body passed through; the kubelet's answer comes back as it is.
import type { Node } from 'kubernetes-types/core/v1.js';
import { pipeline } from 'node:stream/promises';
import type { RequestContext } from './context.js';
import { type KubeletClientConfig, requestKubelet } from './pod-log.js';

/** Headers that describe one hop, not the message (RFC 9110 7.6.1), plus what the kubelet must not see. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'authorization']);

export async function handleNodeProxy(ctx: RequestContext, rest: string[], kubelet: KubeletClientConfig | undefined): Promise<void> {
  const node = (await ctx.store.get('', ctx.info.name)) as Node;
  const query = new URLSearchParams(ctx.query).toString();
  const path = `/${rest.map(encodeURIComponent).join('/')}${query ? `?${query}` : ''}`;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(ctx.req.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) headers[k] = v;
  const upstream = await requestKubelet(ctx, node, kubelet, { path, method: ctx.req.method ?? 'GET', headers, body: ctx.req, errorPrefix: 'error trying to reach service: ' });
  if (!upstream) return;
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(upstream.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) out[k] = v;
  ctx.res.writeHead(upstream.statusCode ?? 502, out);
  try {
    await pipeline(upstream, ctx.res);
  } catch {
    // The client went away or the kubelet cut the stream.
  }
}
