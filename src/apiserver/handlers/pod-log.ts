// GET pods/{name}/log: upstream's LogREST. The PodLogOptions are validated, the container chosen
// (the only one when none is named), then the request goes to the kubelet of the pod's node
// (/containerLogs/{ns}/{pod}/{container}, at the node's address and daemonEndpoints port) with
// the API server's kubelet client certificate, and its text/plain body is streamed back as it
// comes (kubectl logs -f). Refusals from the kubelet become Statuses as upstream's
// GenericHttpResponseChecker makes them. The kubectl.kubernetes.io/default-container annotation
// is kubectl's business, as upstream: kubectl names the container it picked.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Status } from 'kubernetes-types/meta/v1.js';
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { badRequest, internalError, invalid, StatusError, type StatusReason } from '../../apimachinery/errors.js';
import { decodePodLogOptions, kubeletLogQuery, LogOptionsDecodeError, validatePodLogOptions, type PodLogOptions } from '../../kubelet/server/log-options.js';
import { writeJson } from '../http/respond.js';
import type { RequestContext } from './context.js';

/** How the API server reaches kubelets: its client credentials and the CA their serving certificates chain to. */
export interface KubeletClientConfig {
  certPem: string;
  keyPem: string;
  caPem: string;
  /** The port when a node reports none (upstream --kubelet-port, 10250). */
  defaultPort?: number;
}

/** Which node address to dial, first match wins (kubeadm's --kubelet-preferred-address-types order). */
const PREFERRED_ADDRESS_TYPES = ['InternalIP', 'Hostname', 'InternalDNS', 'ExternalIP', 'ExternalDNS'];
/** Upstream reads at most this much of a kubelet's error body. */
const MAX_ERROR_BODY = 50_000;

function decodeOptions(ctx: RequestContext): PodLogOptions {
  let opts: PodLogOptions;
  try {
    opts = decodePodLogOptions(ctx.query);
  } catch (e) {
    if (e instanceof LogOptionsDecodeError) throw badRequest(e.message);
    throw e;
  }
  const errs = validatePodLogOptions(opts);
  if (errs.length > 0) throw invalid({ group: '', kind: 'PodLogOptions' }, ctx.info.name, errs);
  return opts;
}

/** Init, regular, then ephemeral containers (upstream VisitContainers order). */
const containerNames = (pod: Pod): string[] => [
  ...(pod.spec?.initContainers ?? []).map((c) => c.name),
  ...(pod.spec?.containers ?? []).map((c) => c.name),
  ...(pod.spec?.ephemeralContainers ?? []).map((c) => c.name),
];

/** The container to read (upstream validateContainer). */
export function chooseContainer(pod: Pod, requested: string | undefined): string {
  const name = pod.metadata?.name ?? '';
  if (requested) {
    if (!containerNames(pod).includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const containers = pod.spec?.containers ?? [];
  if (containers.length === 1) return containers[0]!.name;
  if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containerNames(pod).join(' ')}]`);
}

/** A failure upstream reports as a Status without reason (a plain Go error reaching the handler). */
export class UnknownStatus extends Error {}

/** The kubelet's host and port for a node (upstream NodeConnectionInfoGetter). */
export function kubeletEndpoint(node: Node, defaultPort: number): { host: string; port: number } {
  const addresses = node.status?.addresses ?? [];
  let host: string | undefined;
  for (const type of PREFERRED_ADDRESS_TYPES) {
    host = addresses.find((a) => a.type === type && a.address)?.address;
    if (host) break;
  }
  if (!host) {
    const known = addresses.map((a) => `{${a.type} ${a.address}}`).join(' ');
    throw new UnknownStatus(`no preferred addresses found; known addresses: [${known}]`);
  }
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  return { host, port: port > 0 ? port : defaultPort };
}

function writeUnknown(ctx: RequestContext, message: string): void {
  writeJson(ctx.res, 500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 } satisfies Status);
}

/** A kubelet's refusal as a Status (upstream GenericHttpResponseChecker and NewGenericServerResponse). */
export function kubeletErrorStatus(code: number, body: string, podName: string): StatusError | Status {
  if (code === 500) return internalError(new Error(body));
  if (code === 400) return badRequest(body);
  const generic: Record<number, [StatusReason, string]> = {
    401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
    403: ['Forbidden', body],
    404: ['NotFound', 'the server could not find the requested resource'],
    405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
    409: ['Conflict', 'the server reported a conflict'],
    422: ['Invalid', 'the server rejected our request due to an error in our request'],
    429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
    504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
  };
  let [reason, message]: [StatusReason | '', string] = generic[code] ?? ['', `the server responded with the status code ${code} but did not return more information`];
  if (!generic[code] && code >= 500) {
    reason = 'InternalError';
    message = `an error on the server (${JSON.stringify(body)}) has prevented the request from succeeding`;
  }
  // The verb is empty in upstream's call, hence the leading space inside the parentheses.
  message = `${message} ( pods/log ${podName})`;
  const details = { name: podName, group: '', kind: 'pods/log' };
  if (reason) return new StatusError(code, reason, message, details);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: undefined, details, code };
}

/** How Go's HTTP client words a failed dial, which upstream passes through. */
function dialError(url: string, host: string, port: number, err: NodeJS.ErrnoException): string {
  const addr = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  const why: Record<string, string> = {
    ECONNREFUSED: `dial tcp ${addr}: connect: connection refused`,
    EHOSTUNREACH: `dial tcp ${addr}: connect: no route to host`,
    ETIMEDOUT: `dial tcp ${addr}: i/o timeout`,
    ENOTFOUND: `dial tcp: lookup ${host}: no such host`,
  };
  return `Get ${JSON.stringify(url)}: ${(err.code && why[err.code]) ?? err.message}`;
}

async function readLimited(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < MAX_ERROR_BODY) chunks.push(chunk.subarray(0, MAX_ERROR_BODY - size));
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface KubeletRequest {
  /** Path and query on the kubelet. */
  path: string;
  method: string;
  headers?: Record<string, string | string[]>;
  /** Streamed as the request body; none when absent. */
  body?: NodeJS.ReadableStream;
  rejectUnauthorized?: boolean;
  /** Put before the dial error in the 500 Status (the node proxy says "error trying to reach service: "). */
  errorPrefix?: string;
}

/**
 * A request to the kubelet of `node` with the API server's kubelet client certificate. Resolves
 * with the kubelet's response, or undefined once it answered the client itself (node without a
 * reachable address: upstream's 500 Statuses).
 */
export async function requestKubelet(ctx: RequestContext, node: Node, kubelet: KubeletClientConfig | undefined, r: KubeletRequest): Promise<IncomingMessage | undefined> {
  let endpoint: { host: string; port: number };
  try {
    endpoint = kubeletEndpoint(node, kubelet?.defaultPort ?? 10250);
  } catch (e) {
    if (!(e instanceof UnknownStatus)) throw e;
    writeUnknown(ctx, e.message);
    return undefined;
  }
  if (!kubelet) throw internalError(new Error('the API server has no kubelet client credentials'));
  const options: RequestOptions = {
    host: endpoint.host,
    port: endpoint.port,
    path: r.path,
    method: r.method,
    headers: r.headers,
    cert: kubelet.certPem,
    key: kubelet.keyPem,
    ca: kubelet.caPem,
    rejectUnauthorized: r.rejectUnauthorized ?? true,
    agent: false,
    signal: ctx.signal,
  };
  try {
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(options, resolve);
      req.on('error', reject);
      if (r.body) r.body.pipe(req);
      else req.end();
    });
  } catch (e) {
    if (ctx.signal.aborted) return undefined;
    const hostPart = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host;
    writeUnknown(ctx, `${r.errorPrefix ?? ''}${dialError(`https://${hostPart}:${endpoint.port}${r.path}`, endpoint.host, endpoint.port, e as NodeJS.ErrnoException)}`);
    return undefined;
  }
}

export async function handlePodLog(ctx: RequestContext, kubelet: KubeletClientConfig | undefined): Promise<void> {
  const opts = decodeOptions(ctx);
  const { namespace, name } = ctx.info;
  const pod = (await ctx.store.get(namespace, name)) as Pod;
  const container = chooseContainer(pod, opts.container);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) {
    // Not scheduled yet: upstream streams from no location, an empty body.
    ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
    ctx.res.end();
    return;
  }
  const node = (await ctx.storeOf('', 'v1', 'nodes').get('', nodeName)) as Node;
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`;
  const query = kubeletLogQuery(opts).toString();
  const upstream = await requestKubelet(ctx, node, kubelet, { path: `${path}${query ? `?${query}` : ''}`, method: 'GET', rejectUnauthorized: !opts.insecureSkipTLSVerifyBackend });
  if (!upstream) return;
  const code = upstream.statusCode ?? 500;
  if (code < 200 || code > 206) {
    const err = kubeletErrorStatus(code, await readLimited(upstream), name);
    if (err instanceof StatusError) throw err;
    writeJson(ctx.res, code, err);
    return;
  }
  ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  // Followers learn at once that the stream is open; each chunk goes out as it arrives.
  ctx.res.flushHeaders();
  try {
    await pipeline(upstream, ctx.res);
  } catch {
    // The client went away or the kubelet cut the stream: pipeline has torn both ends down.
  }
}
