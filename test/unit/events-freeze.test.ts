// A finished Freeze takes its Frozen fault off the VM before the event completes (the chaos run
// found the fault left in the machine's spec for good, which reads as a VM still frozen).
import { expect } from 'chai';
import type { ScheduledEvent, SimMachine } from '../../src/api/generated.js';
import { decideEvent } from '../../controllers/scheduledevents/decide.js';
import type { EventView } from '../../controllers/scheduledevents/view.js';
import { FINALIZERS } from '../../src/model/names.js';

const START = Date.parse('2026-01-01T00:00:00Z');
const frozen = {
  type: 'Frozen' as const,
  since: '2026-01-01T00:00:00.000Z',
  until: '2026-01-01T00:00:00.083Z',
  message: 'Freeze event E1',
};
const other = { type: 'DiskCorruption' as const, message: 'by hand' };
const event: ScheduledEvent = {
  metadata: { name: 'ev', namespace: 'rg', finalizers: [FINALIZERS.scheduledEvent], creationTimestamp: new Date(START) as never },
  spec: { eventType: 'Freeze', nodes: ['n0'] },
  status: { eventId: 'E1', eventStatus: 'Started', startTime: new Date(START).toISOString(), nodes: [{ node: 'n0' }] },
} as ScheduledEvent;
const machine = (faults: SimMachine['spec']['faults']): SimMachine =>
  ({ metadata: { name: 'n0', namespace: 'rg', resourceVersion: '7' }, spec: { clusterName: 'c', poolName: 'p', faults } }) as SimMachine;
const view = (m: SimMachine, nowMs: number): EventView => ({
  e: event,
  nowMs,
  nowIso: new Date(nowMs).toISOString(),
  timeScale: 60,
  machines: { n0: m },
  nodes: {},
  autoDrain: undefined,
  others: {},
  freshEventId: 'fresh',
});

describe('scheduled events: a finished Freeze', () => {
  it('removes its own Frozen fault (only that one) and completes on a later pass', () => {
    const d = decideEvent(view(machine([other, frozen]), START + 1000));
    if (!('writes' in d)) throw new Error('expected a plan');
    expect(d.writes).to.deep.equal([
      { do: 'patch', kind: 'SimMachine', ns: 'rg', name: 'n0', body: { metadata: { resourceVersion: '7' }, spec: { faults: [other] } } },
    ]);
    expect(d.requeueAfterMs).to.be.greaterThan(0);
  });

  it('completes and deletes the event once the fault is gone', () => {
    const d = decideEvent(view(machine([other]), START + 1000));
    if (!('writes' in d)) throw new Error('expected a plan');
    expect(d.writes.map((w) => w.do)).to.deep.equal(['status', 'delete']);
  });

  it('keeps the VM frozen until the freeze ends', () => {
    const d = decideEvent(view(machine([frozen]), START + 50));
    if (!('writes' in d)) throw new Error('expected a plan');
    expect(d.writes).to.deep.equal([]);
    expect(d.requeueAfterMs).to.be.closeTo(33.3, 0.1);
  });
});
