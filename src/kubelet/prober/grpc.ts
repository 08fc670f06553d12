// The grpc probe action (upstream pkg/probe/grpc): calls grpc.health.v1.Health/Check on the pod's
// port over plaintext HTTP/2 and succeeds only when the status is SERVING. The two tiny protobuf
// messages (HealthCheckRequest{service}, HealthCheckResponse{status}) are encoded by hand: a gRPC
// client library would be a large dependency for one call.
import { connect, constants } from 'node:http2';
import type { GRPCAction } from 'kubernetes-types/core/v1.js';
import type { ProbeResult } from './probe.js';

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** HealthCheckRequest{service = 1} in a gRPC length-prefixed frame. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  const message = name.length ? Buffer.concat([Buffer.from([0x0a]), varint(name.length), name]) : Buffer.alloc(0);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(message.length, 1);
  return Buffer.concat([frame, message]);
}

/** HealthCheckResponse.status (field 1, an enum) from a gRPC frame; 0 (UNKNOWN) when absent. */
export function decodeHealthCheckResponse(frame: Buffer): number {
  if (frame.length < 5) throw new Error('short gRPC frame');
  const length = frame.readUInt32BE(1);
  const msg = frame.subarray(5, 5 + length);
  let i = 0;
  let status = 0;
  while (i < msg.length) {
    const [key, afterKey] = readVarint(msg, i);
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) {
      const [v, next] = readVarint(msg, afterKey);
      if (field === 1) status = v;
      i = next;
    } else if (wire === 2) {
      const [len, next] = readVarint(msg, afterKey);
      i = next + len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return status;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

function readVarint(b: Buffer, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    if (i >= b.length) throw new Error('truncated varint');
    const byte = b[i++]!;
    v += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [v, i];
    shift += 7;
  }
}

export function grpcAction(action: GRPCAction, podIP: string, timeoutMs: number): Promise<ProbeResult> {
  const target = `${podIP.includes(':') ? `[${podIP}]` : podIP}:${action.port}`;
  return new Promise((resolve) => {
    let settled = false;
    const session = connect(`http://${target}`);
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, message: `timeout: health rpc did not complete within ${timeoutMs / 1000}s` }), timeoutMs);
    session.on('error', (e) => done({ ok: false, message: `timeout: failed to connect service "${target}" within ${timeoutMs / 1000}s: ${e.message}` }));
    const req = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      te: 'trailers',
      'user-agent': 'kube-probe/1.33',
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    let grpcMessage = '';
    const readStatus = (h: Record<string, unknown>) => {
      if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) grpcMessage = decodeURIComponent(String(h['grpc-message']));
    };
    req.on('response', readStatus);
    req.on('trailers', readStatus);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', (e) => done({ ok: false, message: `rpc error: ${e.message}` }));
    req.on('end', () => {
      if (grpcStatus !== undefined && grpcStatus !== '0') {
        done({ ok: false, message: `rpc error: code = ${grpcStatus} desc = ${grpcMessage}` });
        return;
      }
      try {
        const status = decodeHealthCheckResponse(Buffer.concat(chunks));
        done(status === 1 ? { ok: true } : { ok: false, message: `service unhealthy (responded with "${STATUS_NAMES[status] ?? status}")` });
      } catch (e) {
        done({ ok: false, message: `rpc error: ${(e as Error).message}` });
      }
    });
    req.end(encodeHealthCheckRequest(action.service ?? ''));
  });
}
