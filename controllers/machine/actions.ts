// Pure: a machine action asked for through spec.<action>Requests (reboot, reimage, redeploy). The
// VM is down (NotReady) for the action's simulated time, then comes back with a new boot id (a
// redeploy also on a new host), and the faults the action cures are gone. status.action is the
// memory: a restarted operator finishes the running action and never starts one twice.
import type { SimMachine, SimMachineStatus } from '../../src/api/generated.js';
import { ACTION_BOOTS, activeFaults, clearedBy, doneField, pendingAction, requestsOf, type ActionType } from '../../src/model/faults.js';
import type { Plan } from '../shared/plan.js';
import { withKind } from '../shared/plan.js';
import { bootMs, CONTROLLER, hostIdFor, labelWrites, statusWrite, type MachineView } from './view.js';

const ACTION_REASON: Record<ActionType, string> = { Reboot: 'Rebooting', Reimage: 'Reimaging', Redeploy: 'Redeploying' };

export function runAction(v: MachineView): Plan {
  const { m, nowMs: now } = v;
  const name = m.metadata.name!;
  const boot = bootMs(v);
  const running = m.status?.action;
  if (!running?.type || !running.startTime) {
    const type = pendingAction(m)!;
    const action = { type, actor: m.spec.lastRequestedBy ?? 'user', startTime: v.nowIso, request: requestsOf(m, type) };
    const next = { ...m, status: { ...m.status, action } } as SimMachine;
    return {
      writes: [statusWrite(m, { action, powerState: 'Starting' }), ...labelWrites(next, v)],
      events: [
        {
          regarding: withKind('SimMachine', m),
          type: 'Normal',
          reason: ACTION_REASON[type],
          note: `${type} of VM ${name} requested by ${action.actor}`,
          controller: CONTROLLER,
        },
      ],
      requeueAfterMs: boot * ACTION_BOOTS[type],
    };
  }
  const type = running.type as ActionType;
  const start = Date.parse(running.startTime);
  const end = start + boot * ACTION_BOOTS[type];
  if (now < end) return { writes: labelWrites(m, v), events: [], requeueAfterMs: end - now };
  const { cleared, remaining } = clearedBy(m, type, start);
  const plan: Plan = { writes: [], events: [], requeueAfterMs: 0 };
  if (cleared.length > 0) {
    // resourceVersion: a fault injected meanwhile makes this lose with 409 and retry, never vanish.
    plan.writes.push({
      do: 'patch',
      kind: 'SimMachine',
      ns: m.metadata.namespace!,
      name,
      body: { metadata: { resourceVersion: m.metadata.resourceVersion }, spec: { faults: remaining } },
    });
  }
  const status: SimMachineStatus = {
    [doneField(type)]: Math.max(running.request ?? 0, (m.status?.[doneField(type) as 'reboots'] ?? 0) + 1),
    action: undefined,
    powerState: 'Running',
    bootId: v.freshBootId,
    hostId: type === 'Redeploy' ? hostIdFor(name, (m.status?.redeploys ?? 0) + 1) : (m.status?.hostId ?? hostIdFor(name, 0)),
    nodeImageVersion: type === 'Reimage' ? m.spec.nodeImageVersion : m.status?.nodeImageVersion,
    lastAction: { type, actor: running.actor, startTime: running.startTime, endTime: v.nowIso, cleared },
  };
  plan.writes.push(statusWrite(m, status));
  const after = { ...m, spec: { ...m.spec, faults: remaining }, status: { ...m.status, ...status, action: undefined } } as SimMachine;
  plan.writes.push(...labelWrites(after, v));
  const still = activeFaults(after, now).map((f) => f.type);
  const note = `${type} of VM ${name} finished${cleared.length ? `; cleared ${cleared.join(', ')}` : ''}${still.length ? `; still faulty: ${still.join(', ')}` : ''}`;
  plan.events.push({ regarding: withKind('SimMachine', m), type: 'Normal', reason: `${type}Completed`, note, controller: CONTROLLER });
  return plan;
}
