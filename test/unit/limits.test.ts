import { expect } from 'chai';
import type { Memo } from '../../controllers/operations/kind.js';
import { progressWait } from '../../controllers/operations/lifecycle.js';
import { Limiter } from '../../controllers/shared/limiter.js';

describe('progress roll-ups (operations/lifecycle progressWait)', () => {
  it('allows one write per key per interval and says how long to wait', () => {
    const memo: Record<string, Memo> = { a: {}, b: {} };
    // The driver records the time of each write that went (plan.memo.progressAt).
    const check = (key: 'a' | 'b', now: number): number => {
      const wait = progressWait(memo[key]!, now);
      if (wait === 0) memo[key]!.progressAt = now;
      return wait;
    };
    expect(check('a', 10_000)).to.equal(0);
    expect(check('a', 10_400)).to.equal(600);
    expect(check('b', 10_400)).to.equal(0);
    expect(check('a', 11_000)).to.equal(0);
  });
});

describe('Limiter', () => {
  it('never runs more than max tasks at once', async () => {
    const l = new Limiter(3);
    let now = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        l.run(async () => {
          now++;
          peak = Math.max(peak, now);
          await new Promise((r) => setImmediate(r));
          now--;
        }),
      ),
    );
    expect(peak).to.equal(3);
    expect(now).to.equal(0);
  });
});
