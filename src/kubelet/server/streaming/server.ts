// The kubelet's streaming endpoints (upstream pkg/kubelet/server getExec, getAttach,
// getPortForward, with the CRI streaming server's work done in place):
//   /exec/{namespace}/{pod}[/{uid}]/{container}?command=...&input=1&output=1&error=1&tty=1
//   /attach/{namespace}/{pod}[/{uid}]/{container}?input=1&output=1&error=1&tty=1
//   /portForward/{namespace}/{pod}[/{uid}][?port=P]   (port only for WebSocket clients)
// GET or POST, upgraded to SPDY/3.1 or WebSocket. Refusals before the upgrade are plain text with
// the kubelet's codes and words: 400 bad options, 404 "pod does not exist", 500 "container not
// found (...)" / "pod not found (...)" when nothing runs to stream to.
import type { Duplex } from 'node:stream';
import { type Logger, silentLogger } from '../../../logging/index.js';
import type { RuntimeService } from '../../runtime/types.js';
import { refuse, type StreamRequest } from './handshake.js';
import { servePortForward } from './portforward.js';
import { openRemoteCommand, remoteCommandOptions, runtimeStreams, STREAM_CREATION_TIMEOUT_MS } from './remotecommand.js';
import { exitCodeStatus, internalErrorStatus, type RemoteCommandStatus, successStatus } from './status.js';

/** Where a stream for a pod's container goes (the kubelet's StreamTarget). */
export interface StreamTarget {
  uid: string;
  containerName: string;
  /** The running container, if any. */
  containerId?: string;
  /** The ready sandbox, if any. */
  podSandboxId?: string;
}

export interface StreamingOptions {
  runtime: Pick<RuntimeService, 'exec' | 'attach' | 'portForward'>;
  /** The pod's running container and sandbox; undefined when the kubelet has no such pod. */
  target(namespace: string, pod: string, container?: string): Promise<StreamTarget | undefined>;
  logger?: Logger;
  /** How long a SPDY client may take to open its streams (default 30 s). */
  streamCreationTimeoutMs?: number;
}

export interface StreamingRoute {
  kind: 'exec' | 'attach' | 'portForward';
  namespace: string;
  pod: string;
  uid?: string;
  container?: string;
}

/** The streaming route a path names, if it names one. */
export function parseStreamingPath(pathname: string): StreamingRoute | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  const [kind, namespace, pod, ...rest] = decoded;
  if (!namespace || !pod) return undefined;
  if (kind === 'exec' || kind === 'attach') {
    if (rest.length === 1) return { kind, namespace, pod, container: rest[0] };
    if (rest.length === 2) return { kind, namespace, pod, uid: rest[0], container: rest[1] };
  } else if (kind === 'portForward') {
    if (rest.length === 0) return { kind, namespace, pod };
    if (rest.length === 1) return { kind, namespace, pod, uid: rest[0] };
  }
  return undefined;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class StreamingServer {
  private readonly logger: Logger;
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly opts: StreamingOptions) {
    this.logger = opts.logger ?? silentLogger;
  }

  /** Serves a streaming request to its end (the client gone or the command over). */
  async handle(r: StreamRequest, route: StreamingRoute, query: URLSearchParams): Promise<void> {
    if (r.socket) {
      const socket = r.socket;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    }
    if (route.kind === 'portForward') return this.portForward(r, route);
    return this.remoteCommand(r, route, query);
  }

  /** Drops every streaming connection (server shutdown). */
  closeAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private async remoteCommand(r: StreamRequest, route: StreamingRoute, query: URLSearchParams): Promise<void> {
    const opts = remoteCommandOptions(query);
    if ('error' in opts) return refuse(r, 400, opts.error);
    const target = await this.opts.target(route.namespace, route.pod, route.container);
    if (!target) return refuse(r, 404, 'pod does not exist');
    const containerId = route.uid && route.uid !== target.uid ? undefined : target.containerId;
    if (!containerId) return refuse(r, 500, `container not found (${JSON.stringify(route.container ?? target.containerName)})`);
    const session = await openRemoteCommand(r, opts, this.opts.streamCreationTimeoutMs ?? STREAM_CREATION_TIMEOUT_MS);
    if (!session) return;
    const streams = runtimeStreams(session, opts.tty);
    const command = query.getAll('command');
    let status: RemoteCommandStatus;
    if (route.kind === 'exec') {
      try {
        const code = await this.opts.runtime.exec(containerId, command, streams);
        status = code === 0 ? successStatus() : exitCodeStatus(code, command);
      } catch (e) {
        status = internalErrorStatus(`error executing command in container: ${messageOf(e)}`);
      }
    } else {
      try {
        await this.opts.runtime.attach(containerId, streams);
        status = successStatus();
      } catch (e) {
        status = internalErrorStatus(`error attaching to container: ${messageOf(e)}`);
      }
    }
    this.logger.debug({ kind: route.kind, pod: `${route.namespace}/${route.pod}`, protocol: session.protocol, status: status.reason ?? status.status }, 'kubelet stream done');
    session.finish(status);
  }

  private async portForward(r: StreamRequest, route: StreamingRoute): Promise<void> {
    const target = await this.opts.target(route.namespace, route.pod);
    if (!target) return refuse(r, 404, 'pod does not exist');
    if (route.uid && route.uid !== target.uid) return refuse(r, 404, 'pod not found');
    const sandboxId = target.podSandboxId;
    if (!sandboxId) return refuse(r, 500, `pod not found (${JSON.stringify(`${route.pod}_${route.namespace}`)})`);
    // The CRI streaming server names the pod by its sandbox and knows no uid.
    await servePortForward(r, {
      connect: (port) => this.opts.runtime.portForward(sandboxId, port),
      pod: sandboxId,
      uid: '',
      streamCreationTimeoutMs: this.opts.streamCreationTimeoutMs,
    });
  }
}
