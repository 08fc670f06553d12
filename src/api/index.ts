import type { ResourceDefinition } from './types.js';
import { workloadResources } from './workloads.js';
import { otherResources } from './others.js';

export type { ResourceDefinition, KubeObject } from './types.js';

/** Every built-in resource kubets serves. */
export const builtinResources: ResourceDefinition[] = [...workloadResources, ...otherResources];
