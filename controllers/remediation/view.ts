// Pure: the node auto-repair's view of one node, from its SimMachine and Node: readiness, since
// when it has been unhealthy, and why it must not be repaired now (docs/auto-repair.md).
import type { V1Node } from '@kubernetes/client-node';
import type { SimMachine } from '../../src/api/generated.js';
import { ACTION_TYPES, doneOf, requestsOf, type ActionType } from '../../src/model/faults.js';
import { getCondition, type Condition } from '../../src/runtime/conditions.js';
import type { NodeView } from './decide.js';

export const SHUTDOWN_TAINT = 'node.cloudprovider.kubernetes.io/shutdown';
export const CA_DELETE_TAINT = 'ToBeDeletedByClusterAutoscaler';

const readyCond = (n: V1Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready');
export const readyOf = (n: V1Node | undefined): 'True' | 'False' | 'Unknown' => {
  const s = readyCond(n)?.status;
  return s === 'True' || s === 'False' ? s : 'Unknown';
};

/** Why a node must not be repaired now, if it must not (docs/behaviour.md section 2, "not repaired when"). */
export function skipReason(m: SimMachine, node: V1Node | undefined): string | undefined {
  if (m.status?.powerState === 'Stopped') return 'its VM is stopped (the cluster or its agent pool is stopped)';
  if (!m.status?.provisionedTime) return 'it never registered as healthy';
  const taints = node?.spec?.taints ?? [];
  if (taints.some((t) => t.key === SHUTDOWN_TAINT)) return `it carries the ${SHUTDOWN_TAINT} taint`;
  if (taints.some((t) => t.key === CA_DELETE_TAINT)) return `it carries the ${CA_DELETE_TAINT} taint`;
  const conds = m.status.conditions as Condition[] | undefined;
  if (
    getCondition(conds, 'Upgrading') ||
    m.spec.orchestratorVersion !== m.status.orchestratorVersion ||
    m.spec.nodeImageVersion !== m.status.nodeImageVersion
  )
    return 'it is being upgraded';
  if (m.status.action) return `a ${m.status.action.type} requested by ${m.status.action.actor} is running`;
  return undefined;
}

/**
 * Real ms since when the node has been unhealthy. Unknown: the controller manager's transition
 * time (it marks a node Unknown a grace period after its last heartbeat). False: kwok stamps the
 * node's creation time as the transition, so the machine controller's own observation
 * (SimMachine condition NodeReady) is the later, truer bound. Never before the VM's last boot: a
 * VM started after a stop (az aks start) counts from its start, not from its stop.
 */
export function unhealthySince(m: SimMachine, node: V1Node | undefined, now: number): number | undefined {
  const c = readyCond(node);
  if (c?.status === 'True') return undefined;
  if (!node) return undefined;
  const booted = Date.parse(m.status?.bootStartTime ?? '');
  const transition = c?.lastTransitionTime
    ? new Date(c.lastTransitionTime as unknown as string).getTime()
    : new Date(node.metadata!.creationTimestamp as unknown as string).getTime();
  const nodeLtt = Number.isNaN(booted) ? transition : Math.max(transition, booted);
  const seen = getCondition(m.status?.conditions as Condition[] | undefined, 'NodeReady');
  const seenMs = seen && seen.status !== 'True' ? Date.parse(seen.lastTransitionTime) : NaN;
  if (c?.status !== 'False') return nodeLtt;
  // The machine controller has not recorded the change yet: count from now until it has.
  return Number.isNaN(seenMs) ? now : Math.max(seenMs, nodeLtt);
}

export function nodeView(m: SimMachine, node: V1Node | undefined, now: number): NodeView {
  const requests = Object.fromEntries(ACTION_TYPES.map((a) => [a, requestsOf(m, a)])) as Record<ActionType, number>;
  const done = Object.fromEntries(ACTION_TYPES.map((a) => [a, doneOf(m, a)])) as Record<ActionType, number>;
  const v: NodeView = { name: m.metadata.name!, ready: readyOf(node), windows: m.spec.osType === 'Windows', requests, done };
  const since = unhealthySince(m, node, now);
  if (since !== undefined) v.unhealthySince = since;
  const skip = skipReason(m, node);
  if (skip) v.skip = skip;
  if (!m.status?.provisionedTime) v.neverHealthy = true;
  return v;
}
