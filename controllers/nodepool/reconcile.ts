// SimNodePool reconciler: every change of the pool runs as one long-running operation
// (SimOperation) that drives the pool's machines to a recorded target: count (zone-balanced,
// deterministic names, so a restart never duplicates machines), Kubernetes version and node image
// (rolling, with maxSurge). Machines tear themselves down and reimage themselves (cordon, drain,
// boot); see controllers/machine. Abort stops the operation where it is, with no rollback.
import type { V1Node } from '@kubernetes/client-node';
import type { SimCluster, SimMachine, SimNodePool, SimNodePoolStatus } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { agentPoolId } from '../../src/azure/ids.js';
import { checkPoolVersion, resolveVersion, versionLess } from '../../src/azure/versions.js';
import { isConflict, statusCode } from '../../src/runtime/client.js';
import { getCondition, setCondition, type Condition } from '../../src/runtime/conditions.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { clusterKeyOf, FINALIZERS, LABELS, poolKeyOf, splitKey, type ControllerDef, type Ctx } from '../context.js';
import { isTerminal, percentOf, RUNNING_STATE, startOperation, updateOperation, type OpType } from '../operations/ops.js';
import { ABORT_ANNOTATION, CANCEL_GRACE_MS } from '../operations/abort.js';
import { Expectations } from '../shared/expectations.js';
import { isNodeReady } from '../shared/ready.js';
import { addFinalizer, hasFinalizer, removeFinalizer, writeStatus } from '../shared/objects.js';
import { Limiter, WriteThrottle } from '../shared/throttle.js';
import { checkNodeImage, checkPoolFitsSnapshot, snapshotKey } from '../../src/azure/images-snapshots.js';
import { imagePrefix, isNewerImage, nextReleaseAt } from '../../src/azure/images.js';
import { catalogView, snapshotCaches } from '../snapshot/caches.js';
import { isCaptured, snapshotOfId } from '../snapshot/reconcile.js';
import { defaultOsSku, latestNodeImage } from './images.js';
import { nodeName, parseNodeIndex, poolHash } from './naming.js';
import { pendingUnits, planPool, type PlanMachine, type PoolTarget } from './plan.js';
import { isBootedUnrecorded, isMachineReady, poolStatus } from './status.js';

/** Creates in flight per pool, and across all pools: fast scale-outs without flooding the API server. */
const CREATE_CONCURRENCY = 32;
const creates = new Limiter(48);
/** Progress roll-ups (counts, percent) are written at most once a second per pool. */
const progress = new WriteThrottle(1000);
export const SURGE_LABEL = 'aksim.io/surge';


export const nodepoolController: ControllerDef = {
  name: 'nodepool',
  reconciler: (ctx) => new NodePoolReconciler(ctx),
  watch(ctx, enqueue) {
    const self = (p: SimNodePool): void => enqueue(`${p.metadata.namespace}/${p.metadata.name}`);
    ctx.pools.on({ add: self, update: (_o, p) => self(p), delete: self });
    const fromMachine = (m: SimMachine): void => enqueue(`${m.metadata.namespace}/${m.spec.clusterName}-${m.spec.poolName}`);
    ctx.machines.on({ add: fromMachine, update: (_o, m) => fromMachine(m), delete: fromMachine });
    // A Node's readiness counts before its machine records it (first boots).
    ctx.nodes.on({
      update: (o, n) => {
        const l = n.metadata?.labels ?? {};
        if (isNodeReady(o) !== isNodeReady(n) && l[LABELS.namespace] && l[LABELS.cluster] && l[LABELS.pool]) enqueue(`${l[LABELS.namespace]}/${l[LABELS.cluster]}-${l[LABELS.pool]}`);
      },
    });
    const fromCluster = (c: SimCluster): void => {
      for (const p of ctx.pools.byIndex('cluster', clusterKeyOf(c.metadata.namespace!, c.metadata.name!))) self(p);
    };
    // Snapshots and the node image catalog: a pool waiting for its snapshot's capture, and every
    // pool's latestNodeImageVersion when the catalog changes.
    const snaps = snapshotCaches(ctx);
    const fromSnapshot = (s: { metadata: { namespace?: string; name?: string } }): void => {
      const key = `${s.metadata.namespace}/${s.metadata.name}`;
      for (const p of ctx.pools.list()) if (p.spec.creationData?.sourceResourceId && snapshotKey(p.spec.creationData.sourceResourceId) === key) self(p);
    };
    snaps.snapshots.on({ add: fromSnapshot, update: (_o, s) => fromSnapshot(s) });
    const allPools = (): void => ctx.pools.list().forEach(self);
    snaps.catalogMaps.on({ add: allPools, update: allPools, delete: allPools });
    ctx.clusters.on({
      add: fromCluster,
      update: (o, c) => (o.metadata.generation !== c.metadata.generation || o.status?.currentKubernetesVersion !== c.status?.currentKubernetesVersion) && fromCluster(c),
      delete: fromCluster,
    });
  },
};


/** The plan's view of a machine; `node`: its Node from the node cache. */
export function toPlanMachine(m: SimMachine, node?: V1Node): PlanMachine {
  const booted = isBootedUnrecorded(m, node);
  return {
    name: m.metadata.name!,
    index: m.spec.index ?? parseNodeIndex(m.metadata.name!) ?? 0,
    zone: m.spec.zone ?? '',
    deleting: Boolean(m.metadata.deletionTimestamp),
    ready: isMachineReady(m) || booted,
    surge: m.metadata.labels?.[SURGE_LABEL] === 'true',
    wantVersion: m.spec.orchestratorVersion,
    wantImage: m.spec.nodeImageVersion,
    haveVersion: m.status?.orchestratorVersion ?? (booted ? m.spec.orchestratorVersion : undefined),
    haveImage: m.status?.nodeImageVersion ?? (booted ? m.spec.nodeImageVersion : undefined),
  };
}

function classify(prev: PoolTarget | undefined, next: PoolTarget): OpType {
  if (!prev) return 'Create';
  if (prev.version !== next.version) return 'Upgrade';
  if (prev.image !== next.image) return 'NodeImageUpgrade';
  if (prev.count !== next.count) return 'Scale';
  return 'Update';
}

class NodePoolReconciler implements Reconciler {
  readonly name = 'nodepool';
  /** Machines created that the cache does not show yet: planned as existing, never created twice. */
  private readonly created = new Expectations<PlanMachine>();
  constructor(private readonly ctx: Ctx) {}

  private readonly nodeOf = (name: string): V1Node | undefined => this.ctx.nodes.get(name);

  async reconcile(k: string): Promise<Result> {
    const { ctx } = this;
    const pool = ctx.pools.get(k);
    if (!pool) return;
    const [ns] = splitKey(k);
    const machines = ctx.machines.byIndex('pool', poolKeyOf(ns, pool.spec.clusterName, pool.spec.name));
    const nowIso = new Date(ctx.clock.now()).toISOString();
    if (pool.metadata.deletionTimestamp) return this.finalize(pool, machines, nowIso);
    if (!hasFinalizer(pool, FINALIZERS.pool)) {
      await addFinalizer(ctx.kube, 'SimNodePool', pool, FINALIZERS.pool);
      return;
    }
    const cluster = ctx.clusters.get(clusterKeyOf(ns, pool.spec.clusterName));
    if (!cluster) return this.refuse(pool, 'ClusterNotFound', `SimCluster ${pool.spec.clusterName} does not exist in namespace ${ns}`, nowIso);
    if (cluster.metadata.deletionTimestamp) return;

    const cur = pool.status?.currentOperation;
    if (cur?.operationId && pool.metadata.annotations?.[ABORT_ANNOTATION] === cur.operationId) return this.cancel(pool, machines, nowIso);
    if (!cur) {
      const started = await this.maybeStart(pool, cluster, machines, nowIso);
      if (started !== undefined) return started;
      return this.untilNextRelease(pool); // idle: come back when a newer node image ships
    }
    return this.drive(pool, cluster, machines, nowIso);
  }

  /** The target this pool's spec asks for now, or a refusal message. */
  private desiredTarget(pool: SimNodePool, cluster: SimCluster): { target?: PoolTarget; reason?: string; message?: string } {
    const cp = cluster.status?.currentKubernetesVersion ?? cluster.spec.kubernetesVersion ?? '';
    const cpVersion = resolveVersion(cp);
    const wanted = pool.spec.orchestratorVersion ?? cp;
    const version = resolveVersion(wanted);
    if (!cpVersion || !version) return { reason: 'VersionNotSupported', message: `Kubernetes version ${version ? cp : wanted} is not supported` };
    const prev = pool.status?.target;
    if (prev?.orchestratorVersion && resolveVersion(prev.orchestratorVersion) && version !== prev.orchestratorVersion && versionLess(version, prev.orchestratorVersion)) {
      return { reason: 'NotAllowedVersionDowngrade', message: `Downgrading agent pool ${pool.spec.name} from ${prev.orchestratorVersion} to ${version} is not allowed` };
    }
    const err = checkPoolVersion(version, cpVersion);
    if (err) return { reason: 'InvalidOrchestratorVersion', message: err };
    const img = this.desiredImage(pool, version);
    if (!img.image) return { reason: img.reason, message: img.message };
    return { target: { count: pool.spec.count ?? 0, version, image: img.image } };
  }

  /** The snapshot this pool names in spec.creationData, from the cache. */
  private snapshotOf(pool: SimNodePool): ReturnType<typeof snapshotOfId> {
    const id = pool.spec.creationData?.sourceResourceId;
    return id ? snapshotOfId(this.ctx, id) : undefined;
  }

  /** OS SKU and FIPS of the pool's image: its spec, else its snapshot's, else the OS default. */
  private imageKind(pool: SimNodePool): { osSku: string; fips: boolean } {
    const snap = this.snapshotOf(pool);
    const osSku = pool.spec.osSKU ?? (isCaptured(snap) ? snap!.status!.osSku : undefined);
    return { osSku: defaultOsSku(pool.spec.osType ?? 'Linux', osSku), fips: pool.spec.enableFIPS ?? (isCaptured(snap) ? (snap!.status!.enableFIPS ?? false) : false) };
  }

  /** Newest image for this pool's OS SKU at the simulated date. */
  private latestFor(pool: SimNodePool): string {
    const cat = catalogView(this.ctx);
    const { osSku, fips } = this.imageKind(pool);
    return latestNodeImage(cat.data, osSku, fips, cat.simNow);
  }

  /**
   * The node image the pool's next operation targets:
   * - spec.creationData names a snapshot: the snapshot's image (pinned through scaling);
   * - spec.nodeImageVersion: that image (a node image upgrade), never lower than the current one;
   * - otherwise the image of the last target, unless the Kubernetes version changes or the pool
   *   is new: then the latest image (node images never go down).
   */
  private desiredImage(pool: SimNodePool, version: string): { image?: string; reason?: string; message?: string } {
    const prev = pool.status?.target;
    const current = pool.status?.nodeImageVersion ?? prev?.nodeImageVersion;
    const snapId = pool.spec.creationData?.sourceResourceId;
    if (snapId) {
      const snap = this.snapshotOf(pool);
      const snapName = snap?.metadata.name ?? snapId.split('/').at(-1)!;
      if (!snap) {
        if (prev?.nodeImageVersion) return { image: prev.nodeImageVersion }; // deleted since: the pool keeps its image
        return { reason: 'SnapshotNotFound', message: `The snapshot ${snapId} was not found.` };
      }
      if (!isCaptured(snap)) return { reason: 'SnapshotNotReady', message: `Snapshot ${snapName} has not captured its source pool (provisioningState ${snap.status?.provisioningState ?? 'Creating'}).` };
      const info = { kubernetesVersion: snap.status!.kubernetesVersion!, nodeImageVersion: snap.status!.nodeImageVersion!, osType: snap.status!.osType ?? 'Linux', osSku: snap.status!.osSku ?? 'Ubuntu', vmSize: snap.status!.vmSize ?? '', enableFIPS: snap.status!.enableFIPS ?? false, location: snap.status!.location ?? '' };
      const misfit = checkPoolFitsSnapshot(snapName, info, { name: pool.spec.name, vmSize: pool.spec.vmSize ?? 'Standard_D2s_v3', osType: pool.spec.osType, osSKU: pool.spec.osSKU });
      if (misfit) return { reason: misfit.code, message: misfit.message };
      if (current && info.nodeImageVersion !== current && isNewerImage(current, info.nodeImageVersion)) {
        return { reason: 'SnapshotNodeImageNotNewer', message: `Upgrading agent pool ${pool.spec.name} to snapshot ${snapName} is not allowed: the snapshot's node image ${info.nodeImageVersion} is older than the pool's ${current}; node images never go down.` };
      }
      return { image: info.nodeImageVersion };
    }
    const latest = this.latestFor(pool);
    const want = pool.spec.nodeImageVersion;
    if (want) {
      const bad = checkNodeImage({ poolName: pool.spec.name, want, current, expectedPrefix: imagePrefix(latest) });
      if (bad) return { reason: bad.code, message: bad.message };
      if (want !== current && isNewerImage(want, latest)) return { reason: 'NodeImageVersionNotFound', message: `Node image ${want} has not been released yet; the latest for agent pool ${pool.spec.name} is ${latest}.` };
      return { image: want };
    }
    if (prev?.nodeImageVersion && prev.orchestratorVersion === version) return { image: prev.nodeImageVersion };
    return { image: current && isNewerImage(current, latest) ? current : latest };
  }

  /** Idle: requeue at the real time the pool's next node image ships, to refresh latestNodeImageVersion. */
  private untilNextRelease(pool: SimNodePool): Result {
    const cat = catalogView(this.ctx);
    const { osSku, fips } = this.imageKind(pool);
    const next = nextReleaseAt(cat.data, osSku, fips, cat.simNow);
    if (next === undefined) return;
    return { requeueAfterMs: Math.max(1000, Math.ceil(cat.realAt(next) - this.ctx.clock.now()) + 50) };
  }

  private async maybeStart(pool: SimNodePool, cluster: SimCluster, machines: SimMachine[], nowIso: string): Promise<Result | undefined> {
    const gen = pool.metadata.generation ?? 0;
    const prevTarget = pool.status?.target;
    const d = this.desiredTarget(pool, cluster);
    const prevT: PoolTarget | undefined = prevTarget?.orchestratorVersion
      ? { count: prevTarget.count ?? 0, version: prevTarget.orchestratorVersion, image: prevTarget.nodeImageVersion ?? '' }
      : undefined;
    const changed = gen > (pool.status?.lastOperationGeneration ?? 0) || (d.target && prevT && (d.target.version !== prevT.version || d.target.image !== prevT.image));
    if (!changed) {
      await this.writeIdleStatus(pool, machines, nowIso);
      return undefined;
    }
    if (!d.target) return this.refuse(pool, d.reason!, d.message!, nowIso);
    const target = d.target;
    const type = classify(prevT, target);
    const plans = machines.map((m) => toPlanMachine(m, this.ctx.nodes.get(m.metadata.name!)));
    const stepsTotal = pendingUnits(plans, target);
    const id = agentPoolId(this.ctx.settings.subscriptionId, pool.metadata.namespace!, pool.spec.clusterName, pool.spec.name);
    const op = await startOperation(this.ctx, { target: pool, targetKind: 'SimNodePool', targetId: id, type, generation: gen, stepsTotal, startCount: plans.filter((m) => !m.deleting && !m.surge).length });
    const state = RUNNING_STATE[type];
    const status: SimNodePoolStatus = {
      ...poolStatus({ pool, machines, nodeOf: this.nodeOf, subscriptionId: this.ctx.settings.subscriptionId, version: pool.status?.currentOrchestratorVersion ?? target.version, nodeImageVersion: pool.status?.nodeImageVersion ?? target.image, nowIso, state }),
      currentOperation: { name: op.metadata.name, operationId: op.spec.operationId, type, state, startTime: op.status?.startTime, startCount: op.status?.startCount, stepsTotal },
      target: { count: target.count, orchestratorVersion: target.version, nodeImageVersion: target.image },
      lastOperationGeneration: gen,
      latestNodeImageVersion: this.latestFor(pool),
    };
    await writeStatus(this.ctx.kube, 'SimNodePool', pool, status);
    this.ctx.events.emit(pool, { type: 'Normal', reason: state, note: `Operation ${op.spec.operationId} (${type}) started: ${describe(type, prevT, target)}`, controller: 'aksim.io/nodepool' });
    return;
  }

  private async drive(pool: SimNodePool, cluster: SimCluster, machines: SimMachine[], nowIso: string): Promise<Result> {
    const { ctx } = this;
    const ns = pool.metadata.namespace!;
    const cur = pool.status!.currentOperation!;
    const tgt = pool.status!.target!;
    const target: PoolTarget = { count: tgt.count ?? 0, version: tgt.orchestratorVersion!, image: tgt.nodeImageVersion! };
    const owner = `${ns}/${pool.metadata.name}`;
    const inCache = new Set(machines.map((m) => m.metadata.name!));
    const plans = [...machines.map((m) => toPlanMachine(m, this.ctx.nodes.get(m.metadata.name!))), ...this.created.pending(owner, (n) => inCache.has(n), ctx.clock.now())];
    const plan = planPool({ machines: plans, target, zones: pool.spec.availabilityZones ?? [], maxSurge: pool.spec.upgradeSettings?.maxSurge });

    const failed = machines.find((m) => getCondition(m.status?.conditions as Condition[] | undefined, 'UpgradeFailed')?.status === 'True');
    if (failed) {
      const msg = getCondition(failed.status!.conditions as Condition[], 'UpgradeFailed')!.message;
      return this.finish(pool, machines, nowIso, 'Failed', { code: 'UpgradeFailed', message: `Upgrade of node ${failed.metadata.name} failed: ${msg}` });
    }

    const hash = poolHash(ctx.settings.subscriptionId, ns, pool.spec.clusterName, pool.spec.name);
    const { osSku } = this.imageKind(pool);
    if (plan.create.length > 0) {
      ctx.log.info({ pool: `${ns}/${pool.metadata.name}`, create: plan.create.length }, `Adding ${plan.create.length} nodes to pool ${pool.spec.name}`);
      const queue = [...plan.create];
      await Promise.all(
        Array.from({ length: Math.min(CREATE_CONCURRENCY, queue.length) }, async () => {
          for (let c = queue.shift(); c; c = queue.shift()) {
            const m = this.machineFor(pool, nodeName(pool.spec.name, hash, c.index), c.index, c.zone, target, osSku, c.surge);
            const name = m.metadata.name!;
            try {
              await creates.run(() => ctx.kube.create('SimMachine', ns, m));
              this.created.expect(owner, name, { ...toPlanMachine(m), name }, ctx.clock.now());
            } catch (err: unknown) {
              if (!isConflict(err)) throw err; // AlreadyExists: made by an earlier reconcile the cache has not shown yet
            }
          }
        }),
      );
    }
    if (plan.remove.length > 0) {
      ctx.log.info({ pool: `${ns}/${pool.metadata.name}`, remove: plan.remove }, `Removing ${plan.remove.length} nodes from pool ${pool.spec.name}`);
      await Promise.all(plan.remove.map((name) => ctx.kube.delete('SimMachine', ns, name)));
    }
    for (const name of plan.upgrade) {
      ctx.log.info({ machine: `${ns}/${name}`, version: target.version, image: target.image }, `Upgrading node ${name}`);
      await ctx.kube.patch('SimMachine', ns, name, { spec: { orchestratorVersion: target.version, nodeImageVersion: target.image } });
    }
    // Done once every machine has also recorded its first boot (records trail a scale-out; they
    // come as soon as no VM of the cluster is still booting, and each brings this pool back).
    if (plan.done && !machines.some((m) => isBootedUnrecorded(m, ctx.nodes.get(m.metadata.name!)))) return this.finish(pool, machines, nowIso, 'Succeeded');

    const total = cur.stepsTotal ?? 0;
    const done = Math.max(0, total - plan.pending);
    const wait = progress.check(`${ns}/${pool.metadata.name}`, ctx.clock.now());
    if (wait > 0) return { requeueAfterMs: wait };
    await updateOperation(ctx, ns, cur.name!, { stepsDone: done, percentComplete: percentOf(done, total, false) });
    const next = poolStatus({ pool, machines, nodeOf: this.nodeOf, subscriptionId: ctx.settings.subscriptionId, version: pool.status?.currentOrchestratorVersion ?? target.version, nodeImageVersion: pool.status?.nodeImageVersion ?? target.image, nowIso, state: cur.state ?? 'Updating' });
    await writeStatus(ctx.kube, 'SimNodePool', pool, next);
    return;
  }

  private async finish(pool: SimNodePool, machines: SimMachine[], nowIso: string, outcome: 'Succeeded' | 'Failed', error?: { code: string; message: string }): Promise<Result> {
    const { ctx } = this;
    const ns = pool.metadata.namespace!;
    const cur = pool.status!.currentOperation!;
    const tgt = pool.status!.target!;
    const total = cur.stepsTotal ?? 0;
    await updateOperation(ctx, ns, cur.name!, {
      status: outcome,
      stepsDone: outcome === 'Succeeded' ? total : undefined,
      percentComplete: outcome === 'Succeeded' ? 100 : undefined,
      endTime: nowIso,
      error: error ? { ...error, target: pool.spec.name } : undefined,
    });
    const version = outcome === 'Succeeded' ? tgt.orchestratorVersion! : (pool.status?.currentOrchestratorVersion ?? tgt.orchestratorVersion!);
    const image = outcome === 'Succeeded' ? tgt.nodeImageVersion! : (pool.status?.nodeImageVersion ?? tgt.nodeImageVersion!);
    const status = { ...poolStatus({ pool, machines, nodeOf: this.nodeOf, subscriptionId: ctx.settings.subscriptionId, version, nodeImageVersion: image, nowIso, state: outcome, error: error?.message }), currentOperation: undefined };
    await writeStatus(ctx.kube, 'SimNodePool', pool, status);
    ctx.events.emit(pool, {
      type: outcome === 'Succeeded' ? 'Normal' : 'Warning',
      reason: outcome === 'Succeeded' ? 'Succeeded' : (error?.code ?? 'Failed'),
      note: outcome === 'Succeeded' ? `Operation ${cur.operationId} (${cur.type}) succeeded: ${tgt.count} nodes on ${version}` : `Operation ${cur.operationId} (${cur.type}) failed: ${error?.message}`,
      controller: 'aksim.io/nodepool',
    });
  }

  /** Abort: Canceling now, Canceled a moment later; nothing is rolled back and nothing more is started. */
  private async cancel(pool: SimNodePool, machines: SimMachine[], nowIso: string): Promise<Result> {
    const { ctx } = this;
    const ns = pool.metadata.namespace!;
    const cur = pool.status!.currentOperation!;
    const op = ctx.operations.get(`${ns}/${cur.name}`);
    const version = pool.status?.currentOrchestratorVersion ?? '';
    const image = pool.status?.nodeImageVersion ?? '';
    if (cur.state !== 'Canceling') {
      await updateOperation(ctx, ns, cur.name!, { status: 'Canceling' });
      // VMs this operation asked for that have not booted yet are not provisioned: canceling stops
      // them. Nodes that registered stay (no rollback), and nothing new is started.
      const unbooted = machines.filter((m) => !m.metadata.deletionTimestamp && !ctx.nodes.get(m.metadata.name!) && !m.status?.provisionedTime && m.status?.orchestratorVersion === undefined);
      await Promise.all(unbooted.map((m) => ctx.kube.delete('SimMachine', ns, m.metadata.name!)));
      await writeStatus(ctx.kube, 'SimNodePool', pool, { ...poolStatus({ pool, machines, nodeOf: this.nodeOf, subscriptionId: ctx.settings.subscriptionId, version, nodeImageVersion: image, nowIso, state: 'Canceling' }), currentOperation: { ...cur, state: 'Canceling' } });
      ctx.events.emit(pool, { type: 'Normal', reason: 'Canceling', note: `Abort requested: canceling operation ${cur.operationId} (${cur.type})`, controller: 'aksim.io/nodepool' });
      return { requeueAfterMs: CANCEL_GRACE_MS };
    }
    const since = op?.status?.status === 'Canceling' ? Date.parse(pool.status?.conditions?.find((c) => c.type === 'Reconciling')?.lastTransitionTime ?? nowIso) : 0;
    const wait = since + CANCEL_GRACE_MS - this.ctx.clock.now();
    if (wait > 0) return { requeueAfterMs: wait };
    await updateOperation(ctx, ns, cur.name!, { status: 'Canceled', endTime: nowIso, error: { code: 'OperationCanceled', message: `Operation ${cur.operationId} was canceled by an abort request` } });
    await writeStatus(ctx.kube, 'SimNodePool', pool, { ...poolStatus({ pool, machines, nodeOf: this.nodeOf, subscriptionId: ctx.settings.subscriptionId, version, nodeImageVersion: image, nowIso, state: 'Canceled' }), currentOperation: undefined });
    ctx.events.emit(pool, { type: 'Normal', reason: 'Canceled', note: `Operation ${cur.operationId} (${cur.type}) canceled; nothing was rolled back`, controller: 'aksim.io/nodepool' });
  }

  private async writeIdleStatus(pool: SimNodePool, machines: SimMachine[], nowIso: string): Promise<void> {
    const state = pool.status?.provisioningState ?? 'Succeeded';
    await writeStatus(
      this.ctx.kube,
      'SimNodePool',
      pool,
      { ...poolStatus({ pool, machines, nodeOf: this.nodeOf, subscriptionId: this.ctx.settings.subscriptionId, version: pool.status?.currentOrchestratorVersion ?? '', nodeImageVersion: pool.status?.nodeImageVersion ?? '', nowIso, state }), latestNodeImageVersion: this.latestFor(pool) },
    );
  }

  private machineFor(pool: SimNodePool, name: string, index: number, zone: string, t: PoolTarget, osSku: string, surge: boolean): SimMachine {
    const md = pool.metadata;
    const labels: Record<string, string> = { [LABELS.cluster]: pool.spec.clusterName, [LABELS.pool]: pool.spec.name };
    if (surge) labels[SURGE_LABEL] = 'true';
    return {
      metadata: {
        name,
        namespace: md.namespace,
        labels,
        // Born with its finalizer: one write less per machine than adding it afterwards.
        finalizers: [FINALIZERS.machine],
        ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'SimNodePool', name: md.name!, uid: md.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        clusterName: pool.spec.clusterName,
        poolName: pool.spec.name,
        index,
        zone,
        faultDomain: index % 5,
        vmSize: pool.spec.vmSize ?? 'Standard_D2s_v3',
        osType: pool.spec.osType ?? 'Linux',
        osSKU: osSku,
        priority: pool.spec.scaleSetPriority ?? 'Regular',
        orchestratorVersion: t.version,
        nodeImageVersion: t.image,
      },
    };
  }

  /** A spec the operator cannot act on: say why (condition + Warning event) and change nothing else. */
  private async refuse(pool: SimNodePool, reason: string, message: string, nowIso: string): Promise<Result> {
    const gen = pool.metadata.generation ?? 0;
    const prev = pool.status?.conditions as Condition[] | undefined;
    const already = prev?.find((c) => c.type === 'Ready' && c.reason === reason && c.observedGeneration === gen);
    const conditions = setCondition(prev, { type: 'Ready', status: 'False', reason, message, observedGeneration: gen }, nowIso);
    await writeStatus(this.ctx.kube, 'SimNodePool', pool, { conditions });
    if (!already) this.ctx.events.emit(pool, { type: 'Warning', reason, note: message, controller: 'aksim.io/nodepool' });
  }

  private async finalize(pool: SimNodePool, machines: SimMachine[], nowIso: string): Promise<Result> {
    const { ctx } = this;
    const ns = pool.metadata.namespace!;
    const cur = pool.status?.currentOperation;
    if (cur?.type !== 'Delete') {
      if (cur?.name && !isTerminal(ctx.operations.get(`${ns}/${cur.name}`)?.status?.status)) {
        await updateOperation(ctx, ns, cur.name, { status: 'Canceled', endTime: nowIso, error: { code: 'OperationCanceled', message: 'the agent pool is being deleted' } });
      }
      const id = agentPoolId(ctx.settings.subscriptionId, ns, pool.spec.clusterName, pool.spec.name);
      let op: Awaited<ReturnType<typeof startOperation>> | undefined;
      try {
        op = await startOperation(ctx, { target: pool, targetKind: 'SimNodePool', targetId: id, type: 'Delete', generation: pool.metadata.generation ?? 0, stepsTotal: machines.length, startCount: machines.length });
      } catch (err: unknown) {
        // A terminating namespace refuses new objects (403): delete without an operation record.
        if (statusCode(err) !== 403) throw err;
      }
      await writeStatus(ctx.kube, 'SimNodePool', pool, { provisioningState: 'Deleting', currentOperation: { name: op?.metadata.name ?? '', operationId: op?.spec.operationId ?? '', type: 'Delete', state: 'Deleting', startTime: op?.status?.startTime ?? nowIso, startCount: machines.length, stepsTotal: machines.length } });
      return;
    }
    if (machines.length > 0) {
      const live = machines.filter((m) => !m.metadata.deletionTimestamp);
      await Promise.all(live.map((m) => ctx.kube.delete('SimMachine', ns, m.metadata.name!)));
      const wait = progress.check(`${ns}/${pool.metadata.name}`, ctx.clock.now());
      if (wait > 0) return { requeueAfterMs: wait };
      const total = cur.stepsTotal ?? 0;
      await updateOperation(ctx, ns, cur.name!, { stepsDone: total - machines.length, percentComplete: percentOf(total - machines.length, total, false) });
      return; // machine deletions re-enqueue this pool
    }
    await updateOperation(ctx, ns, cur.name!, { status: 'Succeeded', stepsDone: cur.stepsTotal ?? 0, percentComplete: 100, endTime: nowIso });
    await removeFinalizer(ctx.kube, 'SimNodePool', pool, FINALIZERS.pool);
  }
}


function describe(type: OpType, prev: PoolTarget | undefined, next: PoolTarget): string {
  switch (type) {
    case 'Create':
      return `${next.count} nodes on Kubernetes ${next.version}`;
    case 'Scale':
      return `${prev?.count} -> ${next.count} nodes`;
    case 'Upgrade':
      return `Kubernetes ${prev?.version} -> ${next.version}`;
    case 'NodeImageUpgrade':
      return `node image ${prev?.image} -> ${next.image}`;
    default:
      return 'settings update';
  }
}
