// Runs a Reconciler over a WorkQueue with N workers: timeouts, error backoff, requeue-after.
import { realTimeout, type Clock } from './clock.js';
import { WorkQueue, type WorkQueueMetrics } from './workqueue.js';
import { isConflict } from './client.js';

/** requeueAfterMs is REAL ms. */
export type Result = { requeueAfterMs?: number } | void;

export interface Reconciler {
  name: string;
  /**
   * The signal aborts when the controller gives up on this call (timeout). Reconcilers may ignore
   * it, but passing it on to API calls stops a timed-out reconcile from writing stale state.
   */
  reconcile(key: string, signal?: AbortSignal): Promise<Result>;
}

export type Outcome = 'success' | 'error' | 'requeue';

export interface ControllerLogger {
  info(o: object, m: string): void;
  error(o: object, m: string): void;
  debug(o: object, m: string): void;
}

export interface ControllerOptions {
  reconciler: Reconciler;
  clock: Clock;
  /** Concurrent reconciles (distinct keys). Default 4. */
  workers?: number;
  /** Real ms per reconcile before it is abandoned and retried with backoff. Default 60_000. */
  timeoutMs?: number;
  /** Names the controller in every line (the operator passes a child logger with `controller`). */
  log: ControllerLogger;
  onResult?: (name: string, outcome: Outcome, seconds: number) => void;
  /** Passed through to the WorkQueue. */
  queue?: { baseBackoffMs?: number; maxBackoffMs?: number; metrics?: WorkQueueMetrics };
}

const TIMED_OUT: unique symbol = Symbol('timed out');

export class Controller {
  readonly queue: WorkQueue;
  private readonly reconciler: Reconciler;
  private readonly clock: Clock;
  private readonly workers: number;
  private readonly timeoutMs: number;
  private readonly log: ControllerLogger;
  private readonly onResult: ControllerOptions['onResult'];
  private loops: Promise<void>[] | undefined;

  constructor(opts: ControllerOptions) {
    this.reconciler = opts.reconciler;
    this.clock = opts.clock;
    this.workers = opts.workers ?? 4;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.log = opts.log;
    this.onResult = opts.onResult;
    if (!Number.isInteger(this.workers) || this.workers < 1) throw new RangeError(`workers must be an integer >= 1, got ${this.workers}`);
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${this.timeoutMs}`);
    this.queue = new WorkQueue({ name: this.reconciler.name, clock: this.clock, ...opts.queue });
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Enqueues key after realDelayMs unless it is already due sooner. */
  enqueueAfter(key: string, realDelayMs: number): void {
    this.queue.addAfter(key, realDelayMs);
  }

  start(): void {
    if (this.loops !== undefined) return;
    this.loops = Array.from({ length: this.workers }, () => this.worker());
    this.log.info({ workers: this.workers }, 'controller started');
  }

  /**
   * Shuts the queue down (ready keys still drain) and resolves once every worker has finished its
   * current reconcile. A reconcile that already timed out is not awaited: it was aborted and has
   * shown it does not finish in bounded time, and stop() must.
   */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.loops ?? []);
    this.log.info({}, 'controller stopped');
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.processOne(key);
      } catch (err) {
        // Only caller-supplied hooks (log, onResult, metrics) can throw here. processOne already
        // released the key; the worker must survive or capacity silently leaks away.
        try {
          this.log.error({ key, err }, 'controller hook failed');
        } catch {
          // Nothing left to report to.
        }
      }
    }
  }

  private async processOne(key: string): Promise<void> {
    const started = this.clock.now();
    const abort = new AbortController();
    const run = Promise.resolve().then(() => this.reconciler.reconcile(key, abort.signal));
    // A plain setTimeout, not clock.at: the timeout bounds real work and must fire even when the
    // clock is a FakeClock nobody advances. It is the only exception to the one-timer rule and is
    // bounded by `workers` concurrent timers, each unref'd and cleared as soon as the race ends.
    let cancelTimer: (() => void) | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      cancelTimer = realTimeout(this.timeoutMs, () => resolve(TIMED_OUT));
    });

    let release = true;
    try {
      let result: Result | typeof TIMED_OUT;
      try {
        result = await Promise.race([run, timeout]);
      } catch (err) {
        this.handleError(key, err, started);
        return;
      }
      if (result === TIMED_OUT) {
        release = false;
        this.handleTimeout(key, run, abort, started);
        return;
      }
      this.queue.forget(key);
      const after = result?.requeueAfterMs;
      if (after !== undefined) {
        this.queue.addAfter(key, after);
        this.log.debug({ key, requeueAfterMs: after }, 'reconcile requeued');
        this.report('requeue', started);
      } else {
        this.report('success', started);
      }
    } finally {
      cancelTimer?.();
      if (release) this.queue.done(key);
    }
  }

  private handleError(key: string, err: unknown, started: number): void {
    // A conflict only means the cache was behind a write: retry quietly, as with any requeue.
    if (isConflict(err)) this.log.debug({ key }, 'conflict on a stale object; retrying');
    else this.log.error({ key, err }, 'reconcile failed');
    this.queue.addRateLimited(key);
    this.report('error', started);
  }

  private handleTimeout(key: string, run: Promise<Result>, abort: AbortController, started: number): void {
    // The key stays "processing" until the abandoned call really settles: a retry while it still
    // runs would be two reconciles of one key at once. The worker itself moves on so one stuck key
    // cannot eat a worker slot. Attached first so a throwing hook below cannot strand the key.
    run
      .then(
        () => this.log.debug({ key }, 'timed-out reconcile finished late'),
        (lateErr: unknown) => this.log.debug({ key, err: lateErr }, 'timed-out reconcile failed late'),
      )
      .catch(() => {})
      .finally(() => this.queue.done(key));
    const err = new Error(`reconcile of ${key} timed out after ${this.timeoutMs}ms`);
    abort.abort(err);
    // Scheduled now rather than on settle so the retry's backoff clock starts at the timeout;
    // if it fires before the old call settles, the queue holds the key until done().
    this.queue.addRateLimited(key);
    this.log.error({ key, err }, 'reconcile timed out');
    this.report('error', started);
  }

  private report(outcome: Outcome, started: number): void {
    this.onResult?.(this.reconciler.name, outcome, (this.clock.now() - started) / 1000);
  }
}
