// Unit tests for pure, zone-balanced scale planning.
import { expect } from 'chai';
import { type MachineInfo, planScale } from '../../controllers/nodepool/scale.js';

const ZONES = ['1', '2', '3'];

function m(index: number, zone: string, extra: Partial<MachineInfo> = {}): MachineInfo {
  return { name: `n${index}`, index, zone, deleting: false, ready: true, ...extra };
}

describe('nodepool/scale planScale', () => {
  it('0 -> 3 over zones 1,2,3 gives one per zone with indices 0,1,2', () => {
    expect(planScale({ machines: [], desired: 3, zones: ZONES })).to.deep.equal({
      create: [
        { index: 0, zone: '1' },
        { index: 1, zone: '2' },
        { index: 2, zone: '3' },
      ],
      remove: [],
    });
  });

  it('3 -> 5 continues the round-robin', () => {
    const machines = [m(0, '1'), m(1, '2'), m(2, '3')];
    expect(planScale({ machines, desired: 5, zones: ZONES }).create).to.deep.equal([
      { index: 3, zone: '1' },
      { index: 4, zone: '2' },
    ]);
  });

  it('scale up fills the emptiest zone first', () => {
    const machines = [m(0, '1'), m(1, '1'), m(2, '2')];
    expect(planScale({ machines, desired: 5, zones: ZONES }).create).to.deep.equal([
      { index: 3, zone: '3' },
      { index: 4, zone: '2' },
    ]);
  });

  it('non-zonal pools use zone "" and fill index gaps', () => {
    const machines = [m(0, ''), m(2, ''), m(5, '')];
    expect(planScale({ machines, desired: 6, zones: [] }).create).to.deep.equal([
      { index: 1, zone: '' },
      { index: 3, zone: '' },
      { index: 4, zone: '' },
    ]);
  });

  it('5 -> 2 removes from the most loaded zones, highest index first', () => {
    const machines = [m(0, '1'), m(1, '2'), m(2, '3'), m(3, '1'), m(4, '2')];
    // zones 1 and 2 have 2 each: tie -> later zone (2) first, then zone 1, then tie of three -> zone 3
    expect(planScale({ machines, desired: 2, zones: ZONES })).to.deep.equal({ create: [], remove: ['n4', 'n3', 'n2'] });
  });

  it('scale down without zones removes the highest indices', () => {
    const machines = [m(0, ''), m(1, ''), m(2, ''), m(3, '')];
    expect(planScale({ machines, desired: 1, zones: [] }).remove).to.deep.equal(['n3', 'n2', 'n1']);
  });

  it('never reuses indices of deleting machines and does not count them', () => {
    const machines = [m(0, '1', { deleting: true }), m(1, '2'), m(2, '3', { deleting: true })];
    expect(planScale({ machines, desired: 3, zones: ZONES }).create).to.deep.equal([
      { index: 3, zone: '1' },
      { index: 4, zone: '3' },
    ]);
  });

  it('deleting machines are not chosen for removal', () => {
    const machines = [m(0, ''), m(1, ''), m(2, '', { deleting: true })];
    expect(planScale({ machines, desired: 1, zones: [] })).to.deep.equal({ create: [], remove: ['n1'] });
  });

  it('removes not-ready machines first within a zone', () => {
    const machines = [m(0, '', { ready: false }), m(1, ''), m(2, ''), m(3, '')];
    expect(planScale({ machines, desired: 2, zones: [] }).remove).to.deep.equal(['n0', 'n3']);
  });

  it('zone balance beats readiness across zones', () => {
    const machines = [m(0, '1', { ready: false }), m(1, '2'), m(2, '2')];
    expect(planScale({ machines, desired: 2, zones: ZONES }).remove).to.deep.equal(['n2']);
  });

  it('machines in zones outside the list count as later zones', () => {
    const machines = [m(0, '1'), m(1, '4')];
    expect(planScale({ machines, desired: 1, zones: ['1', '2'] }).remove).to.deep.equal(['n1']);
  });

  it('returns empty lists when live count equals desired and clamps negative desired', () => {
    const machines = [m(0, '1'), m(1, '2'), m(5, '3', { deleting: true })];
    expect(planScale({ machines, desired: 2, zones: ZONES })).to.deep.equal({ create: [], remove: [] });
    expect(planScale({ machines: [], desired: 0, zones: ZONES })).to.deep.equal({ create: [], remove: [] });
    expect(planScale({ machines, desired: -1, zones: ZONES }).remove).to.have.members(['n0', 'n1']);
  });

  it('is idempotent and independent of input order', () => {
    const machines = [m(4, '2'), m(0, '1', { ready: false }), m(3, '1'), m(1, '2'), m(2, '3', { deleting: true })];
    const reversed = [...machines].reverse();
    for (const desired of [0, 2, 4, 7]) {
      const a = planScale({ machines, desired, zones: ZONES });
      expect(planScale({ machines, desired, zones: ZONES })).to.deep.equal(a);
      expect(planScale({ machines: reversed, desired, zones: ZONES })).to.deep.equal(a);
    }
  });

  it('does not mutate its input', () => {
    const machines = [m(1, '1'), m(0, '1')];
    const copy = structuredClone(machines);
    planScale({ machines, desired: 0, zones: ZONES });
    expect(machines).to.deep.equal(copy);
  });
});
