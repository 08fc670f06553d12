// Protobuf field tables for scheduling.k8s.io/v1, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api scheduling/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** scheduling.k8s.io/v1 PriorityClass. */
export const SCHEDULING_V1: MessageTable = {
  PriorityClass: {
    1: 'metadata meta.ObjectMeta', 2: 'value int32', 3: 'globalDefault bool?', 4: 'description string?',
    5: 'preemptionPolicy string',
  },
};
