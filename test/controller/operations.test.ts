// Controller tests of the operation driver through its two kinds: the cluster reconciler (a
// Create operation that applies its profiles to pools) and the node pool reconciler (a Create
// operation that makes machines; a refused spec; abort with its grace period on the fake clock;
// deletion as a Delete operation). No operator runs: the test calls reconcile and steps time.
import { expect } from 'chai';
import type { SimCluster, SimNodePool, SimOperation } from '../../src/api/generated.js';
import { clusterController } from '../../controllers/cluster/reconcile.js';
import { nodepoolController } from '../../controllers/nodepool/reconcile.js';
import { ABORT_ANNOTATION } from '../../src/model/names.js';
import { CANCEL_GRACE_MS } from '../../src/model/operations.js';
import { controllerEnv, create, eventReasons, eventually, reconcileUntil, type ControllerEnv } from '../support/controller.js';

describe('controller: operations (cluster and node pool reconcilers, fake clock)', function () {
  this.timeout(60_000);
  let env: ControllerEnv;
  before(async () => {
    env = await controllerEnv('ctl-ops');
  });
  after(async () => env?.stop());

  const cluster = (name: string, profiles: object[]): SimCluster =>
    ({ metadata: { name }, spec: { location: 'eastus', kubernetesVersion: '1.34', agentPoolProfiles: profiles } }) as SimCluster;
  const opOf = (o: { status?: { currentOperation?: { name?: string } } } | undefined): SimOperation | undefined =>
    env.ctx.operations.get(`${env.ns}/${o?.status?.currentOperation?.name}`);

  it('a new cluster runs a Create operation that applies its profiles to node pools', async () => {
    const { ctx, ns } = env;
    await create(env.kube, 'SimCluster', ns, cluster('c1', [{ name: 'np1', count: 2, mode: 'System', availabilityZones: ['1', '2'] }]));
    const key = `${ns}/c1`;
    const r = env.reconciler(clusterController);
    await eventually('the cluster in the cache', () => ctx.clusters.get(key));
    await reconcileUntil(r, key, 'an operation', () => Boolean(ctx.clusters.get(key)?.status?.currentOperation));
    const c = ctx.clusters.get(key)!;
    expect(c.metadata.finalizers).to.include('aksim.io/cluster');
    expect(c.status).to.include({ provisioningState: 'Creating', currentKubernetesVersion: '1.34.4', lastOperationGeneration: 1 });
    expect(c.status!.currentOperation).to.include({ type: 'Create', state: 'Creating', stepsTotal: 1 });
    const op = await eventually('the operation record', () => opOf(c));
    expect(op.status).to.include({ status: 'InProgress', percentComplete: 0, stepsTotal: 1 });
    expect(op.spec).to.include({ targetKind: 'SimCluster', targetName: 'c1', type: 'Create' });
    await reconcileUntil(r, key, 'the pool applied', () => Boolean(ctx.pools.get(`${ns}/c1-np1`)));
    const pool = ctx.pools.get(`${ns}/c1-np1`)!;
    expect(pool.spec).to.include({ clusterName: 'c1', name: 'np1', count: 2 });
    expect(pool.metadata.ownerReferences?.[0]).to.include({ kind: 'SimCluster', name: 'c1' });
    expect(await eventReasons(env.kube, ns)).to.include('Creating');
  });

  it('a new pool runs a Create operation that makes its machines, zone-balanced with AKS names', async () => {
    const { ctx, ns } = env;
    const key = `${ns}/c1-np1`;
    const r = env.reconciler(nodepoolController);
    await reconcileUntil(r, key, 'an operation', () => ctx.pools.get(key)?.status?.currentOperation?.type === 'Create');
    const pool = ctx.pools.get(key)!;
    expect(pool.status?.target).to.deep.include({ count: 2, orchestratorVersion: '1.34.4' });
    expect(pool.status?.currentOperation).to.include({ stepsTotal: 2, startCount: 0 });
    await reconcileUntil(r, key, 'two machines', () => ctx.machines.byIndex('pool', `${ns}/c1/np1`).length === 2);
    const machines = ctx.machines.byIndex('pool', `${ns}/c1/np1`).sort((a, b) => a.spec.index - b.spec.index);
    expect(machines.map((m) => m.metadata.name)).to.satisfy((names: string[]) =>
      names.every((n) => /^aks-np1-\d{8}-vmss00000[01]$/.test(n)),
    );
    expect(machines.map((m) => m.spec.zone)).to.deep.equal(['1', '2']);
    expect(machines[0]!.metadata.finalizers).to.deep.equal(['aksim.io/machine']);
    expect(machines[0]!.spec).to.include({ orchestratorVersion: '1.34.4', osSKU: 'Ubuntu' });
    // Nothing more to create: a second pass makes no machine twice (the cache shows them).
    await r.reconcile(key);
    expect(ctx.machines.byIndex('pool', `${ns}/c1/np1`)).to.have.length(2);
  });

  it('a spec it cannot act on is refused with a Ready=False condition and one Warning event', async () => {
    const { ctx, ns } = env;
    await create(env.kube, 'SimNodePool', ns, {
      metadata: { name: 'c1-bad' },
      spec: { clusterName: 'c1', name: 'bad', count: 1, orchestratorVersion: '1.29' },
    } as SimNodePool);
    const key = `${ns}/c1-bad`;
    const r = env.reconciler(nodepoolController);
    await eventually('the pool in the cache', () => ctx.pools.get(key));
    await reconcileUntil(r, key, 'the refusal', () => Boolean(ctx.pools.get(key)?.status?.conditions?.length));
    const ready = ctx.pools.get(key)!.status!.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).to.include({ status: 'False', reason: 'VersionNotSupported', message: 'Kubernetes version 1.29 is not supported' });
    expect(ctx.pools.get(key)!.status?.currentOperation).to.equal(undefined);
    await r.reconcile(key);
    expect((await eventReasons(env.kube, ns)).filter((x) => x === 'VersionNotSupported')).to.have.length(1);
  });

  it('an abort goes Canceling at once and Canceled once the grace period has passed on the clock', async () => {
    const { ctx, ns, clock } = env;
    const key = `${ns}/c1-np1`;
    const r = env.reconciler(nodepoolController);
    const cur = ctx.pools.get(key)!.status!.currentOperation!;
    await env.kube.patch('SimNodePool', ns, 'c1-np1', { metadata: { annotations: { [ABORT_ANNOTATION]: cur.operationId } } });
    await eventually('the annotation in the cache', () => ctx.pools.get(key)?.metadata.annotations?.[ABORT_ANNOTATION]);
    const first = await reconcileUntil(r, key, 'Canceling', () => ctx.pools.get(key)?.status?.provisioningState === 'Canceling');
    expect(first).to.deep.equal({ requeueAfterMs: CANCEL_GRACE_MS });
    expect(await eventually('the record Canceling', () => opOf(ctx.pools.get(key))?.status?.status === 'Canceling')).to.equal(true);
    // Within the grace period nothing more happens; after it, Canceled.
    expect((await r.reconcile(key))?.requeueAfterMs).to.be.greaterThan(0);
    clock.advance(CANCEL_GRACE_MS);
    await reconcileUntil(r, key, 'Canceled', () => ctx.pools.get(key)?.status?.provisioningState === 'Canceled');
    const op = await eventually(
      'the record Canceled',
      () => ctx.operations.get(`${ns}/${cur.name}`)?.status?.status === 'Canceled' && ctx.operations.get(`${ns}/${cur.name}`),
    );
    expect(op.status?.error).to.include({ code: 'OperationCanceled' });
    expect(ctx.pools.get(key)!.status?.currentOperation).to.equal(undefined);
  });

  it('a deleted pool runs a Delete operation that removes its machines first', async () => {
    const { ctx, ns } = env;
    const key = `${ns}/c1-np1`;
    const r = env.reconciler(nodepoolController);
    await env.kube.delete('SimNodePool', ns, 'c1-np1');
    await eventually('the deletion in the cache', () => ctx.pools.get(key)?.metadata.deletionTimestamp);
    await reconcileUntil(r, key, 'a Delete operation', () => ctx.pools.get(key)?.status?.currentOperation?.type === 'Delete');
    expect(ctx.pools.get(key)!.status).to.include({ provisioningState: 'Deleting' });
    await reconcileUntil(r, key, 'machines deleting', () =>
      ctx.machines.byIndex('pool', `${ns}/c1/np1`).every((m) => m.metadata.deletionTimestamp),
    );
    // The machines keep their finalizer (no machine controller here): the pool waits for them.
    expect(ctx.pools.get(key)!.metadata.finalizers).to.include('aksim.io/nodepool');
  });
});
