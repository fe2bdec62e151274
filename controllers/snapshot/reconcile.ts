// NodePoolSnapshot reconciler: captures the source pool's configuration into status once
// (kubernetesVersion, nodeImageVersion, osType, osSku, vmSize, enableFIPS, location) and never
// touches it again; CEL keeps those values immutable. The ARM layer captures synchronously and
// writes the same status, so this does the work for snapshots made with kubectl. A snapshot that
// cannot be taken (the pool never finished an operation, another region, no such pool) ends
// Failed with a Ready=False condition naming the rule and a Warning event; recreate it to retry.
import type { NodePoolSnapshot, NodePoolSnapshotStatus, SimNodePool } from '../../src/api/generated.js';
import { parseAgentPoolId, snapshotId } from '../../src/azure/ids.js';
import { captureSnapshot, snapshotKey } from '../../src/azure/images-snapshots.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { splitKey, type ControllerDef, type Ctx } from '../context.js';
import { writeStatus } from '../shared/objects.js';
import { informersOf, snapshotCaches } from './caches.js';

export const snapshotController: ControllerDef = {
  name: 'snapshot',
  caches: (ctx) => informersOf(snapshotCaches(ctx)),
  reconciler: (ctx) => new SnapshotReconciler(ctx),
  watch(ctx, enqueue) {
    const c = snapshotCaches(ctx);
    const self = (s: NodePoolSnapshot): void => enqueue(`${s.metadata.namespace}/${s.metadata.name}`);
    c.snapshots.on({ add: self, update: (_o, s) => self(s) });
  },
};

/** The pool an agent pool id names, from the cache (resource groups and cluster names are lowercase objects). */
export function poolOfId(ctx: Ctx, id: string): { pool?: SimNodePool; rg?: string; cluster?: string } {
  const p = parseAgentPoolId(id);
  if (!p) return {};
  const rg = p.resourceGroup.toLowerCase();
  const cluster = p.cluster.toLowerCase();
  return { pool: ctx.pools.get(`${rg}/${cluster}-${p.pool.toLowerCase()}`), rg, cluster };
}

export const isCaptured = (s: NodePoolSnapshot | undefined): boolean => Boolean(s?.status?.nodeImageVersion && s.status.kubernetesVersion && s.status.provisioningState === 'Succeeded');

/** Looks a snapshot up by its ARM id in the cache. */
export function snapshotOfId(ctx: Ctx, id: string): NodePoolSnapshot | undefined {
  const k = snapshotKey(id);
  return k ? snapshotCaches(ctx).snapshots.get(k) : undefined;
}

class SnapshotReconciler implements Reconciler {
  readonly name = 'snapshot';
  constructor(private readonly ctx: Ctx) {}

  async reconcile(k: string): Promise<Result> {
    const { ctx } = this;
    const snap = snapshotCaches(ctx).snapshots.get(k);
    if (!snap || snap.metadata.deletionTimestamp) return;
    const state = snap.status?.provisioningState;
    if (state === 'Succeeded' || state === 'Failed') return; // captured once, or refused for good
    const [ns, name] = splitKey(k);
    const nowIso = new Date(ctx.clock.now()).toISOString();
    const id = snapshotId(ctx.settings.subscriptionId, ns, name);
    const src = poolOfId(ctx, snap.spec.creationData.sourceResourceId);
    const gen = snap.metadata.generation ?? 0;
    const fail = async (reason: string, message: string): Promise<void> => {
      const conditions = setCondition(snap.status?.conditions as Condition[] | undefined, { type: 'Ready', status: 'False', reason, message, observedGeneration: gen }, nowIso);
      await writeStatus(ctx.kube, 'NodePoolSnapshot', snap, { id, provisioningState: 'Failed', conditions } satisfies NodePoolSnapshotStatus);
      ctx.events.emit(snap, { type: 'Warning', reason, note: message, controller: 'aksim.io/snapshot' });
    };
    if (!src.pool) return fail('SourceNotFound', `The source agent pool ${snap.spec.creationData.sourceResourceId} was not found.`);
    const cluster = ctx.clusters.get(`${src.rg}/${src.cluster}`);
    const got = captureSnapshot(src.pool, cluster?.spec.location ?? 'eastus', snap.spec.location);
    if (got.refusal) return fail(got.refusal.code, got.refusal.message);
    const info = got.info!;
    const conditions = setCondition(snap.status?.conditions as Condition[] | undefined, { type: 'Ready', status: 'True', reason: 'Succeeded', message: `captured ${info.kubernetesVersion} / ${info.nodeImageVersion} from agent pool ${src.pool.spec.name}`, observedGeneration: gen }, nowIso);
    await writeStatus(ctx.kube, 'NodePoolSnapshot', snap, { id, provisioningState: 'Succeeded', ...info, createdAt: snap.metadata.creationTimestamp ? new Date(snap.metadata.creationTimestamp).toISOString() : nowIso, conditions } satisfies NodePoolSnapshotStatus);
    ctx.events.emit(snap, { type: 'Normal', reason: 'Captured', note: `Snapshot of agent pool ${src.pool.spec.name}: Kubernetes ${info.kubernetesVersion}, node image ${info.nodeImageVersion}, ${info.vmSize}`, controller: 'aksim.io/snapshot' });
  }
}
