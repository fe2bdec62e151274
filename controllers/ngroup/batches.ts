// Pure: how a rolling update cuts the NGroup's container groups into batches, and its health gates.
// Rules (docs/behaviour.md section 5, docs/ngroups.md): at most maxBatchPercent of all CGs per
// batch; a batch never crosses a zone + fault-domain pair; the first batch of an update takes every
// unhealthy CG that still needs the update (only that batch may cross pairs or exceed the size).

export interface CgInfo {
  name: string;
  zone: string;
  faultDomain: number;
  healthy: boolean;
  /** Already on the update's target revision. */
  updated: boolean;
}

export interface Batch {
  /** `zone/fd` of every member, or `*` for the unhealthy-first batch. */
  pair: string;
  members: string[];
}

export const pairOf = (zone: string, faultDomain: number): string => `${zone || '-'}/${faultDomain}`;

/** At most pct% of total, and at least one CG. */
export function batchSize(total: number, maxBatchPercent: number): number {
  return Math.max(1, Math.floor((total * maxBatchPercent) / 100));
}

// Collators made once: localeCompare with options builds one per call, which shows in profiles at 1000 CGs.
const zoneOrder = new Intl.Collator('en', { numeric: true });
const nameOrder = new Intl.Collator();
const byPair = (a: CgInfo, b: CgInfo): number =>
  zoneOrder.compare(a.zone, b.zone) || a.faultDomain - b.faultDomain || nameOrder.compare(a.name, b.name);

/**
 * Every batch still to run, in order, for the CGs as they are now. `firstBatch` is true when the
 * update has not run any batch yet: then the unhealthy CGs go first, all together.
 */
export function planBatches(cgs: CgInfo[], maxBatchPercent: number, firstBatch: boolean): Batch[] {
  const size = batchSize(cgs.length, maxBatchPercent);
  let pending = cgs.filter((c) => !c.updated).sort(byPair);
  const out: Batch[] = [];
  if (firstBatch) {
    const sick = pending.filter((c) => !c.healthy);
    if (sick.length > 0) {
      out.push({ pair: '*', members: sick.map((c) => c.name) });
      pending = pending.filter((c) => c.healthy);
    }
  }
  const groups = new Map<string, string[]>();
  for (const c of pending) {
    const k = pairOf(c.zone, c.faultDomain);
    const g = groups.get(k);
    if (g) g.push(c.name);
    else groups.set(k, [c.name]);
  }
  for (const [pair, names] of groups) {
    for (let i = 0; i < names.length; i += size) out.push({ pair, members: names.slice(i, i + size) });
  }
  return out;
}

/** True when count is more than pct% of total (the gates fail strictly above the limit). */
export function overPercent(count: number, total: number, pct: number): boolean {
  return total > 0 && count * 100 > pct * total;
}
