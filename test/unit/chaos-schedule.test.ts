// The chaos run's seeded parts: the fault schedule, the fuzz inputs and the report's statistics.
import { expect } from 'chai';
import { Rng } from '../../src/chaos/random.js';
import { describeFault, FAULT_KINDS, kindSequence, planFaults, RESTART_EVERY, restartWait } from '../../src/chaos/schedule.js';
import { armPoolBody, poolSpecPatch, sample, unclear } from '../../src/chaos/fuzz-inputs.js';
import { percentile, settleAwayFromRestarts, slowSettles, stats, summarize, table } from '../../src/chaos/report.js';

describe('chaos schedule', () => {
  const o = { rounds: 20, maxDelayMs: 3000, kinds: FAULT_KINDS };

  it('is the same for the same seed and scenario, and differs for another seed or scenario', () => {
    expect(planFaults(42, 'scale', o)).to.deep.equal(planFaults(42, 'scale', o));
    expect(planFaults(43, 'scale', o)).to.not.deep.equal(planFaults(42, 'scale', o));
    expect(planFaults(42, 'repair', o)).to.not.deep.equal(planFaults(42, 'scale', o));
  });

  it('runs one kind sequence over the whole run: four scenarios of three rounds see every kind, one kube-apiserver restart', () => {
    const kinds = [0, 1, 2, 3].flatMap((i) =>
      planFaults(11, `s${i}`, { rounds: 3, maxDelayMs: 1000, kinds: FAULT_KINDS, offset: i * 3 }).map((f) => f.kind),
    );
    expect(kinds).to.deep.equal(kindSequence(11, FAULT_KINDS, 12));
    expect(kinds.filter((x) => x === 'apiserver-restart')).to.have.length(1);
    for (const k of FAULT_KINDS) expect(kinds.filter((x) => x === k).length).to.be.within(1, 3);
  });

  it('gives a run of 12 faults (the CI profile) every kind, a kube-apiserver restart among them, whatever the seed', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const seq = kindSequence(seed, FAULT_KINDS, 12);
      for (const k of FAULT_KINDS) expect(seq, `seed ${seed}`).to.include(k);
    }
  });

  it('keeps kube-apiserver restarts one per block, at least half a block apart, and the other kinds evenly shared', () => {
    for (const seed of [1, 2, 3, 42, 1658227843]) {
      const seq = kindSequence(seed, FAULT_KINDS, 160);
      expect(seq).to.have.length(160);
      const at = seq.flatMap((k, i) => (k === 'apiserver-restart' ? [i] : []));
      expect(at.length).to.be.within(Math.floor(160 / RESTART_EVERY), Math.ceil(160 / RESTART_EVERY));
      expect(kindSequence(seed, FAULT_KINDS, 40)).to.deep.equal(seq.slice(0, 40));
      at.forEach((slot, b) => expect(Math.floor(slot / RESTART_EVERY)).to.equal(b));
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).to.be.at.least(RESTART_EVERY / 2);
      const counts = FAULT_KINDS.filter((k) => k !== 'apiserver-restart').map((k) => seq.filter((x) => x === k).length);
      expect(Math.max(...counts) - Math.min(...counts)).to.be.at.most(1);
    }
    // Without restarts among the kinds, plain cycles as before.
    const seq = kindSequence(5, ['watch-cut', 'clock-jump'], 6);
    expect(seq.filter((k) => k === 'watch-cut')).to.have.length(3);
  });

  it('waits before a restart round only as long as the spacing asks', () => {
    expect(restartWait(100_000, 150_000, 10_000, 120_000)).to.equal(60_000);
    expect(restartWait(100_000, 250_000, 0, 120_000)).to.equal(0);
    expect(restartWait(100_000, 215_000, 5_000, 120_000)).to.equal(0);
  });

  it('gives every kind its share, within the bounds the issue sets', () => {
    const plan = planFaults(7, 'scale', o);
    expect(plan).to.have.length(20);
    for (const k of FAULT_KINDS)
      expect(plan.filter((f) => f.kind === k).length).to.be.within(k === 'apiserver-restart' ? 1 : 3, k === 'apiserver-restart' ? 2 : 4);
    for (const f of plan) {
      expect(f.delayMs).to.be.within(0, 3000);
      for (const ms of f.restartAfterMs) expect(ms).to.be.within(0, 5000);
      expect(f.burstRate).to.be.within(0.2, 0.6);
      expect(f.jumpSimMs % 60_000).to.equal(0);
    }
    expect(describeFault({ ...plan[0]!, kind: 'clock-jump', jumpSimMs: 600_000 }, 60)).to.equal('simulation clock +10 min (10.0 s real)');
  });

  it('draws from independent streams per label', () => {
    const a = new Rng(1, 'x');
    const b = new Rng(1, 'x');
    expect([a.next(), a.int(1, 6), a.pick(['p', 'q'])]).to.deep.equal([b.next(), b.int(1, 6), b.pick(['p', 'q'])]);
    expect(new Rng(1, 'y').next()).to.not.equal(new Rng(1, 'x').next());
  });
});

describe('chaos fuzz inputs', () => {
  it('are the same for the same seed and keep valid counts small', () => {
    expect(sample(poolSpecPatch, 5, 30)).to.deep.equal(sample(poolSpecPatch, 5, 30));
    expect(sample(armPoolBody, 5, 30)).to.deep.equal(sample(armPoolBody, 5, 30));
    for (const p of sample(poolSpecPatch, 9, 200)) {
      const c = (p as { count?: unknown }).count;
      if (Number.isInteger(c) && (c as number) >= 0) expect(c as number).to.satisfy((n: number) => n <= 3 || n > 1000);
    }
  });

  it('calls a refusal clear only when it reads as one', () => {
    expect(
      unclear('The SimNodePool "c-p" is invalid: spec.count: Invalid value: -1: spec.count in body should be greater than or equal to 0'),
    ).to.equal(undefined);
    expect(unclear('')).to.equal('an empty message');
    expect(unclear("TypeError: Cannot read properties of undefined (reading 'x')")).to.match(/TypeError/);
    expect(unclear('failed: [object Object]')).to.match(/object Object/);
    expect(unclear('boom\n    at Foo.bar (/x/y.js:1:2)')).to.equal('a stack trace');
  });
});

describe('chaos report', () => {
  it('takes nearest-rank percentiles and sums faults per kind', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).to.equal(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).to.equal(5);
    expect(stats([1000, 3000, 2000])).to.deep.equal({ count: 3, medianS: 2, p95S: 3, maxS: 3 });
    const base = { scenario: 's', round: 0, planned: '', detail: '', action: '', injectedAt: 0, endedAt: 0 };
    const r = summarize({
      seed: 1,
      profile: 'ci',
      replay: 'aksim chaos --seed 1',
      started: 0,
      ended: 60_000,
      timeScale: 60,
      errorRate: 0.02,
      logDir: '/tmp/x',
      records: 10,
      invariants: ['a', 'b', 'a'],
      violations: [{ invariant: 'a', t: 5, message: 'm' }],
      unjudged: [],
      gaps: 0,
      faults: [
        { ...base, kind: 'watch-cut', convergedMs: 1000 },
        { ...base, kind: 'watch-cut', convergedMs: 3000 },
        { ...base, kind: 'apiserver-restart', skipped: 'not embedded' },
      ],
      scenarios: [{ name: 's', namespace: 'n', rounds: 3, faults: 2 }],
      injected: { 429: 1, 500: 2, 409: 0, after: 1, writes: 100 },
      actionErrors: [],
      operatorStarts: 2,
      componentsRevived: [],
      surfaceRetries: 0,
      recorderRestarts: 0,
      fuzz: [],
      restartSpacing: { minS: 120, waitsMs: [20_000, 5_500] },
    });
    expect(r.faultsByKind['watch-cut']).to.deep.equal({ injected: 2, skipped: 0, settle: { count: 2, medianS: 1, p95S: 3, maxS: 3 } });
    expect(r.faultsByKind['apiserver-restart']!.skipped).to.equal(1);
    expect(r.invariantsChecked).to.deep.equal(['a', 'b']);
    expect(r.violations[0]).to.include({ invariant: 'a', seed: 1, replay: 'aksim chaos --seed 1' });
    expect(r.goal.met).to.equal(false);
    expect(table(r)).to.include('| watch-cut | 2 | 0 | 1 s | 3 s | 3 s |');
    expect(r.restartSpacing).to.deep.equal({ minS: 120, waits: 2, waitedS: 25.5 });
  });

  it('names the rounds slower than the goal with the time since the last kube-apiserver restart', () => {
    const base = { scenario: 's', planned: '', detail: '', action: '', injectedAt: 0 };
    const faults = [
      { ...base, round: 0, kind: 'watch-cut' as const, endedAt: 1_000, convergedMs: 20_000 },
      { ...base, round: 1, kind: 'apiserver-restart' as const, endedAt: 10_000, convergedMs: 2_000 },
      { ...base, round: 2, kind: 'leader-kill' as const, endedAt: 40_000, convergedMs: 90_000 },
      { ...base, round: 3, kind: 'clock-jump' as const, endedAt: 300_000, convergedMs: 3_000 },
      { ...base, round: 4, kind: 'apiserver-restart' as const, endedAt: 310_000, skipped: 'not embedded' },
    ];
    expect(slowSettles(faults)).to.deep.equal([
      { scenario: 's', round: 2, kind: 'leader-kill', settleS: 90, afterApiserverRestartS: 30 },
      { scenario: 's', round: 0, kind: 'watch-cut', settleS: 20, afterApiserverRestartS: undefined },
    ]);
    // Away from restarts: round 0 (none before) and round 3 (290 s after); the restart's own round is in its shadow.
    expect(settleAwayFromRestarts(faults)).to.deep.equal({ count: 2, medianS: 3, p95S: 20, maxS: 20 });
  });
});
