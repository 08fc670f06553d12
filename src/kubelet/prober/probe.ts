// One probe attempt, as upstream's prober: exec (exit code 0), httpGet (a status from 200 to 399,
// redirects not followed), tcpSocket (a connection opens), each bounded by timeoutSeconds.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
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
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    try {
      const r = await t.runtime.execSync(t.containerId, probe.exec.command ?? [], probe.timeoutSeconds ?? 1);
      return r.exitCode === 0 ? { ok: true } : { ok: false, message: `command ${JSON.stringify(probe.exec.command)} exited with ${r.exitCode}: ${r.stdout.toString()}${r.stderr.toString()}`.trim() };
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  }
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, t.container);
    if (port === undefined) return { ok: false, message: `port ${probe.httpGet.port} not found` };
    const host = probe.httpGet.host || t.podIP;
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toUpperCase();
    const path = probe.httpGet.path || '/';
    const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.33', accept: '*/*' };
    for (const h of probe.httpGet.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
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
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, t.container);
    if (port === undefined) return { ok: false, message: `port ${probe.tcpSocket.port} not found` };
    const host = probe.tcpSocket.host || t.podIP;
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
  if (probe.grpc) return { ok: false, message: 'grpc probes are not supported by kubets yet' };
  return { ok: false, message: 'probe has no handler' };
}
