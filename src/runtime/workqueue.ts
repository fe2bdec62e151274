// Deduplicating, rate-limited work queue of object keys, modelled on controller-runtime / client-go workqueue.
import type { Clock } from './clock.js';

export interface WorkQueueMetrics {
  /** Called with the number of ready keys whenever it changes. */
  depth(name: string, n: number): void;
  /** Called for every add() that was not deduplicated. */
  adds(name: string): void;
  /** Called for every addRateLimited(). */
  retries(name: string): void;
}

export interface WorkQueueOptions {
  name: string;
  clock: Clock;
  /** Real ms of the first rate-limited retry; doubles per consecutive failure. Default 10. */
  baseBackoffMs?: number;
  /** Cap on the rate-limited delay, real ms. Default 60_000. */
  maxBackoffMs?: number;
  metrics?: WorkQueueMetrics;
}

interface Delayed {
  at: number;
  cancel: () => void;
}

/** Array-backed FIFO with O(1) amortised shift (Array#shift is O(n), painful at 5,000 keys). */
class Fifo {
  private items: string[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(key: string): void {
    this.items.push(key);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++];
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }
}

/**
 * Invariants, as in client-go:
 * - `pending` holds every key that needs a run; a key is in `ready` only if pending and not processing.
 * - A processing key that is added again stays pending and goes back to `ready` on done(),
 *   so it is never handed to two workers at once and never lost.
 * - At most one delayed deadline per key (the earliest); an immediate add supersedes it, because
 *   reconciles are level-triggered and re-establish their own requeue if they still need one.
 */
export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly metrics: WorkQueueMetrics | undefined;

  private readonly ready = new Fifo();
  private readonly pending = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private stopping = false;

  constructor(opts: WorkQueueOptions) {
    this.name = opts.name;
    this.clock = opts.clock;
    this.baseBackoffMs = opts.baseBackoffMs ?? 10;
    this.maxBackoffMs = opts.maxBackoffMs ?? 60_000;
    this.metrics = opts.metrics;
    if (!(this.baseBackoffMs >= 0) || !(this.maxBackoffMs >= 0)) {
      throw new RangeError('WorkQueue backoff values must be >= 0');
    }
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  add(key: string): void {
    if (this.stopping) return;
    this.cancelDelayed(key);
    if (this.pending.has(key)) return;
    this.metrics?.adds(this.name);
    this.pending.add(key);
    if (this.processing.has(key)) return;
    this.makeReady(key);
  }

  /** Adds key after realDelayMs. Keeps only the earliest deadline per key; no-op if an immediate run is already pending. */
  addAfter(key: string, realDelayMs: number): void {
    if (this.stopping) return;
    // NaN lands here too: running early is safer than never running.
    if (!(realDelayMs > 0)) {
      this.add(key);
      return;
    }
    if (this.pending.has(key)) return;
    const at = this.clock.now() + realDelayMs;
    const existing = this.delayed.get(key);
    if (existing !== undefined) {
      if (existing.at <= at) return;
      existing.cancel();
    }
    const entry: Delayed = { at, cancel: () => {} };
    entry.cancel = this.clock.at(at, () => {
      // Identity check: a superseded deadline that still fires must not re-add the key.
      if (this.delayed.get(key) !== entry) return;
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, entry);
  }

  addRateLimited(key: string): void {
    if (this.stopping) return;
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.metrics?.retries(this.name);
    this.addAfter(key, this.backoff(failures));
  }

  /** Resets the key's failure count so its next rate-limited retry starts at the base delay. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Consecutive rate-limited retries since the last forget(). */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get(): Promise<string | undefined> {
    const key = this.ready.shift();
    if (key !== undefined) {
      this.metrics?.depth(this.name, this.ready.length);
      this.startProcessing(key);
      return Promise.resolve(key);
    }
    if (this.stopping) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.pending.has(key)) this.makeReady(key);
  }

  len(): number {
    return this.ready.length;
  }

  /**
   * Stops accepting keys and drops delayed deadlines. Keys already ready (or re-queued by
   * done() because they were added while processing) are still handed out; get() resolves
   * undefined once none are left.
   */
  shutDown(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const d of this.delayed.values()) d.cancel();
    this.delayed.clear();
    // Waiters only exist while `ready` is empty, so every one of them is done.
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private backoff(failures: number): number {
    // 2 ** failures overflows to Infinity long before it matters; min() caps it either way.
    return Math.min(this.baseBackoffMs * 2 ** failures, this.maxBackoffMs);
  }

  private makeReady(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      // Hand over directly and mark processing now, so no other get() can take the key
      // between this call and the waiter's promise settling.
      this.startProcessing(key);
      waiter(key);
      return;
    }
    this.ready.push(key);
    this.metrics?.depth(this.name, this.ready.length);
  }

  private startProcessing(key: string): void {
    this.pending.delete(key);
    this.processing.add(key);
  }

  private cancelDelayed(key: string): void {
    const d = this.delayed.get(key);
    if (d === undefined) return;
    d.cancel();
    this.delayed.delete(key);
  }
}
