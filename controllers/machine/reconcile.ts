// SimMachine controller: observe (the machine, its Node, pool and cluster from the caches, and the
// pods on the Node when a drain step is due), decide (decide.ts, pure), act (the shared act). The
// simulated VM boots, reimages, runs machine actions and drains itself; see decide.ts. As its
// Node's kubelet it also readies again the pods the controller manager marked not ready while the
// Node's status lapsed (pods.ts).
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { V1Node } from '@kubernetes/client-node';
import type { SimMachine } from '../../src/api/generated.js';
import { clusterKeyOf, keyOf, LABELS, objectKey, poolKeyOf, poolObjectName, splitKey } from '../../src/model/names.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import type { ControllerDef, Ctx } from '../context.js';
import { act, type Actor } from '../shared/act.js';
import { actorOf, enqueueEvery } from '../shared/wiring.js';
import { observeDrain, podsOn } from '../shared/drain.js';
import { decideMachine } from './decide.js';
import { lapsedAtStart, podsToReady, readinessStep, readyPatch, RECHECKS_MS, type Lapse } from './pods.js';
import { CONTROLLER, readyOf, recordTrailEnd, RECORD_RECHECK_MS, RECORD_TRAIL_MIN_BOOTING, type MachineView } from './view.js';

export const machineController: ControllerDef = {
  name: 'machine',
  reconciler: (ctx) => new MachineReconciler(ctx),
  watch(ctx, enqueue) {
    const self = (m: SimMachine): void => enqueue(keyOf(m));
    enqueueEvery(ctx.machines, enqueue);
    const fromNode = (n: V1Node): void => {
      const ns = n.metadata?.labels?.[LABELS.namespace];
      if (ns) enqueue(objectKey(ns, n.metadata!.name!));
    };
    ctx.nodes.on({
      add: fromNode,
      delete: (n) => {
        lapsesOf(ctx).delete(n.metadata!.name!);
        fromNode(n);
      },
      // Heartbeats and the controller manager's taints change a Node all the time; only readiness
      // and labels matter here (every update brings new objects: compare the labels' contents).
      update: (o, n) => {
        // A Ready Node's status lapsed: the controller manager marks its pods not ready (pods.ts).
        if (readyOf(o) === 'True' && readyOf(n) !== 'True' && n.metadata?.labels?.[LABELS.namespace])
          lapsesOf(ctx).set(n.metadata.name!, { checks: 0 });
        if (readyOf(o) !== readyOf(n) || !isDeepStrictEqual(o.metadata?.labels, n.metadata?.labels)) fromNode(n);
      },
    });
    // The remediator gave up on (or stopped failing) some nodes: their AutoRepairFailed condition follows.
    ctx.clusters.on({
      update: (o, c) => {
        if (JSON.stringify(o.status?.autoRepair?.failed) === JSON.stringify(c.status?.autoRepair?.failed)) return;
        for (const m of ctx.machines.byIndex('cluster', clusterKeyOf(c.metadata.namespace!, c.metadata.name!))) self(m);
      },
    });
    // A pool's labels, taints or mode changed: its nodes' labels follow. Its power state: its VMs stop or start.
    ctx.pools.on({
      update: (o, p) => {
        if (o.metadata.generation === p.metadata.generation && o.status?.powerState?.code === p.status?.powerState?.code) return;
        for (const m of ctx.machines.byIndex('pool', poolKeyOf(p.metadata.namespace!, p.spec.clusterName, p.spec.name))) self(m);
      },
    });
  },
};

/** Per Node name: its status lapsed and its pods are to be readied once it is back (memory only; pods.ts). */
const lapses = new WeakMap<Ctx, Map<string, Lapse>>();
function lapsesOf(ctx: Ctx): Map<string, Lapse> {
  let m = lapses.get(ctx);
  if (!m) lapses.set(ctx, (m = new Map()));
  return m;
}

class MachineReconciler implements Reconciler {
  readonly name = 'machine';
  /** Per cluster: whether first boots are still under way, and when that was looked at (memory only). */
  private readonly booting = new Map<string, { at: number; booting: boolean }>();
  private readonly actor: Actor;
  /** The controller manager's NodeNotReady events read once at start (lapses this process did not see). */
  private started?: Promise<void>;

  constructor(private readonly ctx: Ctx) {
    this.actor = actorOf(ctx, CONTROLLER, {
      evicted: (w, r) => {
        if (r.blocked.length > 0)
          ctx.log.debug(
            { machine: w.node, blocked: r.blocked.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`) },
            'Eviction blocked by a PodDisruptionBudget; retrying',
          );
      },
    });
  }

  async reconcile(key: string): Promise<Result> {
    const view = this.observe(key);
    if (!view) return;
    let decision = decideMachine(view);
    if ('observe' in decision) {
      view.drain = await observeDrain(this.ctx.kube, view.m.metadata.name!);
      decision = decideMachine(view);
      if ('observe' in decision) throw new Error(`machine ${key}: a drain step asked for its pods twice`);
    }
    const acted = await act(this.actor, decision);
    if (acted?.stopped) return acted;
    const after = await this.podReadiness(view);
    if (after === undefined) return acted;
    return { requeueAfterMs: Math.min(after, acted?.requeueAfterMs ?? Infinity) };
  }

  /** After its Node came back Ready: readies the pods the controller manager marked; returns when to look again. */
  private async podReadiness(view: MachineView): Promise<number | undefined> {
    await (this.started ??= this.lapsesAtStart());
    const name = view.m.metadata.name!;
    const lapses = lapsesOf(this.ctx);
    const before = lapses.get(name);
    const step = readinessStep(view, before);
    if (!step) return undefined;
    if (step.look) {
      // From the watch cache: cheap at scale; the second look covers its lag.
      const marked = podsToReady(await podsOn(this.ctx.kube, name, true));
      if (marked.length > 0) {
        const body = readyPatch(view.nowIso);
        await act(this.actor, {
          writes: [
            { do: 'all', writes: marked.map((p) => ({ do: 'patchPodStatus', ns: p.metadata!.namespace!, name: p.metadata!.name!, body })) },
          ],
          events: [],
          logs: [{ fields: { machine: name, pods: marked.length }, msg: 'Pods marked not ready while the node was away are ready again' }],
        });
      }
    }
    // The Node lapsed again meanwhile (the watch wrote a new lapse): that one goes on from the start.
    if (lapses.get(name) !== before) return RECHECKS_MS[0];
    if (step.lapse) lapses.set(name, step.lapse);
    else lapses.delete(name);
    return step.requeueAfterMs;
  }

  /** Nodes the controller manager reported NotReady lately (Node events in default): lapses from before this process. */
  private async lapsesAtStart(): Promise<void> {
    let items;
    try {
      items = (
        await this.ctx.kube.eventsApi.listNamespacedEvent({
          namespace: 'default',
          fieldSelector: 'reason=NodeNotReady,regarding.kind=Node',
        })
      ).items;
    } catch (err: unknown) {
      // Never blocks the machines: without the events (no right to list them, an error) only the lapses seen from now on count.
      this.ctx.log.warn({ err: String(err) }, 'Could not read the NodeNotReady events; pods marked not ready before this start stay so');
      return;
    }
    const events = items.map((e) => ({
      name: e.regarding?.name,
      reason: e.reason,
      atMs: new Date((e.deprecatedLastTimestamp ?? e.eventTime ?? NaN) as unknown as string).getTime(),
    }));
    const lapses = lapsesOf(this.ctx);
    for (const n of lapsedAtStart(events, this.ctx.clock.now())) if (!lapses.has(n)) lapses.set(n, { checks: 0 });
  }

  /** The machine's world from the caches, as plain data. */
  private observe(key: string): MachineView | undefined {
    const { ctx } = this;
    const m = ctx.machines.get(key);
    if (!m) return undefined;
    const [ns, name] = splitKey(key);
    const nowMs = ctx.clock.now();
    const view: MachineView = {
      m,
      node: ctx.nodes.get(name),
      pool: ctx.pools.get(objectKey(ns, poolObjectName(m.spec.clusterName, m.spec.poolName))),
      cluster: ctx.clusters.get(clusterKeyOf(ns, m.spec.clusterName)),
      nowMs,
      nowIso: new Date(nowMs).toISOString(),
      timeScale: ctx.clock.timeScale,
      subscriptionId: ctx.settings.subscriptionId,
      clusterBooting: false,
      freshBootId: randomUUID(),
    };
    if (recordTrailEnd(view) !== undefined) view.clusterBooting = this.clusterStillBooting(m, nowMs);
    return view;
  }

  /**
   * More than RECORD_TRAIL_MIN_BOOTING VMs of this machine's cluster on their first boot with no
   * Ready Node yet (looked at most every RECORD_RECHECK_MS per cluster).
   */
  private clusterStillBooting(m: SimMachine, now: number): boolean {
    const { ctx } = this;
    const key = clusterKeyOf(m.metadata.namespace!, m.spec.clusterName);
    const seen = this.booting.get(key);
    if (seen && now - seen.at < RECORD_RECHECK_MS) return seen.booting;
    let count = 0;
    for (const x of ctx.machines.byIndex('cluster', key)) {
      if (x.metadata.deletionTimestamp || x.status?.orchestratorVersion !== undefined) continue;
      if (readyOf(ctx.nodes.get(x.metadata.name!)) !== 'True' && ++count > RECORD_TRAIL_MIN_BOOTING) break;
    }
    const booting = count > RECORD_TRAIL_MIN_BOOTING;
    this.booting.set(key, { at: now, booting });
    return booting;
  }
}
