// Regressions found by the chaos run (invariants converges / ngroup-desired-count):
// - a replace batch whose delete of an old container group failed without an answer (a 500, or a
//   write the lease fence held back) waited on its expectation and never looked again: the
//   rolling update stayed InProgress with the NGroup over its count. A pass that holds back a call
//   for an expectation now comes back when the expectation runs out, and a write the fence never
//   sent expects nothing;
// - an NGroup pass whose status write met a 409 returned without a requeue, counting on a watch
//   event that may never come; a refused status write now requeues the key.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { NGroup } from '../../src/api/generated.js';
import { NotLeaderError } from '../../src/runtime/client.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { Expectations } from '../../controllers/shared/expectations.js';
import { EXPECT_MS, NgActor, type NgMemory } from '../../controllers/ngroup/act.js';
import type { NgPlan } from '../../controllers/ngroup/decide.js';
import { CONFLICT_RETRY_MS, ngroupController } from '../../controllers/ngroup/reconcile.js';
import type { Ctx } from '../../controllers/context.js';

const ng = { metadata: { name: 'ng1', namespace: 'rg', resourceVersion: '7' }, spec: {}, status: {} } as unknown as NGroup;
const plan = (writes: NgPlan['writes']): NgPlan => ({ nodes: [], writes, inLine: [], events: [], logs: [] });

function world(kube: object): { ctx: Ctx; mem: NgMemory; clock: FakeClock } {
  const clock = new FakeClock();
  const mem: NgMemory = {
    nodesMade: new Set(),
    creating: new Expectations(EXPECT_MS),
    deleting: new Expectations<true>(EXPECT_MS),
    healthChecked: new WeakSet(),
  };
  const events = { emit: () => {}, record: async () => {} };
  const ctx = {
    clock,
    kube,
    log: pino({ level: 'silent' }),
    settings: { subscriptionId: 's', systemNamespace: 'aksim-system' },
    events,
  } as unknown as Ctx;
  return { ctx, mem, clock };
}

describe('NGroup expectations and refused writes', () => {
  it('Expectations.nextExpiry gives when the first expectation stops being trusted', () => {
    const e = new Expectations<true>(30_000);
    expect(e.nextExpiry('o')).to.equal(undefined);
    e.expect('o', 'a', true, 1000);
    e.expect('o', 'b', true, 500);
    expect(e.nextExpiry('o')).to.equal(30_500);
    e.forget('o', 'b');
    expect(e.nextExpiry('o')).to.equal(31_000);
  });

  it('trusts a delete that failed without an answer only a few seconds', async () => {
    const { ctx, mem, clock } = world({ deletePod: async () => Promise.reject(Object.assign(new Error('internal error'), { code: 500 })) });
    clock.advance(10_000);
    const err = await new NgActor(ctx, mem).run('rg/ng1', ng, plan([{ do: 'delete', name: 'old' }])).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect(mem.deleting.has('rg/ng1', 'old')).to.equal(true);
    expect(mem.deleting.nextExpiry('rg/ng1')! - clock.now()).to.be.within(4900, 5000);
  });

  it('expects nothing of a write the lease fence never sent', async () => {
    const { ctx, mem } = world({ deletePod: async () => Promise.reject(new NotLeaderError('the leader lease ran out')) });
    const err = await new NgActor(ctx, mem).run('rg/ng1', ng, plan([{ do: 'delete', name: 'old' }])).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NotLeaderError);
    expect(mem.deleting.has('rg/ng1', 'old')).to.equal(false);
  });

  it('comes back by itself after a status write met a conflict', async () => {
    const conflict = Object.assign(new Error('the object has been modified'), { code: 409 });
    const writes: string[] = [];
    const kube = {
      createNode: async () => ({}),
      patchStatus: async (kind: string) => {
        writes.push(`patch-status ${kind}`);
        return Promise.reject(conflict);
      },
    };
    const { ctx } = world(kube);
    const live = {
      metadata: { ...ng.metadata, generation: 1, finalizers: ['aksim.io/ngroup'] },
      spec: { location: 'westeurope', elasticProfile: { desiredCount: 0 } },
      status: {},
    } as unknown as NGroup;
    const none = { get: () => undefined, byIndex: (): V1Pod[] => [], list: (): V1Pod[] => [] };
    Object.assign(ctx, { ngroups: { ...none, get: (k: string) => (k === 'rg/ng1' ? live : undefined) }, cgPods: none, profiles: none });
    const r = await ngroupController.reconciler(ctx).reconcile('rg/ng1');
    expect(writes).to.include('patch-status NGroup');
    expect(r).to.deep.equal({ requeueAfterMs: CONFLICT_RETRY_MS });
  });
});
