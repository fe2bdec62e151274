// Unit tests for WorkQueue: dedupe, per-key exclusivity, delayed adds, backoff, shutdown, metrics.
import { expect } from 'chai';
import { FakeClock } from '../../src/runtime/clock.js';
import { WorkQueue } from '../../src/runtime/workqueue.js';

/** Resolves to 'pending' if p has not settled once queued microtasks and I/O callbacks ran. */
async function state<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

function setup(opts: { baseBackoffMs?: number; maxBackoffMs?: number } = {}) {
  const clock = new FakeClock(0);
  const calls = { depth: [] as number[], adds: 0, retries: 0 };
  const q = new WorkQueue({
    name: 'test',
    clock,
    ...opts,
    metrics: {
      depth: (name, n) => {
        expect(name).to.equal('test');
        calls.depth.push(n);
      },
      adds: () => calls.adds++,
      retries: () => calls.retries++,
    },
  });
  return { clock, q, calls };
}

describe('WorkQueue', () => {
  it('dedupes keys that are waiting and keeps FIFO order', async () => {
    const { q, calls } = setup();
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('c');
    q.add('b');
    expect(q.len()).to.equal(3);
    expect(calls.adds).to.equal(3);
    expect(await q.get()).to.equal('a');
    expect(await q.get()).to.equal('b');
    expect(await q.get()).to.equal('c');
    expect(q.len()).to.equal(0);
    expect(calls.depth).to.deep.equal([1, 2, 3, 2, 1, 0]);
  });

  it('never hands one key to two workers; a key added while processing re-runs once after done', async () => {
    const { q } = setup();
    q.add('a');
    expect(await q.get()).to.equal('a');
    q.add('a');
    q.add('a');
    expect(q.len()).to.equal(0);
    const second = q.get();
    expect(await state(second)).to.equal('pending');
    q.done('a');
    expect(await second).to.equal('a');
    q.done('a');
    expect(q.len()).to.equal(0);
    expect(await state(q.get())).to.equal('pending');
  });

  it('does not re-run a key after done when it was not re-added', async () => {
    const { q } = setup();
    q.add('a');
    await q.get();
    q.done('a');
    q.done('a'); // a stray second done must not resurrect the key
    expect(q.len()).to.equal(0);
  });

  it('hands a newly added key straight to a waiting get()', async () => {
    const { q } = setup();
    const p1 = q.get();
    const p2 = q.get();
    q.add('x');
    q.add('y');
    expect(await p1).to.equal('x');
    expect(await p2).to.equal('y');
    // x is processing, so a re-add must wait for done even with no other keys around
    q.add('x');
    expect(q.len()).to.equal(0);
  });

  it('addAfter delivers the key once its deadline passes', async () => {
    const { clock, q } = setup();
    q.addAfter('a', 100);
    expect(q.len()).to.equal(0);
    clock.advance(99);
    expect(q.len()).to.equal(0);
    clock.advance(1);
    expect(q.len()).to.equal(1);
    expect(await q.get()).to.equal('a');
  });

  it('addAfter keeps the earliest deadline per key and ignores stale timers', async () => {
    const { clock, q, calls } = setup();
    q.addAfter('a', 500);
    q.addAfter('a', 100); // earlier: replaces
    q.addAfter('a', 300); // later: ignored
    clock.advance(100);
    expect(q.len()).to.equal(1);
    expect(await q.get()).to.equal('a');
    q.done('a');
    clock.advance(1000); // the superseded 300/500 deadlines must not re-add it
    expect(q.len()).to.equal(0);
    expect(calls.adds).to.equal(1);
    expect(clock.pending()).to.equal(0);
  });

  it('a later add() makes a delayed key immediate and drops the deadline', async () => {
    const { clock, q } = setup();
    q.addAfter('a', 1000);
    q.add('a');
    expect(q.len()).to.equal(1);
    expect(clock.pending()).to.equal(0);
    expect(await q.get()).to.equal('a');
    q.done('a');
    clock.advance(2000);
    expect(q.len()).to.equal(0);
  });

  it('addAfter with a non-positive delay adds immediately', () => {
    const { q } = setup();
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    expect(q.len()).to.equal(2);
  });

  it('addAfter while processing re-queues after done once the deadline passed', async () => {
    const { clock, q } = setup();
    q.add('a');
    await q.get();
    q.addAfter('a', 50);
    clock.advance(50);
    expect(q.len()).to.equal(0); // still processing
    q.done('a');
    expect(q.len()).to.equal(1);
  });

  it('rate-limited backoff doubles per failure, caps, and forget resets it', () => {
    const { clock, q, calls } = setup({ baseBackoffMs: 10, maxBackoffMs: 100 });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t0 = clock.now();
      q.addRateLimited('a');
      // step 1 ms at a time to find exactly when the key became ready
      while (q.len() === 0) clock.advance(1);
      delays.push(clock.now() - t0);
      void q.get();
      q.done('a');
    }
    expect(delays).to.deep.equal([10, 20, 40, 80, 100, 100]);
    expect(q.numRequeues('a')).to.equal(6);
    expect(calls.retries).to.equal(6);
    q.forget('a');
    expect(q.numRequeues('a')).to.equal(0);
    const t0 = clock.now();
    q.addRateLimited('a');
    clock.advance(9);
    expect(q.len()).to.equal(0);
    clock.advance(1);
    expect(q.len()).to.equal(1);
    expect(clock.now() - t0).to.equal(10);
  });

  it('tracks backoff per key', () => {
    const { q } = setup();
    q.addRateLimited('a');
    q.addRateLimited('a');
    q.addRateLimited('b');
    expect(q.numRequeues('a')).to.equal(2);
    expect(q.numRequeues('b')).to.equal(1);
  });

  it('shutDown drains ready keys, then get() resolves undefined', async () => {
    const { clock, q } = setup();
    q.add('a');
    q.add('b');
    q.addAfter('c', 10);
    q.shutDown();
    expect(q.shuttingDown).to.equal(true);
    q.add('d'); // ignored after shutdown
    clock.advance(100); // delayed keys are dropped
    expect(clock.pending()).to.equal(0);
    expect(await q.get()).to.equal('a');
    expect(await q.get()).to.equal('b');
    expect(await q.get()).to.equal(undefined);
    expect(await q.get()).to.equal(undefined);
  });

  it('shutDown wakes blocked get() calls with undefined', async () => {
    const { q } = setup();
    const p1 = q.get();
    const p2 = q.get();
    expect(await state(p1)).to.equal('pending');
    q.shutDown();
    expect(await p1).to.equal(undefined);
    expect(await p2).to.equal(undefined);
  });

  it('a key dirtied before shutDown is still handed out after its done()', async () => {
    const { q } = setup();
    q.add('a');
    await q.get();
    q.add('a');
    q.shutDown();
    q.done('a');
    expect(await q.get()).to.equal('a');
    q.done('a');
    expect(await q.get()).to.equal(undefined);
  });

  it('handles 5,000 keys with one pending clock callback each at most', async () => {
    const { clock, q } = setup();
    for (let i = 0; i < 5000; i++) q.addAfter(`node-${i}`, 1000 + (i % 7));
    for (let i = 0; i < 5000; i++) q.addAfter(`node-${i}`, 500); // all replaced by earlier ones
    expect(clock.pending()).to.equal(5000);
    clock.advance(500);
    expect(q.len()).to.equal(5000);
    expect(clock.pending()).to.equal(0);
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add((await q.get())!);
    expect(seen.size).to.equal(5000);
  });
});
