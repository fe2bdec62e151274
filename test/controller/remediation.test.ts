// Controller tests of the auto-repair reconciler: a node NotReady for longer than the unhealthy
// window (on the fake clock) gets a reboot requested as aks-remediator, and the repair is recorded
// in the cluster's status first.
import { expect } from 'chai';
import type { SimCluster, SimMachine } from '../../src/api/generated.js';
import { remediationController } from '../../controllers/remediation/reconcile.js';
import { controllerEnv, create, eventually, reconcileUntil, type ControllerEnv } from '../support/controller.js';

describe('controller: auto-repair reconciler (fake clock)', function () {
  this.timeout(60_000);
  let env: ControllerEnv;
  const names = [0, 1, 2].map((i) => `aks-np1-11112222-vmss00000${i}`);
  const sick = names[0]!;
  let since: string;

  before(async () => {
    env = await controllerEnv('ctl-repair');
    const { ns, kube, clock } = env;
    await create(kube, 'SimCluster', ns, {
      metadata: { name: 'c1' },
      spec: { location: 'eastus', kubernetesVersion: '1.34' },
    } as SimCluster);
    // The sick node has been NotReady for 11 simulated minutes (11 real seconds at timeScale 60).
    since = new Date(clock.now() - 11_000).toISOString();
    const image = 'AKSUbuntu-2204gen2containerd-202511.03.0';
    for (const [i, name] of names.entries()) {
      const spec = {
        clusterName: 'c1',
        poolName: 'np1',
        index: i,
        vmSize: 'Standard_D2s_v3',
        osType: 'Linux',
        orchestratorVersion: '1.34.4',
        nodeImageVersion: image,
      };
      await create(kube, 'SimMachine', ns, { metadata: { name }, spec } as SimMachine);
      const ready =
        name === sick
          ? { status: 'False', reason: 'KubeletNotReady', message: 'x', lastTransitionTime: since }
          : { status: 'True', reason: 'KubeletReady', message: 'x', lastTransitionTime: since };
      const conditions = [{ type: 'NodeReady', ...ready }];
      await kube.patchStatus('SimMachine', ns, name, {
        phase: 'Running',
        provisionedTime: since,
        orchestratorVersion: '1.34.4',
        nodeImageVersion: image,
        conditions,
      });
      // Nodes kwok leaves alone (kubelet stopped): the test sets their Ready condition.
      const labels = { 'aksim.io/cluster': 'c1', 'aksim.io/namespace': ns, 'aksim.io/pool': 'np1', 'aksim.io/kubelet': 'stopped' };
      await kube.core.createNode({ body: { metadata: { name, labels } } });
      await kube.patchNodeStatus(name, { status: { conditions: [{ type: 'Ready', ...ready, lastHeartbeatTime: since }] } });
    }
    await eventually(
      'the objects in the caches',
      () =>
        env.ctx.machines.byIndex('cluster', `${ns}/c1`).filter((m) => m.status?.provisionedTime).length === 3 &&
        names.every((n) => env.ctx.nodes.get(n)?.status?.conditions?.length),
    );
  });
  after(async () => env?.stop());

  it('requests a reboot of a node NotReady for longer than the window, status first', async () => {
    const { ctx, ns } = env;
    const r = env.reconciler(remediationController);
    const key = `${ns}/c1`;
    const result = await reconcileUntil(r, key, 'a repair', () => (ctx.clusters.get(key)?.status?.autoRepair?.repairs?.length ?? 0) > 0);
    const repair = ctx.clusters.get(key)!.status!.autoRepair!.repairs![0]!;
    expect(repair).to.include({ node: sick, step: 'Reboot', phase: 'Acting', attempt: 1, requested: 1 });
    expect(ctx.clusters.get(key)!.status!.autoRepair).to.include({ unhealthyNodes: 1 });
    await eventually('the reboot request', () => ctx.machines.get(`${ns}/${sick}`)?.spec.rebootRequests === 1);
    expect(ctx.machines.get(`${ns}/${sick}`)!.spec.lastRequestedBy).to.equal('aks-remediator');
    // It looks again when the action would time out (30 simulated minutes), not before.
    expect(result?.requeueAfterMs).to.equal(30_000);
  });

  it('does nothing more while the reboot runs', async () => {
    const { ctx, ns } = env;
    const r = env.reconciler(remediationController);
    const before = ctx.clusters.get(`${ns}/c1`)!.metadata.resourceVersion;
    await r.reconcile(`${ns}/c1`);
    await new Promise((res) => setTimeout(res, 200));
    expect(ctx.clusters.get(`${ns}/c1`)!.metadata.resourceVersion).to.equal(before);
    expect(ctx.machines.get(`${ns}/${sick}`)!.spec.rebootRequests).to.equal(1);
  });
});
