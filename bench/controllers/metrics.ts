// Reads histogram quantiles from the server's /metrics (Prometheus text format), as
// histogram_quantile() does: linear interpolation inside the bucket holding the quantile.

export interface Histogram {
  buckets: [le: number, count: number][];
  count: number;
}

/** Histograms named `name`, by their `name` label (work queue name). */
export function parseHistograms(text: string, metric: string): Map<string, Histogram> {
  const out = new Map<string, Histogram>();
  const re = new RegExp(`^${metric}_bucket\\{([^}]*)\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) {
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    const name = labels.name ?? '';
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    let h = out.get(name);
    if (!h) out.set(name, (h = { buckets: [], count: 0 }));
    h.buckets.push([le, Number(m[2])]);
  }
  for (const h of out.values()) {
    h.buckets.sort((a, b) => a[0] - b[0]);
    h.count = h.buckets.at(-1)?.[1] ?? 0;
  }
  return out;
}

/** The q-quantile in seconds (upper bound of the last finite bucket if it lies beyond). */
export function quantile(h: Histogram, q: number): number {
  if (!h.count) return 0;
  const rank = q * h.count;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of h.buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/** Subtracts an earlier scrape, so a phase's quantiles count only its own items. */
export function since(now: Histogram, before: Histogram | undefined): Histogram {
  if (!before) return now;
  const b = new Map(before.buckets);
  const buckets = now.buckets.map(([le, c]) => [le, c - (b.get(le) ?? 0)] as [number, number]);
  return { buckets, count: buckets.at(-1)?.[1] ?? 0 };
}
