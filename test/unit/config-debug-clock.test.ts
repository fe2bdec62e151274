// The debug clock settings of the chaos run: off by default, an offset only with debugClock.
import { expect } from 'chai';
import { DEFAULTS, parseSettings } from '../../src/config.js';

describe('settings: debug clock', () => {
  it('is off by default and takes an offset only together with debugClock', () => {
    expect(DEFAULTS.debugClock).to.equal(false);
    expect(parseSettings([{ debugClock: 'true', debugClockOffsetMs: '0' }]).debugClock).to.equal(true);
    expect(parseSettings([{ debugClock: true, debugClockOffsetMs: '1500' }]).debugClockOffsetMs).to.equal(1500);
    expect(() => parseSettings([{ debugClockOffsetMs: '1500' }])).to.throw('setting debugClockOffsetMs needs debugClock');
    expect(() => parseSettings([{ debugClock: true, debugClockOffsetMs: '-1' }])).to.throw(
      'setting debugClockOffsetMs must be a non-negative number',
    );
  });
});
