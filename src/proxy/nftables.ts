// Renders rulesets as `nft -f` scripts: the whole table for the first sync, and afterwards only
// the difference between the applied ruleset and the desired one, as upstream kube-proxy's
// nftables mode does (changed chains are flushed and refilled, map elements added or deleted,
// the table itself is never flushed). A script is one kernel transaction: all or nothing.
import { fixedScript, VERDICT_MAPS } from './layout.js';
import type { Ruleset } from './ruleset.js';

export interface TableRef {
  /** Address family: kube-proxy's IPv4 table is `ip`. */
  family: string;
  table: string;
}

/** What a diff touched, for logs and tests. */
export interface ScriptStats {
  addedChains: number;
  changedChains: number;
  deletedChains: number;
  addedElements: number;
  deletedElements: number;
}

export interface Script {
  text: string;
  /** Nothing to do: the applied ruleset is the desired one. */
  empty: boolean;
  stats: ScriptStats;
}

const sameRules = (a: string[] | undefined, b: string[]) => a !== undefined && a.length === b.length && a.every((r, i) => r === b[i]);

function setDecl(t: string, name: string, timeout: number): string {
  // flags dynamic: filled from the packet path by `update`; timeout: entries expire on their own.
  return `add set ${t} ${name} { type ipv4_addr; flags dynamic,timeout; timeout ${timeout}s; }`;
}

/**
 * The whole table: any previous one (from an earlier run) is deleted and recreated in the same
 * transaction, so that traffic never sees a half-built table and stale chains do not linger.
 */
export function fullScript(ref: TableRef, desired: Ruleset): Script {
  const t = `${ref.family} ${ref.table}`;
  // "add table" first makes the delete valid when the table does not exist yet.
  const lines = [`add table ${t}`, `delete table ${t}`, ...fixedScript(ref.family, ref.table)];
  const body = diffLines(t, undefined, desired);
  lines.push(...body.lines);
  return { text: lines.join('\n') + '\n', empty: false, stats: body.stats };
}

/** Only the changes from `applied` to `desired`. */
export function diffScript(ref: TableRef, applied: Ruleset, desired: Ruleset): Script {
  const { lines, stats } = diffLines(`${ref.family} ${ref.table}`, applied, desired);
  return { text: lines.length ? lines.join('\n') + '\n' : '', empty: lines.length === 0, stats };
}

function diffLines(t: string, applied: Ruleset | undefined, desired: Ruleset): { lines: string[]; stats: ScriptStats } {
  const stats: ScriptStats = { addedChains: 0, changedChains: 0, deletedChains: 0, addedElements: 0, deletedElements: 0 };
  // Ordered so that every reference is valid when the kernel checks it: new sets and chains are
  // declared before any rule or element names them, and old ones are deleted only after the rules
  // and elements that named them were flushed or deleted, all within this one transaction.
  const declare: string[] = [];
  const fill: string[] = [];
  const delElements: string[] = [];
  const addElements: string[] = [];
  const delChains: string[] = [];
  const delSets: string[] = [];

  for (const [name, timeout] of desired.sets) {
    // The timeout is part of the set's name (layout.ts): a set is never changed, only replaced.
    if (applied?.sets.has(name)) continue;
    declare.push(setDecl(t, name, timeout));
  }
  for (const [name, rules] of desired.chains) {
    const old = applied?.chains.get(name);
    if (old === undefined) {
      declare.push(`add chain ${t} ${name}`);
      stats.addedChains++;
    } else if (sameRules(old, rules)) {
      continue;
    } else {
      fill.push(`flush chain ${t} ${name}`);
      stats.changedChains++;
    }
    for (const r of rules) fill.push(`add rule ${t} ${name} ${r}`);
  }
  if (applied) {
    for (const name of applied.chains.keys()) {
      if (desired.chains.has(name)) continue;
      fill.push(`flush chain ${t} ${name}`);
      delChains.push(`delete chain ${t} ${name}`);
      stats.deletedChains++;
    }
    for (const name of applied.sets.keys()) if (!desired.sets.has(name)) delSets.push(`delete set ${t} ${name}`);
  }
  for (const m of VERDICT_MAPS) {
    const want = desired.maps[m];
    const had = applied?.maps[m];
    const del: string[] = [];
    const add: string[] = [];
    if (had) {
      for (const [k, v] of had) if (want.get(k) !== v) del.push(k);
    }
    for (const [k, v] of want) if (had?.get(k) !== v) add.push(`${k} : ${v}`);
    if (del.length) delElements.push(`delete element ${t} ${m} { ${del.join(', ')} }`);
    if (add.length) addElements.push(`add element ${t} ${m} { ${add.join(', ')} }`);
    stats.deletedElements += del.length;
    stats.addedElements += add.length;
  }
  return { lines: [...declare, ...fill, ...delElements, ...addElements, ...delChains, ...delSets], stats };
}
