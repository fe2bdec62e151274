// ScheduledEvent controller: observe (the event, its VMs and Nodes and cluster from the caches,
// and the pods on nodes being drained when a drain step is due), decide (decide.ts, pure), act
// (the shared act, plus the pod events of the evictions).
import { randomUUID } from 'node:crypto';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { SimMachine } from '../../src/api/generated.js';
import { clusterKeyOf, keyOf, objectKey } from '../../src/model/names.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import type { ControllerDef, Ctx } from '../context.js';
import { act, type Actor } from '../shared/act.js';
import { actorOf, enqueueEvery } from '../shared/wiring.js';
import { observeDrain } from '../shared/drain.js';
import { decideEvent } from './decide.js';
import { CONTROLLER, type EventView } from './view.js';

export const scheduledEventsController: ControllerDef = {
  name: 'scheduledevents',
  reconciler: (ctx) => new ScheduledEventReconciler(ctx),
  watch(ctx, enqueue) {
    enqueueEvery(ctx.scheduledEvents, enqueue);
    // A machine finished its action or went away: the events waiting on it move on.
    const fromMachine = (m: SimMachine): void => {
      for (const e of ctx.scheduledEvents.byIndex('node', keyOf(m))) enqueue(keyOf(e));
    };
    ctx.machines.on({ update: (_o, m) => fromMachine(m), delete: fromMachine });
  },
};

const asPod = (p: V1Pod): KubernetesObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: p.metadata });

class ScheduledEventReconciler implements Reconciler {
  readonly name = 'scheduledevents';
  /** Pods already reported Evicted/FailedToEvict in this process (event noise only, no decisions). */
  private readonly reported = new Set<string>();
  private readonly actor: Actor;

  constructor(private readonly ctx: Ctx) {
    this.actor = actorOf(ctx, CONTROLLER, { evicted: (w, r) => this.podEvents(w, r) });
  }

  async reconcile(key: string): Promise<Result> {
    const view = this.observe(key);
    if (!view) return;
    let decision = decideEvent(view);
    if ('observe' in decision) {
      const nodes = decision.observe;
      const drains = await Promise.all(nodes.map((n) => observeDrain(this.ctx.kube, n)));
      view.drains = Object.fromEntries(nodes.map((n, i) => [n, drains[i]!]));
      decision = decideEvent(view);
      if ('observe' in decision) throw new Error(`scheduled event ${key}: a drain step asked for its pods twice`);
    }
    return act(this.actor, decision);
  }

  private observe(key: string): EventView | undefined {
    const { ctx } = this;
    const e = ctx.scheduledEvents.get(key);
    if (!e) return undefined;
    const ns = e.metadata.namespace!;
    const nowMs = ctx.clock.now();
    const view: EventView = {
      e,
      nowMs,
      nowIso: new Date(nowMs).toISOString(),
      timeScale: ctx.clock.timeScale,
      machines: {},
      nodes: {},
      autoDrain: undefined,
      others: {},
      freshEventId: randomUUID().toUpperCase(),
    };
    for (const n of new Set([...e.spec.nodes, ...(e.status?.nodes ?? []).map((x) => x.node ?? '')])) {
      view.machines[n] = ctx.machines.get(objectKey(ns, n));
      view.nodes[n] = ctx.nodes.get(n);
      view.others[n] = ctx.scheduledEvents
        .byIndex('node', objectKey(ns, n))
        .filter((o) => o.metadata.uid !== e.metadata.uid && !o.metadata.deletionTimestamp).length;
    }
    const m = e.spec.nodes.map((n) => view.machines[n]).find(Boolean);
    view.autoDrain = m ? ctx.clusters.get(clusterKeyOf(ns, m.spec.clusterName))?.spec.autoDrain : undefined;
    return view;
  }

  /** Pod events: Evicted for the pods a step evicted (those not refused), FailedToEvict once per blocked pod. */
  private podEvents(
    w: { node: string; evict: V1Pod[]; held: V1Pod[]; owner?: string; why?: string },
    r: { evicted: V1Pod[]; blocked: V1Pod[] },
  ): void {
    const blocked = new Set(r.blocked);
    for (const p of [...w.evict, ...w.held]) {
      const key = `${w.owner}/${p.metadata?.namespace}/${p.metadata?.name}`;
      if (blocked.has(p)) {
        if (this.reported.has(`${key}/failed`)) continue;
        this.reported.add(`${key}/failed`);
        this.ctx.events.emit(asPod(p), {
          type: 'Warning',
          reason: 'FailedToEvict',
          note: `Cannot evict pod from node ${w.node}: a PodDisruptionBudget does not allow it now; retrying`,
          controller: CONTROLLER,
        });
      } else if (r.evicted.length > 0 && !this.reported.has(`${key}/evicted`)) {
        this.reported.add(`${key}/evicted`);
        this.ctx.events.emit(asPod(p), {
          type: 'Normal',
          reason: 'Evicted',
          note: `Evicted from node ${w.node} before ${w.why}`,
          controller: CONTROLLER,
        });
      }
    }
  }
}
