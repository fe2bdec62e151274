// NodePoolSnapshot controller: observe (the snapshot and its source pool and cluster from the
// caches), decide (decide.ts, pure), act. The ARM layer captures synchronously and writes the
// same status, so this does the work for snapshots made with kubectl.
import { parseAgentPoolId, snapshotId } from '../../src/azure/ids.js';
import { clusterKeyOf, objectKey, poolObjectName, splitKey } from '../../src/model/names.js';
import type { ControllerDef, Ctx } from '../context.js';
import { enqueueEvery, PlanReconciler } from '../shared/wiring.js';
import { CONTROLLER, decideSnapshot, type SnapshotView } from './decide.js';

export const snapshotController: ControllerDef = {
  name: 'snapshot',
  reconciler: (ctx) =>
    new PlanReconciler('snapshot', ctx, CONTROLLER, (key) => {
      const view = observe(ctx, key);
      return view && decideSnapshot(view);
    }),
  watch(ctx, enqueue) {
    enqueueEvery(ctx.snapshots, enqueue, { deletes: false });
  },
};

function observe(ctx: Ctx, key: string): SnapshotView | undefined {
  const snap = ctx.snapshots.get(key);
  if (!snap) return undefined;
  const [ns, name] = splitKey(key);
  const view: SnapshotView = {
    snap,
    id: snapshotId(ctx.settings.subscriptionId, ns, name),
    nowIso: new Date(ctx.clock.now()).toISOString(),
  };
  // The pool an agent pool id names (resource groups and cluster names are lowercase objects).
  const src = parseAgentPoolId(snap.spec.creationData.sourceResourceId);
  if (src) {
    const rg = src.resourceGroup.toLowerCase();
    const cluster = src.cluster.toLowerCase();
    view.pool = ctx.pools.get(objectKey(rg, poolObjectName(cluster, src.pool.toLowerCase())));
    view.cluster = ctx.clusters.get(clusterKeyOf(rg, cluster));
  }
  return view;
}
