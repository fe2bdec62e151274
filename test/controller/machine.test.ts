// Controller tests of the machine reconciler: a VM boots after the simulated boot time on the fake
// clock, its Node registers (kwok makes it Ready), the first boot is recorded; a reboot runs for its
// simulated time; deletion drains and removes the Node after the simulated delete time.
import { expect } from 'chai';
import type { SimCluster, SimMachine, SimNodePool } from '../../src/api/generated.js';
import { machineController } from '../../controllers/machine/reconcile.js';
import { bootSpread } from '../../controllers/machine/view.js';
import { controllerEnv, create, eventually, reconcileUntil, type ControllerEnv } from '../support/controller.js';

describe('controller: machine reconciler (fake clock)', function () {
  this.timeout(60_000);
  let env: ControllerEnv;
  const name = 'aks-np1-12345678-vmss000000';
  let key: string;
  // timeScale 60: the simulated PT1M boot is one real second, times the VM's spread.
  const bootMs = (): number => 1000 * bootSpread(name);

  before(async () => {
    env = await controllerEnv('ctl-machine');
    const { ns, kube } = env;
    key = `${ns}/${name}`;
    await create(kube, 'SimCluster', ns, {
      metadata: { name: 'c1' },
      spec: { location: 'eastus', kubernetesVersion: '1.34', agentPoolProfiles: [{ name: 'np1', mode: 'System' }] },
    } as SimCluster);
    await create(kube, 'SimNodePool', ns, {
      metadata: { name: 'c1-np1' },
      spec: { clusterName: 'c1', name: 'np1', count: 1 },
    } as SimNodePool);
    const spec = {
      clusterName: 'c1',
      poolName: 'np1',
      index: 0,
      vmSize: 'Standard_D2s_v3',
      osType: 'Linux',
      orchestratorVersion: '1.34.4',
      nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202511.03.0',
    };
    await create(kube, 'SimMachine', ns, {
      metadata: { name, finalizers: ['aksim.io/machine'], labels: { 'aksim.io/cluster': 'c1', 'aksim.io/pool': 'np1' } },
      spec,
    } as SimMachine);
    await eventually(
      'the objects in the caches',
      () => env.ctx.machines.get(key) && env.ctx.pools.get(`${ns}/c1-np1`) && env.ctx.clusters.get(`${ns}/c1`),
    );
  });
  after(async () => env?.stop());

  it('boots: waits the boot time on the clock, then registers the Node and records the first boot once Ready', async () => {
    const { ctx, clock } = env;
    const r = env.reconciler(machineController);
    // Simulated time starts when the VM was made.
    clock.set(Date.parse(ctx.machines.get(key)!.metadata.creationTimestamp as unknown as string));
    const waiting = await reconcileUntil(r, key, 'booting', () => ctx.machines.get(key)?.status?.powerState === 'Starting');
    expect(waiting?.requeueAfterMs).to.be.closeTo(bootMs(), 2);
    expect(ctx.nodes.get(name)).to.equal(undefined);
    for (const type of ['NodeReady', 'Ready'])
      expect(ctx.machines.get(key)!.status!.conditions!.find((c) => c.type === type)).to.include({
        status: 'False',
        reason: 'Booting',
      });
    clock.advance(bootMs());
    await reconcileUntil(r, key, 'the Node', () => Boolean(ctx.nodes.get(name)));
    const node = ctx.nodes.get(name)!;
    expect(node.metadata?.labels).to.include({
      'kubernetes.azure.com/agentpool': 'np1',
      'aksim.io/cluster': 'c1',
      'aksim.io/kubelet': 'running',
    });
    expect(node.status?.nodeInfo?.kubeletVersion).to.equal('v1.34.4');
    await eventually(
      'kwok to make the Node Ready',
      () => ctx.nodes.get(name)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      20_000,
    );
    await reconcileUntil(r, key, 'Running', () => ctx.machines.get(key)?.status?.phase === 'Running');
    const m = ctx.machines.get(key)!;
    expect(m.status).to.include({ orchestratorVersion: '1.34.4', powerState: 'Running', nodeName: name });
    expect(m.status?.provisionedTime).to.be.a('string');
    expect(m.status?.id).to.equal(node.spec?.providerID?.replace('azure://', ''));
    expect(m.status?.id).to.match(
      /^\/subscriptions\/[^/]+\/resourceGroups\/mc_[^/]+\/providers\/Microsoft.Compute\/virtualMachineScaleSets\/[^/]+\/virtualMachines\/\d+$/,
    );
    // Ready says what NodeReady says (kubectl wait --for=condition=Ready simmachine/...).
    for (const type of ['NodeReady', 'Ready'])
      expect(m.status?.conditions?.find((c) => c.type === type)).to.include({ status: 'True', reason: 'KubeletReady' });
  });

  it('reboots when asked: NotReady for one boot time on the clock, then back with a new boot id', async () => {
    const { ctx, clock, ns, kube } = env;
    const r = env.reconciler(machineController);
    const bootId = ctx.machines.get(key)!.status!.bootId;
    await kube.patch('SimMachine', ns, name, { spec: { rebootRequests: 1, lastRequestedBy: 'test' } });
    await eventually('the request in the cache', () => ctx.machines.get(key)?.spec.rebootRequests === 1);
    const running = await reconcileUntil(r, key, 'the action', () => ctx.machines.get(key)?.status?.action?.type === 'Reboot');
    expect(running?.requeueAfterMs).to.be.closeTo(bootMs(), 2);
    expect(ctx.machines.get(key)!.status?.action).to.include({ actor: 'test', request: 1 });
    await eventually(
      'the not-ready label on the Node',
      () => ctx.nodes.get(name)?.metadata?.labels?.['node-not-ready.stage.kwok.x-k8s.io'] === 'true',
    );
    clock.advance(bootMs());
    await reconcileUntil(r, key, 'the reboot done', () => ctx.machines.get(key)?.status?.reboots === 1);
    const m = ctx.machines.get(key)!;
    expect(m.status?.action).to.equal(undefined);
    expect(m.status?.lastAction).to.include({ type: 'Reboot', actor: 'test' });
    expect(m.status?.bootId).to.not.equal(bootId);
  });

  it('on deletion drains the Node, waits the delete time on the clock, then removes the Node and its finalizer', async () => {
    const { ctx, clock, ns, kube } = env;
    const r = env.reconciler(machineController);
    await kube.delete('SimMachine', ns, name);
    await eventually('the deletion in the cache', () => ctx.machines.get(key)?.metadata.deletionTimestamp);
    await reconcileUntil(r, key, 'cordoned', () => ctx.nodes.get(name)?.spec?.unschedulable === true);
    await reconcileUntil(
      r,
      key,
      'drained',
      () => ctx.machines.get(key)?.status?.conditions?.find((c) => c.type === 'Drained')?.status === 'True',
    );
    // The simulated PT30S delete time: half a real second at timeScale 60.
    const wait = await r.reconcile(key);
    expect(wait?.requeueAfterMs).to.be.within(1, 500);
    expect(ctx.nodes.get(name)).to.not.equal(undefined);
    clock.advance(500);
    await reconcileUntil(r, key, 'gone', () => !ctx.machines.get(key) && !ctx.nodes.get(name));
  });
});
