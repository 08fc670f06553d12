// core/v1 ServiceAccount: nothing beyond metadata is validated upstream.
import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';

export const serviceAccountResource: ResourceDefinition<ServiceAccount> = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  table: {
    columns: [
      NAME_COLUMN,
      {
        name: 'Secrets',
        type: 'string',
        description:
          'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
        priority: 0,
      },
      AGE_COLUMN,
    ],
    cells: (sa, now) => [sa.metadata?.name ?? '', (sa.secrets ?? []).length, age(sa.metadata?.creationTimestamp, now)],
  },
};
