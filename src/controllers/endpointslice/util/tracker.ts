// What the EndpointSlice controller wrote last, per service (upstream EndpointSliceTracker): the
// generation of every slice it created or updated, or that it expects a slice to go. It tells the
// controller when its informer cache lags behind its own writes (so a sync would act on old state
// and, say, create a slice twice) and which slice events are only echoes of its own writes.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

const DELETION_EXPECTED = -1;

const serviceKeyOf = (slice: EndpointSlice): string =>
  `${slice.metadata?.namespace ?? ''}/${slice.metadata?.labels?.[LABEL_SERVICE_NAME] ?? ''}`;

const uidOf = (slice: EndpointSlice): string => slice.metadata?.uid ?? '';
const generationOf = (slice: EndpointSlice): number => slice.metadata?.generation ?? 0;

export class EndpointSliceTracker {
  /** service key -> slice uid -> generation written (or DELETION_EXPECTED). */
  private readonly generations = new Map<string, Map<string, number>>();
  /** service key -> the uid of the service the generations were written for. */
  private readonly serviceUids = new Map<string, string>();

  private forSlice(slice: EndpointSlice, create = false): Map<string, number> | undefined {
    const key = serviceKeyOf(slice);
    let m = this.generations.get(key);
    if (!m && create) this.generations.set(key, (m = new Map()));
    return m;
  }

  /** The tracker knows this slice (written or deletion expected). */
  has(slice: EndpointSlice): boolean {
    return this.forSlice(slice)?.has(uidOf(slice)) ?? false;
  }

  /** The slice is not one we wrote, or it changed after our last write. */
  shouldSync(slice: EndpointSlice): boolean {
    const g = this.forSlice(slice)?.get(uidOf(slice));
    return g === undefined || generationOf(slice) > g;
  }

  /**
   * The cache lags behind our writes for this service: a slice older than we wrote it, one we
   * deleted, or one we wrote missing. Generations written for an earlier service of the same name
   * (deleted and recreated) are dropped first: they will never show up.
   */
  staleSlices(service: { metadata?: { namespace?: string; name?: string; uid?: string } }, slices: EndpointSlice[]): boolean {
    const key = `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
    const uid = service.metadata?.uid ?? '';
    const tracked = this.serviceUids.get(key);
    if (tracked && uid && tracked !== uid) this.generations.delete(key);
    this.serviceUids.set(key, uid);
    const gens = this.generations.get(key);
    if (!gens) return false;
    const seen = new Set<string>();
    for (const s of slices) {
      seen.add(uidOf(s));
      const g = gens.get(uidOf(s));
      if (g !== undefined && (g === DELETION_EXPECTED || g > generationOf(s))) return true;
    }
    for (const [sliceUid, g] of gens) {
      if (g !== DELETION_EXPECTED && !seen.has(sliceUid)) return true;
    }
    return false;
  }

  /** Records a slice as returned by a create or update. */
  update(slice: EndpointSlice): void {
    this.forSlice(slice, true)!.set(uidOf(slice), generationOf(slice));
  }

  /**
   * Starts tracking a slice as the cache shows it, unless already tracked. Not upstream: slices
   * found (not written) after a restart would otherwise go unwatched until their next write, so a
   * deletion by someone else would not bring them back.
   */
  observe(slice: EndpointSlice): void {
    if (!this.has(slice)) this.update(slice);
  }

  expectDeletion(slice: EndpointSlice): void {
    this.forSlice(slice, true)!.set(uidOf(slice), DELETION_EXPECTED);
  }

  /** Forgets a deleted slice; false when we did not expect it to go (someone else deleted it). */
  handleDeletion(slice: EndpointSlice): boolean {
    const gens = this.forSlice(slice);
    if (!gens) return true;
    const g = gens.get(uidOf(slice));
    gens.delete(uidOf(slice));
    return g === undefined || g === DELETION_EXPECTED;
  }

  deleteService(namespace: string, name: string): void {
    this.generations.delete(`${namespace}/${name}`);
    this.serviceUids.delete(`${namespace}/${name}`);
  }
}
