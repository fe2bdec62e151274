// Rate limits for writes that only report progress (counts, percent): at most one per key per
// interval, so a 500-node scale-out does not write its roll-ups 500 times. Cosmetic state only:
// losing it on restart just allows one early write.
export class WriteThrottle {
  private readonly last = new Map<string, number>();
  constructor(private readonly intervalMs: number) {}

  /** 0 when a write may go now (and records it), otherwise the ms to wait. */
  check(key: string, nowMs: number): number {
    const prev = this.last.get(key);
    if (prev !== undefined && nowMs - prev < this.intervalMs) return this.intervalMs - (nowMs - prev);
    this.last.set(key, nowMs);
    if (this.last.size > 50_000) this.last.clear();
    return 0;
  }
}

/** Bounds how many async tasks run at once across all callers (e.g. machine creates). */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
