// Reads a kubeconfig file into the RestConfig of one context (the current one by default), with
// the fields kubets' components and tests use: server, CA, client certificate or token.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import type { RestConfig } from './transport.js';

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value?: T;
}

export function loadKubeconfig(path: string, contextName?: string): RestConfig {
  let doc: Record<string, unknown>;
  try {
    // An empty file parses as null: treat it as a kubeconfig with nothing in it.
    doc = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot read kubeconfig ${path}: ${(e as Error).message}`);
  }
  const base = dirname(path);
  const pick = (list: unknown, name: string, what: string): Record<string, unknown> => {
    const found = ((list as Named<unknown>[] | undefined) ?? []).find((x) => x.name === name);
    if (!found) throw new Error(`kubeconfig ${path}: ${what} "${name}" not found`);
    return (found[what] as Record<string, unknown> | undefined) ?? {};
  };
  const ctxName = contextName ?? (doc['current-context'] as string | undefined);
  if (!ctxName) throw new Error(`kubeconfig ${path}: no current-context`);
  const context = pick(doc.contexts, ctxName, 'context');
  const cluster = pick(doc.clusters, String(context.cluster), 'cluster');
  const user = context.user ? pick(doc.users, String(context.user), 'user') : {};
  const fileOrData = (data: unknown, file: unknown): string | undefined => {
    if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
    if (typeof file !== 'string') return undefined;
    const full = isAbsolute(file) ? file : resolve(base, file);
    try {
      return readFileSync(full, 'utf8');
    } catch (e) {
      // Name the kubeconfig and the file, as client-go does ("unable to read client-cert ..."),
      // rather than leaking a bare ENOENT.
      throw new Error(`kubeconfig ${path}: cannot read ${full}: ${(e as Error).message}`);
    }
  };
  if (typeof cluster.server !== 'string') throw new Error(`kubeconfig ${path}: cluster has no server`);
  return {
    server: cluster.server,
    caPem: fileOrData(cluster['certificate-authority-data'], cluster['certificate-authority']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    certPem: fileOrData(user['client-certificate-data'], user['client-certificate']),
    keyPem: fileOrData(user['client-key-data'], user['client-key']),
    token: typeof user.token === 'string' ? user.token : undefined,
  };
}
