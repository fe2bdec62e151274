// The reconciler of every operation target kind (clusters, pools, and whatever comes next):
// observe reads the target, its operation records and the kind's own view from the caches;
// decideOperation (lifecycle.ts, pure) plans with the kind's hooks; act carries the plan out.
import type { SimOperation } from '../../src/api/generated.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { objectKey } from '../../src/model/names.js';
import type { Ctx } from '../context.js';
import { act, type Actor } from '../shared/act.js';
import type { Expectations } from '../shared/expectations.js';
import type { Limiter } from '../shared/limiter.js';
import type { Memo, OpView, Target, OperationKind } from './kind.js';
import { decideOperation } from './lifecycle.js';

/** How a target kind is read: its cache, its children and ARM id, and its own view. */
export interface TargetIO<T extends Target, V extends OpView<T>> {
  hooks: OperationKind<V>;
  get(key: string): T | undefined;
  id(obj: T): string;
  children(obj: T): { name: string; deleting: boolean }[];
  /** The kind's view on top of the common one (reads caches only). */
  observe(base: OpView<T>): V;
}

export class OperationReconciler<T extends Target, V extends OpView<T>> implements Reconciler {
  /** Per target: progress roll-up times and the kind's notes (memory only). */
  private readonly memo = new Map<string, Memo>();
  private readonly actor: Actor;

  constructor(
    readonly name: string,
    private readonly ctx: Ctx,
    private readonly io: TargetIO<T, V>,
    extra: { creates?: Limiter; expectations?: Expectations<unknown> } = {},
  ) {
    this.actor = {
      kube: ctx.kube,
      events: ctx.events,
      log: ctx.log,
      controller: io.hooks.controller,
      now: () => ctx.clock.now(),
      ...extra,
    };
  }

  async reconcile(key: string): Promise<Result> {
    const obj = this.io.get(key);
    if (!obj) {
      this.memo.delete(key);
      return;
    }
    const view = this.io.observe(await this.base(key, obj));
    const plan = decideOperation(this.io.hooks, view);
    const result = await act(this.actor, plan);
    if (plan.memo && !result?.stopped) this.memo.set(key, { ...this.memo.get(key), ...plan.memo });
    return result;
  }

  private async base(key: string, obj: T): Promise<OpView<T>> {
    const { ctx } = this;
    const ns = obj.metadata.namespace!;
    const nowMs = ctx.clock.now();
    const cur = obj.status?.currentOperation;
    // The record of a just-started operation may not be in the cache yet: ask the API server.
    const op = cur?.name
      ? (ctx.operations.get(objectKey(ns, cur.name)) ?? (await ctx.kube.get<SimOperation>('SimOperation', ns, cur.name)))
      : undefined;
    return {
      obj,
      key,
      id: this.io.id(obj),
      nowMs,
      nowIso: new Date(nowMs).toISOString(),
      op,
      history: ctx.operations.byIndex('target', `${ns}/${this.io.hooks.kind}/${obj.metadata.name}`),
      children: this.io.children(obj),
      memo: { ...this.memo.get(key) },
    };
  }
}
