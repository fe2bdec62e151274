// NGroup controller: observe (the NGroup, its container group Pods and the profiles they run, from
// the caches), decide (decide.ts, pure: one pass), act (act.ts). A pass is made only from a cache
// that has seen this process's previous status write. Container group profiles have their own
// controller (controllers/profile/).
import { randomUUID } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import type { NGroup } from '../../src/api/generated.js';
import { FINALIZERS, keyOf, NG, objectKey } from '../../src/model/names.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import type { ControllerDef, Ctx } from '../context.js';
import { act } from '../shared/act.js';
import { Expectations } from '../shared/expectations.js';
import { addFinalizer, hasFinalizer } from '../shared/plan.js';
import { actorOf, enqueueEvery, onEvery } from '../shared/wiring.js';
import { EXPECT_MS, NgActor, type NgMemory } from './act.js';
import { decideNGroup, decideNGroupDeletion } from './decide.js';
import type { Slot } from './placement.js';
import { CONTROLLER, type NgView } from './view.js';

/** How long a cache that has not shown this process's last status write is waited for (real ms). */
const STALE_WAIT_MS = 10_000;
/** Real ms before a pass whose status write met a conflict looks again. */
export const CONFLICT_RETRY_MS = 500;

export const ngroupController: ControllerDef = {
  name: 'ngroup',
  reconciler: (ctx) => new NGroupReconciler(ctx),
  watch(ctx, enqueue) {
    enqueueEvery(ctx.ngroups, enqueue);
    // A profile's new revision: the NGroups that name it.
    onEvery(ctx.profiles, (p) => ctx.ngroups.byIndex('profile', keyOf(p)).forEach((n) => enqueue(keyOf(n))));
    const pod = (p: V1Pod): void => enqueue(objectKey(p.metadata!.namespace!, p.metadata!.labels![NG.ngroup]!));
    onEvery(ctx.cgPods, pod);
  },
};

class NGroupReconciler implements Reconciler {
  readonly name = 'ngroup';
  private readonly mem: NgMemory = {
    nodesMade: new Set(),
    creating: new Expectations<Slot>(EXPECT_MS),
    deleting: new Expectations<true>(EXPECT_MS),
    healthChecked: new WeakSet(),
  };
  private readonly actor: NgActor;
  /**
   * Per NGroup: the resourceVersion of the object the last status write was computed from. While
   * the cache still shows that version it has not seen the write yet, and a pass over it would
   * redo the last step (e.g. record the same batch again with new replacement names). The write's
   * own watch event brings the key back.
   */
  private readonly wroteFrom = new Map<string, { rv: string; atMs: number }>();
  /** Per NGroup: when this process last wrote its status (real ms), to space out count-only roll-ups. */
  private readonly lastWrite = new Map<string, number>();

  constructor(private readonly ctx: Ctx) {
    this.actor = new NgActor(ctx, this.mem);
  }

  async reconcile(key: string): Promise<Result> {
    const { ctx } = this;
    const ng = ctx.ngroups.get(key);
    if (!ng) {
      this.wroteFrom.delete(key);
      this.lastWrite.delete(key);
      return;
    }
    const w = this.wroteFrom.get(key);
    const waited = w ? ctx.clock.now() - w.atMs : 0;
    if (w?.rv === ng.metadata.resourceVersion && waited < STALE_WAIT_MS) return { requeueAfterMs: STALE_WAIT_MS - waited };
    if (!ng.metadata.deletionTimestamp && !hasFinalizer(ng, FINALIZERS.ngroup)) {
      return act(actorOf(ctx, CONTROLLER), addFinalizer('NGroup', ng, FINALIZERS.ngroup));
    }
    const view = this.observe(key, ng);
    if (ng.metadata.deletionTimestamp) {
      if (!hasFinalizer(ng, FINALIZERS.ngroup)) return;
      const plan = decideNGroupDeletion(view);
      await this.actor.run(key, ng, plan);
      return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
    }
    const plan = decideNGroup(view, this.mem.nodesMade);
    const done = await this.actor.run(key, ng, plan);
    // Refused (409): look again soon, from the newer version if the cache has it by then. Its
    // watch event usually brings the key back first, but a pass must never depend on an event
    // coming (a cut watch, or a conflict with no newer version behind it).
    if (!done.current) return { requeueAfterMs: CONFLICT_RETRY_MS };
    if (done.wrote) {
      this.lastWrite.set(key, view.nowMs);
      // Only a write that made a new version has a watch event coming.
      const rv = ng.metadata.resourceVersion;
      if (rv !== undefined && done.wrote.metadata?.resourceVersion !== rv) this.wroteFrom.set(key, { rv, atMs: ctx.clock.now() });
    }
    return this.soonest(key, plan.requeueAfterMs);
  }

  /**
   * The pass's own requeue, or sooner when a create or delete it held back for an expectation
   * stops being trusted: no watch event may ever come for a call that failed without an answer.
   */
  private soonest(key: string, requeueAfterMs: number | undefined): Result {
    const now = this.ctx.clock.now();
    const expiries = [this.mem.creating.nextExpiry(key), this.mem.deleting.nextExpiry(key)].filter((x): x is number => x !== undefined);
    const waits = [...(requeueAfterMs === undefined ? [] : [requeueAfterMs]), ...expiries.map((x) => Math.max(0, x - now) + 1)];
    return waits.length > 0 ? { requeueAfterMs: Math.min(...waits) } : undefined;
  }

  /** The NGroup's world from the caches, and what this process sent that the cache does not show yet. */
  private observe(key: string, ng: NGroup): NgView {
    const { ctx } = this;
    const ns = ng.metadata.namespace!;
    const nowMs = ctx.clock.now();
    const pods = ctx.cgPods.byIndex('ngroup', key);
    const pod = (name: string): V1Pod | undefined => ctx.cgPods.get(objectKey(ns, name));
    const creating = this.mem.creating.pendingByName(key, (n) => Boolean(pod(n)), nowMs);
    const deleting = this.mem.deleting.pendingByName(
      key,
      (n) => {
        const p = pod(n);
        return !p || Boolean(p.metadata?.deletionTimestamp);
      },
      nowMs,
    );
    return {
      ng,
      pods,
      profile: (namespace, name) => ctx.profiles.get(objectKey(namespace, name)),
      subscriptionId: ctx.settings.subscriptionId,
      nowMs,
      nowIso: new Date(nowMs).toISOString(),
      timeScale: ctx.clock.timeScale,
      creating,
      deleting: new Set(deleting.keys()),
      unchecked: pods.filter((p) => !this.mem.healthChecked.has(p)),
      lastWriteMs: this.lastWrite.get(key),
      newName: (prefix) => `${prefix}${randomUUID()}`.toLowerCase(),
    };
  }
}
