import { closeSync, existsSync, mkdirSync, openSync, realpathSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import YAML, { isMap, isScalar, isSeq, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { PRIVATE_FILE_MODE, readOptional, writeFileAtomic } from '../pki/files.js';

/** A kubeconfig as client-go writes it (clientcmd/api/v1 Config), restricted to what kubets produces. */
export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  preferences: Record<string, unknown>;
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
}

export interface AdminKubeconfigOptions {
  server: string;
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** Name of the cluster, user and context; default 'kubets'. */
  name?: string;
}

const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

/** A self-contained kubeconfig (certificates embedded as *-data) whose current context is `name`. */
export function adminKubeconfig(opts: AdminKubeconfigOptions): Kubeconfig {
  const name = opts.name ?? 'kubets';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caCertPem) } }],
    users: [{ name, user: { 'client-certificate-data': b64(opts.clientCertPem), 'client-key-data': b64(opts.clientKeyPem) } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
}

/** Output in kubectl's own layout: sequences not indented under their key, no line folding. */
const TO_STRING: YAML.ToStringOptions = { lineWidth: 0, indentSeq: false, flowCollectionPadding: false };

/** Writes a kubeconfig as YAML with mode 0600 (it holds a private key), creating directories. */
export function writeKubeconfig(path: string, config: object): void {
  writeFileAtomic(resolveTarget(path), YAML.stringify(config, TO_STRING), PRIVATE_FILE_MODE);
}

/** Writing through a symlinked kubeconfig updates the file it points to, as kubectl does. */
function resolveTarget(path: string): string {
  return existsSync(path) ? realpathSync(path) : path;
}

/**
 * The file kubectl writes to: with $KUBECONFIG holding one path that path; with several, the first
 * that exists, else the last (client-go PathOptions.GetDefaultFilename); otherwise ~/.kube/config.
 */
export function defaultKubeconfigPath(): string {
  const envPaths = [...new Set((process.env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== ''))];
  if (envPaths.length === 1) return envPaths[0]!;
  if (envPaths.length > 1) return envPaths.find((p) => existsSync(p)) ?? envPaths[envPaths.length - 1]!;
  return join(homedir(), '.kube', 'config');
}

const SECTIONS = [
  ['clusters', 'cluster'],
  ['users', 'user'],
  ['contexts', 'context'],
] as const;

type Section = (typeof SECTIONS)[number][0];

function invalid(path: string, why: string): Error {
  return new Error(`${path}: not a valid kubeconfig: ${why}`);
}

function entryName(item: unknown): string | undefined {
  if (!isMap(item)) return undefined;
  const name = item.get('name');
  return typeof name === 'string' ? name : undefined;
}

/** Parses and shape-checks an existing kubeconfig, returning its document and its three lists. */
function loadForMerge(path: string, text: string): { doc: Document; root: YAMLMap; lists: Record<Section, YAMLSeq> } {
  const doc: Document = YAML.parseDocument(text);
  const firstError = doc.errors[0];
  if (firstError) throw invalid(path, firstError.message.split('\n')[0]!);
  // An empty (or comments-only) file is an empty config to client-go too.
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) doc.contents = doc.createNode({});
  const root = doc.contents;
  if (!isMap(root)) throw invalid(path, 'top level is not a mapping');
  const kind = root.get('kind');
  if (kind !== undefined && kind !== null && kind !== '' && kind !== 'Config') throw invalid(path, `kind is ${String(kind)}, not Config`);
  const lists = {} as Record<Section, YAMLSeq>;
  for (const [section] of SECTIONS) {
    let list: unknown = root.get(section, true);
    if (list === undefined || (isScalar(list) && list.value === null)) {
      list = doc.createNode([]);
      root.set(section, list);
    }
    if (!isSeq(list)) throw invalid(path, `${section} is not a list`);
    list.items.forEach((item, i) => {
      if (entryName(item) === undefined) throw invalid(path, `${section}[${i}] has no name`);
    });
    lists[section] = list;
  }
  return { doc, root, lists };
}

/**
 * client-go guards kubeconfig rewrites with an exclusive `<file>.lock` (clientcmd lockFile); taking
 * the same lock keeps a concurrent `kubectl config ...` from losing either update.
 */
function withLock<T>(target: string, fn: () => T): T {
  const lock = `${target}.lock`;
  let fd: number;
  try {
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    fd = openSync(lock, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new Error(`cannot lock ${target}: ${lock} exists (remove it if no kubectl is running)`);
    throw new Error(`cannot lock ${target}: ${code ?? String(err)}`);
  }
  try {
    return fn();
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

export interface MergeOptions {
  /** Make the merged context current (default true, as `kind create cluster` does). */
  setCurrentContext?: boolean;
}

/**
 * Merges the clusters, users and contexts of `config` into the kubeconfig at `path` (created when
 * absent): same-named entries are replaced, everything else — other entries, unknown fields,
 * preferences, comments — is kept. A file that is not a valid kubeconfig is left alone and
 * reported with a one-line error.
 */
export function mergeIntoKubeconfig(path: string, config: object, opts: MergeOptions = {}): void {
  const incoming = config as Partial<Record<Section, unknown[]>> & { 'current-context'?: unknown };
  const target = resolveTarget(path);
  withLock(target, () => {
    const existing = readOptional(target);
    const text = existing ?? YAML.stringify({ apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], contexts: [], 'current-context': '', users: [] });
    const { doc, root, lists } = loadForMerge(target, text);
    for (const [section] of SECTIONS) {
      const list = lists[section];
      for (const entry of incoming[section] ?? []) {
        const name = (entry as { name?: unknown }).name;
        const node = doc.createNode(entry);
        const index = list.items.findIndex((item) => entryName(item) === name);
        if (index < 0) {
          list.items.push(node);
          continue;
        }
        list.items[index] = node;
        // Later duplicates of the name would shadow or contradict the new entry; drop them.
        for (let i = list.items.length - 1; i > index; i--) if (entryName(list.items[i]) === name) list.items.splice(i, 1);
      }
    }
    const current = incoming['current-context'];
    if ((opts.setCurrentContext ?? true) && typeof current === 'string' && current !== '') root.set('current-context', current);
    const mode = existing === undefined ? PRIVATE_FILE_MODE : statSync(target).mode & 0o777;
    writeFileAtomic(target, doc.toString(TO_STRING), mode);
  });
}
