import { expect } from 'chai';
import { Limiter, WriteThrottle } from '../../controllers/shared/throttle.js';

describe('WriteThrottle', () => {
  it('allows one write per key per interval and says how long to wait', () => {
    const t = new WriteThrottle(1000);
    expect(t.check('a', 10_000)).to.equal(0);
    expect(t.check('a', 10_400)).to.equal(600);
    expect(t.check('b', 10_400)).to.equal(0);
    expect(t.check('a', 11_000)).to.equal(0);
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
