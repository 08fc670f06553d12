// Protobuf field tables for authentication.k8s.io/v1, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api authentication/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** authentication.k8s.io/v1 TokenRequest, TokenReview and SelfSubjectReview. */
export const AUTHENTICATION_V1: MessageTable = {
  SelfSubjectReview: { 1: 'metadata meta.ObjectMeta', 2: 'status SelfSubjectReviewStatus' },
  TokenRequest: { 1: 'metadata meta.ObjectMeta', 2: 'spec TokenRequestSpec', 3: 'status TokenRequestStatus' },
  TokenReview: { 1: 'metadata meta.ObjectMeta', 2: 'spec TokenReviewSpec', 3: 'status TokenReviewStatus' },
  BoundObjectReference: { 1: 'kind string?', 2: 'apiVersion string?', 3: 'name string?', 4: 'uid string?' },
  SelfSubjectReviewStatus: { 1: 'userInfo UserInfo' },
  TokenRequestSpec: {
    1: 'audiences []string', 3: 'boundObjectRef BoundObjectReference', 4: 'expirationSeconds int64',
  },
  TokenRequestStatus: { 1: 'token string', 2: 'expirationTimestamp time' },
  TokenReviewSpec: { 1: 'token string?', 2: 'audiences []string' },
  TokenReviewStatus: { 1: 'authenticated bool?', 2: 'user UserInfo', 3: 'error string?', 4: 'audiences []string' },
  UserInfo: { 1: 'username string?', 2: 'uid string?', 3: 'groups []string', 4: 'extra map<strings>' },
};
