// Pure replay of a chaos log: the objects as they stood after each record. Two orders: by
// resourceVersion (what etcd committed, one order across all resources of the API server; the
// order transitions are judged in), and by arrival time (what the harness knew when it marked a
// round converged; the order quiescent checks are judged in).
import type { MarkRec, Obj, Rec, Resource, WatchRec, WriteRec } from './log.js';

export const keyOf = (o: Obj): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

export class World {
  private readonly byRes = new Map<Resource, Map<string, Obj>>();

  private map(res: Resource): Map<string, Obj> {
    let m = this.byRes.get(res);
    if (!m) this.byRes.set(res, (m = new Map()));
    return m;
  }

  /** Applies one watch record; returns the object as it was before. */
  apply(r: WatchRec): Obj | undefined {
    const m = this.map(r.res);
    const key = keyOf(r.obj);
    const prev = m.get(key);
    if (r.type === 'DELETED') m.delete(key);
    else m.set(key, r.obj);
    return prev;
  }

  get(res: Resource, key: string): Obj | undefined {
    return this.byRes.get(res)?.get(key);
  }

  list(res: Resource): Obj[] {
    return [...(this.byRes.get(res)?.values() ?? [])];
  }
}

export const isWatch = (r: Rec): r is WatchRec => r.kind === 'watch';
export const isWrite = (r: Rec): r is WriteRec => r.kind === 'write';
export const isMark = (r: Rec): r is MarkRec => r.kind === 'mark';

/** Watch records in commit order (resourceVersion, then arrival). */
export function commitOrder(log: Rec[]): WatchRec[] {
  return log.filter(isWatch).sort((a, b) => a.rv - b.rv || a.t - b.t);
}

/** Replays watch records in commit order; fn sees each record, the object before it and the world after it. */
export function replayCommits(log: Rec[], fn: (r: WatchRec, prev: Obj | undefined, w: World) => void): World {
  const w = new World();
  for (const r of commitOrder(log)) {
    const prev = w.apply(r);
    fn(r, prev, w);
  }
  return w;
}

/** Replays every record in arrival order; fn sees marks (and writes) with the world as known then. */
export function replayArrival(log: Rec[], fn: (r: Rec, w: World) => void): World {
  const w = new World();
  const sorted = log.map((r, i) => ({ r, i })).sort((a, b) => a.r.t - b.r.t || a.i - b.i);
  for (const { r } of sorted) {
    if (isWatch(r)) w.apply(r);
    fn(r, w);
  }
  return w;
}

/** Labels and conditions read by several checkers. */
export const label = (o: Obj | undefined, k: string): string | undefined => o?.metadata.labels?.[k];
export const isDeleting = (o: Obj | undefined): boolean => Boolean(o?.metadata.deletionTimestamp);
export function condition(o: Obj | undefined, type: string): string | undefined {
  return (o?.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === type)?.status;
}
export const isReady = (o: Obj | undefined): boolean => condition(o, 'Ready') === 'True';
/** A Pod that counts for a budget: Ready, running, not on its way out. */
export const podHealthy = (p: Obj | undefined): boolean =>
  Boolean(p) && !isDeleting(p) && isReady(p) && p!.status?.phase !== 'Succeeded' && p!.status?.phase !== 'Failed';

/** Namespaces the marks say belong to a scenario (the checkers judge only those). */
export function scenarioNamespaces(log: Rec[]): Set<string> {
  return new Set(
    log
      .filter(isMark)
      .map((m) => m.namespace)
      .filter((n): n is string => Boolean(n)),
  );
}

/** Real-ms windows in which a recorder watch could not resume, so changes were seen out of order. */
export function gapWindows(log: Rec[]): [number, number][] {
  return log
    .filter(isMark)
    .filter((m) => m.what === 'gap')
    .map((m) => [Number(m.data?.from ?? m.t), m.t]);
}

/** True when t falls in a gap (or within slackMs after one: the other watches' re-lists land then). */
export const inGap = (t: number, gaps: [number, number][], slackMs = 3000): boolean => gaps.some(([a, b]) => t >= a && t <= b + slackMs);
