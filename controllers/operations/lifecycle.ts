// Pure: the life of a long-running operation, the same for every target kind (clusters, pools,
// and whatever comes next). A spec change starts one (or is refused with a condition and a
// Warning), the kind's own step drives it, progress is written at most once a second, an abort
// goes Canceling and, a grace period later, Canceled (nothing rolled back), and a deletion runs
// as a Delete operation that removes the children first (without a record in a namespace that
// refuses new objects). The kind plugs in through OperationKind's small hooks.
import type { SimOperationStatus } from '../../src/api/generated.js';
import type { Condition } from '../../src/runtime/conditions.js';
import { ABORT_ANNOTATION } from '../../src/model/names.js';
import { CANCEL_GRACE_MS, isTerminal, percentOf, RUNNING_STATE, type OpType } from '../../src/model/operations.js';
import type { Refusal } from '../../src/model/versions.js';
import { finalizerFirst, finalizerWrite, hasFinalizer, type Write } from '../shared/plan.js';
import { refusedConditions } from './conditions.js';
import type { CurrentOp, Finish, Memo, OperationKind, OpPlan, OpView } from './kind.js';
import { newOperation, operationUpdate, pruneOldest } from './records.js';

/** Progress roll-ups are written at most once a second per target. */
export const PROGRESS_INTERVAL_MS = 1000;

/** 0 when a progress write may go now, else the real ms to wait. */
export function progressWait(memo: Memo, nowMs: number): number {
  if (memo.progressAt === undefined || nowMs - memo.progressAt >= PROGRESS_INTERVAL_MS) return 0;
  return PROGRESS_INTERVAL_MS - (nowMs - memo.progressAt);
}

export function decideOperation<V extends OpView>(k: OperationKind<V>, v: V): OpPlan {
  const { obj } = v;
  const first = finalizerFirst(k.kind, obj, k.finalizer, () => deleting(k, v));
  if (first) return first;
  const gate = k.gate?.(v);
  if (gate === 'hold') return { writes: [], events: [] };
  if (gate) return refuse(k, v, gate);
  const cur = obj.status?.currentOperation;
  if (cur?.operationId && obj.metadata.annotations?.[ABORT_ANNOTATION] === cur.operationId) return cancel(k, v, cur);
  if (!cur) return begin(k, v);
  return step(k, v, cur);
}

/** A spec the operator cannot act on: say why (condition + Warning event, once) and change nothing else. */
export function refuse<V extends OpView>(k: OperationKind<V>, v: V, r: Refusal): OpPlan {
  const gen = v.obj.metadata.generation ?? 0;
  const prev = v.obj.status?.conditions as Condition[] | undefined;
  const already = prev?.some((c) => c.type === 'Ready' && c.reason === r.reason && c.observedGeneration === gen);
  const plan: OpPlan = {
    writes: [
      { do: 'status', kind: k.kind, obj: v.obj, status: { conditions: refusedConditions(prev, r.reason, r.message, gen, v.nowIso) } },
    ],
    events: [],
  };
  if (!already) plan.events.push({ regarding: v.obj, type: 'Warning', reason: r.reason, note: r.message });
  return plan;
}

function begin<V extends OpView>(k: OperationKind<V>, v: V): OpPlan {
  const b = k.begin(v);
  if ('refuse' in b) return { ...refuse(k, v, b.refuse), requeueAfterMs: b.requeueAfterMs };
  if ('idle' in b) {
    const plan: OpPlan = { writes: [], events: [], requeueAfterMs: b.requeueAfterMs };
    if (b.idle.throttled) {
      const wait = progressWait(v.memo, v.nowMs);
      if (wait > 0) return { writes: [], events: [], requeueAfterMs: wait };
      plan.memo = { progressAt: v.nowMs };
    }
    plan.writes.push({ do: 'status', kind: k.kind, obj: v.obj, status: b.idle.status });
    return plan;
  }
  const s = b.start;
  const gen = v.obj.metadata.generation ?? 0;
  const state = RUNNING_STATE[s.type];
  const plan = startPlan(k, v, { type: s.type, stepsTotal: s.stepsTotal, startCount: s.startCount, state });
  const last = plan.writes.pop() as Extract<Write, { do: 'status' }>;
  plan.writes.push({ ...last, status: { ...s.status, ...last.status, lastOperationGeneration: gen } });
  const id = (last.status as { currentOperation: CurrentOp }).currentOperation.operationId;
  plan.events.push({ regarding: v.obj, type: 'Normal', reason: state, note: `Operation ${id} (${s.type}) started${s.note}` });
  return { ...plan, requeueAfterMs: b.requeueAfterMs };
}

/** Writes that start an operation: its record (and the history trimmed to 50), then the target's currentOperation. */
function startPlan<V extends OpView>(
  k: OperationKind<V>,
  v: V,
  s: { type: OpType; stepsTotal: number; startCount: number; state: string; forbiddenOk?: boolean },
): OpPlan {
  const ns = v.obj.metadata.namespace!;
  const { op, status } = newOperation({
    target: v.obj,
    targetKind: k.kind,
    targetId: v.id,
    type: s.type,
    generation: v.obj.metadata.generation ?? 0,
    stepsTotal: s.stepsTotal,
    startCount: s.startCount,
    nowIso: v.nowIso,
  });
  const existing = v.history.find((o) => o.metadata.name === op.metadata.name);
  const startTime = existing?.status?.startTime ?? v.nowIso;
  const current = (name: string, operationId: string): CurrentOp => ({
    name,
    operationId,
    type: s.type,
    state: s.state,
    startTime,
    startCount: s.startCount,
    stepsTotal: s.stepsTotal,
    percentComplete: 0,
  });
  // A terminating namespace refuses new objects (403): a deletion goes on without a record.
  const ifForbidden: Write | undefined = s.forbiddenOk
    ? { do: 'status', kind: k.kind, obj: v.obj, status: { provisioningState: 'Deleting', currentOperation: current('', '') } }
    : undefined;
  const record: Write = { do: 'create', kind: 'SimOperation', ns, body: op, status, ifForbidden };
  const prune: Write[] = pruneOldest(v.history, op.metadata.name!).map((name) => ({ do: 'delete', kind: 'SimOperation', ns, name }));
  const target: Write = {
    do: 'status',
    kind: k.kind,
    obj: v.obj,
    status: { currentOperation: current(op.metadata.name!, op.spec.operationId ?? '') },
  };
  return { writes: [record, ...(prune.length ? [{ do: 'all', writes: prune } as Write] : []), target], events: [] };
}

/** The record's status update as a write (none when there is no record or nothing applies). */
function recordWrite(v: OpView, patch: SimOperationStatus): Write[] {
  const next = operationUpdate(v.op, patch);
  return next && v.op ? [{ do: 'status', kind: 'SimOperation', obj: v.op, status: next }] : [];
}

function step<V extends OpView>(k: OperationKind<V>, v: V, cur: CurrentOp): OpPlan {
  const s = k.step(v, cur);
  if ('own' in s) return s.own;
  if ('finish' in s) return finish(k, v, cur, s.finish);
  const plan = s.progress.plan;
  const wait = progressWait(v.memo, v.nowMs);
  if (wait > 0) return { ...plan, requeueAfterMs: wait };
  const total = cur.stepsTotal ?? 0;
  const done = Math.floor(s.progress.done);
  const pct = percentOf(s.progress.done, total, false);
  plan.writes.push(...recordWrite(v, { stepsDone: done, percentComplete: pct }));
  // The target shows it too (kubectl's Progress column), in the status write progress makes anyway.
  const shown = { ...cur, percentComplete: Math.max(cur.percentComplete ?? 0, pct) };
  plan.writes.push({ do: 'status', kind: k.kind, obj: v.obj, status: { ...s.progress.status, currentOperation: shown } });
  return { ...plan, memo: { ...plan.memo, progressAt: v.nowMs } };
}

function finish<V extends OpView>(k: OperationKind<V>, v: V, cur: CurrentOp, f: Finish): OpPlan {
  const ok = f.outcome === 'Succeeded';
  const total = cur.stepsTotal ?? 0;
  return {
    writes: [
      ...recordWrite(v, {
        status: f.outcome,
        stepsDone: ok ? total : undefined,
        percentComplete: ok ? 100 : undefined,
        endTime: v.nowIso,
        error: f.error,
      }),
      { do: 'status', kind: k.kind, obj: v.obj, status: { ...f.status, currentOperation: undefined } },
    ],
    events: [{ regarding: v.obj, type: ok ? 'Normal' : 'Warning', reason: f.reason, note: f.note }],
  };
}

/** Abort: Canceling now, Canceled a grace period later; nothing is rolled back and nothing more is started. */
function cancel<V extends OpView>(k: OperationKind<V>, v: V, cur: CurrentOp): OpPlan {
  if (cur.state !== 'Canceling') {
    return {
      writes: [
        ...recordWrite(v, { status: 'Canceling' }),
        ...k.onCancel(v),
        {
          do: 'status',
          kind: k.kind,
          obj: v.obj,
          status: { ...k.cancelStatus(v, 'Canceling'), currentOperation: { ...cur, state: 'Canceling' } },
        },
      ],
      events: [{ regarding: v.obj, type: 'Normal', reason: 'Canceling', note: k.cancelNote(v, cur) }],
      requeueAfterMs: CANCEL_GRACE_MS,
    };
  }
  const conditions = v.obj.status?.conditions as Condition[] | undefined;
  const since = Date.parse(conditions?.find((c) => c.type === 'Reconciling')?.lastTransitionTime ?? v.nowIso);
  const wait = since + CANCEL_GRACE_MS - v.nowMs;
  if (wait > 0) return { writes: [], events: [], requeueAfterMs: wait };
  const error = { code: 'OperationCanceled', message: `Operation ${cur.operationId} was canceled by an abort request` };
  return {
    writes: [
      ...recordWrite(v, { status: 'Canceled', endTime: v.nowIso, error }),
      { do: 'status', kind: k.kind, obj: v.obj, status: { ...k.cancelStatus(v, 'Canceled'), currentOperation: undefined } },
    ],
    events: [
      {
        regarding: v.obj,
        type: 'Normal',
        reason: 'Canceled',
        note: `Operation ${cur.operationId} (${cur.type}) canceled; nothing was rolled back`,
      },
    ],
  };
}

/** Deletion: a Delete operation (the running one canceled) that removes the children, then the finalizer. */
function deleting<V extends OpView>(k: OperationKind<V>, v: V): OpPlan {
  const { obj } = v;
  if (!hasFinalizer(obj, k.finalizer)) return { writes: [], events: [] };
  const cur = obj.status?.currentOperation;
  const ns = obj.metadata.namespace!;
  if (cur?.type !== 'Delete') {
    const stop =
      cur?.name && !isTerminal(v.op?.status?.status)
        ? recordWrite(v, {
            status: 'Canceled',
            endTime: v.nowIso,
            error: { code: 'OperationCanceled', message: `the ${k.noun} is being deleted` },
          })
        : [];
    const n = v.children.length;
    const plan = startPlan(k, v, { type: 'Delete', stepsTotal: n, startCount: n, state: 'Deleting', forbiddenOk: true });
    const last = plan.writes.pop() as Extract<Write, { do: 'status' }>;
    return { ...plan, writes: [...stop, ...plan.writes, { ...last, status: { provisioningState: 'Deleting', ...last.status } }] };
  }
  const total = cur.stepsTotal ?? 0;
  if (v.children.length > 0) {
    const live = v.children.filter((c) => !c.deleting);
    const plan: OpPlan = {
      writes: live.length ? [{ do: 'all', writes: live.map((c) => ({ do: 'delete', kind: k.childKind, ns, name: c.name })) }] : [],
      events: [],
    };
    // The children's deletions bring this target back; the roll-up waits its turn.
    const wait = progressWait(v.memo, v.nowMs);
    if (wait > 0) return { ...plan, requeueAfterMs: wait };
    const left = v.children.length;
    plan.writes.push(...recordWrite(v, { stepsDone: total - left, percentComplete: percentOf(total - left, total, false) }));
    return { ...plan, memo: { progressAt: v.nowMs } };
  }
  // The target's operation records go with it, as in Azure (a status URL of the delete reads a
  // target that is gone as finished): deleted here, not left to the garbage collector, which can
  // lag for tens of seconds (e.g. after a kube-apiserver restart).
  const records = v.history.filter((o) => !o.metadata.deletionTimestamp);
  return {
    writes: [
      ...recordWrite(v, { status: 'Succeeded', stepsDone: total, percentComplete: 100, endTime: v.nowIso }),
      ...(records.length
        ? [{ do: 'all', writes: records.map((o) => ({ do: 'delete', kind: 'SimOperation', ns, name: o.metadata.name! })) } as Write]
        : []),
      finalizerWrite(k.kind, obj, k.finalizer, false),
    ],
    events: [],
    logs: [{ fields: { [k.noun === 'cluster' ? 'cluster' : 'pool']: v.key }, msg: `${k.kind} ${v.key} deleted` }],
  };
}
