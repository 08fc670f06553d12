// Printer pieces the workload tables share (upstream printers.go): the wide Containers, Images
// and Selector columns. Other selector cells use labelSelectorString (metav1.FormatLabelSelector).
import type { Container } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { selectorFromLabelSelector } from '../../../apimachinery/labels.js';
import type { TableColumn } from '../../types.js';

export const CONTAINERS_COLUMN: TableColumn = {
  name: 'Containers',
  type: 'string',
  priority: 1,
  description: 'Names of each container in the template.',
};

export const IMAGES_COLUMN: TableColumn = {
  name: 'Images',
  type: 'string',
  priority: 1,
  description: 'Images referenced by each container in the template.',
};

export function selectorColumn(description: string): TableColumn {
  return { name: 'Selector', type: 'string', priority: 1, description };
}

/** upstream layoutContainerCells: names and images, comma-separated. */
export function containerCells(containers: readonly Container[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image ?? '').join(',')];
}

/** upstream printDeployment's selector cell: LabelSelectorAsSelector(s).String(), `<invalid>` on error. */
export function deploymentSelectorCell(s: LabelSelector | undefined): string {
  try {
    return selectorFromLabelSelector(s).toString();
  } catch {
    return '<invalid>';
  }
}
