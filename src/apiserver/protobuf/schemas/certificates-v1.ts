// Protobuf field tables for certificates.k8s.io/v1, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api certificates/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** certificates.k8s.io/v1 CertificateSigningRequest (kubectl certificate approve). */
export const CERTIFICATES_V1: MessageTable = {
  CertificateSigningRequest: {
    1: 'metadata meta.ObjectMeta', 2: 'spec CertificateSigningRequestSpec',
    3: 'status CertificateSigningRequestStatus',
  },
  CertificateSigningRequestCondition: {
    1: 'type string', 2: 'reason string?', 3: 'message string?', 4: 'lastUpdateTime time',
    5: 'lastTransitionTime time', 6: 'status string',
  },
  CertificateSigningRequestSpec: {
    1: 'request bytes', 2: 'username string?', 3: 'uid string?', 4: 'groups []string', 5: 'usages []string',
    6: 'extra map<strings>', 7: 'signerName string', 8: 'expirationSeconds int32',
  },
  CertificateSigningRequestStatus: { 1: 'conditions []CertificateSigningRequestCondition', 2: 'certificate bytes?' },
};
