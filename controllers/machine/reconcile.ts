// SimMachine reconciler: boots the simulated VM (after the simulated boot time its Node
// registers and kwok keeps it Ready), reimages it when its wanted version or image changes
// (cordon, drain, fresh boot), keeps the Node's AKS labels in step, and on deletion cordons and
// drains the Node through the eviction API before deleting it. Injected faults and the machine
// actions (reboot, reimage, redeploy; see health.ts) show on the Node only through the labels
// kwok reacts to.
import { randomUUID } from 'node:crypto';
import type { V1Node } from '@kubernetes/client-node';
import type { SimCluster, SimMachine, SimMachineStatus, SimNodePool } from '../../src/api/generated.js';
import { isConflict, isNotFound } from '../../src/runtime/client.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { getCondition, removeCondition, setCondition, type Condition } from '../../src/runtime/conditions.js';
import { durationMs } from '../../src/runtime/duration.js';
import { clusterKeyOf, FINALIZERS, LABELS, splitKey, type ControllerDef, type Ctx } from '../context.js';
import { cordon, drainStep } from '../shared/drain.js';
import { addFinalizer, hasFinalizer, removeFinalizer, writeStatus } from '../shared/objects.js';
import { activeFaults, ACTION_BOOTS, clearedBy, doneField, healthLabels, nextFaultExpiry, pendingAction, requestsOf, type ActionType } from './health.js';
import { buildNode, desiredNodeLabels, nodeShape } from './node.js';

export const machineController: ControllerDef = {
  name: 'machine',
  reconciler: (ctx) => new MachineReconciler(ctx),
  watch(ctx, enqueue) {
    const self = (m: SimMachine): void => enqueue(`${m.metadata.namespace}/${m.metadata.name}`);
    ctx.machines.on({ add: self, update: (_o, m) => self(m), delete: self });
    const fromNode = (n: V1Node): void => {
      const ns = n.metadata?.labels?.[LABELS.namespace];
      if (ns) enqueue(`${ns}/${n.metadata!.name}`);
    };
    ctx.nodes.on({
      add: fromNode,
      delete: fromNode,
      // Heartbeats change a Node all the time; only readiness, labels and taints matter here.
      update: (o, n) => (readyOf(o) !== readyOf(n) || o.metadata?.labels !== n.metadata?.labels) && fromNode(n),
    });
    // The remediator gave up on (or stopped failing) some nodes: their AutoRepairFailed condition follows.
    ctx.clusters.on({
      update: (o, c) => {
        if (JSON.stringify(o.status?.autoRepair?.failed) === JSON.stringify(c.status?.autoRepair?.failed)) return;
        for (const m of ctx.machines.byIndex('cluster', `${c.metadata.namespace}/${c.metadata.name}`)) self(m);
      },
    });
    // A pool's labels, taints or mode changed: its nodes' labels follow.
    ctx.pools.on({
      update: (o, p) => {
        if (o.metadata.generation === p.metadata.generation) return;
        for (const m of ctx.machines.byIndex('pool', `${p.metadata.namespace}/${p.spec.clusterName}/${p.spec.name}`)) self(m);
      },
    });
  },
};

const ACTION_REASON: Record<ActionType, string> = { Reboot: 'Rebooting', Reimage: 'Reimaging', Redeploy: 'Redeploying' };

/** A stable fake host id per VM and redeploy count (a redeploy moves the VM to another host). */
export function hostIdFor(name: string, redeploys: number): string {
  let h = 2166136261;
  const s = `${name}#${redeploys}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return `host-${h.toString(16).padStart(8, '0')}`;
}

const kindOf = (m: SimMachine): SimMachine & { apiVersion: string; kind: string } => ({ apiVersion: 'aksim.io/v1alpha1', kind: 'SimMachine', ...m });

const readyOf = (n: V1Node | undefined): string => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';

const DEFAULT_DRAIN_MINUTES = 30;
/** Real ms a first boot's record may trail its Ready Node while the pool scales out, and how often to look again. */
const RECORD_TRAIL_MS = 10_000;
const RECORD_RECHECK_MS = 500;
/** Real ms between drain steps while pods terminate or budgets block. */
const DRAIN_POLL_MS = 250;

/** VMs never boot in lockstep: each takes 75%-125% of the boot time, fixed per VM name (restart-safe). */
export function bootSpread(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return 0.75 + (h % 501) / 1000;
}

const needsReimage = (m: SimMachine): boolean =>
  m.status?.orchestratorVersion !== undefined && (m.spec.orchestratorVersion !== m.status.orchestratorVersion || m.spec.nodeImageVersion !== m.status.nodeImageVersion);

class MachineReconciler implements Reconciler {
  readonly name = 'machine';
  /** Per cluster: whether first boots are still under way, and when that was looked at. */
  private readonly booting = new Map<string, { at: number; booting: boolean }>();
  constructor(private readonly ctx: Ctx) {}

  async reconcile(k: string): Promise<Result> {
    const { ctx } = this;
    const m = ctx.machines.get(k);
    if (!m) return;
    const [ns, name] = splitKey(k);
    const node = ctx.nodes.get(name);
    const pool = ctx.pools.get(`${ns}/${m.spec.clusterName}-${m.spec.poolName}`);
    const cluster = ctx.clusters.get(clusterKeyOf(ns, m.spec.clusterName));
    if (m.metadata.deletionTimestamp) return this.teardown(m, node, pool, cluster);
    if (!hasFinalizer(m, FINALIZERS.machine)) {
      await addFinalizer(ctx.kube, 'SimMachine', m, FINALIZERS.machine);
      return;
    }
    if (!pool || !cluster) return; // the pool or cluster is going away and will delete this machine
    if (!node) return this.boot(m, pool, cluster);
    if (needsReimage(m)) return this.reimage(m, node, pool);
    if (m.status?.action || pendingAction(m)) return this.act(m, node, pool, cluster);
    return this.observe(m, node, pool, cluster);
  }

  /** No Node: the VM is booting (created or reimaged); after the boot time its Node registers. */
  private async boot(m: SimMachine, pool: SimNodePool, cluster: SimCluster): Promise<Result> {
    const { ctx } = this;
    const name = m.metadata.name!;
    const now = ctx.clock.now();
    const nowIso = new Date(now).toISOString();
    const bootMs = ctx.clock.toReal(durationMs(cluster.spec.simulation?.nodeBootTime ?? 'PT1M')) * bootSpread(name);
    // A Node deleted for a reimage the cache does not show yet: wait for the cache, never boot on stale status.
    if (needsReimage(m) && getCondition(m.status?.conditions as Condition[] | undefined, 'Upgrading')?.reason !== 'Reimaging') return { requeueAfterMs: 100 };
    const bootStart = Date.parse(m.status?.bootStartTime ?? (m.metadata.creationTimestamp as unknown as string)) || now;
    const bootDone = bootStart + bootMs;
    const status: SimMachineStatus = {
      phase: m.status?.phase ?? 'Provisioning',
      powerState: 'Starting',
      nodeName: name,
      bootId: m.status?.bootId ?? randomUUID(),
      bootStartTime: m.status?.bootStartTime ?? new Date(bootStart).toISOString(),
      conditions: setCondition(m.status?.conditions as Condition[] | undefined, { type: 'NodeReady', status: 'False', reason: 'Booting', message: 'VM is booting; its node has not registered yet' }, nowIso),
    };
    // A first boot writes nothing until its Node is Ready (observe() records it all at once), unless
    // it has to wait: fewer writes per node, which is what bounds scale-out speed.
    const firstBoot = m.status?.orchestratorVersion === undefined;
    if (now < bootDone) {
      await writeStatus(ctx.kube, 'SimMachine', m, status);
      return { requeueAfterMs: bootDone - now };
    }
    const shape = nodeShape(m, pool, cluster, true);
    try {
      ctx.kube.wrote('create', 'Node');
      const body = buildNode({ ...m, status: { ...m.status, ...status } }, shape, ctx.settings.subscriptionId);
      // A VM that boots with a fault (e.g. a network misconfiguration) never reports healthy.
      for (const [key, v] of Object.entries(healthLabels(m, now))) if (v !== null) body.metadata!.labels![key] = v;
      await ctx.kube.core.createNode({ body });
      ctx.log.info({ machine: `${m.metadata.namespace}/${name}`, version: shape.kubernetesVersion }, `Node ${name} registered`);
    } catch (err: unknown) {
      if (!isConflict(err)) throw err;
    }
    if (firstBoot) return;
    // What the VM now runs; a reimage is finished once its node registered.
    const conditions = removeCondition(status.conditions as Condition[], 'Upgrading');
    await writeStatus(ctx.kube, 'SimMachine', { ...m, status: { ...m.status, ...status } }, { orchestratorVersion: m.spec.orchestratorVersion, nodeImageVersion: m.spec.nodeImageVersion, reimageStartTime: undefined, conditions });
  }

  /** Upgrade in place: cordon, drain (PDBs honoured, up to drainTimeoutInMinutes), then a fresh boot on the new version. */
  private async reimage(m: SimMachine, node: V1Node, pool: SimNodePool): Promise<Result> {
    const { ctx } = this;
    const name = m.metadata.name!;
    const now = ctx.clock.now();
    const nowIso = new Date(now).toISOString();
    let conditions = m.status?.conditions as Condition[] | undefined;
    if (getCondition(conditions, 'UpgradeFailed')?.status === 'True') return; // left cordoned for investigation
    // Drained and recorded as reimaging: the old kubelet goes away; boot() brings the new one.
    if (getCondition(conditions, 'Upgrading')?.reason === 'Reimaging') {
      await this.deleteNode(name);
      return;
    }
    if (!m.status?.reimageStartTime) {
      conditions = setCondition(conditions, { type: 'Upgrading', status: 'True', reason: 'Draining', message: `upgrading to ${m.spec.orchestratorVersion} (${m.spec.nodeImageVersion}): cordoned, evicting pods` }, nowIso);
      await writeStatus(ctx.kube, 'SimMachine', m, { phase: 'Upgrading', reimageStartTime: nowIso, conditions });
      await cordon(ctx.kube, node);
      ctx.events.emit(node, { type: 'Normal', reason: 'NodeDrainStart', note: `Draining node ${name} to upgrade it to Kubernetes ${m.spec.orchestratorVersion}`, controller: 'aksim.io/machine' });
      return { requeueAfterMs: 0 };
    }
    const drainMinutes = pool.spec.upgradeSettings?.drainTimeoutInMinutes ?? DEFAULT_DRAIN_MINUTES;
    const deadline = Date.parse(m.status.reimageStartTime) + ctx.clock.toReal(drainMinutes * 60_000);
    const step = await drainStep(ctx.kube, name, now, deadline);
    if (!step.done && !step.timedOut) return { requeueAfterMs: DRAIN_POLL_MS };
    if (step.timedOut) {
      const msg = `drain did not finish within ${drainMinutes} minutes; ${step.remaining} pods left (${step.blocked.slice(0, 5).join(', ')})`;
      conditions = setCondition(conditions, { type: 'UpgradeFailed', status: 'True', reason: 'DrainTimeout', message: msg }, nowIso);
      await writeStatus(ctx.kube, 'SimMachine', m, { conditions });
      ctx.events.emit(node, { type: 'Warning', reason: 'NodeDrainError', note: `Upgrade of ${name}: ${msg}; the node stays cordoned`, controller: 'aksim.io/machine' });
      return;
    }
    ctx.events.emit(node, { type: 'Normal', reason: 'NodeDrainEnd', note: `Drained node ${name}; reimaging it with ${m.spec.nodeImageVersion}`, controller: 'aksim.io/machine' });
    conditions = setCondition(conditions, { type: 'Upgrading', status: 'True', reason: 'Reimaging', message: `reimaging to ${m.spec.orchestratorVersion}` }, nowIso);
    // Record the reimage first; the Node goes on the next pass, once the cache shows this.
    await writeStatus(ctx.kube, 'SimMachine', m, { phase: 'Upgrading', powerState: 'Starting', bootStartTime: nowIso, bootId: randomUUID(), conditions });
  }

  /** Running VM: keep the labels aksim owns in step and report readiness. */
  private async observe(m: SimMachine, node: V1Node, pool: SimNodePool, cluster: SimCluster): Promise<Result> {
    const { ctx } = this;
    const name = m.metadata.name!;
    const nowIso = new Date(ctx.clock.now()).toISOString();
    const now = ctx.clock.now();
    await this.syncLabels(m, node, pool, cluster, now);
    const ready = readyOf(node) === 'True';
    // A new node that kwok has not made Ready yet: its Ready event brings us back; no write now.
    if (!ready && !m.status?.provisionedTime && m.status?.phase !== 'Running' && (m.spec.faults ?? []).length === 0) return;
    // A first boot's record trails a scale-out: while other VMs of its cluster still boot, their
    // creates go to the API server first (pools count this one from its Ready Node meanwhile),
    // for at most RECORD_TRAIL_MS after the Node registered.
    if (ready && m.status?.orchestratorVersion === undefined) {
      const registered = Date.parse(node.metadata?.creationTimestamp as unknown as string) || now;
      if (now < registered + RECORD_TRAIL_MS && this.clusterStillBooting(m, now)) return { requeueAfterMs: Math.min(RECORD_RECHECK_MS, registered + RECORD_TRAIL_MS - now) };
    }
    const failed = cluster.status?.autoRepair?.failed?.find((f) => f.node === name);
    let conditions = m.status?.conditions as Condition[] | undefined;
    conditions = failed
      ? setCondition(conditions, { type: 'AutoRepairFailed', status: 'True', reason: 'AllRepairActionsFailed', message: failed.message ?? 'auto-repair failed' }, nowIso)
      : removeCondition(conditions, 'AutoRepairFailed');
    const readySince = node.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime as unknown as string | undefined;
    const status: SimMachineStatus = {
      phase: ready || m.status?.phase === 'Running' ? 'Running' : (m.status?.phase ?? 'Provisioning'),
      powerState: 'Running',
      nodeName: name,
      bootId: m.status?.bootId ?? node.status?.nodeInfo?.bootID,
      provisionedTime: m.status?.provisionedTime ?? (ready ? (readySince ? new Date(readySince).toISOString() : nowIso) : undefined),
      orchestratorVersion: m.status?.orchestratorVersion ?? m.spec.orchestratorVersion,
      nodeImageVersion: m.status?.nodeImageVersion ?? m.spec.nodeImageVersion,
      hostId: m.status?.hostId ?? hostIdFor(name, 0),
      conditions: setCondition(
        conditions,
        ready
          ? { type: 'NodeReady', status: 'True', reason: 'KubeletReady', message: 'node is Ready' }
          : { type: 'NodeReady', status: 'False', reason: readyOf(node) === 'Unknown' ? 'NodeStatusUnknown' : 'KubeletNotReady', message: `node Ready condition is ${readyOf(node)}` },
        nowIso,
      ),
    };
    await writeStatus(ctx.kube, 'SimMachine', m, status);
    // A Freeze (fault with an end) lifts by itself: come back then.
    const expiry = nextFaultExpiry(m, now);
    if (expiry !== undefined) return { requeueAfterMs: expiry - now };
  }

  /** VMs of this machine's cluster on their first boot whose Node is not Ready yet (looked at most every RECORD_RECHECK_MS per cluster). */
  private clusterStillBooting(m: SimMachine, now: number): boolean {
    const { ctx } = this;
    const key = clusterKeyOf(m.metadata.namespace!, m.spec.clusterName);
    const seen = this.booting.get(key);
    if (seen && now - seen.at < RECORD_RECHECK_MS) return seen.booting;
    let booting = false;
    for (const x of ctx.machines.byIndex('cluster', key)) {
      if (x.metadata.deletionTimestamp || x.status?.orchestratorVersion !== undefined) continue;
      if (readyOf(ctx.nodes.get(x.metadata.name!)) !== 'True') {
        booting = true;
        break;
      }
    }
    this.booting.set(key, { at: now, booting });
    return booting;
  }

  /** Keeps the labels aksim owns (AKS labels, bookkeeping, and the health labels kwok reacts to) in step. */
  private async syncLabels(m: SimMachine, node: V1Node, pool: SimNodePool, cluster: SimCluster, now: number): Promise<void> {
    const want: Record<string, string | null> = { ...desiredNodeLabels(m, nodeShape(m, pool, cluster)), ...healthLabels(m, now) };
    const have = node.metadata?.labels ?? {};
    const drift = Object.entries(want).filter(([key, v]) => (v === null ? key in have : have[key] !== v));
    if (drift.length > 0) await this.ctx.kube.patchNode(m.metadata.name!, { metadata: { labels: Object.fromEntries(drift) } });
  }

  /**
   * A machine action asked for through spec.<action>Requests: the VM is down (NotReady) for the
   * action's simulated time, then comes back with a new boot id (a redeploy also with a new host),
   * and the faults the action cures are gone. status.action is the memory: a restarted operator
   * finishes the running action and never starts one twice.
   */
  private async act(m: SimMachine, node: V1Node, pool: SimNodePool, cluster: SimCluster): Promise<Result> {
    const { ctx } = this;
    const name = m.metadata.name!;
    const now = ctx.clock.now();
    const nowIso = new Date(now).toISOString();
    const bootMs = ctx.clock.toReal(durationMs(cluster.spec.simulation?.nodeBootTime ?? 'PT1M')) * bootSpread(name);
    const running = m.status?.action;
    if (!running?.type || !running.startTime) {
      const type = pendingAction(m)!;
      const action = { type, actor: m.spec.lastRequestedBy ?? 'user', startTime: nowIso, request: requestsOf(m, type) };
      const next = { ...m, status: { ...m.status, action } } as SimMachine;
      await writeStatus(ctx.kube, 'SimMachine', m, { action, powerState: 'Starting' });
      await this.syncLabels(next, node, pool, cluster, now);
      ctx.events.emit(kindOf(m), { type: 'Normal', reason: ACTION_REASON[type], note: `${type} of VM ${name} requested by ${action.actor}`, controller: 'aksim.io/machine' });
      return { requeueAfterMs: bootMs * ACTION_BOOTS[type] };
    }
    const type = running.type as ActionType;
    const start = Date.parse(running.startTime);
    const end = start + bootMs * ACTION_BOOTS[type];
    if (now < end) {
      await this.syncLabels(m, node, pool, cluster, now);
      return { requeueAfterMs: end - now };
    }
    const { cleared, remaining } = clearedBy(m, type, start);
    if (cleared.length > 0) {
      // resourceVersion: a fault injected meanwhile makes this lose with 409 and retry, never vanish.
      await ctx.kube.patch('SimMachine', m.metadata.namespace!, name, { metadata: { resourceVersion: m.metadata.resourceVersion }, spec: { faults: remaining } });
    }
    const counts = { [doneField(type)]: Math.max(running.request ?? 0, (m.status?.[doneField(type) as 'reboots'] ?? 0) + 1) };
    const status: SimMachineStatus = {
      ...counts,
      action: undefined,
      powerState: 'Running',
      bootId: randomUUID(),
      hostId: type === 'Redeploy' ? hostIdFor(name, (m.status?.redeploys ?? 0) + 1) : (m.status?.hostId ?? hostIdFor(name, 0)),
      nodeImageVersion: type === 'Reimage' ? m.spec.nodeImageVersion : m.status?.nodeImageVersion,
      lastAction: { type, actor: running.actor, startTime: running.startTime, endTime: nowIso, cleared },
    };
    await writeStatus(ctx.kube, 'SimMachine', m, status);
    const after = { ...m, spec: { ...m.spec, faults: remaining }, status: { ...m.status, ...status, action: undefined } } as SimMachine;
    await this.syncLabels(after, node, pool, cluster, now);
    const still = activeFaults(after, now).map((f) => f.type);
    ctx.events.emit(kindOf(m), {
      type: 'Normal',
      reason: `${type}Completed`,
      note: `${type} of VM ${name} finished${cleared.length ? `; cleared ${cleared.join(', ')}` : ''}${still.length ? `; still faulty: ${still.join(', ')}` : ''}`,
      controller: 'aksim.io/machine',
    });
    return { requeueAfterMs: 0 };
  }

  /** Cordon, drain (PDBs honoured, up to drainTimeoutInMinutes), delete the Node, release the finalizer. */
  private async teardown(m: SimMachine, node: V1Node | undefined, pool: SimNodePool | undefined, cluster: SimCluster | undefined): Promise<Result> {
    const { ctx } = this;
    if (!hasFinalizer(m, FINALIZERS.machine)) return;
    const now = ctx.clock.now();
    const nowIso = new Date(now).toISOString();
    const name = m.metadata.name!;
    let conditions = m.status?.conditions as Condition[] | undefined;
    const drained = getCondition(conditions, 'Drained');
    // `az aks delete` removes the VMs with the cluster: no cordon or drain (a pool delete or a
    // scale-in drains first). The VM still takes nodeDeleteTime from its own deletion.
    const clusterGoing = !cluster || Boolean(cluster.metadata.deletionTimestamp);
    if (node && drained?.status !== 'True' && !clusterGoing) {
      if (!drained) {
        conditions = setCondition(conditions, { type: 'Drained', status: 'False', reason: 'Draining', message: 'cordoned; evicting pods' }, nowIso);
        await writeStatus(ctx.kube, 'SimMachine', m, { phase: 'Deleting', powerState: 'Stopping', conditions });
        await cordon(ctx.kube, node);
        ctx.events.emit(node, { type: 'Normal', reason: 'NodeDrainStart', note: `Draining node ${name} before deleting its VM`, controller: 'aksim.io/machine' });
        return { requeueAfterMs: 0 };
      }
      const drainMinutes = pool?.spec.upgradeSettings?.drainTimeoutInMinutes ?? DEFAULT_DRAIN_MINUTES;
      const deadline = Date.parse(drained.lastTransitionTime) + ctx.clock.toReal(drainMinutes * 60_000);
      const step = await drainStep(ctx.kube, name, now, deadline);
      if (!step.done && !step.timedOut) {
        if (step.blocked.length > 0) ctx.log.debug({ machine: name, blocked: step.blocked }, 'Eviction blocked by a PodDisruptionBudget; retrying');
        return { requeueAfterMs: DRAIN_POLL_MS };
      }
      if (step.timedOut) {
        ctx.events.emit(node, {
          type: 'Warning',
          reason: 'NodeDrainError',
          note: `Drain of ${name} timed out after ${drainMinutes} simulated minutes; ${step.remaining} pods left (${step.blocked.slice(0, 5).join(', ')}); deleting the VM anyway`,
          controller: 'aksim.io/machine',
        });
      } else {
        ctx.events.emit(node, { type: 'Normal', reason: 'NodeDrainEnd', note: `Drained node ${name}`, controller: 'aksim.io/machine' });
      }
      conditions = setCondition(conditions, { type: 'Drained', status: 'True', reason: step.timedOut ? 'DrainTimeout' : 'Drained', message: step.timedOut ? 'drain timed out' : 'all pods evicted' }, nowIso);
      await writeStatus(ctx.kube, 'SimMachine', m, { phase: 'Deleting', powerState: 'Stopping', conditions });
      return { requeueAfterMs: 0 };
    }
    // The VM takes nodeDeleteTime to go away after its drain.
    const since = drained ? Date.parse(drained.lastTransitionTime) : Date.parse(m.metadata.deletionTimestamp as unknown as string) || now;
    const deleteAt = since + ctx.clock.toReal(durationMs(cluster?.spec.simulation?.nodeDeleteTime ?? 'PT30S'));
    if (node && now < deleteAt) return { requeueAfterMs: deleteAt - now };
    if (node) await this.deleteNode(name);
    await removeFinalizer(ctx.kube, 'SimMachine', m, FINALIZERS.machine);
    ctx.log.info({ machine: `${m.metadata.namespace}/${name}` }, `VM ${name} deleted`);
  }

  private async deleteNode(name: string): Promise<void> {
    try {
      this.ctx.kube.wrote('delete', 'Node');
      await this.ctx.kube.core.deleteNode({ name });
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
  }
}
