// Protobuf field tables for authorization.k8s.io/v1, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api authorization/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** authorization.k8s.io/v1 access reviews (kubectl auth can-i). */
export const AUTHORIZATION_V1: MessageTable = {
  LocalSubjectAccessReview: {
    1: 'metadata meta.ObjectMeta', 2: 'spec SubjectAccessReviewSpec', 3: 'status SubjectAccessReviewStatus',
  },
  SelfSubjectAccessReview: {
    1: 'metadata meta.ObjectMeta', 2: 'spec SelfSubjectAccessReviewSpec', 3: 'status SubjectAccessReviewStatus',
  },
  SelfSubjectRulesReview: {
    1: 'metadata meta.ObjectMeta', 2: 'spec SelfSubjectRulesReviewSpec', 3: 'status SubjectRulesReviewStatus',
  },
  SubjectAccessReview: {
    1: 'metadata meta.ObjectMeta', 2: 'spec SubjectAccessReviewSpec', 3: 'status SubjectAccessReviewStatus',
  },
  FieldSelectorAttributes: { 1: 'rawSelector string?', 2: 'requirements []meta.FieldSelectorRequirement' },
  LabelSelectorAttributes: { 1: 'rawSelector string?', 2: 'requirements []meta.LabelSelectorRequirement' },
  NonResourceAttributes: { 1: 'path string?', 2: 'verb string?' },
  NonResourceRule: { 1: 'verbs []string', 2: 'nonResourceURLs []string' },
  ResourceAttributes: {
    1: 'namespace string?', 2: 'verb string?', 3: 'group string?', 4: 'version string?', 5: 'resource string?',
    6: 'subresource string?', 7: 'name string?', 8: 'fieldSelector FieldSelectorAttributes',
    9: 'labelSelector LabelSelectorAttributes',
  },
  ResourceRule: {
    1: 'verbs []string', 2: 'apiGroups []string', 3: 'resources []string', 4: 'resourceNames []string',
  },
  SelfSubjectAccessReviewSpec: {
    1: 'resourceAttributes ResourceAttributes', 2: 'nonResourceAttributes NonResourceAttributes',
  },
  SelfSubjectRulesReviewSpec: { 1: 'namespace string?' },
  SubjectAccessReviewSpec: {
    1: 'resourceAttributes ResourceAttributes', 2: 'nonResourceAttributes NonResourceAttributes', 3: 'user string?',
    4: 'groups []string', 5: 'extra map<strings>', 6: 'uid string?',
  },
  SubjectAccessReviewStatus: {
    1: 'allowed bool', 2: 'reason string?', 3: 'evaluationError string?', 4: 'denied bool?',
  },
  SubjectRulesReviewStatus: {
    1: 'resourceRules []ResourceRule', 2: 'nonResourceRules []NonResourceRule', 3: 'incomplete bool',
    4: 'evaluationError string?',
  },
};
