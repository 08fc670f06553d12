// One static pod manifest file into the Pod the kubelet runs, as upstream's file source decodes and
// defaults it (pkg/kubelet/config/common.go applyDefaults, tryDecodeSinglePod): the API's own
// defaults (restartPolicy Always, dnsPolicy ClusterFirst, terminationGracePeriodSeconds 30...),
// which the API server will not apply since the pod never goes through it; a uid that hashes the
// node name, the file's path and the pod, so any edit makes a new pod; the name suffixed with the
// node name; namespace default; spec.nodeName set; the config.* annotations; a toleration of every
// NoExecute taint (static pods are not evicted); phase Pending. Then the pod is validated as the
// API server would validate a new pod.
import { createHash } from 'node:crypto';
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { parseAllDocuments } from 'yaml';
import { defaultPod } from '../../api/core/v1/pod-defaults.js';
import { validatePodCreate } from '../../api/core/v1/pod-validation.js';
import type { FieldError } from '../../apimachinery/field-errors.js';
import { validateObjectMeta } from '../../apimachinery/validation.js';
import { CONFIG_HASH_ANNOTATION, CONFIG_SEEN_ANNOTATION, CONFIG_SOURCE_ANNOTATION, FILE_SOURCE } from './annotations.js';

/** Why a manifest file was not taken (its message names no file: the caller adds the path). */
export class ManifestError extends Error {}

export interface ManifestSource {
  /** The file's path: part of the uid, as upstream hashes "file:<path>". */
  path: string;
  nodeName: string;
  /** The config.seen annotation (default: now, RFC 3339 with fractional seconds). */
  seen?: string;
}

/** Static pods tolerate every NoExecute taint (upstream applyDefaults for file sources). */
const TOLERATE_NO_EXECUTE: Toleration = { operator: 'Exists', effect: 'NoExecute' };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON with object keys sorted at every level: the same pod always hashes the same. */
function canonical(value: unknown): string {
  const sort = (v: unknown): Json => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const out: { [k: string]: Json } = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = sort(x);
      }
      return out;
    }
    return v as Json;
  };
  return JSON.stringify(sort(value));
}

/** upstream's uid for a file pod: md5 over "host:<node>", "file:<path>" and the decoded pod. */
export function staticPodUid(pod: Pod, source: Pick<ManifestSource, 'path' | 'nodeName'>): string {
  return createHash('md5').update(`host:${source.nodeName}`).update(`file:${source.path}`).update(canonical(pod)).digest('hex');
}

/** The one object the file holds (JSON is YAML too). YAML 1.1, as sigs.k8s.io/yaml reads it: `0644` is octal. */
function decodeOne(text: string): Record<string, unknown> {
  const docs = parseAllDocuments(text, { version: '1.1' });
  if (!Array.isArray(docs)) return {};
  const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  for (const d of nonEmpty) {
    const err = d.errors[0];
    if (err) throw new ManifestError(`couldn't parse as pod: ${err.message.split('\n')[0]!.replace(/:$/, '')}`);
  }
  if (nonEmpty.length === 0) throw new ManifestError("couldn't parse as pod: the file is empty");
  if (nonEmpty.length > 1) throw new ManifestError(`couldn't parse as pod: the file holds ${nonEmpty.length} YAML documents; a manifest file holds one Pod`);
  const obj: unknown = nonEmpty[0]!.toJS();
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new ManifestError("couldn't parse as pod: not a YAML or JSON object");
  return obj as Record<string, unknown>;
}

function checkShape(obj: Record<string, unknown>): void {
  if (obj.kind === undefined || obj.kind === '') throw new ManifestError("couldn't parse as pod: Object 'Kind' is missing");
  if (obj.apiVersion === undefined || obj.apiVersion === '') throw new ManifestError("couldn't parse as pod: Object 'apiVersion' is missing");
  if (obj.kind !== 'Pod' || obj.apiVersion !== 'v1') {
    throw new ManifestError(`couldn't parse as pod: ${String(obj.apiVersion)}, Kind=${String(obj.kind)} is not v1, Kind=Pod`);
  }
  for (const field of ['metadata', 'spec'] as const) {
    const v = obj[field];
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))) throw new ManifestError(`couldn't parse as pod: ${field} must be an object`);
  }
}

function formatErrors(errs: readonly FieldError[]): string {
  return `invalid pod: [${errs.map((e) => `${e.field}: ${e.message}`).join(', ')}]`;
}

/**
 * The static pod a manifest describes, defaulted and validated; throws a ManifestError saying
 * what is wrong (unparseable, not one v1 Pod, or invalid with the field errors).
 */
export function parseManifest(text: string, source: ManifestSource): Pod {
  try {
    return defaultAndValidate(text, source);
  } catch (e) {
    if (e instanceof ManifestError) throw e;
    // A field of the wrong type (containers: 5) trips the defaulting or validation code, where
    // upstream's decoder would have refused the file: refuse it too, saying what broke.
    throw new ManifestError(`couldn't parse as pod: ${(e as Error).message}`);
  }
}

function defaultAndValidate(text: string, source: ManifestSource): Pod {
  const obj = decodeOne(text);
  checkShape(obj);
  const pod = obj as Pod;
  const meta = ((pod as { metadata?: Pod['metadata'] }).metadata ??= {});
  if (!meta.name) throw new ManifestError(formatErrors([{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name is required' }]));
  // A pod's status is the kubelet's to report, never the manifest's.
  delete (pod as { status?: unknown }).status;
  // The API defaults the decoder would apply; the uid hashes the defaulted pod, as upstream's.
  defaultPod(pod);
  const uid = meta.uid || staticPodUid(pod, source);
  const node = source.nodeName.toLowerCase();
  const spec = pod.spec!;
  const tolerations = spec.tolerations ?? [];
  const tolerated = tolerations.some((t) => !t.key && t.operator === 'Exists' && t.effect === 'NoExecute' && t.value === undefined && t.tolerationSeconds === undefined);
  const withDefaults: Pod = {
    ...pod,
    metadata: {
      ...meta,
      uid,
      name: `${meta.name}-${node}`,
      namespace: meta.namespace || 'default',
      annotations: {
        ...meta.annotations,
        [CONFIG_HASH_ANNOTATION]: uid,
        [CONFIG_SEEN_ANNOTATION]: source.seen ?? new Date().toISOString(),
        [CONFIG_SOURCE_ANNOTATION]: FILE_SOURCE,
      },
    },
    spec: { ...spec, nodeName: node, tolerations: tolerated ? tolerations : [...tolerations, { ...TOLERATE_NO_EXECUTE }] },
    status: { phase: 'Pending' },
  };
  const errs = [...validateObjectMeta(withDefaults.metadata, { namespaced: true }), ...validatePodCreate(withDefaults)];
  if (errs.length > 0) throw new ManifestError(formatErrors(errs));
  return withDefaults;
}
