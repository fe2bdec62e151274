// Time source for the operator: wall-clock now, simulated-time scaling, and the process-wide deadline scheduler.
import { DeadlineHeap } from './heap.js';

export interface Clock {
  /** Real wall-clock now in ms since epoch. Timestamps written into objects are real. */
  now(): number;
  /** Simulated-time speed-up: one real ms equals timeScale simulated ms. >= 1 typically (can be fractional > 0). */
  readonly timeScale: number;
  /** Converts a simulated duration (ms) into the real duration (ms) it takes: simMs / timeScale. */
  toReal(simMs: number): number;
  /** Converts real elapsed ms into simulated ms. */
  toSim(realMs: number): number;
  /**
   * Runs fn once the real time reaches atMs (absolute real ms). Returns a cancel function
   * (idempotent). Never runs fn synchronously inside at(), even when atMs is already past.
   */
  at(atMs: number, fn: () => void): () => void;
}

export interface ClockOptions {
  /** Receives exceptions thrown by scheduled callbacks; the clock keeps going either way. */
  onError?: (err: unknown) => void;
  /**
   * Debug only (setting debugClock): real ms this clock runs ahead of the wall clock. The chaos
   * run uses it, with jump(), to make simulated time leap forward; never set in normal use.
   */
  offsetMs?: number;
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function defaultOnError(err: unknown): void {
  // Swallowing silently would hide bugs in reconcile plumbing; stderr is the least-bad default.
  console.error('aksim clock: scheduled callback threw', err);
}

function checkTimeScale(timeScale: number): number {
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
    throw new RangeError(`timeScale must be a finite number > 0, got ${timeScale}`);
  }
  return timeScale;
}

/** Shared heap bookkeeping; subclasses only decide when the heap gets drained. */
abstract class HeapClock implements Clock {
  protected readonly heap = new DeadlineHeap<() => void>();
  readonly timeScale: number;
  private readonly onError: (err: unknown) => void;

  constructor(timeScale: number, options: ClockOptions) {
    this.timeScale = checkTimeScale(timeScale);
    this.onError = options.onError ?? defaultOnError;
  }

  abstract now(): number;

  toReal(simMs: number): number {
    return simMs / this.timeScale;
  }

  toSim(realMs: number): number {
    return realMs * this.timeScale;
  }

  at(atMs: number, fn: () => void): () => void {
    if (Number.isNaN(atMs)) throw new RangeError('Clock.at: deadline must not be NaN');
    const entry = this.heap.push(atMs, fn);
    this.scheduled(atMs);
    return () => {
      if (this.heap.remove(entry)) this.cancelled();
    };
  }

  /** Hook: a deadline was added. */
  protected abstract scheduled(atMs: number): void;
  /** Hook: a deadline was removed before running. */
  protected cancelled(): void {}

  protected runCallback(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      try {
        this.onError(err);
      } catch {
        // A failing error reporter must not stop the remaining deadlines from running.
      }
    }
  }
}

/**
 * Real time. All deadlines share one unref'd setTimeout armed for the earliest one, so 5,000
 * nodes with their own requeue deadlines cost one timer, not 5,000.
 */
export class RealClock extends HeapClock {
  private timer: NodeJS.Timeout | undefined;
  /** Deadline the current timer was armed for; re-arming is only needed for earlier ones. */
  private armedFor = Infinity;
  private closed = false;
  private offset: number;

  constructor(timeScale = 1, options: ClockOptions = {}) {
    super(timeScale, options);
    this.offset = options.offsetMs ?? 0;
  }

  now(): number {
    return Date.now() + this.offset;
  }

  /** Real ms this clock runs ahead of the wall clock (0 unless jumped). */
  get offsetMs(): number {
    return this.offset;
  }

  /**
   * Debug only: moves this clock forward by realMs at once, as if that time had passed without the
   * process looking; deadlines that fall due now run. Never backwards.
   */
  jump(realMs: number): void {
    if (!(realMs >= 0) || !Number.isFinite(realMs))
      throw new RangeError(`RealClock.jump: realMs must be a finite number >= 0, got ${realMs}`);
    this.offset += realMs;
    if (!this.closed) this.arm();
  }

  override at(atMs: number, fn: () => void): () => void {
    // After close there is no timer to drive deadlines; accepting them would leak silently.
    if (this.closed) return () => {};
    return super.at(atMs, fn);
  }

  /** Clears the timer and drops every pending deadline. Later at() calls are ignored. */
  close(): void {
    this.closed = true;
    this.disarm();
    this.heap.clear();
  }

  protected scheduled(atMs: number): void {
    if (this.timer === undefined || atMs < this.armedFor) this.arm();
  }

  protected override cancelled(): void {
    // An early-armed timer for a cancelled deadline just fires and re-arms; only worth
    // clearing when nothing is left at all.
    if (this.heap.size === 0) this.disarm();
  }

  private arm(): void {
    this.disarm();
    const top = this.heap.peek();
    if (top === undefined) return;
    // Clamped because Node treats delays above 2^31-1 as 1 ms; a clamped timer simply re-arms.
    const delay = Math.min(Math.max(0, top.key - this.now()), MAX_TIMEOUT_MS);
    this.armedFor = top.key;
    this.timer = setTimeout(this.fire, delay);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    // Bounded by the size at entry so a callback that keeps re-scheduling itself for "now"
    // cannot starve the event loop; leftovers run on the next tick.
    let budget = this.heap.size;
    try {
      while (budget-- > 0) {
        const top = this.heap.peek();
        if (top === undefined || top.key > now) break;
        this.heap.pop();
        this.runCallback(top.value);
      }
    } finally {
      if (!this.closed) this.arm();
    }
  };
}

/** Upper bound on callbacks run at one instant in a single advance(); turns a re-scheduling loop into an error instead of a hang. */
const MAX_RUNS_PER_INSTANT = 1_000_000;

/** Deterministic time for tests: nothing happens until set() or advance() is called. */
export class FakeClock extends HeapClock {
  private current: number;

  constructor(startMs = Date.parse('2026-01-01T00:00:00Z'), timeScale = 1, options: ClockOptions = {}) {
    super(timeScale, options);
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Moves to ms. Forward moves run due callbacks like advance(); backward moves run nothing. */
  set(ms: number): void {
    if (Number.isNaN(ms)) throw new RangeError('FakeClock.set: ms must not be NaN');
    if (ms >= this.current) this.runUntil(ms);
    else this.current = ms;
  }

  /**
   * Moves time forward by realMs and synchronously runs every due callback in deadline order,
   * including ones scheduled by callbacks during this advance. While a callback runs, now()
   * equals its deadline (never earlier than where time already was), as a real clock would show.
   */
  advance(realMs: number): void {
    if (!(realMs >= 0)) throw new RangeError(`FakeClock.advance: realMs must be >= 0, got ${realMs}`);
    this.runUntil(this.current + realMs);
  }

  /** Number of scheduled, not yet run or cancelled callbacks. */
  pending(): number {
    return this.heap.size;
  }

  protected scheduled(): void {}

  private runUntil(target: number): void {
    let lastAt = this.current;
    let runsAtInstant = 0;
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined || top.key > target) break;
      this.heap.pop();
      if (top.key > this.current) this.current = top.key;
      if (this.current === lastAt) {
        if (++runsAtInstant > MAX_RUNS_PER_INSTANT) {
          throw new Error(
            `FakeClock: more than ${MAX_RUNS_PER_INSTANT} callbacks at ${this.current}; a callback is probably re-scheduling itself`,
          );
        }
      } else {
        lastAt = this.current;
        runsAtInstant = 1;
      }
      this.runCallback(top.value);
    }
    // A callback may itself have advanced the clock past target; time never goes backwards here.
    if (target > this.current) this.current = target;
  }
}

/**
 * Wall-clock time for things that guard real processes and networks (leases, watch backoff,
 * CLI polling), never for simulated durations: those go through a Clock.
 */
export function wallNow(): number {
  return Date.now();
}

/**
 * A real-time pause for the same uses as wallNow. It keeps the process alive while it waits (a CLI
 * waiting on an operation relies on that).
 */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A cancellable real-time timer (unref'd), e.g. to bound how long real work may take. */
export function realTimeout(ms: number, fn: () => void): () => void {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
}
