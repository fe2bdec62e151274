// The act step every controller shares: carries out a plan's writes in order through the client
// (which counts them), then posts its events and log lines. Writes that a stale cache makes
// redundant (AlreadyExists on create, NotFound on delete) count as done.
import { isConflict, isNotFound, statusCode, type Kube } from '../../src/runtime/client.js';
import type { EventRecorder } from '../../src/runtime/events.js';
import type { Logger } from '../../src/runtime/logger.js';
import { evictPods, type Evicted } from './drain.js';
import type { Expectations } from './expectations.js';
import { statusChanges, type Obj, type Plan, type Write } from './plan.js';
import type { Limiter } from './limiter.js';

export interface Actor {
  kube: Kube;
  events: EventRecorder;
  log: Logger;
  /** Reporting controller of events that name none. */
  controller: string;
  now(): number;
  /** Bounds creates across all keys of the controller. */
  creates?: Limiter;
  /** Records creates the cache does not show yet (Write.create.expect). */
  expectations?: Expectations<unknown>;
  /** Hears how each eviction write went (events about pods, logs). */
  evicted?(w: Extract<Write, { do: 'evict' }>, result: Evicted): void;
}

/** Thrown inside act when a write ends the plan early: a busy target (retry then), or a refused create. */
class Stop {
  constructor(readonly retryMs?: number) {}
}

/** What act did: the plan's requeue; `stopped` when a write ended the plan early (a retry, if any, is the requeue). */
export type Acted = { requeueAfterMs?: number; stopped?: boolean } | undefined;

/** Carries out the plan; returns its requeue, or a retry when a busy target refused a write. */
export async function act(a: Actor, plan: Plan): Promise<Acted> {
  try {
    for (const w of plan.writes) await write(a, w);
  } catch (err: unknown) {
    if (!(err instanceof Stop)) throw err;
    return { requeueAfterMs: err.retryMs, stopped: true };
  }
  for (const l of plan.logs ?? []) a.log.info(l.fields, l.msg);
  for (const e of plan.events)
    a.events.emit(e.regarding, {
      type: e.type,
      reason: e.reason,
      note: e.note,
      action: e.action,
      controller: e.controller ?? a.controller,
    });
  return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
}

async function write(a: Actor, w: Write): Promise<void> {
  const { kube } = a;
  switch (w.do) {
    case 'status': {
      const changed = statusChanges(w.obj, w.status);
      if (Object.keys(changed).length === 0) return;
      const rv = w.fenced ? { resourceVersion: w.obj.metadata!.resourceVersion } : {};
      await notFoundOk(kube.patchStatus(w.kind, w.obj.metadata!.namespace!, w.obj.metadata!.name!, changed, rv));
      return;
    }
    case 'patch':
      try {
        await kube.patch(w.kind, w.ns, w.name, w.body, { fieldManager: w.fieldManager });
      } catch (err: unknown) {
        if (w.busyRetryMs !== undefined && statusCode(err) === 422) throw new Stop(w.busyRetryMs);
        throw err;
      }
      return;
    case 'create':
      return create(a, w);
    case 'apply':
      try {
        await kube.apply(w.kind, w.ns, w.name, w.body, w.fieldManager);
      } catch (err: unknown) {
        if (w.busyRetryMs !== undefined && statusCode(err) === 422) throw new Stop(w.busyRetryMs);
        throw err;
      }
      return;
    case 'delete':
      return kube.delete(w.kind, w.ns, w.name);
    case 'finalizer':
      return finalizer(kube, w);
    case 'createNode':
      try {
        await kube.createNode(w.body);
      } catch (err: unknown) {
        if (!isConflict(err)) throw err;
      }
      return;
    case 'deleteNode':
      return kube.deleteNode(w.name);
    case 'patchNode':
      return notFoundOk(kube.patchNode(w.name, w.body));
    case 'patchNodeStatus':
      return notFoundOk(kube.patchNodeStatus(w.name, w.body));
    case 'patchPodStatus':
      return notFoundOk(kube.patchPodStatus(w.ns, w.name, w.body));
    case 'evict':
      a.evicted?.(w, await evictPods(kube, w.evict, w.held));
      return;
    case 'all':
      return all(a, w.writes, w.width);
  }
}

async function create(a: Actor, w: Extract<Write, { do: 'create' }>): Promise<void> {
  const name = w.body.metadata!.name!;
  const run = (): Promise<Obj> => a.kube.create(w.kind, w.ns, w.body);
  let made: Obj | undefined;
  try {
    made = await (a.creates ? a.creates.run(run) : run());
    if (w.expect) a.expectations?.expect(w.expect.owner, name, w.expect.value, a.now());
  } catch (err: unknown) {
    if (w.ifForbidden && statusCode(err) === 403) {
      await write(a, w.ifForbidden);
      throw new Stop();
    }
    if (!isConflict(err)) throw err; // AlreadyExists: made by an earlier reconcile the cache has not shown yet
    if (w.status) made = await a.kube.get<Obj>(w.kind, w.ns, name);
  }
  // The status subresource is not set by a create: the first status follows (unless a retry finds one).
  if (w.status && made && Object.keys(made.status ?? {}).length === 0) await a.kube.patchStatus(w.kind, w.ns, name, w.status);
}

async function finalizer(kube: Kube, w: Extract<Write, { do: 'finalizer' }>): Promise<void> {
  const md = w.obj.metadata!;
  const has = md.finalizers?.includes(w.finalizer) ?? false;
  if (has === w.present) return;
  const finalizers = w.present ? [...(md.finalizers ?? []), w.finalizer] : (md.finalizers ?? []).filter((x) => x !== w.finalizer);
  const patch = kube.patch(w.kind, md.namespace!, md.name!, { metadata: { resourceVersion: md.resourceVersion, finalizers } });
  await (w.present ? patch : notFoundOk(patch));
}

/**
 * Runs the writes `width` at a time (all at once by default) and finishes them all before
 * reporting the first failure, so a failed reconcile leaves no writes running behind it.
 */
async function all(a: Actor, writes: Write[], width = writes.length): Promise<void> {
  const queue = [...writes];
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.min(width, queue.length) }, async () => {
      for (let w = queue.shift(); w; w = queue.shift()) await write(a, w).catch((err: unknown) => failures.push(err));
    }),
  );
  if (failures.length > 0) throw failures[0];
}

async function notFoundOk(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err: unknown) {
    if (!isNotFound(err)) throw err;
  }
}
