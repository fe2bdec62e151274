// Unit tests for Controller: outcomes, requeue-after, error backoff, exclusivity, timeout, stop.
import { expect } from 'chai';
import { FakeClock } from '../../src/runtime/clock.js';
import { Controller, type Outcome, type Result } from '../../src/runtime/controller.js';

/** Lets worker loops run: several macrotask turns so chained awaits all settle. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface LogLine {
  level: 'info' | 'error' | 'debug';
  o: Record<string, unknown>;
  m: string;
}

function setup(reconcile: (key: string, signal?: AbortSignal) => Promise<Result>, opts: { workers?: number; timeoutMs?: number } = {}) {
  const clock = new FakeClock(0);
  const logs: LogLine[] = [];
  const results: { name: string; outcome: Outcome; seconds: number }[] = [];
  const calls: { key: string; at: number }[] = [];
  const ctrl = new Controller({
    reconciler: {
      name: 'things',
      reconcile: (key, signal) => {
        calls.push({ key, at: clock.now() });
        return reconcile(key, signal);
      },
    },
    clock,
    ...opts,
    log: {
      info: (o, m) => logs.push({ level: 'info', o: o as Record<string, unknown>, m }),
      error: (o, m) => logs.push({ level: 'error', o: o as Record<string, unknown>, m }),
      debug: (o, m) => logs.push({ level: 'debug', o: o as Record<string, unknown>, m }),
    },
    onResult: (name, outcome, seconds) => results.push({ name, outcome, seconds }),
  });
  return { clock, ctrl, logs, results, calls };
}

describe('Controller', () => {
  let active: Controller | undefined;
  afterEach(async () => {
    await active?.stop();
    active = undefined;
  });

  it('reconciles an enqueued key once and reports success', async () => {
    const t = setup(async () => undefined);
    active = t.ctrl;
    t.ctrl.start();
    t.ctrl.enqueue('ns/a');
    await flush();
    t.clock.advance(600_000);
    await flush();
    expect(t.calls.map((c) => c.key)).to.deep.equal(['ns/a']);
    expect(t.results).to.deep.equal([{ name: 'things', outcome: 'success', seconds: 0 }]);
  });

  it('measures duration with clock.now()', async () => {
    const t = setup(async () => {
      t.clock.advance(1500);
    });
    active = t.ctrl;
    t.ctrl.start();
    t.ctrl.enqueue('a');
    await flush();
    expect(t.results).to.deep.equal([{ name: 'things', outcome: 'success', seconds: 1.5 }]);
  });

  it('requeues after requeueAfterMs of real time', async () => {
    let n = 0;
    const t = setup(async () => (n++ === 0 ? { requeueAfterMs: 1000 } : undefined));
    active = t.ctrl;
    t.ctrl.start();
    t.ctrl.enqueue('a');
    await flush();
    expect(t.results.map((r) => r.outcome)).to.deep.equal(['requeue']);
    t.clock.advance(999);
    await flush();
    expect(t.calls).to.have.length(1);
    t.clock.advance(1);
    await flush();
    expect(t.calls.map((c) => c.at)).to.deep.equal([0, 1000]);
    expect(t.results.map((r) => r.outcome)).to.deep.equal(['requeue', 'success']);
    t.clock.advance(10_000);
    await flush();
    expect(t.calls).to.have.length(2);
  });

  it('retries errors with exponential backoff and resets it after success', async () => {
    let n = 0;
    const t = setup(async () => {
      if (n++ < 3) throw new Error(`fail ${n}`);
    });
    active = t.ctrl;
    t.ctrl.start();
    t.ctrl.enqueue('a');
    await flush();
    for (let i = 0; i < 100 && t.calls.length < 4; i++) {
      t.clock.advance(1);
      await flush();
    }
    // base 10 ms doubling: failures at 0, 10, 30; success at 70
    expect(t.calls.map((c) => c.at)).to.deep.equal([0, 10, 30, 70]);
    expect(t.results.map((r) => r.outcome)).to.deep.equal(['error', 'error', 'error', 'success']);
    expect(t.ctrl.queue.numRequeues('a')).to.equal(0);
    const errs = t.logs.filter((l) => l.level === 'error');
    expect(errs).to.have.length(3);
    expect(errs[0]!.o['key']).to.equal('a');
    expect((errs[0]!.o['err'] as Error).message).to.equal('fail 1');
  });

  it('never reconciles one key concurrently; re-adds during a run cause exactly one more run', async () => {
    let running = 0;
    let maxRunning = 0;
    const gates: ReturnType<typeof deferred<void>>[] = [];
    const t = setup(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        const g = deferred();
        gates.push(g);
        await g.promise;
        running--;
      },
      { workers: 4 },
    );
    active = t.ctrl;
    t.ctrl.start();
    t.ctrl.enqueue('a');
    await flush();
    expect(t.calls).to.have.length(1);
    for (let i = 0; i < 5; i++) t.ctrl.enqueue('a');
    await flush();
    expect(t.calls).to.have.length(1);
    gates[0]!.resolve();
    await flush();
    expect(t.calls).to.have.length(2);
    gates[1]!.resolve();
    await flush();
    expect(t.calls).to.have.length(2);
    expect(maxRunning).to.equal(1);
  });

  it('runs distinct keys in parallel up to the worker count', async () => {
    let running = 0;
    let maxRunning = 0;
    const gates: ReturnType<typeof deferred<void>>[] = [];
    const t = setup(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        const g = deferred();
        gates.push(g);
        await g.promise;
        running--;
      },
      { workers: 2 },
    );
    active = t.ctrl;
    t.ctrl.start();
    for (const k of ['a', 'b', 'c', 'd']) t.ctrl.enqueue(k);
    await flush();
    expect(t.calls).to.have.length(2);
    gates[0]!.resolve();
    await flush();
    expect(t.calls).to.have.length(3);
    for (const g of gates) g.resolve();
    await flush();
    for (const g of gates) g.resolve();
    await flush();
    expect(t.calls.map((c) => c.key)).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(maxRunning).to.equal(2);
  });

  it('stop() waits for the in-flight reconcile and ignores later enqueues', async () => {
    const gate = deferred();
    const t = setup(async () => {
      await gate.promise;
    });
    t.ctrl.start();
    t.ctrl.enqueue('a');
    await flush();
    let stopped = false;
    const stopping = t.ctrl.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).to.equal(false);
    gate.resolve();
    await stopping;
    expect(stopped).to.equal(true);
    t.ctrl.enqueue('b');
    await flush();
    expect(t.calls.map((c) => c.key)).to.deep.equal(['a']);
    expect(t.results.map((r) => r.outcome)).to.deep.equal(['success']);
  });

  it('times out a stuck reconcile, aborts it, and holds the key until it settles', async () => {
    const gate = deferred();
    let signal: AbortSignal | undefined;
    let n = 0;
    const t = setup(
      async (_key, s) => {
        if (n++ === 0) {
          signal = s;
          await gate.promise;
        }
      },
      { timeoutMs: 20, workers: 1 },
    );
    active = t.ctrl;
    t.ctrl.start();
    t.ctrl.enqueue('a');
    await flush();
    await new Promise((r) => setTimeout(r, 40));
    await flush();
    expect(signal?.aborted).to.equal(true);
    expect(t.results.map((r) => r.outcome)).to.deep.equal(['error']);
    expect(t.logs.some((l) => l.level === 'error' && l.m.includes('timed out') && l.o['key'] === 'a')).to.equal(true);
    // the worker is free for other keys...
    t.ctrl.enqueue('b');
    await flush();
    expect(t.calls.map((c) => c.key)).to.deep.equal(['a', 'b']);
    // ...but the retry of 'a' waits for the abandoned call even after its backoff elapsed
    t.clock.advance(1000);
    await flush();
    expect(t.calls.map((c) => c.key)).to.deep.equal(['a', 'b']);
    gate.resolve();
    await flush();
    expect(t.calls.map((c) => c.key)).to.deep.equal(['a', 'b', 'a']);
  });

  it('survives a throwing onResult hook', async () => {
    let n = 0;
    const clock = new FakeClock(0);
    const logs: string[] = [];
    const ctrl = new Controller({
      reconciler: { name: 'x', reconcile: async () => void n++ },
      clock,
      workers: 1,
      log: { info: () => {}, debug: () => {}, error: (_o, m) => logs.push(m) },
      onResult: () => {
        throw new Error('metrics broke');
      },
    });
    active = ctrl;
    ctrl.start();
    ctrl.enqueue('a');
    await flush();
    ctrl.enqueue('a');
    ctrl.enqueue('b');
    await flush();
    expect(n).to.equal(3);
    expect(logs).to.have.length(3);
  });
});
