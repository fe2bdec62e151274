// Long-running operations (SimOperation): deterministic ids, creation, progress writes and the
// 50-per-target history limit. Shared by the cluster and node pool controllers.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { SimOperation, SimOperationStatus } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { operationId as armOperationId } from '../../src/azure/ids.js';
import { isConflict } from '../../src/runtime/client.js';
import type { Ctx } from '../context.js';
import { writeStatus } from '../shared/objects.js';

export const MAX_OPERATIONS_PER_TARGET = 50;

export type OpType = 'Create' | 'Update' | 'Scale' | 'Upgrade' | 'NodeImageUpgrade' | 'Delete' | 'Start' | 'Stop';
export type TargetKind = 'SimCluster' | 'SimNodePool';

/** provisioningState shown while an operation of each type runs. */
export const RUNNING_STATE: Record<OpType, string> = {
  Create: 'Creating',
  Update: 'Updating',
  Scale: 'Scaling',
  Upgrade: 'Upgrading',
  NodeImageUpgrade: 'UpgradingNodeImageVersion',
  Delete: 'Deleting',
  Start: 'Starting',
  Stop: 'Stopping',
};

/** A GUID derived from the target and what it was asked: retries after a crash find the same operation. */
export function deterministicGuid(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('/')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export const opObjectName = (targetName: string, guid: string): string => `${targetName}-${guid.slice(0, 8)}`.toLowerCase();

export interface StartOp {
  target: KubernetesObject;
  targetKind: TargetKind;
  targetId: string;
  type: OpType;
  generation: number;
  stepsTotal: number;
  startCount: number;
}

/** Creates the SimOperation (idempotent) and prunes the target's history to 50. */
export async function startOperation(ctx: Ctx, s: StartOp): Promise<SimOperation> {
  const md = s.target.metadata!;
  const guid = deterministicGuid(md.uid ?? '', String(s.generation), s.type);
  const name = opObjectName(md.name!, guid);
  const nowIso = new Date(ctx.clock.now()).toISOString();
  const op: SimOperation = {
    metadata: {
      name,
      namespace: md.namespace,
      labels: { 'aksim.io/target-kind': s.targetKind, 'aksim.io/target': md.name! },
      ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: s.targetKind, name: md.name!, uid: md.uid!, blockOwnerDeletion: false }],
    },
    spec: { operationId: guid, targetKind: s.targetKind, targetName: md.name!, targetId: s.targetId, targetGeneration: s.generation, type: s.type },
  };
  const status: SimOperationStatus = {
    id: armOperationId(s.targetId, guid),
    status: 'InProgress',
    percentComplete: 0,
    stepsDone: 0,
    stepsTotal: s.stepsTotal,
    startCount: s.startCount,
    startTime: nowIso,
  };
  let created: SimOperation;
  try {
    created = await ctx.kube.create('SimOperation', md.namespace!, op);
  } catch (err: unknown) {
    if (!isConflict(err)) throw err;
    created = (await ctx.kube.get<SimOperation>('SimOperation', md.namespace!, name))!;
  }
  if (!created.status?.status) await ctx.kube.patchStatus('SimOperation', md.namespace!, name, status);
  await prune(ctx, md.namespace!, s.targetKind, md.name!, name);
  return { ...created, status: created.status?.status ? created.status : status };
}

async function prune(ctx: Ctx, ns: string, kind: TargetKind, target: string, keep: string): Promise<void> {
  const ops = ctx.operations.byIndex('target', `${ns}/${kind}/${target}`).filter((o) => o.metadata.name !== keep && !o.metadata.deletionTimestamp);
  const excess = ops.length + 1 - MAX_OPERATIONS_PER_TARGET;
  if (excess <= 0) return;
  const oldest = ops.sort((a, b) => (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? '') || a.metadata.name!.localeCompare(b.metadata.name!)).slice(0, excess);
  await Promise.all(oldest.map((o) => ctx.kube.delete('SimOperation', ns, o.metadata.name!)));
}

/** Percent from real steps; 100 only when the operation has finished, and never going back. */
export function percentOf(done: number, total: number, finished: boolean, prevPercent = 0): number {
  if (finished) return 100;
  const p = total <= 0 ? 0 : Math.min(99, Math.floor((100 * Math.min(done, total)) / total));
  return Math.max(prevPercent, p);
}

/** Writes an operation's progress or end; no write when nothing changed. */
export async function updateOperation(ctx: Ctx, ns: string, name: string, patch: SimOperationStatus): Promise<void> {
  if (!name) return; // no operation record (e.g. a delete in a terminating namespace)
  const op = ctx.operations.get(`${ns}/${name}`) ?? (await ctx.kube.get<SimOperation>('SimOperation', ns, name));
  if (!op) return;
  const prev = op.status ?? {};
  const next: SimOperationStatus = { ...patch };
  if (next.stepsDone !== undefined) next.stepsDone = Math.max(prev.stepsDone ?? 0, next.stepsDone);
  if (next.percentComplete !== undefined) next.percentComplete = Math.max(prev.percentComplete ?? 0, next.percentComplete);
  if (isTerminal(prev.status) && next.status && next.status !== prev.status) return; // a finished operation stays finished
  await writeStatus(ctx.kube, 'SimOperation', op, next);
}

export const isTerminal = (s?: string): boolean => s === 'Succeeded' || s === 'Failed' || s === 'Canceled';
