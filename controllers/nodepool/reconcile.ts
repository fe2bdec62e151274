// SimNodePool controller: every change of the pool runs as one long-running operation through
// the shared operation driver (controllers/operations/); what the operation does is decide.ts.
// This module wires the caches to the queue and reads a pool's world into its view.
import type { V1Node } from '@kubernetes/client-node';
import type { SimCluster, SimMachine, SimNodePool } from '../../src/api/generated.js';
import { snapshotKey } from '../../src/azure/images-snapshots.js';
import { agentPoolId } from '../../src/azure/ids.js';
import { defaultOsSku } from '../../src/azure/os.js';
import { clusterKeyOf, LABELS, objectKey, poolKeyOf, poolObjectName } from '../../src/model/names.js';
import { poolHash } from '../../src/model/naming.js';
import { isCaptured } from '../../src/model/snapshots.js';
import type { ControllerDef, Ctx } from '../context.js';
import { OperationReconciler, type TargetIO } from '../operations/driver.js';
import { Expectations } from '../shared/expectations.js';
import { isNodeReady } from '../shared/ready.js';
import { Limiter } from '../shared/limiter.js';
import { enqueueEvery, onEvery } from '../shared/wiring.js';
import { CatalogReader } from './catalog.js';
import { poolKind, type PoolView } from './decide.js';
import type { PlanMachine } from './plan.js';

/** Machine creates in flight across all pools: fast scale-outs without flooding the API server. */
const CREATES_IN_FLIGHT = 48;

const keyOf = (p: SimNodePool): string => objectKey(p.metadata.namespace!, p.metadata.name!);

export const nodepoolController: ControllerDef = {
  name: 'nodepool',
  reconciler(ctx) {
    const created = new Expectations<PlanMachine>();
    return new OperationReconciler('nodepool', ctx, poolIO(ctx, created), {
      creates: new Limiter(CREATES_IN_FLIGHT),
      expectations: created as Expectations<unknown>,
    });
  },
  watch(ctx, enqueue) {
    const self = (p: SimNodePool): void => enqueue(keyOf(p));
    enqueueEvery(ctx.pools, enqueue);
    onEvery(ctx.machines, (m) => enqueue(objectKey(m.metadata.namespace!, poolObjectName(m.spec.clusterName, m.spec.poolName))));
    // A Node's readiness counts before its machine records it (first boots).
    ctx.nodes.on({
      update: (o, n) => {
        const l = n.metadata?.labels ?? {};
        const [ns, cluster, pool] = [l[LABELS.namespace], l[LABELS.cluster], l[LABELS.pool]];
        if (isNodeReady(o) !== isNodeReady(n) && ns && cluster && pool) enqueue(objectKey(ns, poolObjectName(cluster, pool)));
      },
    });
    const fromCluster = (c: SimCluster): void => {
      for (const p of ctx.pools.byIndex('cluster', clusterKeyOf(c.metadata.namespace!, c.metadata.name!))) self(p);
    };
    ctx.clusters.on({
      add: fromCluster,
      update: (o, c) =>
        (o.metadata.generation !== c.metadata.generation || o.status?.currentKubernetesVersion !== c.status?.currentKubernetesVersion) &&
        fromCluster(c),
      delete: fromCluster,
    });
    // A pool waiting for its snapshot's capture; every pool's latestNodeImageVersion when the catalog changes.
    const fromSnapshot = (s: { metadata: { namespace?: string; name?: string } }): void => {
      const key = objectKey(s.metadata.namespace!, s.metadata.name!);
      for (const p of ctx.pools.list())
        if (p.spec.creationData?.sourceResourceId && snapshotKey(p.spec.creationData.sourceResourceId) === key) self(p);
    };
    onEvery(ctx.snapshots, fromSnapshot, { deletes: false });
    const allPools = (): void => ctx.pools.list().forEach(self);
    ctx.catalogMaps.on({ add: allPools, update: allPools, delete: allPools });
  },
};

function poolIO(ctx: Ctx, created: Expectations<PlanMachine>): TargetIO<SimNodePool, PoolView> {
  const catalog = new CatalogReader(ctx);
  const machinesOf = (p: SimNodePool): SimMachine[] =>
    ctx.machines.byIndex('pool', poolKeyOf(p.metadata.namespace!, p.spec.clusterName, p.spec.name));
  return {
    hooks: poolKind,
    get: (key) => ctx.pools.get(key),
    id: (p) => agentPoolId(ctx.settings.subscriptionId, p.metadata.namespace!, p.spec.clusterName, p.spec.name),
    children: (p) => machinesOf(p).map((m) => ({ name: m.metadata.name!, deleting: Boolean(m.metadata.deletionTimestamp) })),
    observe(base) {
      const pool = base.obj;
      const ns = pool.metadata.namespace!;
      const machines = machinesOf(pool);
      const nodes = new Map<string, V1Node>();
      for (const m of machines) {
        const n = ctx.nodes.get(m.metadata.name!);
        if (n) nodes.set(m.metadata.name!, n);
      }
      const inCache = new Set(machines.map((m) => m.metadata.name!));
      const snapId = pool.spec.creationData?.sourceResourceId;
      const snapKey = snapId ? snapshotKey(snapId) : undefined;
      const snapshot = snapKey ? ctx.snapshots.get(snapKey) : undefined;
      // OS SKU and FIPS of the pool's image: its spec, else its snapshot's, else the OS default.
      const osSku = defaultOsSku(
        pool.spec.osType ?? 'Linux',
        pool.spec.osSKU ?? (isCaptured(snapshot) ? snapshot!.status!.osSku : undefined),
      );
      const fips = pool.spec.enableFIPS ?? (isCaptured(snapshot) ? (snapshot!.status!.enableFIPS ?? false) : false);
      return {
        ...base,
        cluster: ctx.clusters.get(clusterKeyOf(ns, pool.spec.clusterName)),
        machines,
        nodes,
        expected: created.pending(base.key, (n) => inCache.has(n), base.nowMs),
        snapshot,
        image: { osSku, fips, ...catalog.facts(osSku, fips) },
        subscriptionId: ctx.settings.subscriptionId,
        hash: poolHash(ctx.settings.subscriptionId, ns, pool.spec.clusterName, pool.spec.name),
      };
    },
  };
}
