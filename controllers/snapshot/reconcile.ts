// NodePoolSnapshot controller: observe (the snapshot and its source pool and cluster from the
// caches), decide (decide.ts, pure), act. The ARM layer captures synchronously and writes the
// same status, so this does the work for snapshots made with kubectl.
import type { NodePoolSnapshot } from '../../src/api/generated.js';
import { parseAgentPoolId, snapshotId } from '../../src/azure/ids.js';
import { clusterKeyOf, objectKey, poolObjectName, splitKey } from '../../src/model/names.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import type { ControllerDef, Ctx } from '../context.js';
import { act } from '../shared/act.js';
import { CONTROLLER, decideSnapshot, type SnapshotView } from './decide.js';

export const snapshotController: ControllerDef = {
  name: 'snapshot',
  reconciler: (ctx) => new SnapshotReconciler(ctx),
  watch(ctx, enqueue) {
    const self = (s: NodePoolSnapshot): void => enqueue(objectKey(s.metadata.namespace!, s.metadata.name!));
    ctx.snapshots.on({ add: self, update: (_o, s) => self(s) });
  },
};

class SnapshotReconciler implements Reconciler {
  readonly name = 'snapshot';
  constructor(private readonly ctx: Ctx) {}

  async reconcile(key: string): Promise<Result> {
    const view = this.observe(key);
    if (!view) return;
    const { ctx } = this;
    return act({ kube: ctx.kube, events: ctx.events, log: ctx.log, controller: CONTROLLER, now: () => ctx.clock.now() }, decideSnapshot(view));
  }

  private observe(key: string): SnapshotView | undefined {
    const { ctx } = this;
    const snap = ctx.snapshots.get(key);
    if (!snap) return undefined;
    const [ns, name] = splitKey(key);
    const view: SnapshotView = { snap, id: snapshotId(ctx.settings.subscriptionId, ns, name), nowIso: new Date(ctx.clock.now()).toISOString() };
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
}
