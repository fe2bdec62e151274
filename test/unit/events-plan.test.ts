// Unit: scheduled-event rules (src/model/scheduled-events.ts) and machine fault effects
// (src/model/faults.ts).
import { expect } from 'chai';
import type { ScheduledEvent, SimMachine } from '../../src/api/generated.js';
import { drainSettings, effectiveNotBefore, imdsEvent, minNoticeMs, CURRENT_TAINT, SEED_TAINT } from '../../src/model/scheduled-events.js';
import { clearedBy, healthLabels, pendingAction } from '../../src/model/faults.js';

const ev = (spec: Partial<ScheduledEvent['spec']>, status?: ScheduledEvent['status']): ScheduledEvent =>
  ({ metadata: { name: 'e', namespace: 'rg' }, spec: { eventType: 'Reboot', nodes: ['n1'], ...spec }, status }) as ScheduledEvent;
const machine = (spec: Partial<SimMachine['spec']>, status?: SimMachine['status']): SimMachine =>
  ({
    metadata: { name: 'n1' },
    spec: {
      clusterName: 'c',
      poolName: 'p',
      index: 0,
      vmSize: 'x',
      osType: 'Linux',
      orchestratorVersion: '1',
      nodeImageVersion: 'i',
      ...spec,
    },
    status,
  }) as SimMachine;

describe('events: plan', () => {
  it('enforces the minimum notice per type', () => {
    expect(minNoticeMs('Freeze')).to.equal(15 * 60_000);
    expect(minNoticeMs('Reboot')).to.equal(15 * 60_000);
    expect(minNoticeMs('Redeploy')).to.equal(10 * 60_000);
    expect(minNoticeMs('Preempt')).to.equal(30_000);
    expect(minNoticeMs('Terminate', 'PT1M')).to.equal(5 * 60_000);
    expect(minNoticeMs('Terminate', 'PT30M')).to.equal(15 * 60_000);
    const created = Date.parse('2026-01-01T00:00:00Z');
    const toReal = (ms: number): number => ms / 60;
    expect(effectiveNotBefore(ev({ eventType: 'Preempt' }), created, toReal)).to.equal(created + 500);
    expect(effectiveNotBefore(ev({ eventType: 'Preempt', notBefore: '2026-01-01T00:00:20Z' }), created, toReal)).to.equal(created + 20_000);
    expect(effectiveNotBefore(ev({ eventType: 'Reboot', notBefore: '2025-12-31T00:00:00Z' }), created, toReal)).to.equal(created + 15_000);
  });

  it("follows the seed table by default and today's AKS when asked", () => {
    const seed = drainSettings(undefined);
    expect(seed.actions).to.deep.equal({
      Freeze: 'None',
      Reboot: 'None',
      Redeploy: 'CordonAndDrain',
      Preempt: 'CordonAndDrain',
      Terminate: 'CordonAndDrain',
    });
    expect(seed.taintKey).to.equal(SEED_TAINT);
    const cur = drainSettings({ profile: 'CurrentAKS' });
    expect(cur.actions.Terminate).to.equal('None');
    expect(cur.taintKey).to.equal(CURRENT_TAINT);
    expect(drainSettings({ actions: { Freeze: 'CordonAndDrain' } }).actions.Freeze).to.equal('CordonAndDrain');
  });

  it('shows Scheduled and Started events in the IMDS shape, NotBefore empty once started', () => {
    const s = imdsEvent(
      ev(
        { eventType: 'Freeze' },
        { eventId: 'ID', eventStatus: 'Scheduled', notBefore: '2026-04-11T22:26:58Z', resources: ['aks-p-1-vmss_0'] },
      ),
    )!;
    expect(s).to.deep.equal({
      EventId: 'ID',
      EventStatus: 'Scheduled',
      EventType: 'Freeze',
      ResourceType: 'VirtualMachine',
      Resources: ['aks-p-1-vmss_0'],
      NotBefore: 'Sat, 11 Apr 2026 22:26:58 GMT',
      Description: 'Host server is undergoing maintenance.',
      EventSource: 'Platform',
      DurationInSeconds: 5,
    });
    expect(imdsEvent(ev({}, { eventId: 'ID', eventStatus: 'Started', notBefore: '2026-04-11T22:26:58Z' }))!.NotBefore).to.equal('');
    expect(imdsEvent(ev({}, { eventId: 'ID', eventStatus: 'Completed' }))).to.equal(undefined);
  });
});

describe('events: machine faults and actions', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('turns faults into the labels kwok reacts to', () => {
    expect(healthLabels(machine({}), now)).to.deep.equal({ 'aksim.io/kubelet': 'running', 'node-not-ready.stage.kwok.x-k8s.io': null });
    expect(healthLabels(machine({ faults: [{ type: 'HostHardwareFailure' }] }), now)['aksim.io/kubelet']).to.equal('stopped');
    expect(healthLabels(machine({ faults: [{ type: 'DiskCorruption' }] }), now)['node-not-ready.stage.kwok.x-k8s.io']).to.equal('true');
    expect(healthLabels(machine({ faults: [{ type: 'Frozen', until: '2025-12-31T00:00:00Z' }] }), now)['aksim.io/kubelet']).to.equal(
      'running',
    );
    expect(
      healthLabels(machine({}, { action: { type: 'Reboot', startTime: '2026-01-01T00:00:00Z' } }), now)[
        'node-not-ready.stage.kwok.x-k8s.io'
      ],
    ).to.equal('true');
  });

  it('clears only what each action fixes, and only faults older than the action', () => {
    const all = machine({
      faults: ['KubeletStopped', 'ContainerRuntimeDown', 'DiskCorruption', 'HostHardwareFailure', 'NetworkMisconfiguration'].map(
        (type) => ({ type: type as never, since: '2025-12-31T00:00:00Z' }),
      ),
    });
    expect(clearedBy(all, 'Reboot', now).cleared).to.deep.equal(['KubeletStopped', 'ContainerRuntimeDown']);
    expect(clearedBy(all, 'Reimage', now).cleared).to.deep.equal(['KubeletStopped', 'ContainerRuntimeDown', 'DiskCorruption']);
    expect(clearedBy(all, 'Redeploy', now).cleared).to.deep.equal(['KubeletStopped', 'ContainerRuntimeDown', 'HostHardwareFailure']);
    expect(
      clearedBy(machine({ faults: [{ type: 'KubeletStopped', since: '2026-01-02T00:00:00Z' }] }), 'Reboot', now).cleared,
    ).to.deep.equal([]);
  });

  it('runs an action while its request counter is ahead of the done counter', () => {
    expect(pendingAction(machine({ rebootRequests: 1 }, { reboots: 1 }))).to.equal(undefined);
    expect(pendingAction(machine({ rebootRequests: 2 }, { reboots: 1 }))).to.equal('Reboot');
    expect(pendingAction(machine({ rebootRequests: 1, redeployRequests: 1 }))).to.equal('Redeploy');
  });
});
