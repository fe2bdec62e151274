// SimCluster controller: every change of the cluster runs as one long-running operation through
// the shared operation driver (controllers/operations/); what the operation does is decide.ts.
// Deletion removes every pool first.
import type { SimCluster, SimNodePool } from '../../src/api/generated.js';
import { clusterId } from '../../src/azure/ids.js';
import { clusterKeyOf, objectKey } from '../../src/model/names.js';
import type { ControllerDef, Ctx } from '../context.js';
import { OperationReconciler, type TargetIO } from '../operations/driver.js';
import { enqueueEvery, onEvery } from '../shared/wiring.js';
import { clusterKind, type ClusterView } from './decide.js';

const keyOf = (c: SimCluster): string => clusterKeyOf(c.metadata.namespace!, c.metadata.name!);

export const clusterController: ControllerDef = {
  name: 'cluster',
  reconciler: (ctx) => new OperationReconciler('cluster', ctx, clusterIO(ctx)),
  watch(ctx, enqueue) {
    enqueueEvery(ctx.clusters, enqueue);
    onEvery(ctx.pools, (p) => enqueue(clusterKeyOf(p.metadata.namespace!, p.spec.clusterName)));
  },
};

function clusterIO(ctx: Ctx): TargetIO<SimCluster, ClusterView> {
  const poolsOf = (c: SimCluster): SimNodePool[] => ctx.pools.byIndex('cluster', keyOf(c));
  return {
    hooks: clusterKind,
    get: (key) => ctx.clusters.get(key),
    id: (c) => clusterId(ctx.settings.subscriptionId, c.metadata.namespace!, c.metadata.name!),
    children: (c) => poolsOf(c).map((p) => ({ name: p.metadata.name!, deleting: Boolean(p.metadata.deletionTimestamp) })),
    observe(base) {
      const pools = poolsOf(base.obj);
      const ns = base.obj.metadata.namespace!;
      const poolPercent: Record<string, number> = {};
      for (const p of pools) {
        const name = p.status?.currentOperation?.name;
        if (name) poolPercent[p.metadata.name!] = ctx.operations.get(objectKey(ns, name))?.status?.percentComplete ?? 0;
      }
      return { ...base, pools, poolPercent, subscriptionId: ctx.settings.subscriptionId, timeScale: ctx.clock.timeScale };
    },
  };
}
