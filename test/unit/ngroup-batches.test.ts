// Table tests for the rolling-update batch planner and gates (controllers/ngroup/batches.ts).
import { expect } from 'chai';
import { batchSize, type CgInfo, overPercent, planBatches } from '../../controllers/ngroup/batches.js';

/** n CGs per zone/fault-domain pair, named z<zone>f<fd>-<i>. */
function grid(zones: string[], fds: number, perPair: number, extra: (c: CgInfo) => Partial<CgInfo> = () => ({})): CgInfo[] {
  const out: CgInfo[] = [];
  for (const zone of zones)
    for (let faultDomain = 0; faultDomain < fds; faultDomain++)
      for (let i = 0; i < perPair; i++) {
        const c: CgInfo = { name: `z${zone}f${faultDomain}-${i}`, zone, faultDomain, healthy: true, updated: false };
        out.push({ ...c, ...extra(c) });
      }
  return out;
}
const pairOfName = (n: string): string => n.split('-')[0]!;

describe('ngroup/batches planBatches', () => {
  const cases: { name: string; cgs: CgInfo[]; pct: number; first: boolean; sizes: number[]; firstPair?: string }[] = [
    {
      name: '30 CGs, 3 zones x 2 FDs, 20%: one pair per batch',
      cgs: grid(['1', '2', '3'], 2, 5),
      pct: 20,
      first: true,
      sizes: [5, 5, 5, 5, 5, 5],
    },
    {
      name: '30 CGs, 3 zones x 2 FDs, 10%: pairs split in 3+2',
      cgs: grid(['1', '2', '3'], 2, 5),
      pct: 10,
      first: true,
      sizes: [3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2],
    },
    {
      name: '30 CGs, 3 zones x 2 FDs, 100%: the boundary still holds',
      cgs: grid(['1', '2', '3'], 2, 5),
      pct: 100,
      first: true,
      sizes: [5, 5, 5, 5, 5, 5],
    },
    { name: '12 CGs, no zones, 1 FD, 25%', cgs: grid([''], 1, 12), pct: 25, first: true, sizes: [3, 3, 3, 3] },
    { name: '3 CGs, 1%: at least one per batch', cgs: grid(['1'], 1, 3), pct: 1, first: true, sizes: [1, 1, 1] },
    {
      name: 'unhealthy CGs go first, together, across pairs',
      cgs: grid(['1', '2', '3'], 2, 5, (c) => ({ healthy: !['z1f0-0', 'z2f1-3', 'z3f0-4'].includes(c.name) })),
      pct: 20,
      first: true,
      sizes: [3, 4, 5, 5, 4, 4, 5],
      firstPair: '*',
    },
    {
      name: 'unhealthy first exceeds the percent',
      cgs: grid(['1', '2'], 1, 10, (c) => ({ healthy: !c.name.endsWith('-1') && !c.name.endsWith('-2') && !c.name.endsWith('-3') })),
      pct: 10,
      first: true,
      sizes: [6, 2, 2, 2, 1, 2, 2, 2, 1],
      firstPair: '*',
    },
    {
      name: 'after the first batch, unhealthy CGs wait for their pair',
      cgs: grid(['1'], 2, 2, (c) => ({ healthy: c.name !== 'z1f1-1' })),
      pct: 50,
      first: false,
      sizes: [2, 2],
    },
    {
      name: 'updated CGs are skipped',
      cgs: grid(['1', '2'], 1, 4, (c) => ({ updated: c.zone === '1' })),
      pct: 50,
      first: false,
      sizes: [4],
    },
    { name: 'all updated: nothing to do', cgs: grid(['1'], 1, 4, () => ({ updated: true })), pct: 20, first: true, sizes: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planBatches(c.cgs, c.pct, c.first);
      expect(plan.map((b) => b.members.length)).to.deep.equal(c.sizes);
      const size = batchSize(c.cgs.length, c.pct);
      plan.forEach((b, i) => {
        if (i === 0 && c.firstPair === '*') {
          expect(b.pair).to.equal('*');
          expect(b.members.every((n) => !c.cgs.find((x) => x.name === n)!.healthy)).to.equal(true);
          return;
        }
        expect(b.members.length, `batch ${i} size`).to.be.at.most(size);
        expect(new Set(b.members.map(pairOfName)).size, `batch ${i} crosses a zone/FD pair`).to.equal(1);
      });
      const all = plan.flatMap((b) => b.members).sort();
      expect(all).to.deep.equal(
        c.cgs
          .filter((x) => !x.updated)
          .map((x) => x.name)
          .sort(),
      );
    });
  }

  it('batchSize is floor(total x pct), at least 1', () => {
    expect(batchSize(30, 20)).to.equal(6);
    expect(batchSize(1000, 20)).to.equal(200);
    expect(batchSize(7, 10)).to.equal(1);
    expect(batchSize(0, 20)).to.equal(1);
  });

  it('overPercent fails strictly above the limit', () => {
    expect(overPercent(6, 30, 20)).to.equal(false);
    expect(overPercent(7, 30, 20)).to.equal(true);
    expect(overPercent(1, 6, 20)).to.equal(false);
    expect(overPercent(2, 6, 20)).to.equal(true);
    expect(overPercent(0, 0, 0)).to.equal(false);
    expect(overPercent(1, 5, 0)).to.equal(true);
  });
});
