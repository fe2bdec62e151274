// The pieces every controller's wiring shares: an actor made from the context, a watch that
// enqueues on every event of a cache, and the reconciler of a controller whose whole reconcile is
// observe (from the caches) -> decide (pure) -> act.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import type { Informer } from '../../src/runtime/informer.js';
import { keyOf } from '../../src/model/names.js';
import type { Ctx } from '../context.js';
import { act, type Actor } from './act.js';
import type { Plan } from './plan.js';

export const actorOf = (ctx: Ctx, controller: string, extra: Partial<Actor> = {}): Actor => ({
  kube: ctx.kube,
  events: ctx.events,
  log: ctx.log,
  controller,
  now: () => ctx.clock.now(),
  ...extra,
});

/** Enqueues the object's own key on every add, update and delete (`deletes: false` to skip deletes). */
export function enqueueEvery<T extends KubernetesObject>(
  inf: Informer<T>,
  enqueue: (key: string) => void,
  opts: { deletes?: boolean } = {},
): void {
  onEvery(inf, (o) => enqueue(keyOf(o)), opts);
}

/** Calls fn with the object of every add, update and delete (`deletes: false` to skip deletes). */
export function onEvery<T extends KubernetesObject>(inf: Informer<T>, fn: (o: T) => void, opts: { deletes?: boolean } = {}): void {
  inf.on({ add: fn, update: (_o, x) => fn(x), delete: opts.deletes === false ? undefined : fn });
}

/** A reconciler whose observe and decide are one pure-enough function of the key (caches only). */
export class PlanReconciler implements Reconciler {
  private readonly actor: Actor;

  constructor(
    readonly name: string,
    ctx: Ctx,
    controller: string,
    private readonly plan: (key: string) => Plan | undefined,
  ) {
    this.actor = actorOf(ctx, controller);
  }

  async reconcile(key: string): Promise<Result> {
    const plan = this.plan(key);
    return plan ? act(this.actor, plan) : undefined;
  }
}
