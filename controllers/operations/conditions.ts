// Pure: the Ready/Reconciling condition pair every operation target (clusters, pools) shows,
// written here once. Ready says whether the last operation succeeded and everything is up;
// Reconciling whether an operation runs now, and what it is doing.
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
  return setCondition(
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
}

/** observedGeneration moves only once the operation for the generation has ended. */
export const observedGeneration = (state: string, prev: number | undefined, generation: number): number | undefined =>
  isTerminal(state) ? generation : prev;

/** A spec the operator cannot act on: Ready=False with the refusal (other conditions unchanged). */
export function refusedConditions(
  prev: Condition[] | undefined,
  reason: string,
  message: string,
  generation: number,
  nowIso: string,
): Condition[] {
  return setCondition(prev, { type: 'Ready', status: 'False', reason, message, observedGeneration: generation }, nowIso);
}
