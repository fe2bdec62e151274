// Regression (chaos run, invariant converges): an NGroup pass whose status write met a 409 returned
// without a requeue, counting on the newer version's watch event to bring the key back; with no
// such event (a conflict with no newer version behind it, or a cut watch) the rolling update
// stayed Pausing for good. A refused status write now requeues the key.
import { expect } from 'chai';
import { pino } from 'pino';
import type { NGroup } from '../../src/api/generated.js';
import { FakeClock } from '../../src/runtime/clock.js';
import type { Ctx } from '../../controllers/context.js';
import { CONFLICT_RETRY_MS, FINALIZER, ngroupController } from '../../controllers/ngroup/reconcile.js';

describe('NGroup reconcile after a refused status write', () => {
  it('comes back by itself', async () => {
    const conflict = Object.assign(new Error('the object has been modified'), { code: 409 });
    const writes: string[] = [];
    const ctx = {
      clock: new FakeClock(),
      log: pino({ level: 'silent' }),
      settings: { subscriptionId: 's', systemNamespace: 'aksim-system' },
      events: { emit: () => {} },
      kube: {
        wrote: (verb: string, what: string) => writes.push(`${verb} ${what}`),
        core: { createNode: async () => ({}), readNamespacedConfigMap: async () => Promise.reject(Object.assign(new Error('nf'), { code: 404 })) },
        custom: { patchNamespacedCustomObjectStatus: async () => Promise.reject(conflict) },
      },
    } as unknown as Ctx;
    const caches = ngroupController.caches!(ctx) as unknown as { store: Map<string, unknown> }[];
    const ng = { metadata: { name: 'ng1', namespace: 'rg', resourceVersion: '7', generation: 1, finalizers: [FINALIZER] }, spec: { location: 'westeurope', elasticProfile: { desiredCount: 0 } }, status: {} } as unknown as NGroup;
    caches[0]!.store.set('rg/ng1', ng);
    const r = await ngroupController.reconciler(ctx).reconcile('rg/ng1');
    expect(writes).to.include('patch-status NGroup');
    expect(r).to.deep.equal({ requeueAfterMs: CONFLICT_RETRY_MS });
  });
});
