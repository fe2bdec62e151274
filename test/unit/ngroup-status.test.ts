// Which NGroup status changes may wait (count-only roll-ups), and the bounded call runner the
// NGroup passes use (controllers/ngroup/status.ts countsOnly, controllers/ngroup/act.ts runAll).
import { expect } from 'chai';
import type { NGroupStatus } from '../../src/api/generated.js';
import { runAll, settleAll } from '../../controllers/ngroup/act.js';
import { countsOnly } from '../../controllers/ngroup/status.js';

function status(
  o: { healthy?: number; batch?: number; phase?: string; state?: string; reason?: string; succeeded?: number } = {},
): NGroupStatus {
  const healthy = o.healthy ?? 10;
  return {
    provisioningState: 'Updating',
    containerGroupCount: 12,
    healthyCount: healthy,
    unhealthyCount: 12 - healthy,
    updatedCount: 4,
    latestRollingUpdate: {
      id: 1,
      state: o.state ?? 'InProgress',
      progress: '1/6',
      batchesCompleted: 1,
      totalBatches: 6,
      succeededCount: o.succeeded ?? 4,
      failedCount: 0,
      pendingCount: 8,
      currentBatch: { index: o.batch ?? 1, phase: o.phase ?? 'Updating', members: ['a', 'b'], replacements: ['c', 'd'] },
    },
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: o.reason ?? 'Updating',
        message: `${healthy}/12 container groups healthy`,
        lastTransitionTime: 't0',
        observedGeneration: 1,
      },
    ],
  } as NGroupStatus;
}

describe('ngroup/status countsOnly', () => {
  const cases: { name: string; prev: NGroupStatus | undefined; next: NGroupStatus; want: boolean }[] = [
    { name: 'nothing changed', prev: status(), next: status(), want: true },
    { name: 'healthy count and the Ready message quoting it', prev: status(), next: status({ healthy: 11 }), want: true },
    { name: "the update's succeeded count", prev: status(), next: status({ succeeded: 5 }), want: true },
    { name: 'a new batch', prev: status(), next: status({ batch: 2 }), want: false },
    { name: 'a phase change', prev: status(), next: status({ phase: 'Pausing' }), want: false },
    { name: 'the update ends', prev: status(), next: status({ state: 'Succeeded' }), want: false },
    { name: 'a condition reason', prev: status(), next: status({ reason: 'MaxUnhealthyPercentExceeded' }), want: false },
    { name: 'no status yet', prev: undefined, next: status(), want: false },
  ];
  for (const c of cases)
    it(`${c.name}: ${c.want ? 'may wait' : 'written at once'}`, () => expect(countsOnly(c.prev, c.next)).to.equal(c.want));

  it('does not change its arguments', () => {
    const prev = status();
    const next = status({ healthy: 11 });
    countsOnly(prev, next);
    expect(prev).to.deep.equal(status());
    expect(next).to.deep.equal(status({ healthy: 11 }));
  });
});

describe('ngroup/pass runAll', () => {
  it('runs every call in order, never more than width at once', async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const calls = Array.from({ length: 20 }, (_, i) => async () => {
      started.push(i);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 1 + (i % 3)));
      inFlight--;
    });
    await runAll(calls, 4);
    expect(started).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
    expect(most).to.equal(4);
  });

  it('finishes the other calls before reporting the first failure', async () => {
    const done: number[] = [];
    const calls = Array.from({ length: 10 }, (_, i) => async () => {
      await new Promise((r) => setTimeout(r, 1));
      if (i === 2 || i === 5) throw new Error(`call ${i} failed`);
      done.push(i);
    });
    let caught: unknown;
    await runAll(calls, 3).catch((err: unknown) => (caught = err));
    expect((caught as Error).message).to.equal('call 2 failed');
    expect(done.sort((a, b) => a - b)).to.deep.equal([0, 1, 3, 4, 6, 7, 8, 9]);
  });

  it('settleAll waits for every promise before rejecting', async () => {
    let slowDone = false;
    const slow = new Promise<void>((r) => setTimeout(() => ((slowDone = true), r()), 20));
    let caught: unknown;
    await settleAll([Promise.reject(new Error('fast failure')), slow]).catch((err: unknown) => (caught = err));
    expect((caught as Error).message).to.equal('fast failure');
    expect(slowDone).to.equal(true);
  });

  it('no calls: resolves', async () => {
    await runAll([]);
  });
});
