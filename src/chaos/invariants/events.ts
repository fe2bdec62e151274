// Occurrences of events.k8s.io Events in a chaos log: a new Event is one occurrence, and a raise
// of its series count (the recorder's way of repeating an event) is one more per step.
import type { Rec, WatchRec } from '../log.js';
import { commitOrder } from '../world.js';

export interface Occurrence {
  t: number;
  rv: number;
  reason: string;
  note: string;
  type: string;
  controller: string;
  regardingKind: string;
  regardingName: string;
}

/** Turns Event watch records (fed in commit order) into occurrences. */
export class EventCounter {
  private readonly seen = new Map<string, number>();

  take(r: WatchRec): Occurrence[] {
    if (r.res !== 'Event' || r.type === 'DELETED') return [];
    const e = r.obj;
    const key = `${e.metadata.namespace}/${e.metadata.name}`;
    const count = Math.max(1, Number((e.series as { count?: number } | undefined)?.count ?? 1));
    const before = this.seen.get(key) ?? 0;
    this.seen.set(key, Math.max(before, count));
    const regarding = (e.regarding ?? {}) as { kind?: string; name?: string };
    const out: Occurrence[] = [];
    for (let i = before; i < count; i++) {
      out.push({
        t: r.t,
        rv: r.rv,
        reason: String(e.reason ?? ''),
        note: String(e.note ?? ''),
        type: String(e.type ?? ''),
        controller: String(e.reportingController ?? ''),
        regardingKind: regarding.kind ?? '',
        regardingName: regarding.name ?? '',
      });
    }
    return out;
  }
}

/** Every occurrence of every recorded Event, in commit order. */
export function occurrences(log: Rec[]): Occurrence[] {
  const c = new EventCounter();
  return commitOrder(log).flatMap((r) => c.take(r));
}
