// Pure: where container groups go. One simulated ACI virtual node per region, zone and fault
// domain; new CGs fill the emptiest zone/fault-domain slot first, scale-in empties the fullest.

export interface Slot {
  /** '' when the NGroup has no zones. */
  zone: string;
  faultDomain: number;
}

export interface PlacedCg extends Slot {
  name: string;
  healthy: boolean;
  updated: boolean;
}

export const slotKey = (s: Slot): string => `${s.zone}/${s.faultDomain}`;

/** All slots of an NGroup: zones x fault domains (no zones: one zone-less row). */
export function slotsFor(zones: string[] | undefined, faultDomainCount: number | undefined): Slot[] {
  const zs = zones && zones.length > 0 ? [...zones].sort() : [''];
  const fds = Math.max(1, faultDomainCount ?? 1);
  return zs.flatMap((zone) => Array.from({ length: fds }, (_, faultDomain) => ({ zone, faultDomain })));
}

function counts(existing: Slot[], slots: Slot[]): Map<string, number> {
  const m = new Map(slots.map((s) => [slotKey(s), 0]));
  for (const e of existing) {
    const k = slotKey(e);
    if (m.has(k)) m.set(k, m.get(k)! + 1);
  }
  return m;
}

/** Slots for n new CGs, each going to the slot with the fewest CGs (ties: slot order). */
export function placeNew(existing: Slot[], n: number, slots: Slot[]): Slot[] {
  if (slots.length === 0) return [];
  const c = counts(existing, slots);
  const out: Slot[] = [];
  for (let i = 0; i < n; i++) {
    let best = slots[0]!;
    for (const s of slots) if (c.get(slotKey(s))! < c.get(slotKey(best))!) best = s;
    c.set(slotKey(best), c.get(slotKey(best))! + 1);
    out.push(best);
  }
  return out;
}

/** Names of n CGs to delete: from the fullest slot each time, unhealthy first, then outdated. */
export function pickScaleIn(cgs: PlacedCg[], n: number): string[] {
  const left = [...cgs];
  const out: string[] = [];
  for (let i = 0; i < n && left.length > 0; i++) {
    const c = new Map<string, number>();
    for (const x of left) c.set(slotKey(x), (c.get(slotKey(x)) ?? 0) + 1);
    left.sort(
      (a, b) =>
        c.get(slotKey(b))! - c.get(slotKey(a))! ||
        Number(a.healthy) - Number(b.healthy) ||
        Number(a.updated) - Number(b.updated) ||
        slotKey(a).localeCompare(slotKey(b)) ||
        b.name.localeCompare(a.name),
    );
    out.push(left.shift()!.name);
  }
  return out;
}

/** The virtual node of a slot, e.g. aci-vk-westeurope-1-fd0 (no zones: aci-vk-westeurope-nozone-fd0). */
export function virtualNodeName(region: string, s: Slot): string {
  const r = region.toLowerCase().replace(/[^a-z0-9]/g, '');
  return `aci-vk-${r}-${s.zone || 'nozone'}-fd${s.faultDomain}`;
}
