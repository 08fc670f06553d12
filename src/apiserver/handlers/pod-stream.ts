// pods/{name}/exec, pods/{name}/attach and pods/{name}/portforward: upstream's ExecREST,
// AttachREST and PortForwardREST (Connect, GET or POST). The options are decoded, the container
// chosen and the pod's node found as for logs (pod-log.ts), then the request goes to the kubelet
// (/exec/{ns}/{pod}/{container}?command=..&input=1&output=1&error=1&tty=1, /attach/..., or
// /portForward/{ns}/{pod}?port=P) as upstream's UpgradeAwareHandler sends it: a TLS connection
// with the API server's kubelet client certificate, the client's request rewritten to the
// kubelet's path with its upgrade headers, then both connections piped byte for byte. Whatever
// the kubelet answers (101 and SPDY or WebSocket frames, or an error) reaches the client as is,
// so every streaming protocol the kubelet speaks works through here. Without an upgrade the
// request is refused with 400 "Upgrade request required", after the same checks.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { type IncomingMessage, ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { KubeObject } from '../../api/types.js';
import { badRequest, internalError, methodNotSupported } from '../../apimachinery/errors.js';
import { authorize } from '../authn.js';
import { writeError, writeJson } from '../http/respond.js';
import { parseRequestInfo, type RequestInfo, type ResourceRequestInfo } from '../request-info.js';
import type { RequestContext, UserInfo } from './context.js';
import { chooseContainer, kubeletEndpoint, UnknownStatus, type KubeletClientConfig } from './pod-log.js';

export const POD_STREAM_SUBRESOURCES: readonly string[] = ['exec', 'attach', 'portforward'];

export const isPodStreamRequest = (info: RequestInfo): info is ResourceRequestInfo =>
  info.isResourceRequest && info.group === '' && info.resource === 'pods' && info.name !== '' && POD_STREAM_SUBRESOURCES.includes(info.subresource);

interface Getter {
  get(namespace: string, name: string): Promise<KubeObject>;
}

/** Where the stream goes on the kubelet: host, port and the request target (path and query). */
export interface KubeletLocation {
  host: string;
  port: number;
  path: string;
}

/** A query parameter as upstream converts it to a bool: absent false, "0"/"false" false, anything else true. */
function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

function portParams(query: URLSearchParams): string[] {
  return query.getAll('ports').map((p) => {
    if (!/^-?[0-9]+$/.test(p.trim())) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(p)}: invalid syntax`);
    return String(Number(p.trim()));
  });
}

/** upstream ExecLocation / AttachLocation / PortForwardLocation (streamLocation and streamParams). */
export async function podStreamLocation(info: ResourceRequestInfo, query: URLSearchParams, pods: Getter, nodes: Getter, defaultPort: number): Promise<KubeletLocation> {
  const sub = info.subresource;
  if (info.verb !== 'get' && info.verb !== 'create') throw methodNotSupported({ group: '', resource: `pods/${sub}` }, info.verb);
  const { namespace, name } = info;
  const pod = (await pods.get(namespace, name)) as Pod;
  const params = new URLSearchParams();
  let path: string;
  const segment = encodeURIComponent;
  if (sub === 'portforward') {
    const ports = portParams(query);
    if (ports.length > 0) params.set('port', ports.join(','));
    path = `/portForward/${segment(namespace)}/${segment(name)}`;
  } else {
    const container = chooseContainer(pod, query.get('container') ?? undefined);
    // api.ExecStdinParam & co: the names the kubelet reads.
    if (boolParam(query, 'stdin')) params.set('input', '1');
    if (boolParam(query, 'stdout')) params.set('output', '1');
    if (boolParam(query, 'stderr')) params.set('error', '1');
    if (boolParam(query, 'tty')) params.set('tty', '1');
    if (sub === 'exec') for (const c of query.getAll('command')) params.append('command', c);
    path = `/${sub}/${segment(namespace)}/${segment(name)}/${segment(container)}`;
  }
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const node = (await nodes.get('', nodeName)) as Node;
  const { host, port } = kubeletEndpoint(node, defaultPort);
  const q = params.toString();
  return { host, port, path: q ? `${path}?${q}` : path };
}

/** A plain (not upgraded) request: checked as upstream checks it, then refused. */
export async function handlePodStream(ctx: RequestContext, kubelet: KubeletClientConfig | undefined): Promise<void> {
  await podStreamLocation(ctx.info, ctx.query, ctx.store, ctx.storeOf('', 'v1', 'nodes'), kubelet?.defaultPort ?? 10250);
  throw badRequest('Upgrade request required');
}

export interface PodStreamUpgradeDeps {
  authenticate(req: IncomingMessage): UserInfo | Promise<UserInfo>;
  storeOf(group: string, version: string, plural: string): Getter;
  kubeletClient?: KubeletClientConfig;
  /** Aborts when the server stops: the piped connections are then dropped. */
  signal: AbortSignal;
  /** Serves an upgrade request that is not a pod stream as any other request. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** A response written on the raw socket of an upgrade request (for refusals). */
function responseOn(req: IncomingMessage, socket: Duplex): ServerResponse {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once('finish', () => socket.end());
  return res;
}

/** Node's 'upgrade' event: pod streams are proxied to the kubelet; any other upgrade request is served as usual. */
export async function handlePodStreamUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: PodStreamUpgradeDeps): Promise<void> {
  socket.on('error', () => socket.destroy());
  const url = new URL(req.url ?? '/', 'https://kubets');
  const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
  if (!isPodStreamRequest(info)) return deps.serve(req, responseOn(req, socket));
  try {
    authorize(await deps.authenticate(req), info);
    const kubelet = deps.kubeletClient;
    const location = await podStreamLocation(info, url.searchParams, deps.storeOf('', 'v1', 'pods'), deps.storeOf('', 'v1', 'nodes'), kubelet?.defaultPort ?? 10250);
    if (!kubelet) throw internalError(new Error('the API server has no kubelet client credentials'));
    await proxyUpgrade(req, socket, head, location, kubelet, deps.signal);
  } catch (e) {
    if (socket.destroyed) return;
    const res = responseOn(req, socket);
    // A node without a usable address: upstream's plain error, a Status without a reason.
    if (e instanceof UnknownStatus) writeJson(res, 500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, code: 500 });
    else writeError(res, e);
  }
}

/** Hop-by-hop and credential headers that do not go to the kubelet (the upgrade ones do). */
const DROPPED_HEADERS = new Set(['host', 'authorization', 'proxy-authorization', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer']);

function requestHead(req: IncomingMessage, loc: KubeletLocation): string {
  const host = isIP(loc.host) === 6 ? `[${loc.host}]:${loc.port}` : `${loc.host}:${loc.port}`;
  const lines = [`${req.method ?? 'GET'} ${loc.path} HTTP/1.1`, `Host: ${host}`];
  let forwardedFor = '';
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') forwardedFor = forwardedFor ? `${forwardedFor}, ${req.rawHeaders[i + 1]}` : req.rawHeaders[i + 1]!;
    else if (!DROPPED_HEADERS.has(lower)) lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  // upstream appends the client's address in the upgrade path.
  const client = req.socket.remoteAddress;
  if (client) forwardedFor = forwardedFor ? `${forwardedFor}, ${client}` : client;
  if (forwardedFor) lines.push(`X-Forwarded-For: ${forwardedFor}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Go's words for a failed dial, as upstream passes them on ("error dialing backend: ..."). */
function dialFailure(loc: KubeletLocation, err: NodeJS.ErrnoException): string {
  const addr = isIP(loc.host) === 6 ? `[${loc.host}]:${loc.port}` : `${loc.host}:${loc.port}`;
  const why: Record<string, string> = {
    ECONNREFUSED: `dial tcp ${addr}: connect: connection refused`,
    EHOSTUNREACH: `dial tcp ${addr}: connect: no route to host`,
    ETIMEDOUT: `dial tcp ${addr}: i/o timeout`,
    ENOTFOUND: `dial tcp: lookup ${loc.host}: no such host`,
  };
  return `error dialing backend: ${(err.code && why[err.code]) ?? err.message}`;
}

/** Dials the kubelet, sends the rewritten request, then pipes both ways until either side closes. */
function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, loc: KubeletLocation, kubelet: KubeletClientConfig, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const backend = tlsConnect({
      host: loc.host,
      port: loc.port,
      servername: isIP(loc.host) ? undefined : loc.host,
      cert: kubelet.certPem,
      key: kubelet.keyPem,
      ca: kubelet.caPem,
    });
    const onDialError = (e: NodeJS.ErrnoException) => {
      backend.destroy();
      reject(internalError(new Error(dialFailure(loc, e))));
    };
    backend.once('error', onDialError);
    backend.once('secureConnect', () => {
      backend.off('error', onDialError);
      let done = false;
      const teardown = () => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', teardown);
        client.destroy();
        backend.destroy();
        resolve();
      };
      backend.on('error', teardown);
      client.on('error', teardown);
      backend.once('close', teardown);
      client.once('close', teardown);
      if (signal.aborted) return teardown();
      signal.addEventListener('abort', teardown, { once: true });
      backend.write(requestHead(req, loc));
      if (head.length > 0) backend.write(head);
      client.pipe(backend);
      backend.pipe(client);
    });
  });
}
