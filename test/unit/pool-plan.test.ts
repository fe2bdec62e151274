import { expect } from 'chai';
import { pendingUnits, planPool, surgeCount, type PlanMachine, type PoolTarget } from '../../controllers/nodepool/plan.js';

const m = (index: number, o: Partial<PlanMachine> = {}): PlanMachine => ({
  name: `n${index}`,
  index,
  zone: '',
  deleting: false,
  ready: true,
  surge: false,
  wantVersion: '1.33.5',
  wantImage: 'img1',
  haveVersion: '1.33.5',
  haveImage: 'img1',
  ...o,
});
const t = (count: number, version = '1.33.5', image = 'img1'): PoolTarget => ({ count, version, image });

describe('surgeCount', () => {
  for (const [v, count, want] of [
    [undefined, 3, 1],
    ['10%', 30, 3],
    ['33%', 10, 4],
    ['1', 5, 1],
    ['3', 5, 3],
    ['0', 5, 1],
  ] as const) {
    it(`${v ?? 'default'} of ${count} -> ${want}`, () => expect(surgeCount(v, count)).to.equal(want));
  }
});

describe('planPool', () => {
  it('scales out with new machines at the target, and is not done until they are ready', () => {
    const p = planPool({ machines: [m(0), m(1), m(2)], target: t(5), zones: [] });
    expect(p.create).to.deep.equal([
      { index: 3, zone: '', surge: false },
      { index: 4, zone: '', surge: false },
    ]);
    expect(p.pending).to.equal(2);
    expect(p.done).to.equal(false);
  });

  it('is done when the count is reached, all ready at target, nothing deleting', () => {
    expect(planPool({ machines: [m(0), m(1)], target: t(2), zones: [] }).done).to.equal(true);
    expect(planPool({ machines: [m(0), m(1), m(2, { deleting: true })], target: t(2), zones: [] }).done).to.equal(false);
    expect(planPool({ machines: [m(0), m(1, { ready: false })], target: t(2), zones: [] }).done).to.equal(false);
  });

  it('scale-in counts machines still deleting as pending', () => {
    const ms = [m(0), m(1), m(2, { deleting: true }), m(3, { deleting: true })];
    expect(pendingUnits(ms, t(2))).to.equal(2);
    expect(pendingUnits([m(0), m(1), m(2), m(3), m(4)], t(2))).to.equal(3);
  });

  it('upgrade: makes surge machines first and touches no old machine until they are ready', () => {
    const p = planPool({ machines: [m(0), m(1), m(2)], target: t(3, '1.34.4'), zones: [], maxSurge: '1' });
    expect(p.create).to.deep.equal([{ index: 3, zone: '', surge: true }]);
    expect(p.upgrade).to.deep.equal([]);
    expect(p.pending).to.equal(3);
  });

  it('upgrade: with the surge ready, upgrades at most maxSurge old machines at a time, lowest index first', () => {
    const surge = m(3, { surge: true, wantVersion: '1.34.4', haveVersion: '1.34.4' });
    const p = planPool({ machines: [m(0), m(1), m(2), surge], target: t(3, '1.34.4'), zones: [], maxSurge: '1' });
    expect(p.create).to.deep.equal([]);
    expect(p.upgrade).to.deep.equal(['n0']);
    // n0 in flight (wants 1.34.4, still has 1.33.5): no second one
    const p2 = planPool({
      machines: [m(0, { wantVersion: '1.34.4' }), m(1), m(2), surge],
      target: t(3, '1.34.4'),
      zones: [],
      maxSurge: '1',
    });
    expect(p2.upgrade).to.deep.equal([]);
    // n0 done: next one
    const p3 = planPool({
      machines: [m(0, { wantVersion: '1.34.4', haveVersion: '1.34.4' }), m(1), m(2), surge],
      target: t(3, '1.34.4'),
      zones: [],
      maxSurge: '1',
    });
    expect(p3.upgrade).to.deep.equal(['n1']);
    expect(p3.pending).to.equal(2);
  });

  it('upgrade: maxSurge 2 upgrades two at a time', () => {
    const s = (i: number): PlanMachine => m(i, { surge: true, wantVersion: '1.34.4', haveVersion: '1.34.4' });
    const p = planPool({ machines: [m(0), m(1), m(2), m(3), s(4), s(5)], target: t(4, '1.34.4'), zones: [], maxSurge: '2' });
    expect(p.upgrade).to.deep.equal(['n0', 'n1']);
  });

  it('upgrade: removes the surge once every regular node runs the target, then finishes', () => {
    const up = (i: number): PlanMachine => m(i, { wantVersion: '1.34.4', haveVersion: '1.34.4' });
    const surge = m(3, { surge: true, wantVersion: '1.34.4', haveVersion: '1.34.4' });
    const p = planPool({ machines: [up(0), up(1), up(2), surge], target: t(3, '1.34.4'), zones: [], maxSurge: '1' });
    expect(p.remove).to.deep.equal(['n3']);
    expect(p.done).to.equal(false);
    expect(p.pending).to.equal(0);
    expect(planPool({ machines: [up(0), up(1), up(2)], target: t(3, '1.34.4'), zones: [] }).done).to.equal(true);
  });

  it('never reuses the index of a machine being deleted for a surge machine', () => {
    const p = planPool({ machines: [m(0), m(1, { deleting: true }), m(2)], target: t(2, '1.34.4'), zones: [], maxSurge: '1' });
    expect(p.create.map((c) => c.index)).to.not.include(1);
  });

  it('node image upgrades follow the same rolling path', () => {
    const p = planPool({ machines: [m(0), m(1)], target: t(2, '1.33.5', 'img2'), zones: [], maxSurge: '1' });
    expect(p.create).to.deep.equal([{ index: 2, zone: '', surge: true }]);
  });
});
