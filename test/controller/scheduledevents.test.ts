// Controller tests of the scheduled events reconciler: a Freeze event is scheduled with its
// minimum notice, starts on approval, freezes the VM for its duration on the fake clock, and goes
// away, leaving the node condition VMEventScheduled False.
import { expect } from 'chai';
import type { ScheduledEvent, SimCluster, SimMachine } from '../../src/api/generated.js';
import { scheduledEventsController } from '../../controllers/scheduledevents/reconcile.js';
import { controllerEnv, create, eventually, reconcileUntil, type ControllerEnv } from '../support/controller.js';

describe('controller: scheduled events reconciler (fake clock)', function () {
  this.timeout(60_000);
  let env: ControllerEnv;
  const node = 'aks-np1-87654321-vmss000000';
  let key: string;

  before(async () => {
    env = await controllerEnv('ctl-events');
    const { ns, kube } = env;
    key = `${ns}/freeze1`;
    await create(kube, 'SimCluster', ns, {
      metadata: { name: 'c1' },
      spec: { location: 'eastus', kubernetesVersion: '1.34' },
    } as SimCluster);
    const spec = {
      clusterName: 'c1',
      poolName: 'np1',
      index: 0,
      vmSize: 'Standard_D2s_v3',
      osType: 'Linux',
      orchestratorVersion: '1.34.4',
      nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202511.03.0',
    };
    await create(kube, 'SimMachine', ns, { metadata: { name: node }, spec } as SimMachine);
    // A Node kwok leaves alone (kubelet stopped): this test owns its conditions.
    const labels = { 'aksim.io/cluster': 'c1', 'aksim.io/namespace': ns, 'aksim.io/pool': 'np1', 'aksim.io/kubelet': 'stopped' };
    await kube.core.createNode({ body: { metadata: { name: node, labels } } });
    await create(kube, 'ScheduledEvent', ns, {
      metadata: { name: 'freeze1' },
      spec: { eventType: 'Freeze', nodes: [node], durationInSeconds: 5 },
    } as ScheduledEvent);
    await eventually(
      'the objects in the caches',
      () => env.ctx.scheduledEvents.get(key) && env.ctx.machines.get(`${ns}/${node}`) && env.ctx.nodes.get(node),
    );
  });
  after(async () => env?.stop());

  it('schedules the event with its minimum notice and tells the VM and its Node', async () => {
    const { ctx, clock, ns } = env;
    clock.set(Date.parse(ctx.scheduledEvents.get(key)!.metadata.creationTimestamp as unknown as string));
    const r = env.reconciler(scheduledEventsController);
    await reconcileUntil(r, key, 'Scheduled', () => ctx.scheduledEvents.get(key)?.status?.eventStatus === 'Scheduled');
    const st = ctx.scheduledEvents.get(key)!.status!;
    // A Freeze gives 15 simulated minutes of notice: 15 real seconds at timeScale 60.
    expect(Date.parse(st.notBefore!) - clock.now()).to.equal(15_000);
    expect(st).to.include({ action: 'None' });
    expect(st.resources).to.deep.equal(['aks-np1-87654321-vmss_0']);
    expect(st.eventId).to.match(/^[0-9A-F-]{36}$/);
    await eventually('the incarnation', () => ctx.machines.get(`${ns}/${node}`)?.status?.eventsIncarnation === 1);
    await eventually('the node condition', () =>
      ctx.nodes
        .get(node)
        ?.status?.conditions?.some((c) => c.type === 'VMEventScheduled' && c.status === 'True' && c.reason === 'FreezeScheduled'),
    );
    // Before NotBefore and without approval it waits for NotBefore.
    expect((await r.reconcile(key))?.requeueAfterMs).to.equal(15_000);
  });

  it('starts on approval, freezes the VM for its duration, then completes and cleans up', async () => {
    const { ctx, clock, ns, kube } = env;
    const r = env.reconciler(scheduledEventsController);
    await kube.patch('ScheduledEvent', ns, 'freeze1', { spec: { approved: true } });
    await eventually('the approval in the cache', () => ctx.scheduledEvents.get(key)?.spec.approved);
    await reconcileUntil(r, key, 'Started', () => ctx.scheduledEvents.get(key)?.status?.eventStatus === 'Started');
    await reconcileUntil(r, key, 'the VM frozen', () =>
      Boolean(ctx.machines.get(`${ns}/${node}`)?.spec.faults?.some((f) => f.type === 'Frozen')),
    );
    const frozen = ctx.machines.get(`${ns}/${node}`)!.spec.faults!.find((f) => f.type === 'Frozen')!;
    // 5 simulated seconds: 83 real ms at timeScale 60.
    expect(Date.parse(frozen.until!) - Date.parse(frozen.since!)).to.be.closeTo(5000 / 60, 1);
    clock.advance(100);
    await reconcileUntil(r, key, 'deleting', () => Boolean(ctx.scheduledEvents.get(key)?.metadata.deletionTimestamp));
    await reconcileUntil(r, key, 'gone', () => !ctx.scheduledEvents.get(key));
    const cond = ctx.nodes.get(node)!.status!.conditions!.find((c) => c.type === 'VMEventScheduled')!;
    expect(cond).to.include({ status: 'False', reason: 'NoVMEventScheduled' });
    // Node events are in the default namespace (Nodes have none).
    const about = (await kube.eventsApi.listNamespacedEvent({ namespace: 'default' })).items
      .filter((e) => e.regarding?.name === node)
      .map((e) => e.reason);
    expect(about).to.include.members(['FreezeScheduled', 'FreezeStarted']);
  });
});
