// Build-time generator of the OpenAPI schemas of the built-in types, read from the declarations of
// the npm package kubernetes-types (generated from upstream's own OpenAPI, so its field names,
// optionality and descriptions are upstream's). Uses only the TypeScript parser, no type checker:
// the declarations are flat interfaces whose type references resolve through each file's imports.
//
// typescript is a devDependency: it is loaded lazily so that importing this module costs nothing
// until a generation actually runs.
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as TS from 'typescript';
import { patchMetaFor } from './patch-meta.js';
import {
  type GeneratedSchemaFile,
  type GroupVersionKind,
  INT_OR_STRING,
  type OpenApiSchema,
  refTo,
} from './types.js';

type Ts = typeof TS;
const require = createRequire(import.meta.url);
let tsModule: Ts | undefined;
const loadTypescript = (): Ts => (tsModule ??= require('typescript') as Ts);

/**
 * The upstream Go package of a kubernetes-types module (`apps/v1` -> `io.k8s.api.apps.v1`), which
 * prefixes schema names in upstream's OpenAPI. kubernetes-types mirrors k8s.io/api's folders;
 * the apimachinery and apiextensions packages are named here.
 */
export function upstreamPackage(modulePath: string): string | undefined {
  switch (modulePath) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1':
      return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
  }
  const m = /^([a-z0-9]+)\/(v\d+(?:(?:alpha|beta)\d+)?)$/.exec(modulePath);
  return m ? `io.k8s.api.${m[1]}.${m[2]}` : undefined;
}

const JSON_SCHEMA_PROPS = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';

/** Fields declared as float64 upstream; kubernetes-types has only `number`, which kubets reads as integer. */
const FLOAT_FIELDS: Record<string, string[]> = {
  [JSON_SCHEMA_PROPS]: ['maximum', 'minimum', 'multipleOf'],
};

const flag = (description: string): OpenApiSchema => ({ description, type: 'boolean' });

/**
 * Fields upstream declares that kubernetes-types leaves out: the `x-kubernetes-*` keywords of CRD
 * schemas. Without them strict field validation would reject most CRDs.
 */
const EXTRA_PROPERTIES: Record<string, Record<string, OpenApiSchema>> = {
  [JSON_SCHEMA_PROPS]: {
    'x-kubernetes-embedded-resource': flag('Marks an object that holds an embedded Kubernetes object (with apiVersion, kind and metadata), validated as such. Implies x-kubernetes-preserve-unknown-fields unless properties are given.'),
    'x-kubernetes-int-or-string': flag('Marks a value that may be an integer or a string, like an IntOrString field of a built-in type.'),
    'x-kubernetes-list-map-keys': {
      description: 'With x-kubernetes-list-type map: the fields of the items whose values identify an item (the keys of the map the list stands for).',
      type: 'array',
      items: { type: 'string' },
      'x-kubernetes-list-type': 'atomic',
    },
    'x-kubernetes-list-type': { description: 'How a list is merged by server-side apply: atomic (replaced as a whole), set (unique scalar items) or map (items identified by x-kubernetes-list-map-keys).', type: 'string' },
    'x-kubernetes-map-type': { description: 'How an object is merged by server-side apply: granular (field by field) or atomic (replaced as a whole).', type: 'string' },
    'x-kubernetes-preserve-unknown-fields': flag('Keeps fields that the schema does not declare instead of pruning them, recursively below this node unless a nested schema says otherwise.'),
    'x-kubernetes-validations': {
      description: 'CEL validation rules applied to this node.',
      type: 'array',
      items: { $ref: refTo('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule') },
      'x-kubernetes-list-map-keys': ['rule'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'rule',
      'x-kubernetes-patch-strategy': 'merge',
    },
  },
};

/** Kinds upstream tags although kubernetes-types declares their apiVersion as a plain string. */
const EXTRA_GVK: Record<string, GroupVersionKind[]> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status': [{ group: '', version: 'v1', kind: 'Status' }],
};

/** Aliases of string that are timestamps on the wire. */
const DATE_TIME = new Set(['io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']);

/**
 * Declared as empty interfaces but holding any JSON value (not only objects), so left untyped as
 * upstream does. Other empty interfaces (RawExtension, FieldsV1) are `type: object`.
 */
const ANY_VALUE = new Set(['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON']);

const INT_OR_STRING_SCHEMA: OpenApiSchema = {
  description:
    'IntOrString holds either an int32 or a string. In JSON and YAML it is written as the inner value, ' +
    'so a field of this type accepts a number or a name (a port number or a port name, a count or a percentage).',
  'x-kubernetes-int-or-string': true,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
};

export interface GenerationResult {
  /** One entry per upstream package, keyed by package name. */
  files: Map<string, GeneratedSchemaFile>;
  /** Declarations the generator could not translate (should stay empty). */
  warnings: string[];
}

/** Where the kubernetes-types package is installed. */
export function kubernetesTypesRoot(): string {
  return path.dirname(require.resolve('kubernetes-types/package.json'));
}

function listDeclarationFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') walk(p);
      else if (e.isFile() && e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

/** Parses every declaration file of kubernetes-types into OpenAPI schemas. */
export function generateOpenApiSchemas(root = kubernetesTypesRoot()): GenerationResult {
  const ts = loadTypescript();
  const files = new Map<string, GeneratedSchemaFile>();
  const warnings: string[] = [];
  files.set('io.k8s.apimachinery.pkg.util.intstr', {
    package: 'io.k8s.apimachinery.pkg.util.intstr',
    source: 'kubets (kubernetes-types inlines it as number | string)',
    schemas: { [INT_OR_STRING]: INT_OR_STRING_SCHEMA },
  });
  for (const file of listDeclarationFiles(root)) {
    const modulePath = path.relative(root, file).split(path.sep).join('/').replace(/\.d\.ts$/, '');
    const pkg = upstreamPackage(modulePath);
    if (!pkg) continue;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const schemas = new FileTranslator(ts, source, modulePath, pkg, warnings).translate();
    files.set(pkg, { package: pkg, source: `kubernetes-types/${modulePath}.d.ts`, schemas });
  }
  return { files, warnings };
}

/** Generates and writes one JSON file per package into `outDir` (its old .json files are replaced). */
export function writeOpenApiSchemas(outDir: string, root = kubernetesTypesRoot()): GenerationResult {
  const result = generateOpenApiSchemas(root);
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir)) if (name.endsWith('.json')) rmSync(path.join(outDir, name));
  for (const [pkg, file] of result.files) writeFileSync(path.join(outDir, `${pkg}.json`), JSON.stringify(file) + '\n');
  return result;
}

class FileTranslator {
  /** Local name -> fully qualified schema name, for imported and locally declared types. */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly ts: Ts,
    private readonly source: TS.SourceFile,
    private readonly modulePath: string,
    private readonly pkg: string,
    private readonly warnings: string[],
  ) {}

  translate(): Record<string, OpenApiSchema> {
    const { ts } = this;
    for (const st of this.source.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(this.modulePath), st.moduleSpecifier.text));
        const pkg = upstreamPackage(target);
        const bindings = st.importClause?.namedBindings;
        if (!pkg || !bindings || !ts.isNamedImports(bindings)) continue;
        for (const el of bindings.elements) this.names.set(el.name.text, `${pkg}.${(el.propertyName ?? el.name).text}`);
      } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
        this.names.set(st.name.text, `${this.pkg}.${st.name.text}`);
      }
    }
    const out: Record<string, OpenApiSchema> = {};
    for (const st of this.source.statements) {
      if (ts.isInterfaceDeclaration(st)) out[`${this.pkg}.${st.name.text}`] = this.interfaceSchema(st);
      else if (ts.isTypeAliasDeclaration(st)) out[`${this.pkg}.${st.name.text}`] = this.aliasSchema(st);
    }
    return out;
  }

  private doc(node: TS.Node): string | undefined {
    const { ts } = this;
    const text = ts
      .getJSDocCommentsAndTags(node)
      .filter(ts.isJSDoc)
      .map((d) => ts.getTextOfJSDocComment(d.comment) ?? '')
      .join('\n')
      .trim();
    return text || undefined;
  }

  private interfaceSchema(decl: TS.InterfaceDeclaration): OpenApiSchema {
    const { ts } = this;
    const typeName = decl.name.text;
    const fullName = `${this.pkg}.${typeName}`;
    const schema: OpenApiSchema = { description: this.doc(decl), type: ANY_VALUE.has(fullName) ? undefined : 'object' };
    const properties: Record<string, OpenApiSchema> = {};
    const required: string[] = [];
    const literals: Record<string, string> = {};
    for (const member of decl.members) {
      if (!ts.isPropertySignature(member) || !member.type) {
        this.warnings.push(`${fullName}: unsupported member ${member.getText(this.source)}`);
        continue;
      }
      const name = ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) ? member.name.text : member.name.getText();
      if (ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal)) literals[name] = member.type.literal.text;
      let prop = FLOAT_FIELDS[fullName]?.includes(name)
        ? { type: 'number' as const, format: 'double' }
        : this.typeSchema(member.type, `${fullName}.${name}`);
      const description = this.doc(member);
      // OpenAPI 3.0 ignores siblings of $ref, so a described reference is wrapped in allOf (as upstream does).
      if (prop.$ref && description) prop = { allOf: [prop] };
      prop = { description, ...prop };
      const meta = patchMetaFor(this.pkg, typeName, name);
      if (meta) {
        prop['x-kubernetes-patch-strategy'] = meta.strategy;
        if (meta.mergeKey) prop['x-kubernetes-patch-merge-key'] = meta.mergeKey;
      }
      properties[name] = dropUndefined(prop);
      if (!member.questionToken) required.push(name);
    }
    Object.assign(properties, EXTRA_PROPERTIES[fullName]);
    if (Object.keys(properties).length > 0) schema.properties = properties;
    if (required.length > 0) schema.required = required;
    const gvk = EXTRA_GVK[fullName] ?? gvkFromLiterals(literals);
    if (gvk) schema['x-kubernetes-group-version-kind'] = gvk;
    return dropUndefined(schema);
  }

  private aliasSchema(decl: TS.TypeAliasDeclaration): OpenApiSchema {
    const fullName = `${this.pkg}.${decl.name.text}`;
    const description = this.doc(decl);
    if (decl.type.kind === this.ts.SyntaxKind.StringKeyword) {
      return dropUndefined({ description, type: 'string', format: DATE_TIME.has(fullName) ? 'date-time' : undefined });
    }
    // Unions such as JSONSchemaPropsOrBool: any JSON value, described but untyped, as upstream.
    return dropUndefined({ description });
  }

  private typeSchema(node: TS.TypeNode, where: string): OpenApiSchema {
    const { ts } = this;
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.NumberKeyword:
        return { type: 'integer' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
    }
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { type: 'string' };
    if (ts.isParenthesizedTypeNode(node)) return this.typeSchema(node.type, where);
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.typeSchema(node.elementType, where) };
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const name = node.typeName.text;
      if (name === 'Array' && node.typeArguments?.length === 1) {
        return { type: 'array', items: this.typeSchema(node.typeArguments[0], where) };
      }
      const full = this.names.get(name);
      if (full) return { $ref: refTo(full) };
    }
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (index && node.members.length === 1) return { type: 'object', additionalProperties: this.typeSchema(index.type, where) };
    }
    if (ts.isUnionTypeNode(node)) {
      const kinds = new Set(node.types.map((t) => t.kind));
      if (kinds.size === 2 && kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) {
        return { $ref: refTo(INT_OR_STRING) };
      }
    }
    this.warnings.push(`${where}: unsupported type ${node.getText(this.source)}`);
    return {};
  }
}

/** `apiVersion?: "apps/v1"` and `kind?: "Deployment"` make a top-level kind. */
function gvkFromLiterals(literals: Record<string, string>): GroupVersionKind[] | undefined {
  const { apiVersion, kind } = literals;
  if (!apiVersion || !kind) return undefined;
  const slash = apiVersion.indexOf('/');
  return [
    slash < 0
      ? { group: '', version: apiVersion, kind }
      : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind },
  ];
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
