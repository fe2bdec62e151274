// Pure: one NGroup pass. Virtual nodes, CG health, cancel request, profile change (Manual: record;
// Rolling: start an update or refuse it), stop/start/restart (power.ts; while stopped or with
// CGs in flight nothing else moves CGs), one rolling update step, scale, Manual-mode CG updates,
// then the status (changes of counts only: at most one write a second). Deletion removes every
// CG first. The result is a plan act.ts carries out.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { NGroupStatus } from '../../src/api/generated.js';
import type { Condition } from '../../src/runtime/conditions.js';
import type { Note } from '../shared/plan.js';
import { syncHealth } from './health.js';
import { virtualNode } from './nodes.js';
import { mergePatch } from './patch.js';
import { stepPower, wantsStopped } from './power.js';
import { virtualNodeName } from './placement.js';
import { replaceInFlight, stepRollingUpdate } from './rolling.js';
import { handleCancel, handleTargetChange, type Refusal } from './rolling-start.js';
import { manualUpdate, scale } from './scale.js';
import { countsOnly, ngroupStatus } from './status.js';
import { Pass, type CgWrite, type NgView } from './view.js';

/** Count-only status changes are written at most this often per NGroup (real ms). */
export const ROLLUP_MS = 1000;
/** Real ms between looks while a deleted NGroup's CGs go. */
export const DELETE_POLL_MS = 2000;

export interface NgPlan {
  /** Virtual nodes to make sure of. */
  nodes: V1Node[];
  writes: CgWrite[];
  /** Pods found in line with their health inputs (not looked at again until they change). */
  inLine: V1Pod[];
  /** The status merge patch, written only to the version of the NGroup it was computed from. */
  status?: Record<string, unknown>;
  events: Note[];
  logs: { fields: object; msg: string }[];
  requeueAfterMs?: number;
  /** Deletion: the status to show while CGs go, and whether the finalizer may go now. */
  deleting?: { status: Partial<NGroupStatus>; done: boolean };
}

/** The virtual nodes of the NGroup's slots not yet known to exist. */
function virtualNodes(p: Pass, made: ReadonlySet<string>): V1Node[] {
  return p.slots.filter((s) => !made.has(virtualNodeName(p.region, s))).map((s) => virtualNode(p.region, s));
}

export function decideNGroup(v: NgView, nodesMade: ReadonlySet<string>): NgPlan {
  const p = new Pass(v);
  const nodes = virtualNodes(p, nodesMade);
  const inLine = syncHealth(p);
  handleCancel(p);
  const resolved = p.resolveTarget();
  let refusal: Refusal | undefined;
  if ('target' in resolved) refusal = handleTargetChange(p, resolved.target, wantsStopped(p));
  const applied = p.st.profile
    ? p.lookup({ name: p.st.profile.name!, namespace: p.st.profile.namespace!, revision: p.st.profile.revision })
    : undefined;
  // A rolling update in progress pauses while the NGroup is stopped, starting or restarting.
  if (!stepPower(p, applied)) {
    stepRollingUpdate(p);
    if (!replaceInFlight(p)) scale(p, applied);
    manualUpdate(p, applied);
  }
  const problem = refusal ?? ('target' in resolved || resolved.pending ? undefined : resolved);
  const next = ngroupStatus(p, problem);
  const prevReady = (v.ng.status?.conditions as Condition[] | undefined)?.find((x) => x.type === 'Ready');
  if (problem && !(prevReady?.reason === problem.reason && prevReady.observedGeneration === v.ng.metadata.generation))
    p.emit('Warning', problem.reason, problem.message);
  const plan: NgPlan = { nodes, writes: p.writes, inLine, events: p.events, logs: p.logs };
  const patch = mergePatch(v.ng.status ?? {}, next);
  if (Object.keys(patch).length > 0) {
    const wait = (v.lastWriteMs ?? -Infinity) + ROLLUP_MS - v.nowMs;
    if (wait > 0 && countsOnly(v.ng.status, next)) p.requeue(wait);
    else plan.status = patch;
  }
  plan.requeueAfterMs = p.requeueMs;
  return plan;
}

/** Deleting: every CG goes, then the finalizer. */
export function decideNGroupDeletion(v: NgView): NgPlan {
  const p = new Pass(v);
  const plan: NgPlan = { nodes: [], writes: [], inLine: [], events: [], logs: [] };
  plan.deleting = {
    status: v.ng.status?.provisioningState !== 'Deleting' ? { provisioningState: 'Deleting' } : {},
    done: v.pods.length === 0,
  };
  if (v.pods.length > 0) {
    plan.writes = p.live.map((x) => ({ do: 'delete', name: x.metadata!.name! }));
    plan.requeueAfterMs = DELETE_POLL_MS;
  }
  return plan;
}
