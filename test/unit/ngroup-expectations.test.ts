// Regression (chaos run, invariants converges / ngroup-desired-count): a replace batch whose delete
// of an old container group failed without an answer (a 500, or a write the lease fence held back)
// waited on its expectation and never looked again: the rolling update stayed InProgress with
// the NGroup over its count. A pass that holds back a call for an expectation now comes back
// when the expectation runs out, and a write the fence never sent expects nothing.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { NGroup } from '../../src/api/generated.js';
import { NotLeaderError } from '../../src/runtime/client.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { Expectations } from '../../controllers/shared/expectations.js';
import { EXPECT_MS, Pass, type NgCaches } from '../../controllers/ngroup/pass.js';
import type { Ctx } from '../../controllers/context.js';

const ng = { metadata: { name: 'ng1', namespace: 'rg' }, spec: {}, status: {} } as unknown as NGroup;
const pod = (name: string): V1Pod => ({ metadata: { name, namespace: 'rg', labels: { 'aksim.io/ngroup': 'ng1' } }, status: { phase: 'Running' } });

function world(deleteErr: unknown): { ctx: Ctx; c: NgCaches; clock: FakeClock } {
  const clock = new FakeClock();
  const pods = new Map([['rg/old', pod('old')]]);
  const c = {
    pods: { get: (k: string) => pods.get(k), byIndex: () => [...pods.values()] },
    creating: new Expectations(EXPECT_MS),
    deleting: new Expectations<true>(EXPECT_MS),
    nodesMade: new Set<string>(),
    healthChecked: new WeakSet(),
  } as unknown as NgCaches;
  const kube = { wrote: () => {}, core: { deleteNamespacedPod: async () => Promise.reject(deleteErr) } };
  const ctx = { clock, kube, log: pino({ level: 'silent' }), settings: { subscriptionId: 's' }, events: { emit: () => {} } } as unknown as Ctx;
  return { ctx, c, clock };
}

describe('NGroup passes and their expectations', () => {
  it('comes back when an unsure delete stops being trusted, and sends it again then', async () => {
    const { ctx, c, clock } = world(Object.assign(new Error('internal error'), { code: 500 }));
    const first = new Pass(ctx, c, ng, [pod('old')]);
    await first.deleteCg('old').catch(() => undefined);
    clock.advance(1000);
    const next = new Pass(ctx, c, ng, [pod('old')]);
    expect(next.expectsDelete('old')).to.equal(true);
    expect(next.requeueMs).to.be.within(3900, 4100); // the 5 s an unanswered call is trusted, less the second gone by
    clock.advance(4200);
    expect(new Pass(ctx, c, ng, [pod('old')]).expectsDelete('old')).to.equal(false);
  });

  it('expects nothing of a write the lease fence never sent', async () => {
    const { ctx, c } = world(new NotLeaderError('the leader lease ran out'));
    const p = new Pass(ctx, c, ng, [pod('old')]);
    const err = await p.deleteCg('old').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NotLeaderError);
    expect(new Pass(ctx, c, ng, [pod('old')]).expectsDelete('old')).to.equal(false);
  });
});
