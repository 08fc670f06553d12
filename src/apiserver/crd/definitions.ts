// A CustomResourceDefinition becomes one ResourceDefinition per served version: discovery names,
// scope, status and scale subresources, printer columns, and schema-based pruning, defaulting
// and validation.
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from 'kubernetes-types/apiextensions/v1.js';
import type { KubeObject, ResourceDefinition, TableColumn } from '../../api/types.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../api/printing.js';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';
import { applyDefaults, type JSONSchemaProps, prune, validateCustomResource } from './schema-validation.js';

const COLUMN_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'date']);

function table(v: CustomResourceDefinitionVersion): ResourceDefinition['table'] {
  const extra = v.additionalPrinterColumns ?? [];
  if (extra.length === 0) return undefined;
  const paths = extra.map((c) => {
    try {
      return parseJsonPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  const columns: TableColumn[] = [
    NAME_COLUMN as TableColumn,
    ...extra.map((c) => ({
      name: c.name,
      type: (COLUMN_TYPES.has(c.type) ? c.type : 'string') as TableColumn['type'],
      format: c.format,
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
  ];
  // upstream adds Age last unless a column already shows creationTimestamp.
  const hasAge = extra.some((c) => c.jsonPath === '.metadata.creationTimestamp');
  if (!hasAge) columns.push(AGE_COLUMN as TableColumn);
  return {
    columns,
    cells(obj, now) {
      const cells: unknown[] = [obj.metadata?.name ?? ''];
      extra.forEach((c, i) => {
        const values = paths[i] ? evaluateJsonPath(obj, paths[i]!) : [];
        let v: unknown = values.length === 0 ? null : values.length === 1 ? values[0] : values.map(String).join(',');
        if (c.type === 'date' && typeof v === 'string') v = age(v, now);
        else if (v !== null && typeof v === 'object') v = JSON.stringify(v);
        cells.push(v);
      });
      if (!hasAge) cells.push(age(obj.metadata?.creationTimestamp, now));
      return cells;
    },
  };
}

export function definitionsFromCrd(crd: CustomResourceDefinition): ResourceDefinition[] {
  const { group, names, scope } = crd.spec;
  return crd.spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const schema = v.schema?.openAPIV3Schema as JSONSchemaProps | undefined;
      const scale = v.subresources?.scale;
      const def: ResourceDefinition = {
        group,
        version: v.name,
        kind: names.kind,
        plural: names.plural,
        singular: names.singular || names.kind.toLowerCase(),
        namespaced: scope === 'Namespaced',
        shortNames: names.shortNames,
        categories: names.categories,
        builtin: false,
        openAPIV3Schema: schema,
        tracksGeneration: true,
        subresources: {
          status: v.subresources?.status !== undefined,
          scale: scale && {
            specReplicasPath: scale.specReplicasPath,
            statusReplicasPath: scale.statusReplicasPath,
            labelSelectorPath: scale.labelSelectorPath,
          },
        },
        table: table(v),
        defaults(obj: KubeObject) {
          prune(obj, schema);
          applyDefaults(obj, schema);
        },
        validate: (obj: KubeObject) => validateCustomResource(obj as unknown as Record<string, unknown>, schema),
        validateUpdate: (obj: KubeObject) => validateCustomResource(obj as unknown as Record<string, unknown>, schema),
        validateStatusUpdate: (obj: KubeObject) => validateCustomResource(obj as unknown as Record<string, unknown>, schema),
      };
      return def;
    });
}
