// Azure preempts Spot VMs only: a Preempt event naming a Regular VM (made with kubectl; the CLI
// refuses it before) is refused for good and touches nothing; on Spot VMs it is scheduled.
import { expect } from 'chai';
import type { ScheduledEvent, SimMachine } from '../../src/api/generated.js';
import { decideEvent } from '../../controllers/scheduledevents/decide.js';
import type { EventView } from '../../controllers/scheduledevents/view.js';
import { FINALIZERS } from '../../src/model/names.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const event = (status?: ScheduledEvent['status']): ScheduledEvent =>
  ({
    metadata: {
      name: 'ev',
      namespace: 'rg',
      generation: 1,
      finalizers: [FINALIZERS.scheduledEvent],
      creationTimestamp: new Date(NOW) as never,
    },
    spec: { eventType: 'Preempt', nodes: ['n0', 'n1'] },
    status,
  }) as ScheduledEvent;
const machine = (name: string, priority?: string): SimMachine =>
  ({ metadata: { name, namespace: 'rg' }, spec: { clusterName: 'c', poolName: 'p', index: 0, priority } }) as SimMachine;
const view = (e: ScheduledEvent, machines: SimMachine[]): EventView => ({
  e,
  nowMs: NOW,
  nowIso: new Date(NOW).toISOString(),
  timeScale: 60,
  machines: Object.fromEntries(machines.map((m) => [m.metadata.name!, m])),
  nodes: {},
  autoDrain: undefined,
  others: {},
  freshEventId: 'fresh',
});
const plan = (d: ReturnType<typeof decideEvent>) => {
  if (!('writes' in d)) throw new Error('expected a plan');
  return d;
};

describe('scheduled events: Preempt on a VM that is not Spot', () => {
  it('is refused: status Refused with Ready=False naming the VM, a Warning event, nothing else written', () => {
    const d = plan(decideEvent(view(event(), [machine('n0', 'Spot'), machine('n1')])));
    expect(d.writes).to.have.length(1);
    const w = d.writes[0] as {
      do: string;
      status: { eventStatus: string; conditions: { type: string; status: string; reason: string; message: string }[] };
    };
    expect(w.do).to.equal('status');
    expect(w.status.eventStatus).to.equal('Refused');
    expect(w.status.conditions).to.have.length(1);
    expect(w.status.conditions[0]).to.include({ type: 'Ready', status: 'False', reason: 'PreemptNotSpot' });
    expect(w.status.conditions[0]!.message).to.equal('Preempt evicts Spot VMs only; n1 is not Spot: delete this event');
    expect(d.events).to.have.length(1);
    expect(d.events[0]).to.include({ type: 'Warning', reason: 'PreemptNotSpot' });
  });

  it('stays refused without writing again', () => {
    const d = plan(decideEvent(view(event({ eventStatus: 'Refused' }), [machine('n0', 'Spot'), machine('n1')])));
    expect(d.writes).to.deep.equal([]);
    expect(d.events).to.deep.equal([]);
  });

  it('is scheduled when every VM it names is Spot', () => {
    const d = plan(decideEvent(view(event(), [machine('n0', 'Spot'), machine('n1', 'Spot')])));
    const st = d.writes.find((w) => w.do === 'status' && w.kind === 'ScheduledEvent') as { status: { eventStatus: string } } | undefined;
    expect(st?.status.eventStatus).to.equal('Scheduled');
  });
});
