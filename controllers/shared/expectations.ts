// Objects this process just created that its watch cache does not show yet. A reconcile that runs
// in between would otherwise plan from the stale cache and create them again (409s: wasted API
// writes at scale). Memory only: after a restart the cache is the truth again.
export class Expectations<T> {
  private readonly byOwner = new Map<string, Map<string, { value: T; at: number }>>();
  constructor(private readonly ttlMs = 30_000) {}

  expect(owner: string, name: string, value: T, nowMs: number): void {
    let m = this.byOwner.get(owner);
    if (!m) this.byOwner.set(owner, (m = new Map()));
    m.set(name, { value, at: nowMs });
  }

  has(owner: string, name: string): boolean {
    return this.byOwner.get(owner)?.has(name) ?? false;
  }

  /** When the expectation for name stops being trusted (real ms), if there is one. */
  expiresAt(owner: string, name: string): number | undefined {
    const e = this.byOwner.get(owner)?.get(name);
    return e ? e.at + this.ttlMs : undefined;
  }

  /** When the first of owner's expectations stops being trusted (real ms), if it has any. */
  nextExpiry(owner: string): number | undefined {
    const m = this.byOwner.get(owner);
    if (!m || m.size === 0) return undefined;
    let first = Infinity;
    for (const e of m.values()) first = Math.min(first, e.at + this.ttlMs);
    return first;
  }

  forget(owner: string, name: string): void {
    const m = this.byOwner.get(owner);
    m?.delete(name);
    if (m?.size === 0) this.byOwner.delete(owner);
  }

  /** What is still expected: not yet in the cache (`seen`) and younger than the TTL. */
  pending(owner: string, seen: (name: string) => boolean, nowMs: number): T[] {
    return [...this.pendingByName(owner, seen, nowMs).values()];
  }

  /** The same, by name. */
  pendingByName(owner: string, seen: (name: string) => boolean, nowMs: number): Map<string, T> {
    const m = this.byOwner.get(owner);
    const out = new Map<string, T>();
    if (!m) return out;
    for (const [name, e] of m) {
      if (seen(name) || nowMs - e.at > this.ttlMs) m.delete(name);
      else out.set(name, e.value);
    }
    if (m.size === 0) this.byOwner.delete(owner);
    return out;
  }
}
