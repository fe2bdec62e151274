// `aksim sim status`: what it makes of the objects it read (the operator's Lease, VMs, events,
// operations, NGroups), and its -o table text.
import { expect } from 'chai';
import type { V1Lease } from '@kubernetes/client-node';
import type { NGroup, ScheduledEvent, SimMachine, SimOperation } from '../../src/api/generated.js';
import { simStatus, statusText } from '../../src/cli/sim-status.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

const machine = (
  name: string,
  o: { phase?: string; faults?: { type: string; until?: string }[]; action?: boolean; deleting?: boolean } = {},
) =>
  ({
    metadata: { name, namespace: 'rg1', ...(o.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { faults: o.faults },
    status: { phase: o.phase, ...(o.action ? { action: { type: 'Reboot' } } : {}) },
  }) as unknown as SimMachine;

const lease = (renewMs: number, ts?: string): V1Lease =>
  ({
    metadata: { name: 'aksim-operator', annotations: ts ? { 'aksim.io/time-scale': ts } : {} },
    spec: { holderIdentity: 'host-42', leaseDurationSeconds: 15, renewTime: iso(renewMs) },
  }) as unknown as V1Lease;

const op = (name: string, status: string, pct: number) =>
  ({
    metadata: { name, namespace: 'rg1' },
    spec: { targetKind: 'SimNodePool', targetName: 'c1-nodepool1', type: 'Scale' },
    status: { status, percentComplete: pct, startTime: iso(NOW - 5000) },
  }) as unknown as SimOperation;

describe('aksim sim status', () => {
  it('counts VMs by phase, lists faults in force (not expired ones), and reads the leader and timeScale off the Lease', () => {
    const s = simStatus({
      lease: lease(NOW - 2000, '60'),
      machines: [
        machine('vm0', { phase: 'Running' }),
        machine('vm1', { phase: 'Running', faults: [{ type: 'KubeletStopped' }, { type: 'NodeNotReady', until: iso(NOW - 1) }] }),
        machine('vm2', { phase: 'Running', action: true, faults: [{ type: 'DiskFull', until: iso(NOW + 60_000) }] }),
        machine('vm3'),
        machine('vm4', { phase: 'Running', deleting: true }),
      ],
      events: [],
      operations: [],
      ngroups: [],
      nowMs: NOW,
    });
    expect(s.operator).to.deep.equal({ leader: 'host-42', live: true, renewTime: iso(NOW - 2000), timeScale: 60 });
    expect(s.vms).to.deep.equal({ total: 5, byPhase: { Running: 3, Provisioning: 1, Deleting: 1 }, withFaults: 2, inAction: 1 });
    expect(s.faults.map((f) => `${f.node}:${f.type}`)).to.deep.equal(['vm1:KubeletStopped', 'vm2:DiskFull']);
    expect(s.faults[1]!.until).to.equal(iso(NOW + 60_000));
  });

  it('says when the lease ran out or no operator ever ran', () => {
    expect(
      simStatus({ lease: lease(NOW - 16_000), machines: [], events: [], operations: [], ngroups: [], nowMs: NOW }).operator,
    ).to.include({
      live: false,
      timeScale: null,
    });
    const none = simStatus({ machines: [], events: [], operations: [], ngroups: [], nowMs: NOW });
    expect(none.operator).to.deep.equal({ leader: null, live: false, renewTime: null, timeScale: null });
    expect(statusText(none, NOW)).to.match(/^Operator: none has run \(no leader Lease\); timeScale unknown$/m);
  });

  it('keeps only operations and rolling updates still under way, and every scheduled event', () => {
    const ev = {
      metadata: { name: 'freeze-1', namespace: 'rg1' },
      spec: { eventType: 'Freeze', nodes: ['vm0'] },
      status: { eventId: 'ABC', eventStatus: 'Scheduled', notBefore: iso(NOW + 900_000) },
    } as unknown as ScheduledEvent;
    const ng = (name: string, state: string) =>
      ({
        metadata: { name, namespace: 'rg1' },
        spec: {},
        status: { latestRollingUpdate: { state, progress: '1/3', inPlace: true, startTime: iso(NOW) } },
      }) as unknown as NGroup;
    const s = simStatus({
      lease: lease(NOW, '60'),
      machines: [],
      events: [ev],
      operations: [op('a', 'Succeeded', 100), op('b', 'InProgress', 44), op('c', 'Canceling', 10)],
      ngroups: [ng('done', 'Succeeded'), ng('busy', 'InProgress')],
      nowMs: NOW,
    });
    expect(s.operations.map((o) => `${o.name} ${o.status} ${o.percentComplete}`)).to.deep.equal(['b InProgress 44', 'c Canceling 10']);
    expect(s.rollingUpdates).to.deep.equal([{ name: 'busy', resourceGroup: 'rg1', inPlace: true, progress: '1/3', startTime: iso(NOW) }]);
    expect(s.scheduledEvents).to.deep.equal([
      {
        name: 'freeze-1',
        resourceGroup: 'rg1',
        EventId: 'ABC',
        EventType: 'Freeze',
        EventStatus: 'Scheduled',
        NotBefore: iso(NOW + 900_000),
        nodes: ['vm0'],
      },
    ]);
    const text = statusText(s, NOW + 3000);
    expect(text).to.match(/^Operator: host-42 \(leading, renewed 3 s ago\); timeScale 60$/m);
    expect(text).to.match(/^VMs: 0; 0 with faults, 0 in a reboot, reimage or redeploy$/m);
    expect(text).to.match(/^Faults:\nnone$/m);
    expect(text).to.match(/^Scheduled events:\nName\s+ResourceGroup\s+EventId\s+EventType\s+EventStatus\s+NotBefore$/m);
    expect(text).to.match(/^b\s+rg1\s+c1-nodepool1\s+Scale\s+InProgress\s+44/m);
    expect(text).to.match(/^NGroup rolling updates in progress:\nName\s+ResourceGroup\s+InPlace\s+Progress\s+StartTime\n[- ]+\nbusy/m);
  });
});
