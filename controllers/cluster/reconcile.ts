// SimCluster reconciler: applies agentPoolProfiles to SimNodePools when the cluster's generation
// changes, rolls pool state up into the cluster status, and on deletion removes every pool first.
import type { SimCluster, SimNodePool, SimNodePoolSpec } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { clusterKeyOf, FINALIZERS, LABELS, splitKey, type ControllerDef, type Ctx } from '../context.js';
import { addFinalizer, hasFinalizer, removeFinalizer, writeStatus } from '../shared/objects.js';
import { clusterStatus } from './status.js';

const FIELD_MANAGER = 'aksim-cluster-profiles';

export const clusterController: ControllerDef = {
  name: 'cluster',
  reconciler: (ctx) => new ClusterReconciler(ctx),
  watch(ctx, enqueue) {
    ctx.clusters.on({ add: (c) => enqueue(key(c)), update: (_o, c) => enqueue(key(c)), delete: (c) => enqueue(key(c)) });
    const fromPool = (p: SimNodePool): void => enqueue(clusterKeyOf(p.metadata.namespace!, p.spec.clusterName));
    ctx.pools.on({ add: fromPool, update: (_o, p) => fromPool(p), delete: fromPool });
  },
};

const key = (c: SimCluster): string => clusterKeyOf(c.metadata.namespace!, c.metadata.name!);

class ClusterReconciler implements Reconciler {
  readonly name = 'cluster';
  constructor(private readonly ctx: Ctx) {}

  async reconcile(k: string): Promise<Result> {
    const { ctx } = this;
    const cluster = ctx.clusters.get(k);
    if (!cluster) return;
    const [ns, name] = splitKey(k);
    const pools = ctx.pools.byIndex('cluster', k);
    if (cluster.metadata.deletionTimestamp) return this.finalize(cluster, pools);
    if (!hasFinalizer(cluster, FINALIZERS.cluster)) {
      await addFinalizer(ctx.kube, 'SimCluster', cluster, FINALIZERS.cluster);
      return;
    }
    const gen = cluster.metadata.generation ?? 0;
    let applied = cluster.status?.profilesAppliedGeneration ?? 0;
    if (applied < gen) {
      await this.applyProfiles(cluster, ns, name);
      applied = gen;
      ctx.events.emit(cluster, {
        type: 'Normal',
        reason: gen === 1 ? 'Creating' : 'Updating',
        note: `Applied ${cluster.spec.agentPoolProfiles?.length ?? 0} agent pool profiles of generation ${gen}`,
        controller: 'aksim.io/cluster',
      });
    }
    const view = { ...cluster, status: { ...cluster.status, profilesAppliedGeneration: applied } };
    const next = clusterStatus({ cluster: view, pools, subscriptionId: ctx.settings.subscriptionId, nowIso: new Date(ctx.clock.now()).toISOString() });
    const before = cluster.status?.provisioningState;
    await writeStatus(ctx.kube, 'SimCluster', cluster, next);
    if (before !== next.provisioningState && next.provisioningState === 'Succeeded') {
      ctx.events.emit(cluster, { type: 'Normal', reason: 'Succeeded', note: `Cluster ${name} is ready with ${next.totalNodes} nodes`, controller: 'aksim.io/cluster' });
    }
  }

  /** Server-side apply of each profile to its pool, owned by the cluster so deletion cascades. */
  private async applyProfiles(cluster: SimCluster, ns: string, name: string): Promise<void> {
    await Promise.all(
      (cluster.spec.agentPoolProfiles ?? []).map((profile) => {
        const poolName = `${name}-${profile.name}`;
        const spec: SimNodePoolSpec = { ...profile, clusterName: name };
        const body: Partial<SimNodePool> = {
          metadata: {
            name: poolName,
            namespace: ns,
            labels: { [LABELS.cluster]: name },
            ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'SimCluster', name, uid: cluster.metadata.uid!, blockOwnerDeletion: true }],
          },
          spec,
        };
        return this.ctx.kube.apply('SimNodePool', ns, poolName, body, FIELD_MANAGER);
      }),
    );
  }

  private async finalize(cluster: SimCluster, pools: SimNodePool[]): Promise<Result> {
    const { ctx } = this;
    await writeStatus(ctx.kube, 'SimCluster', cluster, { provisioningState: 'Deleting' });
    if (pools.length > 0) {
      await Promise.all(pools.filter((p) => !p.metadata.deletionTimestamp).map((p) => ctx.kube.delete('SimNodePool', p.metadata.namespace!, p.metadata.name!)));
      return; // pool deletions re-enqueue this cluster
    }
    await removeFinalizer(ctx.kube, 'SimCluster', cluster, FINALIZERS.cluster);
    ctx.log.info({ cluster: key(cluster) }, 'Cluster deleted');
  }
}
