// SimCluster reconciler: every change of the cluster runs as one long-running operation. It
// upgrades the control plane (pools without their own version follow it), applies
// agentPoolProfiles to SimNodePools (server-side apply, once each pool is idle), waits for the
// pools' own operations, and rolls their state up. Abort cancels the cluster's operation and the
// running operations of its pools. Deletion removes every pool first.
import { createHash } from 'node:crypto';
import type { SimCluster, SimClusterStatus, SimNodePool, SimNodePoolSpec } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { clusterId } from '../../src/azure/ids.js';
import { minorOf, resolveVersion, versionLess } from '../../src/azure/versions.js';
import { statusCode } from '../../src/runtime/client.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';
import { durationMs } from '../../src/runtime/duration.js';
import { clusterKeyOf, FINALIZERS, LABELS, splitKey, type ControllerDef, type Ctx } from '../context.js';
import { ABORT_ANNOTATION, CANCEL_GRACE_MS } from '../operations/abort.js';
import { isTerminal, percentOf, RUNNING_STATE, startOperation, updateOperation, type OpType } from '../operations/ops.js';
import { addFinalizer, hasFinalizer, removeFinalizer, writeStatus } from '../shared/objects.js';
import { WriteThrottle } from '../shared/throttle.js';
import { clusterStatus, poolFollowsVersion, poolSettled } from './status.js';

const FIELD_MANAGER = 'aksim-cluster-profiles';
/** Progress roll-ups are written at most once a second per cluster. */
const progress = new WriteThrottle(1000);
/** Real ms between looks while pools are busy and refuse profile changes. */
const BUSY_RETRY_MS = 500;

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
  /** Per cluster, the "generation/hash" of profiles this process applied and recorded, until the cache shows it. */
  private readonly applied = new Map<string, string>();
  constructor(private readonly ctx: Ctx) {}

  async reconcile(k: string): Promise<Result> {
    const { ctx } = this;
    const cluster = ctx.clusters.get(k);
    if (!cluster) return;
    const pools = ctx.pools.byIndex('cluster', k);
    const nowIso = new Date(ctx.clock.now()).toISOString();
    if (cluster.metadata.deletionTimestamp) return this.finalize(cluster, pools, nowIso);
    if (!hasFinalizer(cluster, FINALIZERS.cluster)) {
      await addFinalizer(ctx.kube, 'SimCluster', cluster, FINALIZERS.cluster);
      return;
    }
    const cur = cluster.status?.currentOperation;
    if (cur?.operationId && cluster.metadata.annotations?.[ABORT_ANNOTATION] === cur.operationId) return this.cancel(cluster, pools, nowIso);
    if (!cur) return this.maybeStart(cluster, pools, nowIso);
    return this.drive(cluster, pools, nowIso);
  }

  private async maybeStart(cluster: SimCluster, pools: SimNodePool[], nowIso: string): Promise<Result> {
    const { ctx } = this;
    const gen = cluster.metadata.generation ?? 0;
    const prev = cluster.status;
    if (gen <= (prev?.lastOperationGeneration ?? 0)) {
      // Idle: only counts move (a pool scaling on its own); roll them up at most once a second.
      const next = this.view(cluster, pools, nowIso, prev?.provisioningState ?? 'Succeeded');
      if (next.provisioningState === prev?.provisioningState) {
        const wait = progress.check(key(cluster), ctx.clock.now());
        if (wait > 0) return { requeueAfterMs: wait };
      }
      await writeStatus(ctx.kube, 'SimCluster', cluster, next);
      return;
    }
    const want = resolveVersion(cluster.spec.kubernetesVersion ?? '');
    const have = prev?.currentKubernetesVersion;
    if (!want) return this.refuse(cluster, 'VersionNotSupported', `Kubernetes version ${cluster.spec.kubernetesVersion} is not supported`, nowIso);
    if (have && want !== have) {
      if (versionLess(want, have)) return this.refuse(cluster, 'NotAllowedVersionDowngrade', `Downgrading the control plane from ${have} to ${want} is not allowed`, nowIso);
      if (minorOf(want) - minorOf(have) > 1) return this.refuse(cluster, 'InvalidUpgradePath', `Upgrading from ${have} to ${want} skips a minor version; upgrade one minor version at a time`, nowIso);
    }
    const type: OpType = !have ? 'Create' : want !== have ? 'Upgrade' : profilesOnlyCountChanged(cluster, pools) ? 'Scale' : 'Update';
    const profiles = cluster.spec.agentPoolProfiles?.length ?? 0;
    const stepsTotal = profiles + (type === 'Upgrade' ? 1 : 0);
    const op = await startOperation(ctx, { target: cluster, targetKind: 'SimCluster', targetId: this.id(cluster), type, generation: gen, stepsTotal, startCount: pools.reduce((n, p) => n + (p.status?.count ?? 0), 0) });
    const state = RUNNING_STATE[type];
    const status: SimClusterStatus = {
      ...this.view(cluster, pools, nowIso, state),
      currentKubernetesVersion: have ?? want,
      currentOperation: { name: op.metadata.name, operationId: op.spec.operationId, type, state, startTime: op.status?.startTime, stepsTotal },
      lastOperationGeneration: gen,
    };
    await writeStatus(ctx.kube, 'SimCluster', cluster, status);
    ctx.events.emit(cluster, { type: 'Normal', reason: state, note: `Operation ${op.spec.operationId} (${type}) started`, controller: 'aksim.io/cluster' });
  }

  private async drive(cluster: SimCluster, pools: SimNodePool[], nowIso: string): Promise<Result> {
    const { ctx } = this;
    const ns = cluster.metadata.namespace!;
    const name = cluster.metadata.name!;
    const cur = cluster.status!.currentOperation!;
    const gen = cluster.metadata.generation ?? 0;
    const want = resolveVersion(cluster.spec.kubernetesVersion ?? '')!;
    let cp = cluster.status?.currentKubernetesVersion ?? want;

    // 1. Control plane upgrade: takes the simulated control plane upgrade time.
    if (cp !== want) {
      const ends = Date.parse(cur.startTime ?? nowIso) + ctx.clock.toReal(durationMs(cluster.spec.simulation?.controlPlaneUpgradeTime ?? 'PT2M'));
      const wait = ends - ctx.clock.now();
      if (wait > 0) return { requeueAfterMs: wait };
      cp = want;
      await writeStatus(ctx.kube, 'SimCluster', cluster, { currentKubernetesVersion: cp });
      ctx.events.emit(cluster, { type: 'Normal', reason: 'ControlPlaneUpgraded', note: `Control plane upgraded to ${cp}; agent pools that follow it upgrade next`, controller: 'aksim.io/cluster' });
      return;
    }
    // 2. Profiles go to their pools once each is idle (a busy pool refuses changes).
    if ((cluster.status?.profilesAppliedGeneration ?? 0) < gen) {
      // Only a change of the profiles themselves is pushed to the pools: a simulation setting or
      // a version change must not undo a pool scaled on its own since.
      const hash = profilesHash(cluster);
      // Applied and recorded already; the cache has not shown the record yet (its update brings us back).
      if (this.applied.get(key(cluster)) === `${gen}/${hash}`) return;
      if (hash !== cluster.status?.profilesHash) {
        const busy = await this.applyProfiles(cluster, ns, name);
        if (busy.length > 0) return { requeueAfterMs: BUSY_RETRY_MS };
      }
      await writeStatus(ctx.kube, 'SimCluster', cluster, { profilesAppliedGeneration: gen, profilesHash: hash });
      this.applied.set(key(cluster), `${gen}/${hash}`);
      return;
    }
    this.applied.delete(key(cluster));
    // 3. Wait for every pool to catch up.
    const expected = (cluster.spec.agentPoolProfiles ?? []).map((p) => p.name);
    const missing = expected.filter((p) => !pools.some((x) => x.spec.name === p));
    const caughtUp = (p: SimNodePool): boolean => poolSettled(p) && p.status?.target?.orchestratorVersion === resolveVersion(poolFollowsVersion(p, cp));
    const settled = pools.filter(caughtUp);
    const total = cur.stepsTotal ?? 0;
    const poolSteps = pools.reduce((n, p) => {
      if (caughtUp(p)) return n + 1;
      const op = p.status?.currentOperation?.name ? ctx.operations.get(`${ns}/${p.status.currentOperation.name}`) : undefined;
      return n + (op?.status?.percentComplete ?? 0) / 100;
    }, 0);
    const done = Math.min(total, (cur.type === 'Upgrade' ? 1 : 0) + Math.min(poolSteps, expected.length || pools.length));
    if (missing.length === 0 && settled.length === pools.length) {
      const failed = pools.filter((p) => p.status?.provisioningState === 'Failed');
      const outcome = failed.length > 0 ? 'Failed' : 'Succeeded';
      const error = failed.length ? { code: 'AgentPoolOperationFailed', message: `agent pools failed: ${failed.map((p) => p.spec.name).join(', ')}` } : undefined;
      await updateOperation(ctx, ns, cur.name!, { status: outcome, stepsDone: outcome === 'Succeeded' ? total : undefined, percentComplete: outcome === 'Succeeded' ? 100 : undefined, endTime: nowIso, error });
      await writeStatus(ctx.kube, 'SimCluster', cluster, { ...this.view(cluster, pools, nowIso, outcome, error?.message), currentKubernetesVersion: cp, currentOperation: undefined });
      ctx.events.emit(cluster, { type: outcome === 'Succeeded' ? 'Normal' : 'Warning', reason: outcome, note: `Operation ${cur.operationId} (${cur.type}) ${outcome.toLowerCase()}${error ? `: ${error.message}` : ''}`, controller: 'aksim.io/cluster' });
      return;
    }
    const wait = progress.check(key(cluster), ctx.clock.now());
    if (wait > 0) return { requeueAfterMs: wait };
    await updateOperation(ctx, ns, cur.name!, { stepsDone: Math.floor(done), percentComplete: percentOf(done, total, false) });
    await writeStatus(ctx.kube, 'SimCluster', cluster, { ...this.view(cluster, pools, nowIso, cur.state ?? 'Updating'), currentKubernetesVersion: cp });
  }

  /** Abort: the cluster's operation and its pools' running operations go Canceling, then Canceled. */
  private async cancel(cluster: SimCluster, pools: SimNodePool[], nowIso: string): Promise<Result> {
    const { ctx } = this;
    const ns = cluster.metadata.namespace!;
    const cur = cluster.status!.currentOperation!;
    if (cur.state !== 'Canceling') {
      await updateOperation(ctx, ns, cur.name!, { status: 'Canceling' });
      for (const p of pools) {
        const pop = p.status?.currentOperation;
        if (pop?.operationId && p.metadata.annotations?.[ABORT_ANNOTATION] !== pop.operationId) {
          await ctx.kube.patch('SimNodePool', ns, p.metadata.name!, { metadata: { annotations: { [ABORT_ANNOTATION]: pop.operationId } } });
        }
      }
      await writeStatus(ctx.kube, 'SimCluster', cluster, { ...this.view(cluster, pools, nowIso, 'Canceling'), currentKubernetesVersion: cluster.status?.currentKubernetesVersion, currentOperation: { ...cur, state: 'Canceling' } });
      ctx.events.emit(cluster, { type: 'Normal', reason: 'Canceling', note: `Abort requested: canceling operation ${cur.operationId} (${cur.type}) and the running operations of its agent pools`, controller: 'aksim.io/cluster' });
      return { requeueAfterMs: CANCEL_GRACE_MS };
    }
    const since = Date.parse(cluster.status?.conditions?.find((c) => c.type === 'Reconciling')?.lastTransitionTime ?? nowIso);
    const wait = since + CANCEL_GRACE_MS - ctx.clock.now();
    if (wait > 0) return { requeueAfterMs: wait };
    await updateOperation(ctx, ns, cur.name!, { status: 'Canceled', endTime: nowIso, error: { code: 'OperationCanceled', message: `Operation ${cur.operationId} was canceled by an abort request` } });
    await writeStatus(ctx.kube, 'SimCluster', cluster, { ...this.view(cluster, pools, nowIso, 'Canceled'), currentKubernetesVersion: cluster.status?.currentKubernetesVersion, currentOperation: undefined });
    ctx.events.emit(cluster, { type: 'Normal', reason: 'Canceled', note: `Operation ${cur.operationId} (${cur.type}) canceled; nothing was rolled back`, controller: 'aksim.io/cluster' });
  }

  /** Server-side apply of each profile to its pool, owned by the cluster; returns pools that refused (busy). */
  private async applyProfiles(cluster: SimCluster, ns: string, name: string): Promise<string[]> {
    const busy: string[] = [];
    await Promise.all(
      (cluster.spec.agentPoolProfiles ?? []).map(async (profile) => {
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
        try {
          await this.ctx.kube.apply('SimNodePool', ns, poolName, body, FIELD_MANAGER);
        } catch (err: unknown) {
          if (statusCode(err) === 422) busy.push(profile.name); // "Another operation ... is in progress"
          else throw err;
        }
      }),
    );
    return busy;
  }

  private async refuse(cluster: SimCluster, reason: string, message: string, nowIso: string): Promise<Result> {
    const gen = cluster.metadata.generation ?? 0;
    const prev = cluster.status?.conditions as Condition[] | undefined;
    const already = prev?.find((c) => c.type === 'Ready' && c.reason === reason && c.observedGeneration === gen);
    await writeStatus(this.ctx.kube, 'SimCluster', cluster, { conditions: setCondition(prev, { type: 'Ready', status: 'False', reason, message, observedGeneration: gen }, nowIso) });
    if (!already) this.ctx.events.emit(cluster, { type: 'Warning', reason, note: message, controller: 'aksim.io/cluster' });
  }

  private async finalize(cluster: SimCluster, pools: SimNodePool[], nowIso: string): Promise<Result> {
    const { ctx } = this;
    const ns = cluster.metadata.namespace!;
    const cur = cluster.status?.currentOperation;
    if (cur?.type !== 'Delete') {
      if (cur?.name && !isTerminal(ctx.operations.get(`${ns}/${cur.name}`)?.status?.status)) {
        await updateOperation(ctx, ns, cur.name, { status: 'Canceled', endTime: nowIso, error: { code: 'OperationCanceled', message: 'the cluster is being deleted' } });
      }
      let op: Awaited<ReturnType<typeof startOperation>> | undefined;
      try {
        op = await startOperation(ctx, { target: cluster, targetKind: 'SimCluster', targetId: this.id(cluster), type: 'Delete', generation: cluster.metadata.generation ?? 0, stepsTotal: pools.length, startCount: pools.length });
      } catch (err: unknown) {
        // A terminating namespace refuses new objects (403): delete without an operation record.
        if (statusCode(err) !== 403) throw err;
      }
      await writeStatus(ctx.kube, 'SimCluster', cluster, { provisioningState: 'Deleting', currentOperation: { name: op?.metadata.name ?? '', operationId: op?.spec.operationId ?? '', type: 'Delete', state: 'Deleting', startTime: op?.status?.startTime ?? nowIso, stepsTotal: pools.length } });
      return;
    }
    if (pools.length > 0) {
      await Promise.all(pools.filter((p) => !p.metadata.deletionTimestamp).map((p) => ctx.kube.delete('SimNodePool', ns, p.metadata.name!)));
      const total = cur.stepsTotal ?? 0;
      await updateOperation(ctx, ns, cur.name!, { stepsDone: total - pools.length, percentComplete: percentOf(total - pools.length, total, false) });
      return; // pool deletions re-enqueue this cluster
    }
    await updateOperation(ctx, ns, cur.name!, { status: 'Succeeded', stepsDone: cur.stepsTotal ?? 0, percentComplete: 100, endTime: nowIso });
    await removeFinalizer(ctx.kube, 'SimCluster', cluster, FINALIZERS.cluster);
    ctx.log.info({ cluster: key(cluster) }, 'Cluster deleted');
  }

  private view(cluster: SimCluster, pools: SimNodePool[], nowIso: string, state: string, error?: string): SimClusterStatus {
    return clusterStatus({ cluster, pools, subscriptionId: this.ctx.settings.subscriptionId, nowIso, state, error });
  }

  private id(cluster: SimCluster): string {
    const [ns, name] = splitKey(key(cluster));
    return clusterId(this.ctx.settings.subscriptionId, ns, name);
  }
}

export function profilesHash(c: SimCluster): string {
  return createHash('sha1').update(JSON.stringify(c.spec.agentPoolProfiles ?? [])).digest('hex').slice(0, 16);
}


/** True when the only difference between the profiles and their pools is the node count (az aks scale). */
function profilesOnlyCountChanged(cluster: SimCluster, pools: SimNodePool[]): boolean {
  const profiles = cluster.spec.agentPoolProfiles ?? [];
  let countChanged = false;
  for (const pr of profiles) {
    const p = pools.find((x) => x.spec.name === pr.name);
    if (!p) return false;
    const { count, ...rest } = pr;
    const { count: pc, clusterName: _c, ...prest } = p.spec;
    if ((count ?? 3) !== (pc ?? 3)) countChanged = true;
    for (const [k, v] of Object.entries(rest)) if (JSON.stringify(v) !== JSON.stringify((prest as Record<string, unknown>)[k])) return false;
  }
  return countChanged;
}
