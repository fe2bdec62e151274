// The plain view a ScheduledEvent's decisions read, and the pure helpers its deciders share:
// the writes that bump a VM's IMDS document, set the node condition VMEventScheduled, and put on
// or take off the autodrain taint.
import type { V1Node } from '@kubernetes/client-node';
import type { ScheduledEvent, ScheduledEventStatus, SimCluster, SimMachine } from '../../src/api/generated.js';
import { CONDITION } from '../../src/model/scheduled-events.js';
import type { DrainView } from '../shared/drain-plan.js';
import { nodeRef, type Note, type Plan, type Write } from '../shared/plan.js';

export const CONTROLLER = 'aksim.io/scheduled-events';
/** Real ms between drain steps while pods terminate or budgets block. */
export const DRAIN_POLL_MS = 250;

export type NodeState = NonNullable<ScheduledEventStatus['nodes']>[number];

export interface EventView {
  e: ScheduledEvent;
  nowMs: number;
  nowIso: string;
  timeScale: number;
  /** The affected VMs and their Nodes, by node name (missing: gone). */
  machines: Record<string, SimMachine | undefined>;
  nodes: Record<string, V1Node | undefined>;
  /** spec.autoDrain of the cluster of the first affected VM. */
  autoDrain: SimCluster['spec']['autoDrain'];
  /** Other live events that name each node. */
  others: Record<string, number>;
  /** Pods and budgets of nodes being drained, once a step asked for them. */
  drains?: Record<string, DrainView>;
  /** An event id for an event that names none. */
  freshEventId: string;
}

/** A plan, or a request to observe the pods on these nodes first (a drain step is due). */
export type EventDecision = Plan | { observe: string[] };

export const statusWrite = (e: ScheduledEvent, status: ScheduledEventStatus): Write => ({
  do: 'status',
  kind: 'ScheduledEvent',
  obj: e,
  status,
});

export const nodeNote = (v: EventView, node: string, type: Note['type'], reason: string, note: string): Note => ({
  regarding: nodeRef(node, v.nodes[node]),
  type,
  reason,
  note,
});

/** IMDS DocumentIncarnation of each affected VM: +1 on every change of its document. */
export function bumpWrites(v: EventView): Write[] {
  return v.e.spec.nodes.flatMap((n): Write[] => {
    const m = v.machines[n];
    return m ? [{ do: 'status', kind: 'SimMachine', obj: m, status: { eventsIncarnation: (m.status?.eventsIncarnation ?? 0) + 1 } }] : [];
  });
}

/** Node condition VMEventScheduled (node-problem-detector style): merged by type, kwok's conditions untouched. */
export function conditionWrites(v: EventView, node: string, status: 'True' | 'False', reason: string, message: string): Write[] {
  const n = v.nodes[node];
  if (!n) return [];
  const cur = n.status?.conditions?.find((c) => c.type === CONDITION);
  if (cur?.status === status && cur.reason === reason && cur.message === message) return [];
  const lastTransitionTime = cur?.status === status ? cur.lastTransitionTime : v.nowIso;
  return [
    {
      do: 'patchNodeStatus',
      name: node,
      body: { status: { conditions: [{ type: CONDITION, status, reason, message, lastHeartbeatTime: v.nowIso, lastTransitionTime }] } },
    },
  ];
}

/** Puts the autodrain taint on (or takes it off) the node, when it is not so already. */
export function taintWrites(node: V1Node, key: string, on: boolean): Write[] {
  const taints = node.spec?.taints ?? [];
  if (taints.some((t) => t.key === key) === on) return [];
  const next = on ? [...taints, { key, value: 'true', effect: 'NoSchedule' }] : taints.filter((t) => t.key !== key);
  return [{ do: 'patchNode', name: node.metadata!.name!, body: { spec: { taints: next } } }];
}
