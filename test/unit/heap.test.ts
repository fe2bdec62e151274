// Unit tests for DeadlineHeap: ordering, FIFO ties and removal.
import { expect } from 'chai';
import { DeadlineHeap } from '../../src/runtime/heap.js';

function drain<T>(h: DeadlineHeap<T>): T[] {
  const out: T[] = [];
  for (let e = h.pop(); e !== undefined; e = h.pop()) out.push(e.value);
  return out;
}

/** Deterministic PRNG so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('DeadlineHeap', () => {
  it('pops in key order', () => {
    const h = new DeadlineHeap<number>();
    for (const k of [5, 3, 9, 1, 7, 2, 8]) h.push(k, k);
    expect(h.size).to.equal(7);
    expect(h.peek()?.key).to.equal(1);
    expect(drain(h)).to.deep.equal([1, 2, 3, 5, 7, 8, 9]);
    expect(h.size).to.equal(0);
    expect(h.pop()).to.equal(undefined);
    expect(h.peek()).to.equal(undefined);
  });

  it('keeps FIFO order among equal keys', () => {
    const h = new DeadlineHeap<string>();
    h.push(10, 'a');
    h.push(5, 'x');
    h.push(10, 'b');
    h.push(10, 'c');
    h.push(5, 'y');
    h.push(10, 'd');
    expect(drain(h)).to.deep.equal(['x', 'y', 'a', 'b', 'c', 'd']);
  });

  it('matches a sorted reference under random pushes and removals', () => {
    const rnd = lcg(42);
    const h = new DeadlineHeap<number>();
    const live: { key: number; id: number; entry: ReturnType<typeof h.push> }[] = [];
    for (let id = 0; id < 2000; id++) {
      const key = Math.floor(rnd() * 100);
      live.push({ key, id, entry: h.push(key, id) });
      if (rnd() < 0.3 && live.length > 0) {
        const [victim] = live.splice(Math.floor(rnd() * live.length), 1);
        expect(h.remove(victim!.entry)).to.equal(true);
      }
    }
    expect(h.size).to.equal(live.length);
    const expected = [...live].sort((a, b) => a.key - b.key || a.id - b.id).map((x) => x.id);
    expect(drain(h)).to.deep.equal(expected);
  });

  it('remove is idempotent and ignores popped entries', () => {
    const h = new DeadlineHeap<string>();
    const a = h.push(1, 'a');
    const b = h.push(2, 'b');
    expect(h.remove(b)).to.equal(true);
    expect(h.remove(b)).to.equal(false);
    expect(h.pop()?.value).to.equal('a');
    expect(h.remove(a)).to.equal(false);
    expect(h.size).to.equal(0);
  });

  it('ignores entries from another heap', () => {
    const h1 = new DeadlineHeap<string>();
    const h2 = new DeadlineHeap<string>();
    h1.push(1, 'a');
    const foreign = h2.push(1, 'b');
    expect(h1.remove(foreign)).to.equal(false);
    expect(h1.size).to.equal(1);
  });

  it('clear empties the heap and invalidates handles', () => {
    const h = new DeadlineHeap<string>();
    const a = h.push(1, 'a');
    h.push(2, 'b');
    h.clear();
    expect(h.size).to.equal(0);
    expect(h.remove(a)).to.equal(false);
    h.push(3, 'c');
    expect(drain(h)).to.deep.equal(['c']);
  });

  it('rejects NaN keys but accepts Infinity', () => {
    const h = new DeadlineHeap<string>();
    expect(() => h.push(NaN, 'x')).to.throw(RangeError);
    h.push(Infinity, 'inf');
    h.push(1, 'one');
    expect(drain(h)).to.deep.equal(['one', 'inf']);
  });
});
