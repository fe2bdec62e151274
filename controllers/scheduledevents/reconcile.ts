// ScheduledEvent reconciler: Scheduled -> (approval or NotBefore) -> Started -> effect -> gone.
// While Scheduled, autodrain cordons, taints and drains the affected nodes when the cluster's
// spec.autoDrain says so for this event type (eviction API, PDBs honoured, until NotBefore or the
// drain timeout; then the node stays cordoned and a Warning says why). The effect goes through the
// machine: Freeze = a Frozen fault until its end, Reboot/Redeploy = machine requests, Preempt and
// Terminate = deleting the SimMachine (its finalizer drains and removes the Node). Deleting the
// object before it starts cancels it; either way the finalizer uncordons what aksim cordoned and
// sets the node condition VMEventScheduled back to False/NoVMEventScheduled. Status is the memory.
import { randomUUID } from 'node:crypto';
import { PatchStrategy, setHeaderOptions, type KubernetesObject, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { ScheduledEvent, ScheduledEventStatus, SimMachine } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { isNotFound } from '../../src/runtime/client.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { Informer } from '../../src/runtime/informer.js';
import { clusterKeyOf, type ControllerDef, type Ctx } from '../context.js';
import { requestField, requestsOf, doneOf } from '../machine/health.js';
import { vmssName, parseNodeIndex } from '../nodepool/naming.js';
import { cordon, drainStep } from '../shared/drain.js';
import { classifyPod } from '../shared/drain-plan.js';
import { addFinalizer, hasFinalizer, removeFinalizer, writeStatus } from '../shared/objects.js';
import { CONDITION, DEFAULT_FREEZE_SECONDS, drainSettings, effectiveNotBefore, imdsTime, type EventType } from './plan.js';

export const FINALIZER = 'aksim.io/scheduled-event';
const CONTROLLER = 'aksim.io/scheduled-events';
/** Real ms between drain steps while pods terminate or budgets block. */
const DRAIN_POLL_MS = 250;

const cachesOf = new WeakMap<Ctx, Informer<ScheduledEvent>>();

/** The ScheduledEvent cache (the IMDS endpoint reads the API server directly instead). */
export function eventsCache(ctx: Ctx): Informer<ScheduledEvent> | undefined {
  return cachesOf.get(ctx);
}

export const scheduledEventsController: ControllerDef = {
  name: 'scheduledevents',
  caches(ctx) {
    const inf = new Informer<ScheduledEvent>({ kube: ctx.kube, path: `/apis/${GROUP}/${VERSION}/scheduledevents`, log: ctx.log });
    inf.addIndex('node', (e) => e.spec.nodes.map((n) => `${e.metadata.namespace}/${n}`));
    cachesOf.set(ctx, inf);
    return [inf as unknown as Informer<KubernetesObject>];
  },
  reconciler: (ctx) => new ScheduledEventReconciler(ctx, cachesOf.get(ctx)!),
  watch(ctx, enqueue) {
    const inf = cachesOf.get(ctx)!;
    const self = (e: ScheduledEvent): void => enqueue(`${e.metadata.namespace}/${e.metadata.name}`);
    inf.on({ add: self, update: (_o, e) => self(e), delete: self });
    // A machine finished its action or went away: the events waiting on it move on.
    const fromMachine = (m: SimMachine): void => {
      for (const e of inf.byIndex('node', `${m.metadata.namespace}/${m.metadata.name}`)) self(e);
    };
    ctx.machines.on({ update: (_o, m) => fromMachine(m), delete: fromMachine });
  },
};

const asNode = (n: V1Node): KubernetesObject => ({ apiVersion: 'v1', kind: 'Node', metadata: n.metadata });
const asPod = (p: V1Pod): KubernetesObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: p.metadata });
type NodeState = NonNullable<ScheduledEventStatus['nodes']>[number];

class ScheduledEventReconciler implements Reconciler {
  readonly name = 'scheduledevents';
  /** Pods already reported Evicted/FailedToEvict in this process (event noise only, no decisions). */
  private readonly reported = new Set<string>();
  constructor(
    private readonly ctx: Ctx,
    private readonly cache: Informer<ScheduledEvent>,
  ) {}

  async reconcile(k: string): Promise<Result> {
    const { ctx } = this;
    const e = this.cache.get(k);
    if (!e) return;
    if (e.metadata.deletionTimestamp) return this.finish(e);
    if (!hasFinalizer(e, FINALIZER)) {
      await addFinalizer(ctx.kube, 'ScheduledEvent', e, FINALIZER);
      return;
    }
    switch (e.status?.eventStatus) {
      case undefined:
      case '':
        return this.schedule(e);
      case 'Scheduled':
        return this.scheduled(e);
      case 'Started':
        return this.started(e);
      default:
        await ctx.kube.delete('ScheduledEvent', e.metadata.namespace!, e.metadata.name!);
    }
  }

  private machine(e: ScheduledEvent, node: string): SimMachine | undefined {
    return this.ctx.machines.get(`${e.metadata.namespace}/${node}`);
  }

  private settings(e: ScheduledEvent) {
    const m = e.spec.nodes.map((n) => this.machine(e, n)).find(Boolean);
    const cluster = m ? this.ctx.clusters.get(clusterKeyOf(e.metadata.namespace!, m.spec.clusterName)) : undefined;
    return drainSettings(cluster?.spec.autoDrain);
  }

  /** IMDS DocumentIncarnation of each affected VM: +1 on every change of its document. */
  private async bump(e: ScheduledEvent): Promise<void> {
    await Promise.all(
      e.spec.nodes.map(async (n) => {
        const m = this.machine(e, n);
        if (!m) return;
        try {
          await this.ctx.kube.patchStatus('SimMachine', m.metadata.namespace!, n, { eventsIncarnation: (m.status?.eventsIncarnation ?? 0) + 1 });
        } catch (err: unknown) {
          if (!isNotFound(err)) throw err;
        }
      }),
    );
  }

  /** Node condition VMEventScheduled (node-problem-detector style): merged by type, kwok's conditions untouched. */
  private async nodeCondition(node: string, status: 'True' | 'False', reason: string, message: string): Promise<void> {
    const n = this.ctx.nodes.get(node);
    if (!n) return;
    const cur = n.status?.conditions?.find((c) => c.type === CONDITION);
    if (cur?.status === status && cur.reason === reason && cur.message === message) return;
    const now = new Date(this.ctx.clock.now()).toISOString();
    const cond = { type: CONDITION, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: cur?.status === status ? cur.lastTransitionTime : now };
    try {
      this.ctx.kube.wrote('patch', 'Node/status');
      await this.ctx.kube.core.patchNodeStatus({ name: node, body: { status: { conditions: [cond] } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
  }

  private emitNode(node: string, type: 'Normal' | 'Warning', reason: string, note: string): void {
    const n = this.ctx.nodes.get(node);
    this.ctx.events.emit(n ? asNode(n) : { apiVersion: 'v1', kind: 'Node', metadata: { name: node } }, { type, reason, note, controller: CONTROLLER });
  }

  private async schedule(e: ScheduledEvent): Promise<Result> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const type = e.spec.eventType as EventType;
    const created = Date.parse(e.metadata.creationTimestamp as unknown as string) || now;
    const notBefore = effectiveNotBefore(e, created, (ms) => ctx.clock.toReal(ms));
    const action = this.settings(e).actions[type];
    const resources = e.spec.nodes.map((n) => {
      const m = this.machine(e, n);
      const idx = m?.spec.index ?? parseNodeIndex(n);
      const hash = n.split('-').at(-2) ?? '';
      return m && idx !== undefined ? `${vmssName(m.spec.poolName, hash)}_${idx}` : n;
    });
    const status: ScheduledEventStatus = {
      eventId: e.spec.eventId || randomUUID().toUpperCase(),
      eventStatus: 'Scheduled',
      notBefore: new Date(notBefore).toISOString(),
      resources,
      action,
      nodes: e.spec.nodes.map((node) => ({ node })),
    };
    await this.bump(e);
    await writeStatus(ctx.kube, 'ScheduledEvent', e, status);
    for (const n of e.spec.nodes) {
      const msg = `${type} scheduled (EventId ${status.eventId}), NotBefore ${imdsTime(status.notBefore)}`;
      await this.nodeCondition(n, 'True', `${type}Scheduled`, msg);
      this.emitNode(n, 'Normal', `${type}Scheduled`, `${msg}; autodrain: ${action === 'CordonAndDrain' ? 'cordon and drain' : 'no action'}`);
    }
    return { requeueAfterMs: 0 };
  }

  private async scheduled(e: ScheduledEvent): Promise<Result> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const st = e.status!;
    const notBefore = Date.parse(st.notBefore ?? '') || now;
    const startNow = e.spec.approved === true || now >= notBefore;
    let nodes = (st.nodes ?? []).map((x) => ({ ...x }));
    let requeue = startNow ? 0 : notBefore - now;
    if (st.action === 'CordonAndDrain') {
      const cfg = this.settings(e);
      const drainStart = Date.parse(st.drainStartTime ?? '') || now;
      const deadline = Math.min(notBefore, cfg.drainTimeoutMs !== undefined ? drainStart + ctx.clock.toReal(cfg.drainTimeoutMs) : Infinity);
      if (!st.drainStartTime) {
        // Record what aksim is about to cordon before cordoning: the memory for the uncordon.
        nodes = nodes.map((x) => ({ ...x, cordonedByAksim: !ctx.nodes.get(x.node ?? '')?.spec?.unschedulable, drain: 'Draining' }));
        await writeStatus(ctx.kube, 'ScheduledEvent', e, { nodes, drainStartTime: new Date(now).toISOString() });
        for (const x of nodes) {
          const node = ctx.nodes.get(x.node ?? '');
          if (!node) continue;
          this.emitNode(x.node!, 'Normal', 'NodeCordonStart', `Cordoning node ${x.node} for ${e.spec.eventType} event ${st.eventId}`);
          await cordon(ctx.kube, node);
          await this.taint(node, cfg.taintKey, true);
          this.emitNode(x.node!, 'Normal', 'NodeCordonEnd', `Cordoned node ${x.node} and tainted it ${cfg.taintKey}:NoSchedule`);
          this.emitNode(x.node!, 'Normal', 'NodeDrainStart', `Draining node ${x.node} before ${imdsTime(st.notBefore)} (${e.spec.eventType} event ${st.eventId})`);
        }
        return { requeueAfterMs: 0 };
      }
      let changed = false;
      for (const x of nodes) {
        if (x.drain !== 'Draining' || !ctx.nodes.get(x.node ?? '')) continue;
        const before = (await ctx.kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${x.node}` })).items;
        const step = await drainStep(ctx.kube, x.node!, now, deadline);
        this.podEvents(x.node!, before, step.evicted > 0 ? undefined : [], step.blocked, e);
        if (step.done) {
          x.drain = 'Drained';
          changed = true;
          this.emitNode(x.node!, 'Normal', 'NodeDrainEnd', `Drained node ${x.node} for ${e.spec.eventType} event ${st.eventId}`);
        } else if (step.timedOut) {
          x.drain = 'TimedOut';
          changed = true;
          this.emitNode(x.node!, 'Warning', 'NodeDrainError', `Drain of ${x.node} did not finish before ${deadline >= notBefore ? 'NotBefore' : 'the drain timeout'}; ${step.remaining} pods left (${step.blocked.slice(0, 5).join(', ') || 'terminating'}); the node stays cordoned`);
        } else requeue = Math.min(requeue, DRAIN_POLL_MS);
      }
      if (changed) await writeStatus(ctx.kube, 'ScheduledEvent', e, { nodes });
      if (changed && !startNow) return { requeueAfterMs: 0 };
    }
    if (!startNow) return { requeueAfterMs: Math.max(0, requeue) };
    return this.start(e, nodes);
  }

  /** Pod events: Evicted for the pods this step evicted (those not refused), FailedToEvict once per blocked pod. */
  private podEvents(node: string, before: V1Pod[], evictedNone: [] | undefined, blocked: string[], e: ScheduledEvent): void {
    for (const p of before) {
      const id = `${p.metadata?.namespace}/${p.metadata?.name}`;
      const key = `${e.metadata.uid}/${id}`;
      if (classifyPod(p).kind !== 'evict') continue;
      if (blocked.includes(id)) {
        if (this.reported.has(`${key}/failed`)) continue;
        this.reported.add(`${key}/failed`);
        this.ctx.events.emit(asPod(p), { type: 'Warning', reason: 'FailedToEvict', note: `Cannot evict pod from node ${node}: a PodDisruptionBudget does not allow it now; retrying`, controller: CONTROLLER });
      } else if (!evictedNone && !this.reported.has(`${key}/evicted`)) {
        this.reported.add(`${key}/evicted`);
        this.ctx.events.emit(asPod(p), { type: 'Normal', reason: 'Evicted', note: `Evicted from node ${node} before its ${e.spec.eventType} event ${e.status?.eventId}`, controller: CONTROLLER });
      }
    }
  }

  private async taint(node: V1Node, key: string, on: boolean): Promise<void> {
    const taints = node.spec?.taints ?? [];
    const has = taints.some((t) => t.key === key);
    if (has === on) return;
    const next = on ? [...taints, { key, value: 'true', effect: 'NoSchedule' }] : taints.filter((t) => t.key !== key);
    try {
      await this.ctx.kube.patchNode(node.metadata!.name!, { spec: { taints: next } });
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Started: record the targets first, then act (re-asserted until done; never twice). */
  private async start(e: ScheduledEvent, nodesIn: NodeState[]): Promise<Result> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const type = e.spec.eventType as EventType;
    const nodes = nodesIn.map((x) => {
      const m = this.machine(e, x.node ?? '');
      if (m && (type === 'Reboot' || type === 'Redeploy')) return { ...x, requested: requestsOf(m, type) + 1 };
      return x;
    });
    await this.bump(e);
    await writeStatus(ctx.kube, 'ScheduledEvent', e, { eventStatus: 'Started', startTime: new Date(now).toISOString(), nodes });
    for (const x of nodes) {
      await this.nodeCondition(x.node!, 'True', `${type}Started`, `${type} event ${e.status?.eventId} started`);
      this.emitNode(x.node!, 'Normal', `${type}Started`, `${type} event ${e.status?.eventId} started${e.spec.approved ? ' (approved)' : ''}`);
    }
    return { requeueAfterMs: 0 };
  }

  private async started(e: ScheduledEvent): Promise<Result> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const type = e.spec.eventType as EventType;
    const ns = e.metadata.namespace!;
    const startMs = Date.parse(e.status?.startTime ?? '') || now;
    let pending = false;
    let wake = Infinity;
    for (const x of e.status?.nodes ?? []) {
      const m = this.machine(e, x.node ?? '');
      if (!m) continue; // the VM is gone: nothing left to do on it
      const actor = `scheduled-event/${e.status?.eventId}`;
      switch (type) {
        case 'Freeze': {
          const secs = e.spec.durationInSeconds && e.spec.durationInSeconds > 0 ? e.spec.durationInSeconds : DEFAULT_FREEZE_SECONDS;
          const until = startMs + ctx.clock.toReal(secs * 1000);
          if (now >= until) break;
          pending = true;
          wake = Math.min(wake, until);
          const untilIso = new Date(until).toISOString();
          if (!(m.spec.faults ?? []).some((f) => f.type === 'Frozen' && f.until === untilIso)) {
            const faults = [...(m.spec.faults ?? []).filter((f) => f.type !== 'Frozen'), { type: 'Frozen' as const, since: new Date(startMs).toISOString(), until: untilIso, message: `Freeze event ${e.status?.eventId}` }];
            await ctx.kube.patch('SimMachine', ns, m.metadata.name!, { metadata: { resourceVersion: m.metadata.resourceVersion }, spec: { faults } });
          }
          break;
        }
        case 'Reboot':
        case 'Redeploy':
          if (doneOf(m, type) >= (x.requested ?? 0)) break;
          pending = true;
          if (requestsOf(m, type) < (x.requested ?? 0)) await ctx.kube.patch('SimMachine', ns, m.metadata.name!, { spec: { [requestField(type)]: x.requested, lastRequestedBy: actor } });
          break;
        case 'Preempt':
        case 'Terminate':
          pending = true;
          if (!m.metadata.deletionTimestamp) await ctx.kube.delete('SimMachine', ns, m.metadata.name!);
          break;
      }
    }
    if (pending) return wake < Infinity ? { requeueAfterMs: Math.max(0, wake - now) } : undefined;
    // Done: the event disappears (the finalizer cleans up).
    await writeStatus(ctx.kube, 'ScheduledEvent', e, { eventStatus: 'Completed' });
    await ctx.kube.delete('ScheduledEvent', ns, e.metadata.name!);
  }

  /** Gone (done or canceled): uncordon what aksim cordoned, drop the taint, clear the condition. */
  private async finish(e: ScheduledEvent): Promise<Result> {
    const { ctx } = this;
    if (!hasFinalizer(e, FINALIZER)) return;
    const type = e.spec.eventType as EventType;
    const st = e.status?.eventStatus;
    const canceled = st !== 'Started' && st !== 'Completed';
    const cfg = this.settings(e);
    for (const x of e.status?.nodes ?? []) {
      const node = ctx.nodes.get(x.node ?? '');
      if (!node) continue;
      const m = this.machine(e, x.node!);
      const vmGoing = !m || Boolean(m.metadata.deletionTimestamp);
      if (!vmGoing) {
        await this.taint(node, cfg.taintKey, false);
        if (x.cordonedByAksim) await cordon(ctx.kube, node, false);
      }
      const others = this.cache.byIndex('node', `${e.metadata.namespace}/${x.node}`).filter((o) => o.metadata.uid !== e.metadata.uid && !o.metadata.deletionTimestamp);
      if (others.length === 0) await this.nodeCondition(x.node!, 'False', 'NoVMEventScheduled', 'No VM event is scheduled');
      if (canceled) this.emitNode(x.node!, 'Normal', `${type}Canceled`, `${type} event ${e.status?.eventId ?? ''} was canceled${x.cordonedByAksim ? '; node uncordoned' : ''}`);
      else if (x.cordonedByAksim && !vmGoing) this.emitNode(x.node!, 'Normal', 'NodeUncordon', `${type} event ${e.status?.eventId} finished; node uncordoned`);
    }
    if (st === 'Scheduled' || st === 'Started' || st === 'Completed') await this.bump(e);
    await removeFinalizer(ctx.kube, 'ScheduledEvent', e, FINALIZER);
  }
}
