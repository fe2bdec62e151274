// Pure types: what a target kind plugs into the operation lifecycle (lifecycle.ts): the view the
// driver observes for it, and the small hooks with which it starts, steps and cancels its
// operations. controllers/cluster/decide.ts and controllers/nodepool/decide.ts are the two kinds.
import type { KubernetesObject, V1ObjectMeta } from '@kubernetes/client-node';
import type { SimNodePoolStatus, SimOperation } from '../../src/api/generated.js';
import type { OpType, TargetKind } from '../../src/model/operations.js';
import type { Refusal } from '../../src/model/versions.js';
import type { Kind, Plan, Write } from '../shared/plan.js';

export type CurrentOp = NonNullable<SimNodePoolStatus['currentOperation']>;

export interface Target extends KubernetesObject {
  metadata: V1ObjectMeta;
  status?: { currentOperation?: CurrentOp; conditions?: unknown[]; lastOperationGeneration?: number };
}

/** What the driver remembers per target between reconciles (memory only; losing it is harmless). */
export interface Memo {
  /** Real ms of the last progress roll-up (written at most once a second). */
  progressAt?: number;
  /** The kind's own note of a step it took that the cache does not show yet. */
  applied?: string;
}

export interface OpView<T extends Target = Target> {
  obj: T;
  key: string;
  /** The target's ARM id. */
  id: string;
  nowMs: number;
  nowIso: string;
  /** The record of status.currentOperation (cache, else API server). */
  op?: SimOperation;
  /** Every record of this target, for the 50 kept. */
  history: SimOperation[];
  /** What a Delete removes first (pools of a cluster, machines of a pool). */
  children: { name: string; deleting: boolean }[];
  memo: Memo;
}

export interface OpPlan extends Plan {
  memo?: Partial<Memo>;
}

/** `requeueAfterMs`: when to look again whatever happens (e.g. when a newer node image ships). */
export type Begin = (
  | { idle: { status: object; throttled: boolean } }
  | { refuse: Refusal }
  | { start: { type: OpType; stepsTotal: number; startCount: number; status: object; note: string } }
) & { requeueAfterMs?: number };

export interface Finish {
  outcome: 'Succeeded' | 'Failed';
  error?: { code: string; message: string; target?: string };
  /** The target's status at the end (currentOperation is cleared by the driver). */
  status: object;
  reason: string;
  note: string;
}

export type Step =
  /** A step of the kind's own that leaves the operation record alone. */
  | { own: OpPlan }
  | { finish: Finish }
  /** `plan` first, then (at most once a second) the record's progress and the target's status. */
  | { progress: { done: number; status: object; plan: OpPlan } };

export interface OperationKind<V extends OpView> {
  kind: TargetKind;
  /** Reporting controller of its events, e.g. aksim.io/cluster. */
  controller: string;
  finalizer: string;
  /** How messages name the target: "cluster", "agent pool". */
  noun: string;
  childKind: Kind;
  /** Checked before anything else: a refusal, or 'hold' to do nothing now. */
  gate?(v: V): Refusal | 'hold' | undefined;
  /** No operation runs: start one, refuse the spec, or stay idle. */
  begin(v: V): Begin;
  /** An operation runs: its next step. */
  step(v: V, cur: CurrentOp): Step;
  /** The target's status while canceling and once canceled. */
  cancelStatus(v: V, state: 'Canceling' | 'Canceled'): object;
  /** Writes that stop what the operation started (children's operations, unbooted machines). */
  onCancel(v: V): Write[];
  cancelNote(v: V, cur: CurrentOp): string;
}
