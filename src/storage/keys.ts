import { InvalidContinueError } from './errors.js';

/** The first key after every key that starts with `prefix` (etcd's range end for a prefix). */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\uffff';
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

interface ContinueState {
  revision: number;
  /** Key (relative to the listed prefix) to resume from, inclusive. */
  start: string;
}

// The token has the shape kube-apiserver's etcd3 store gives its continue tokens: base64 of
// {"v":"meta.k8s.io/v1","rv":N,"start":"<key after the last one returned>"}.
export function encodeContinue(prefix: string, revision: number, nextKey: string): string {
  const json = JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: nextKey.slice(prefix.length) });
  return Buffer.from(json).toString('base64url');
}

export function decodeContinue(token: string): ContinueState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidContinueError('not base64-encoded JSON');
  }
  const p = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (p === null || typeof p !== 'object' || p.v !== 'meta.k8s.io/v1') {
    throw new InvalidContinueError('unknown version');
  }
  if (typeof p.rv !== 'number' || !Number.isSafeInteger(p.rv) || p.rv <= 0) {
    throw new InvalidContinueError('bad revision');
  }
  if (typeof p.start !== 'string' || p.start.startsWith('/') || p.start.includes('..')) {
    throw new InvalidContinueError('bad start key');
  }
  return { revision: p.rv, start: p.start };
}
