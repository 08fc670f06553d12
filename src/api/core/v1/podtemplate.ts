// PodTemplates (core/v1): a stored pod template. Upstream's podTemplate strategy bumps
// generation when the template changes; the table is printPodTemplate (no Age column).
import type { PodTemplate } from 'kubernetes-types/core/v1.js';
import { FieldPath } from '../../../apimachinery/field-errors.js';
import { formatLabels, NAME_COLUMN } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { containerCells } from './template-printing.js';

export const podTemplateResource: ResourceDefinition<PodTemplate> = {
  group: '',
  version: 'v1',
  kind: 'PodTemplate',
  plural: 'podtemplates',
  singular: 'podtemplate',
  namespaced: true,
  // A PodTemplate has no spec, but upstream still tracks generation over its template.
  tracksGeneration: true,
  // The template is a struct upstream, not a pointer: an absent one is defaulted like an empty one.
  defaults: (pt) => defaultPodTemplateSpec((pt.template ??= {})),
  validate: (pt) => validatePodTemplateSpec(pt.template ?? {}, FieldPath.root('template')),
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Containers', type: 'string', priority: 0, description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', priority: 0, description: 'Images referenced by each container in the template.' },
      { name: 'Pod Labels', type: 'string', priority: 0, description: 'The labels for the pod template.' },
    ],
    cells(pt) {
      const [names, images] = containerCells(pt.template?.spec?.containers);
      return [pt.metadata?.name ?? '', names, images, formatLabels(pt.template?.metadata?.labels)];
    },
  },
};
