import { expect } from 'chai';
import { checkPoolVersion, resolveVersion, versionLess } from '../../src/azure/versions.js';

describe('Kubernetes versions', () => {
  it('resolves a minor to its latest patch and keeps a full version', () => {
    expect(resolveVersion('1.34')).to.equal('1.34.4');
    expect(resolveVersion('1.33.2')).to.equal('1.33.2');
    expect(resolveVersion('1.20')).to.equal(undefined);
  });
  for (const [a, b, less] of [
    ['1.33.5', '1.34.4', true],
    ['1.34.4', '1.34.4', false],
    ['1.34.10', '1.34.9', false],
    ['1.9', '1.10', true],
  ] as const) {
    it(`${a} < ${b} is ${less}`, () => expect(versionLess(a, b)).to.equal(less));
  }
  it('allows a pool at most at the control plane and within 2 minors', () => {
    expect(checkPoolVersion('1.34.4', '1.34.4')).to.equal(undefined);
    expect(checkPoolVersion('1.32.9', '1.34.4')).to.equal(undefined);
    expect(checkPoolVersion('1.35.1', '1.34.4')).to.match(/newer than the control plane/);
    expect(checkPoolVersion('1.31.13', '1.34.4')).to.match(/more than 2 minor versions behind/);
  });
});
