// One probe attempt, as upstream's prober: exec (exit code 0), httpGet (a status from 200 to 399,
// redirects not followed), tcpSocket (a connection opens), grpc (the gRPC health service answers
// SERVING), each bounded by timeoutSeconds. Lifecycle hooks reuse the exec and httpGet actions.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, ExecAction, HTTPGetAction, Pod, Probe, TCPSocketAction } from 'kubernetes-types/core/v1.js';
import { grpcAction } from './grpc.js';
import type { RuntimeService } from '../runtime/types.js';

export type ProbeResult = { ok: true } | { ok: false; message: string };

export interface ProbeTarget {
  pod: Pod;
  container: Container;
  containerId: string;
  podIP: string;
  runtime: RuntimeService;
}

/** A named port of the container, or the number itself (upstream resolves IntOrString the same way). */
export function resolvePort(port: number | string | undefined, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

export async function runProbe(probe: Probe, t: ProbeTarget): Promise<ProbeResult> {
  const timeoutSeconds = probe.timeoutSeconds ?? 1;
  if (probe.exec) return execAction(probe.exec, t, timeoutSeconds);
  if (probe.httpGet) return httpGetAction(probe.httpGet, t, timeoutSeconds * 1000);
  if (probe.tcpSocket) return tcpSocketAction(probe.tcpSocket, t, timeoutSeconds * 1000);
  if (probe.grpc) return grpcAction(probe.grpc, t.podIP, timeoutSeconds * 1000);
  return { ok: false, message: 'probe has no handler' };
}

/** Runs the command in the container: exit code 0 succeeds. */
export async function execAction(action: ExecAction, t: ProbeTarget, timeoutSeconds: number): Promise<ProbeResult> {
  try {
    const r = await t.runtime.execSync(t.containerId, action.command ?? [], timeoutSeconds);
    return r.exitCode === 0 ? { ok: true } : { ok: false, message: `command ${JSON.stringify(action.command)} exited with ${r.exitCode}: ${r.stdout.toString()}${r.stderr.toString()}`.trim() };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/** GET against the pod (or the named host): a status from 200 to 399 succeeds; redirects are not followed. */
export function httpGetAction(action: HTTPGetAction, t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(action.port, t.container);
  if (port === undefined) return Promise.resolve({ ok: false, message: `port ${action.port} not found` });
  const host = action.host || t.podIP;
  const scheme = (action.scheme ?? 'HTTP').toUpperCase();
  const path = action.path || '/';
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.33', accept: '*/*' };
  for (const h of action.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
  return new Promise((resolve) => {
    const req = (scheme === 'HTTPS' ? httpsRequest : httpRequest)(
      { host, port, path, method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Get "${scheme.toLowerCase()}://${host}:${port}${path}": context deadline exceeded`)));
    req.on('error', (e) => resolve({ ok: false, message: e.message }));
    req.end();
  });
}

/** A TCP connection to the port opens. */
export function tcpSocketAction(action: TCPSocketAction, t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(action.port, t.container);
  if (port === undefined) return Promise.resolve({ ok: false, message: `port ${action.port} not found` });
  const host = action.host || t.podIP;
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    socket.once('error', (e) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${e.message}` }));
  });
}
