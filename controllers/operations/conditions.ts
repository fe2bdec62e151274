// Pure: the Ready/Reconciling/Stalled conditions every operation target (clusters, pools) shows,
// written here once. Ready says whether the last operation succeeded and everything is up;
// Reconciling whether an operation runs now, and what it is doing; Stalled whether it is stuck
// until the spec changes (the last operation failed, or the spec was refused).
import { setCondition, type Condition } from '../../src/runtime/conditions.js';
import { isTerminal } from '../../src/model/operations.js';

export interface OperationHealth {
  /** provisioningState: the running operation's state, or how the last one ended. */
  state: string;
  /** Everything the target runs is up (counted only when the state is Succeeded). */
  allReady: boolean;
  /** Ready's reason when the operation succeeded but not everything is up, e.g. NodesNotReady. */
  notReadyReason: string;
  /** Why the last operation failed. */
  error?: string;
  /** Ready's message after the error, e.g. "3/3 nodes ready". */
  summary: string;
  /** Reconciling's message while an operation runs. */
  progress: string;
  generation: number;
}

export function operationConditions(prev: Condition[] | undefined, h: OperationHealth, nowIso: string): Condition[] {
  const working = !isTerminal(h.state);
  const ready = h.state === 'Succeeded' && h.allReady;
  const withReady = setCondition(
    prev,
    {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      reason: ready ? 'Succeeded' : h.state === 'Succeeded' ? h.notReadyReason : h.state,
      message: (h.error ? `${h.error}; ` : '') + h.summary,
      observedGeneration: h.generation,
    },
    nowIso,
  );
  const withReconciling = setCondition(
    withReady,
    {
      type: 'Reconciling',
      status: working ? 'True' : 'False',
      reason: working ? h.state : 'Idle',
      message: working ? h.progress : 'no operation in progress',
      observedGeneration: h.generation,
    },
    nowIso,
  );
  // Stalled (kstatus): the last operation failed and nothing more happens until the spec changes.
  const failed = h.state === 'Failed';
  return setCondition(
    withReconciling,
    {
      type: 'Stalled',
      status: failed ? 'True' : 'False',
      reason: failed ? 'OperationFailed' : 'Progressing',
      message: failed ? (h.error ?? 'the last operation failed') : 'not stalled',
      observedGeneration: h.generation,
    },
    nowIso,
  );
}

/** observedGeneration moves only once the operation for the generation has ended. */
export const observedGeneration = (state: string, prev: number | undefined, generation: number): number | undefined =>
  isTerminal(state) ? generation : prev;

/** A spec the operator cannot act on: Ready=False and Stalled=True with the refusal (Reconciling unchanged). */
export function refusedConditions(
  prev: Condition[] | undefined,
  reason: string,
  message: string,
  generation: number,
  nowIso: string,
): Condition[] {
  const c = { status: 'True' as const, reason, message, observedGeneration: generation };
  return setCondition(setCondition(prev, { ...c, type: 'Ready', status: 'False' }, nowIso), { ...c, type: 'Stalled' }, nowIso);
}
