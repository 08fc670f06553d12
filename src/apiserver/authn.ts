// Authentication and authorization phases. Clients prove who they are with a certificate signed
// by the cluster CA (CN = user, O = groups, the Kubernetes convention). Authorization is
// "authenticated users may do anything" until RBAC lands; anonymous users may read health,
// version, discovery and OpenAPI, as upstream's system:public-info-viewer role allows.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { StatusError } from '../apimachinery/errors.js';
import type { UserInfo } from './handlers/context.js';
import type { RequestInfo } from './request-info.js';
import { InMemorySocket } from './in-process.js';

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/** A connection's user, read once: getPeerCertificate() rebuilds the certificate on every call. */
const usersBySocket = new WeakMap<object, UserInfo>();

export function authenticate(req: IncomingMessage): UserInfo {
  const socket = req.socket as TLSSocket;
  let user = usersBySocket.get(socket);
  if (!user) {
    user = userOfSocket(socket);
    usersBySocket.set(socket, user);
  }
  return user;
}

function userOfSocket(socket: TLSSocket): UserInfo {
  // In-process connections carry the identity they were opened with (see in-process.ts).
  const bound = (socket as unknown as { user?: UserInfo }).user;
  if (bound && socket instanceof InMemorySocket) return bound;
  if (typeof socket.getPeerCertificate === 'function' && socket.authorized) {
    const cert = socket.getPeerCertificate();
    const subject = cert?.subject as unknown as Record<string, string | string[]> | undefined;
    const cn = subject?.CN;
    if (cn) {
      const o = subject?.O;
      const groups = Array.isArray(o) ? o : o ? [o] : [];
      return { name: Array.isArray(cn) ? cn[0]! : cn, groups: [...groups, 'system:authenticated'] };
    }
  }
  return ANONYMOUS;
}

const PUBLIC_PATHS = [/^\/(healthz|livez|readyz)(\/.*)?$/, /^\/version\/?$/, /^\/apis?(\/[^/]+){0,2}\/?$/, /^\/openapi\//];

export function authorize(user: UserInfo, info: RequestInfo): void {
  if (user !== ANONYMOUS) return;
  if (!info.isResourceRequest) {
    if (info.verb === 'get' && PUBLIC_PATHS.some((re) => re.test(info.path))) return;
    throw new StatusError(403, 'Forbidden', `forbidden: User "system:anonymous" cannot ${info.verb} path "${info.path}"`);
  }
  const where = info.namespace ? ` in the namespace "${info.namespace}"` : '';
  const what = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  throw new StatusError(
    403,
    'Forbidden',
    `${info.resource}${info.group ? '.' + info.group : ''}${info.name ? ` "${info.name}"` : ''} is forbidden: User "system:anonymous" cannot ${info.verb} resource "${what}" in API group "${info.group}"${where}`,
    { name: info.name || undefined, group: info.group, kind: info.resource },
  );
}
