// Build step: writes the OpenAPI schemas of the built-in types (from kubernetes-types) into
// dist/generated/openapi, one JSON file per upstream package, for /openapi/v3, `kubectl explain`
// and server-side field validation. Run after tsc: `node dist/scripts/gen-openapi.js [outDir]`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeOpenApiSchemas } from '../src/apiserver/openapi/generator.js';

/** dist/generated/openapi, next to the compiled dist/scripts/. */
export const defaultOutDir = (): string =>
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'generated', 'openapi');

/** Generates into outDir; returns a one-line summary. Throws when a declaration was not translated. */
export function main(outDir = defaultOutDir()): string {
  const started = Date.now();
  const { files, warnings } = writeOpenApiSchemas(outDir);
  if (warnings.length > 0) throw new Error(`gen-openapi: untranslated declarations:\n  ${warnings.join('\n  ')}`);
  let count = 0;
  for (const f of files.values()) count += Object.keys(f.schemas).length;
  return `gen-openapi: ${count} schemas in ${files.size} files -> ${outDir} (${Date.now() - started} ms)`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(main(process.argv[2] ? path.resolve(process.argv[2]) : undefined));
}
