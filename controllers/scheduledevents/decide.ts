// Pure: the life of a ScheduledEvent: Scheduled -> (approval or NotBefore) -> Started -> effect ->
// gone. While Scheduled, autodrain (drain.ts) cordons, taints and drains the affected nodes when
// the cluster's spec.autoDrain says so. The effect goes through the machine: Freeze = a Frozen
// fault until its end, Reboot/Redeploy = machine requests, Preempt and Terminate = deleting the
// SimMachine (its finalizer drains and removes the Node). Deleting the object before it starts
// cancels it; either way the finalizer uncordons what aksim cordoned and sets the node condition
// VMEventScheduled back to False/NoVMEventScheduled. Status is the memory.
import type { ScheduledEventStatus, SimMachine } from '../../src/api/generated.js';
import { doneOf, requestField, requestsOf } from '../../src/model/faults.js';
import { FINALIZERS } from '../../src/model/names.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';
import { parseNodeIndex, vmssName } from '../../src/model/naming.js';
import { DEFAULT_FREEZE_SECONDS, drainSettings, effectiveNotBefore, imdsTime, type EventType } from '../../src/model/scheduled-events.js';
import { cordonWrites } from '../shared/drain-plan.js';
import { finalizerFirst, finalizerWrite, hasFinalizer, type Plan, type Write } from '../shared/plan.js';
import { scheduled } from './drain.js';
import {
  bumpWrites,
  conditionWrites,
  nodeNote,
  statusWrite,
  taintWrites,
  type EventDecision,
  type EventView,
  type NodeState,
} from './view.js';

/** Real ms before looking again at a VM whose finished Freeze fault is being removed. */
const FAULT_RECHECK_MS = 250;

/** Sets a VM's faults, only over the version this pass read. */
const faultsWrite = (m: SimMachine, faults: NonNullable<SimMachine['spec']['faults']>): Write => ({
  do: 'patch',
  kind: 'SimMachine',
  ns: m.metadata.namespace!,
  name: m.metadata.name!,
  body: { metadata: { resourceVersion: m.metadata.resourceVersion }, spec: { faults } },
});

export function decideEvent(v: EventView): EventDecision {
  const { e } = v;
  const first = finalizerFirst('ScheduledEvent', e, FINALIZERS.scheduledEvent, () => finish(v));
  if (first) return first;
  switch (e.status?.eventStatus) {
    case undefined:
    case '':
      return schedule(v);
    case 'Scheduled':
      return scheduled(v, start);
    case 'Started':
      return started(v);
    case 'Refused':
      return { writes: [], events: [] }; // for good: the user deletes it
    default:
      return { writes: [{ do: 'delete', kind: 'ScheduledEvent', ns: e.metadata.namespace!, name: e.metadata.name! }], events: [] };
  }
}

/**
 * Azure preempts Spot VMs only: a Preempt naming a VM of another priority is refused for good
 * (eventStatus Refused, Ready=False naming the VMs, a Warning event) and touches nothing.
 */
function refusal(v: EventView): Plan | undefined {
  const { e } = v;
  if (e.spec.eventType !== 'Preempt') return undefined;
  const regular = e.spec.nodes.filter((n) => v.machines[n] && v.machines[n]!.spec.priority !== 'Spot');
  if (regular.length === 0) return undefined;
  const reason = 'PreemptNotSpot';
  const message = `Preempt evicts Spot VMs only; ${regular.join(', ')} ${regular.length > 1 ? 'are' : 'is'} not Spot: delete this event`;
  const conditions = setCondition(
    e.status?.conditions as Condition[] | undefined,
    { type: 'Ready', status: 'False', reason, message, observedGeneration: e.metadata.generation },
    v.nowIso,
  );
  return {
    writes: [statusWrite(e, { eventStatus: 'Refused', conditions })],
    events: [{ regarding: e, type: 'Warning', reason, note: message }],
  };
}

function schedule(v: EventView): Plan {
  const refused = refusal(v);
  if (refused) return refused;
  const { e } = v;
  const type = e.spec.eventType as EventType;
  const created = Date.parse(e.metadata.creationTimestamp as unknown as string) || v.nowMs;
  const notBefore = effectiveNotBefore(e, created, (ms) => ms / v.timeScale);
  const action = drainSettings(v.autoDrain).actions[type];
  const resources = e.spec.nodes.map((n) => {
    const m = v.machines[n];
    const idx = m?.spec.index ?? parseNodeIndex(n);
    const hash = n.split('-').at(-2) ?? '';
    return m && idx !== undefined ? `${vmssName(m.spec.poolName, hash)}_${idx}` : n;
  });
  const status: ScheduledEventStatus = {
    eventId: e.spec.eventId || v.freshEventId,
    eventStatus: 'Scheduled',
    notBefore: new Date(notBefore).toISOString(),
    resources,
    action,
    nodes: e.spec.nodes.map((node) => ({ node })),
  };
  const plan: Plan = { writes: [...bumpWrites(v), statusWrite(e, status)], events: [], requeueAfterMs: 0 };
  for (const n of e.spec.nodes) {
    const msg = `${type} scheduled (EventId ${status.eventId}), NotBefore ${imdsTime(status.notBefore)}`;
    plan.writes.push(...conditionWrites(v, n, 'True', `${type}Scheduled`, msg));
    plan.events.push(
      nodeNote(v, n, 'Normal', `${type}Scheduled`, `${msg}; autodrain: ${action === 'CordonAndDrain' ? 'cordon and drain' : 'no action'}`),
    );
  }
  return plan;
}

/** Started: record the targets first, then act (re-asserted until done; never twice). */
function start(v: EventView, nodesIn: NodeState[]): Plan {
  const { e } = v;
  const type = e.spec.eventType as EventType;
  const nodes = nodesIn.map((x) => {
    const m = v.machines[x.node ?? ''];
    return m && (type === 'Reboot' || type === 'Redeploy') ? { ...x, requested: requestsOf(m, type) + 1 } : x;
  });
  const plan: Plan = {
    writes: [...bumpWrites(v), statusWrite(e, { eventStatus: 'Started', startTime: v.nowIso, nodes })],
    events: [],
    requeueAfterMs: 0,
  };
  for (const x of nodes) {
    plan.writes.push(...conditionWrites(v, x.node!, 'True', `${type}Started`, `${type} event ${e.status?.eventId} started`));
    plan.events.push(
      nodeNote(v, x.node!, 'Normal', `${type}Started`, `${type} event ${e.status?.eventId} started${e.spec.approved ? ' (approved)' : ''}`),
    );
  }
  return plan;
}

function started(v: EventView): Plan {
  const { e, nowMs: now } = v;
  const type = e.spec.eventType as EventType;
  const ns = e.metadata.namespace!;
  const startMs = Date.parse(e.status?.startTime ?? '') || now;
  const writes: Write[] = [];
  let pending = false;
  let wake = Infinity;
  for (const x of e.status?.nodes ?? []) {
    const m = v.machines[x.node ?? ''];
    if (!m) continue; // the VM is gone: nothing left to do on it
    const name = m.metadata.name!;
    switch (type) {
      case 'Freeze': {
        const secs = e.spec.durationInSeconds && e.spec.durationInSeconds > 0 ? e.spec.durationInSeconds : DEFAULT_FREEZE_SECONDS;
        const until = startMs + (secs * 1000) / v.timeScale;
        const untilIso = new Date(until).toISOString();
        const message = `Freeze event ${e.status?.eventId}`;
        const faults = m.spec.faults ?? [];
        // Over: the VM runs again; the Frozen fault this event set leaves the machine's spec first,
        // and the event completes on a later pass.
        const over = now >= until;
        if (over && !faults.some((f) => f.type === 'Frozen' && f.message === message)) break;
        pending = true;
        wake = Math.min(wake, over ? now + FAULT_RECHECK_MS : until);
        if (!over && faults.some((f) => f.type === 'Frozen' && f.until === untilIso)) break;
        const frozen = { type: 'Frozen' as const, since: new Date(startMs).toISOString(), until: untilIso, message };
        writes.push(
          faultsWrite(m, over ? faults.filter((f) => f.message !== message) : [...faults.filter((f) => f.type !== 'Frozen'), frozen]),
        );
        break;
      }
      case 'Reboot':
      case 'Redeploy':
        if (doneOf(m, type) >= (x.requested ?? 0)) break;
        pending = true;
        if (requestsOf(m, type) < (x.requested ?? 0)) {
          writes.push({
            do: 'patch',
            kind: 'SimMachine',
            ns,
            name,
            body: { spec: { [requestField(type)]: x.requested, lastRequestedBy: `scheduled-event/${e.status?.eventId}` } },
          });
        }
        break;
      case 'Preempt':
      case 'Terminate':
        pending = true;
        if (!m.metadata.deletionTimestamp) writes.push({ do: 'delete', kind: 'SimMachine', ns, name });
        break;
    }
  }
  if (pending) return { writes, events: [], requeueAfterMs: wake < Infinity ? Math.max(0, wake - now) : undefined };
  // Done: the event disappears (the finalizer cleans up).
  return {
    writes: [...writes, statusWrite(e, { eventStatus: 'Completed' }), { do: 'delete', kind: 'ScheduledEvent', ns, name: e.metadata.name! }],
    events: [],
  };
}

/** Gone (done or canceled): uncordon what aksim cordoned, drop the taint, clear the condition. */
function finish(v: EventView): Plan {
  const { e } = v;
  if (!hasFinalizer(e, FINALIZERS.scheduledEvent)) return { writes: [], events: [] };
  const type = e.spec.eventType as EventType;
  const st = e.status?.eventStatus;
  const canceled = st !== 'Started' && st !== 'Completed';
  const cfg = drainSettings(v.autoDrain);
  const plan: Plan = { writes: [], events: [] };
  for (const x of e.status?.nodes ?? []) {
    const node = v.nodes[x.node ?? ''];
    if (!node) continue;
    const m = v.machines[x.node!];
    const vmGoing = !m || Boolean(m.metadata.deletionTimestamp);
    if (!vmGoing) plan.writes.push(...taintWrites(node, cfg.taintKey, false), ...(x.cordonedByAksim ? cordonWrites(node, false) : []));
    if ((v.others[x.node!] ?? 0) === 0)
      plan.writes.push(...conditionWrites(v, x.node!, 'False', 'NoVMEventScheduled', 'No VM event is scheduled'));
    if (canceled)
      plan.events.push(
        nodeNote(
          v,
          x.node!,
          'Normal',
          `${type}Canceled`,
          `${type} event ${e.status?.eventId ?? ''} was canceled${x.cordonedByAksim ? '; node uncordoned' : ''}`,
        ),
      );
    else if (x.cordonedByAksim && !vmGoing)
      plan.events.push(nodeNote(v, x.node!, 'Normal', 'NodeUncordon', `${type} event ${e.status?.eventId} finished; node uncordoned`));
  }
  if (st === 'Scheduled' || st === 'Started' || st === 'Completed') plan.writes.push(...bumpWrites(v));
  plan.writes.push(finalizerWrite('ScheduledEvent', e, FINALIZERS.scheduledEvent, false));
  return plan;
}
