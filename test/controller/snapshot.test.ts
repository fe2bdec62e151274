// Controller tests of the snapshot reconciler: a snapshot captures its source pool once, and one
// of a pool that does not exist ends Failed with the rule named.
import { expect } from 'chai';
import type { NodePoolSnapshot, SimCluster, SimNodePool } from '../../src/api/generated.js';
import { agentPoolId } from '../../src/azure/ids.js';
import { snapshotController } from '../../controllers/snapshot/reconcile.js';
import { controllerEnv, create, eventReasons, eventually, reconcileUntil, type ControllerEnv } from '../support/controller.js';

describe('controller: snapshot reconciler', function () {
  this.timeout(60_000);
  let env: ControllerEnv;

  before(async () => {
    env = await controllerEnv('ctl-snap');
    const { ns, kube } = env;
    await create(kube, 'SimCluster', ns, {
      metadata: { name: 'c1' },
      spec: { location: 'westeurope', kubernetesVersion: '1.34' },
    } as SimCluster);
    await create(kube, 'SimNodePool', ns, {
      metadata: { name: 'c1-np1' },
      spec: { clusterName: 'c1', name: 'np1', count: 1, vmSize: 'Standard_D4s_v3' },
    } as SimNodePool);
    await kube.patchStatus('SimNodePool', ns, 'c1-np1', {
      provisioningState: 'Succeeded',
      currentOrchestratorVersion: '1.34.4',
      nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202511.03.0',
    });
    await eventually('the pool in the cache', () => env.ctx.pools.get(`${ns}/c1-np1`)?.status?.nodeImageVersion);
  });
  after(async () => env?.stop());

  it('captures the source pool once', async () => {
    const { ctx, ns, kube } = env;
    const src = agentPoolId(ctx.settings.subscriptionId, ns, 'c1', 'np1');
    await create(kube, 'NodePoolSnapshot', ns, {
      metadata: { name: 'snap1' },
      spec: { creationData: { sourceResourceId: src } },
    } as NodePoolSnapshot);
    const key = `${ns}/snap1`;
    await eventually('the snapshot in the cache', () => ctx.snapshots.get(key));
    const r = env.reconciler(snapshotController);
    await reconcileUntil(r, key, 'captured', () => ctx.snapshots.get(key)?.status?.provisioningState === 'Succeeded');
    expect(ctx.snapshots.get(key)!.status).to.include({
      kubernetesVersion: '1.34.4',
      nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202511.03.0',
      vmSize: 'Standard_D4s_v3',
      osSku: 'Ubuntu',
      location: 'westeurope',
    });
    expect(await eventReasons(kube, ns)).to.include('Captured');
  });

  it('fails a snapshot of a pool that does not exist, naming why', async () => {
    const { ctx, ns, kube } = env;
    const src = agentPoolId(ctx.settings.subscriptionId, ns, 'c1', 'nope');
    await create(kube, 'NodePoolSnapshot', ns, {
      metadata: { name: 'snap2' },
      spec: { creationData: { sourceResourceId: src } },
    } as NodePoolSnapshot);
    const key = `${ns}/snap2`;
    await eventually('the snapshot in the cache', () => ctx.snapshots.get(key));
    await reconcileUntil(
      env.reconciler(snapshotController),
      key,
      'failed',
      () => ctx.snapshots.get(key)?.status?.provisioningState === 'Failed',
    );
    expect(ctx.snapshots.get(key)!.status!.conditions![0]).to.include({ type: 'Ready', status: 'False', reason: 'SourceNotFound' });
  });
});
