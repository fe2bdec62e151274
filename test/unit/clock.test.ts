// Unit tests for FakeClock and RealClock: deadline order, nesting, cancellation, error isolation, single timer.
import { expect } from 'chai';
import { FakeClock, RealClock } from '../../src/runtime/clock.js';

const START = Date.parse('2026-01-01T00:00:00Z');

describe('FakeClock', () => {
  it('starts at 2026-01-01 and converts between real and simulated time', () => {
    const c = new FakeClock(undefined, 60);
    expect(c.now()).to.equal(START);
    expect(c.timeScale).to.equal(60);
    expect(c.toReal(60_000)).to.equal(1_000);
    expect(c.toSim(1_000)).to.equal(60_000);
    const slow = new FakeClock(0, 0.5);
    expect(slow.toReal(100)).to.equal(200);
  });

  it('rejects non-positive time scales', () => {
    expect(() => new FakeClock(0, 0)).to.throw(RangeError);
    expect(() => new FakeClock(0, -1)).to.throw(RangeError);
    expect(() => new FakeClock(0, NaN)).to.throw(RangeError);
  });

  it('runs due callbacks in deadline order, FIFO on ties, and nothing early', () => {
    const c = new FakeClock(0);
    const seen: string[] = [];
    c.at(30, () => seen.push('c30'));
    c.at(10, () => seen.push('a10'));
    c.at(20, () => seen.push('b20'));
    c.at(10, () => seen.push('a10-second'));
    c.advance(9);
    expect(seen).to.deep.equal([]);
    expect(c.pending()).to.equal(4);
    c.advance(11);
    expect(seen).to.deep.equal(['a10', 'a10-second', 'b20']);
    expect(c.now()).to.equal(20);
    c.advance(100);
    expect(seen).to.deep.equal(['a10', 'a10-second', 'b20', 'c30']);
    expect(c.now()).to.equal(120);
    expect(c.pending()).to.equal(0);
  });

  it('shows each callback its own deadline as now()', () => {
    const c = new FakeClock(1000);
    const times: number[] = [];
    c.at(1005, () => times.push(c.now()));
    c.at(1050, () => times.push(c.now()));
    c.advance(100);
    expect(times).to.deep.equal([1005, 1050]);
    expect(c.now()).to.equal(1100);
  });

  it('runs callbacks scheduled during advance when they are due, in deadline order', () => {
    const c = new FakeClock(0);
    const seen: string[] = [];
    c.at(10, () => {
      seen.push('outer@10');
      c.at(c.now() + 5, () => {
        seen.push('nested@15');
        c.at(c.now(), () => seen.push('nested-now@15'));
      });
      c.at(c.now() + 500, () => seen.push('late@510'));
    });
    c.at(12, () => seen.push('other@12'));
    c.advance(100);
    expect(seen).to.deep.equal(['outer@10', 'other@12', 'nested@15', 'nested-now@15']);
    expect(c.pending()).to.equal(1);
    c.advance(410);
    expect(seen.at(-1)).to.equal('late@510');
  });

  it('never runs a past deadline synchronously inside at(); advance(0) runs it', () => {
    const c = new FakeClock(100);
    let ran = 0;
    c.at(50, () => ran++);
    expect(ran).to.equal(0);
    c.advance(0);
    expect(ran).to.equal(1);
    expect(c.now()).to.equal(100);
  });

  it('cancel prevents the callback and is idempotent', () => {
    const c = new FakeClock(0);
    let ran = 0;
    const cancel = c.at(10, () => ran++);
    c.at(10, () => (ran += 10));
    cancel();
    cancel();
    expect(c.pending()).to.equal(1);
    c.advance(10);
    expect(ran).to.equal(10);
  });

  it('set() forward fires due callbacks; backward fires nothing', () => {
    const c = new FakeClock(0);
    const seen: number[] = [];
    c.at(50, () => seen.push(50));
    c.set(40);
    expect(seen).to.deep.equal([]);
    c.set(10);
    expect(c.now()).to.equal(10);
    c.set(60);
    expect(seen).to.deep.equal([50]);
    expect(c.now()).to.equal(60);
  });

  it('rejects negative advance', () => {
    expect(() => new FakeClock(0).advance(-1)).to.throw(RangeError);
  });

  it('keeps going after a callback throws and reports to onError', () => {
    const errors: unknown[] = [];
    const c = new FakeClock(0, 1, { onError: (e) => errors.push(e) });
    const seen: number[] = [];
    c.at(1, () => seen.push(1));
    c.at(2, () => {
      throw new Error('boom');
    });
    c.at(3, () => seen.push(3));
    c.advance(5);
    expect(seen).to.deep.equal([1, 3]);
    expect(errors).to.have.length(1);
    expect((errors[0] as Error).message).to.equal('boom');
  });
});

describe('RealClock', () => {
  let clock: RealClock | undefined;
  afterEach(() => clock?.close());

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  it('fires in deadline order after a short real delay, regardless of timeScale', async () => {
    clock = new RealClock(1000);
    expect(clock.toReal(1000)).to.equal(1);
    const seen: string[] = [];
    const t0 = clock.now();
    const done = new Promise<void>((resolve) => {
      clock!.at(t0 + 15, () => {
        seen.push('c');
        resolve();
      });
    });
    clock.at(t0 + 5, () => seen.push('a'));
    clock.at(t0 + 10, () => seen.push('b'));
    clock.at(t0 + 10, () => seen.push('b2'));
    expect(seen).to.deep.equal([]);
    await done;
    expect(seen).to.deep.equal(['a', 'b', 'b2', 'c']);
    expect(Date.now() - t0).to.be.at.least(14); // Node timers may fire up to ~1ms early.
  });

  it('re-arms for an earlier deadline pushed after a far one', async () => {
    clock = new RealClock();
    const seen: string[] = [];
    clock.at(clock.now() + 60_000, () => seen.push('far'));
    await new Promise<void>((resolve) => clock!.at(clock!.now() + 5, () => resolve()));
    expect(seen).to.deep.equal([]);
  });

  it('uses a single live setTimeout for many deadlines', async () => {
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const live = new Set<unknown>();
    let maxLive = 0;
    let calls = 0;
    // Counting wrapper: proves the "one timer for the whole process" contract.
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      calls++;
      const t = realSet(() => {
        live.delete(t);
        fn();
      }, ms);
      live.add(t);
      maxLive = Math.max(maxLive, live.size);
      return t;
    }) as typeof setTimeout;
    globalThis.clearTimeout = ((t: NodeJS.Timeout | undefined) => {
      live.delete(t);
      realClear(t);
    }) as typeof clearTimeout;
    try {
      clock = new RealClock();
      const now = clock.now();
      let fired = 0;
      // Later-first order forces a re-arm on every push; ascending adds none.
      for (let i = 0; i < 200; i++) clock.at(now + 20 - (i % 20), () => fired++);
      for (let i = 0; i < 200; i++) clock.at(now + 30 + (i >> 2), () => fired++);
      expect(maxLive).to.equal(1);
      await new Promise<void>((resolve) => {
        const check = () => (fired === 400 ? resolve() : void realSet(check, 5));
        check();
      });
      expect(maxLive).to.equal(1);
      expect(calls).to.be.lessThan(400);
    } finally {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    }
  });

  it('cancel and close stop callbacks', async () => {
    clock = new RealClock();
    let ran = 0;
    const cancel = clock.at(clock.now() + 2, () => ran++);
    cancel();
    await sleep(10);
    expect(ran).to.equal(0);
    clock.at(clock.now() + 2, () => ran++);
    clock.close();
    clock.at(clock.now() + 1, () => ran++);
    await sleep(10);
    expect(ran).to.equal(0);
  });

  it('keeps firing after a callback throws', async () => {
    const errors: unknown[] = [];
    clock = new RealClock(1, { onError: (e) => errors.push(e) });
    const now = clock.now();
    clock.at(now + 1, () => {
      throw new Error('boom');
    });
    await new Promise<void>((resolve) => clock!.at(now + 3, resolve));
    expect(errors).to.have.length(1);
  });

  it('debug jump: moves now() forward and runs the deadlines it passed at once, never backwards', async () => {
    clock = new RealClock(60, { offsetMs: 1000 });
    expect(clock.now() - Date.now()).to.be.within(999, 1001);
    const seen: string[] = [];
    const t0 = clock.now();
    clock.at(t0 + 60_000, () => seen.push('due after the jump'));
    clock.at(t0 + 600_000, () => seen.push('later'));
    clock.jump(60_000);
    expect(clock.offsetMs).to.equal(61_000);
    await sleep(20);
    expect(seen).to.deep.equal(['due after the jump']);
    expect(() => clock!.jump(-1)).to.throw(RangeError);
  });
});
