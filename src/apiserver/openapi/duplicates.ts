// Duplicate keys in request bodies. JSON.parse silently keeps the last of repeated keys; upstream's
// decoder reports each repetition (`duplicate field "spec.paused"`), and its YAML decoder reports
// them by line (`line 12: key "paused" already set in map`). So bodies are scanned here with their
// key order and repetitions preserved.
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node as YamlNode, parseAllDocuments } from 'yaml';

/** A JSON value with object members in document order, repeated keys included. */
export type JsonNode =
  | { kind: 'object'; entries: { key: string; value: JsonNode }[] }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'scalar'; value: string | number | boolean | null };

/** Upstream's field path syntax: `spec.template.spec.containers[0].image`. */
export const fieldPath = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);
export const indexPath = (parent: string, i: number): string => `${parent}[${i}]`;

const MAX_DEPTH = 1000;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parses JSON text keeping member order and repeated keys. Throws SyntaxError on invalid JSON. */
export function parseJsonTree(text: string): JsonNode {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${pos}`);
  };
  const skipWs = () => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r')) pos++;
  };
  const readString = (): string => {
    const start = pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const readValue = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipWs();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries: { key: string; value: JsonNode }[] = [];
      skipWs();
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', entries };
      }
      for (;;) {
        skipWs();
        if (text[pos] !== '"') fail('expected a string key');
        const key = readString();
        skipWs();
        if (text[pos++] !== ':') fail('expected ":"');
        entries.push({ key, value: readValue(depth + 1) });
        skipWs();
        const sep = text[pos++];
        if (sep === '}') return { kind: 'object', entries };
        if (sep !== ',') fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      skipWs();
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(readValue(depth + 1));
        skipWs();
        const sep = text[pos++];
        if (sep === ']') return { kind: 'array', items };
        if (sep !== ',') fail('expected "," or "]"');
      }
    }
    if (c === '"') return { kind: 'scalar', value: readString() };
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return { kind: 'scalar', value };
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) return fail('unexpected character');
    pos += m[0].length;
    return { kind: 'scalar', value: Number(m[0]) };
  };
  const root = readValue(0);
  skipWs();
  if (pos < text.length) fail('unexpected data after the value');
  return root;
}

/**
 * Paths of repeated keys anywhere in a JSON document, in document order, one per repetition
 * (`metadata.name`, `spec.template.spec.containers[0].imagePullPolicy`).
 */
export function findDuplicateFields(jsonText: string): string[] {
  const out: string[] = [];
  const walk = (node: JsonNode, path: string) => {
    if (node.kind === 'array') node.items.forEach((item, i) => walk(item, indexPath(path, i)));
    if (node.kind !== 'object') return;
    const seen = new Set<string>();
    for (const { key, value } of node.entries) {
      const p = fieldPath(path, key);
      if (seen.has(key)) out.push(p);
      seen.add(key);
      walk(value, p);
    }
  };
  walk(parseJsonTree(jsonText), '');
  return out;
}

export interface YamlDuplicate {
  path: string;
  key: string;
  /** 1-based line of the repeated key. */
  line: number;
}

/** Repeated mapping keys in YAML text (JSON is YAML too), in document order. */
export function findYamlDuplicates(text: string): YamlDuplicate[] {
  const lines = new LineCounter();
  const out: YamlDuplicate[] = [];
  const walk = (node: unknown, path: string) => {
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, indexPath(path, i)));
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (isAlias(pair.key)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const p = fieldPath(path, key);
      if (seen.has(key)) {
        const offset = (pair.key as YamlNode | null)?.range?.[0] ?? 0;
        out.push({ path: p, key, line: lines.linePos(offset).line });
      }
      seen.add(key);
      walk(pair.value, p);
    }
  };
  for (const doc of parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false })) {
    if ('contents' in doc) walk(doc.contents, '');
  }
  return out;
}

/** Paths of repeated keys in a YAML (or JSON) document. */
export function findDuplicateFieldsInYaml(text: string): string[] {
  return findYamlDuplicates(text).map((d) => d.path);
}

/** go-yaml's wording for a repeated key, as upstream's YAML decoding reports it. */
export const yamlDuplicateText = (d: YamlDuplicate): string => `line ${d.line}: key ${JSON.stringify(d.key)} already set in map`;
