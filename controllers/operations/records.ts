// Pure: the SimOperation records of long-running operations. A new record (deterministic name and
// id, so a retry after a crash finds the same one), the 50-per-target history limit, and how a
// progress or end update applies to a record: steps and percent never go back, and a finished
// operation stays finished.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { SimOperation, SimOperationStatus } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { operationId as armOperationId } from '../../src/azure/ids.js';
import {
  deterministicGuid,
  isTerminal,
  MAX_OPERATIONS_PER_TARGET,
  opObjectName,
  type OpType,
  type TargetKind,
} from '../../src/model/operations.js';

export interface NewOperation {
  target: KubernetesObject;
  targetKind: TargetKind;
  /** The target's ARM id. */
  targetId: string;
  type: OpType;
  generation: number;
  stepsTotal: number;
  startCount: number;
  nowIso: string;
}

/** The record of an operation that starts now, and its first status. */
export function newOperation(s: NewOperation): { op: SimOperation; status: SimOperationStatus } {
  const md = s.target.metadata!;
  const guid = deterministicGuid(md.uid ?? '', String(s.generation), s.type);
  const op: SimOperation = {
    metadata: {
      name: opObjectName(md.name!, guid),
      namespace: md.namespace,
      labels: { 'aksim.io/target-kind': s.targetKind, 'aksim.io/target': md.name! },
      ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: s.targetKind, name: md.name!, uid: md.uid!, blockOwnerDeletion: false }],
    },
    spec: {
      operationId: guid,
      targetKind: s.targetKind,
      targetName: md.name!,
      targetId: s.targetId,
      targetGeneration: s.generation,
      type: s.type,
    },
  };
  const status: SimOperationStatus = {
    id: armOperationId(s.targetId, guid),
    status: 'InProgress',
    percentComplete: 0,
    stepsDone: 0,
    stepsTotal: s.stepsTotal,
    startCount: s.startCount,
    startTime: s.nowIso,
  };
  return { op, status };
}

/** Names of the oldest records to delete so that, with the one starting, a target keeps 50. */
export function pruneOldest(history: SimOperation[], keep: string): string[] {
  const ops = history.filter((o) => o.metadata.name !== keep && !o.metadata.deletionTimestamp);
  const excess = ops.length + 1 - MAX_OPERATIONS_PER_TARGET;
  if (excess <= 0) return [];
  const byAge = (a: SimOperation, b: SimOperation): number =>
    (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? '') || a.metadata.name!.localeCompare(b.metadata.name!);
  return [...ops]
    .sort(byAge)
    .slice(0, excess)
    .map((o) => o.metadata.name!);
}

/**
 * The status update of a record: stepsDone and percentComplete never go back, and a finished
 * operation keeps its end. Undefined when there is nothing to update (no record).
 */
export function operationUpdate(op: SimOperation | undefined, patch: SimOperationStatus): SimOperationStatus | undefined {
  if (!op) return undefined;
  const prev = op.status ?? {};
  const next: SimOperationStatus = { ...patch };
  if (next.stepsDone !== undefined) next.stepsDone = Math.max(prev.stepsDone ?? 0, next.stepsDone);
  if (next.percentComplete !== undefined) next.percentComplete = Math.max(prev.percentComplete ?? 0, next.percentComplete);
  if (isTerminal(prev.status) && next.status && next.status !== prev.status) return undefined;
  return next;
}
