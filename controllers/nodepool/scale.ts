// Pure scale planning for a node pool: which machines to create or remove, keeping zones balanced.

export interface MachineInfo {
  name: string;
  index: number;
  /** '' when the pool is not zonal, otherwise '1', '2' or '3'. */
  zone: string;
  deleting: boolean;
  ready: boolean;
}

export interface ScalePlan {
  create: { index: number; zone: string }[];
  remove: string[];
}

/**
 * Plans the step from the current machines to `desired` live machines.
 * - Deleting machines do not count, but their indices stay taken (never reused).
 * - Scale up: lowest unused indices; each new machine goes to the zone with the fewest live
 *   machines (ties: first in `zones`); zone '' when `zones` is empty.
 * - Scale down: repeatedly take from the zone with the most live machines (ties: the later
 *   zone; zones not in `zones` count as after all listed ones), within it not-ready machines
 *   first, then the highest index.
 * The result depends only on the input (no clock, no randomness, order-independent in
 * `machines`), so a controller acting on a stale cache re-computes the same names and gets
 * AlreadyExists instead of creating duplicates.
 */
export function planScale(input: { machines: MachineInfo[]; desired: number; zones: string[] }): ScalePlan {
  const { machines, zones } = input;
  const desired = Math.max(0, Math.floor(input.desired));
  const live = machines.filter((m) => !m.deleting);
  if (live.length < desired) return { create: planCreate(machines, live, desired - live.length, zones), remove: [] };
  if (live.length > desired) return { create: [], remove: planRemove(live, live.length - desired, zones) };
  return { create: [], remove: [] };
}

function planCreate(all: MachineInfo[], live: MachineInfo[], count: number, zones: string[]): ScalePlan['create'] {
  const taken = new Set(all.map((m) => m.index));
  const perZone = zones.map((z) => live.filter((m) => m.zone === z).length);
  const out: ScalePlan['create'] = [];
  let next = 0;
  for (let i = 0; i < count; i++) {
    while (taken.has(next)) next++;
    taken.add(next);
    let zone = '';
    if (zones.length > 0) {
      let best = 0;
      perZone.forEach((n, z) => {
        if (n < (perZone[best] ?? Infinity)) best = z;
      });
      perZone[best] = (perZone[best] ?? 0) + 1;
      zone = zones[best] ?? '';
    }
    out.push({ index: next, zone });
  }
  return out;
}

function planRemove(live: MachineInfo[], count: number, zones: string[]): string[] {
  const extra = [...new Set(live.map((m) => m.zone))].filter((z) => !zones.includes(z)).sort();
  const order = [...new Set([...zones, ...extra])];
  // Per zone, candidates in removal order: not-ready first, then highest index (name breaks ties).
  const queues = order.map((z) =>
    live.filter((m) => m.zone === z).sort((a, b) => Number(a.ready) - Number(b.ready) || b.index - a.index || byName(a, b)),
  );
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let best = -1;
    queues.forEach((q, z) => {
      if (q.length > 0 && (best < 0 || q.length >= (queues[best]?.length ?? 0))) best = z;
    });
    const victim = queues[best]?.shift();
    if (!victim) break;
    out.push(victim.name);
  }
  return out;
}

function byName(a: MachineInfo, b: MachineInfo): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
