// The JSONPath subset additionalPrinterColumns use: `.spec.replicas`, `.status.conditions[0].type`,
// `.items[*].name` and filters like `.status.conditions[?(@.type=="Ready")].status`.

type Step = { field: string } | { index: number } | { all: true } | { filter: { key: string[]; value: string } };

export function parseJsonPath(path: string): Step[] {
  const steps: Step[] = [];
  const src = path.trim().replace(/^\{/, '').replace(/\}$/, '').replace(/^\$/, '');
  const re = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([A-Za-z0-9_.$-]+)\s*==\s*["']([^"']*)["']\)\]|\['([^']+)'\]/y;
  let pos = 0;
  while (pos < src.length) {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new Error(`unsupported JSONPath ${JSON.stringify(path)} at ${pos}`);
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ filter: { key: m[3].split('.'), value: m[4]! } });
    else if (m[5] !== undefined) steps.push({ field: m[5] });
    else steps.push({ all: true });
    pos = re.lastIndex;
  }
  return steps;
}

/** All values the path selects (empty when nothing matches). */
export function evaluateJsonPath(obj: unknown, steps: Step[]): unknown[] {
  let cur: unknown[] = [obj];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('field' in step) {
        if (v && typeof v === 'object' && !Array.isArray(v) && step.field in v) next.push((v as Record<string, unknown>)[step.field]);
      } else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if ('all' in step) {
        if (Array.isArray(v)) next.push(...v);
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: unknown = item;
          for (const k of step.filter.key) x = x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined;
          if (String(x) === step.filter.value) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}
