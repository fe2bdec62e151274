// A drain keeps its node cordoned on every pass. Seen by the chaos run (seed 1836551271, upgrade
// round 5): the reimage's first step wrote its status, then its cordon got an injected error; the
// later passes only evicted, the scheduler put each evicted pod right back on the uncordoned
// node, and the upgrade failed with DrainTimeout 120 s later.
import { expect } from 'chai';
import type { V1Node, V1Pod, V1Taint } from '@kubernetes/client-node';
import type { ScheduledEvent, SimCluster, SimMachine, SimNodePool } from '../../src/api/generated.js';
import { reimage, teardown } from '../../controllers/machine/drains.js';
import type { MachineView } from '../../controllers/machine/view.js';
import { scheduled } from '../../controllers/scheduledevents/drain.js';
import type { EventView } from '../../controllers/scheduledevents/view.js';
import type { Plan, Write } from '../../controllers/shared/plan.js';
import { FINALIZERS } from '../../src/model/names.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const node = (unschedulable?: boolean, taints: V1Taint[] = []): V1Node => ({
  metadata: { name: 'n' },
  spec: { unschedulable, taints },
  status: { conditions: [{ type: 'Ready', status: 'True' } as never] },
});
const pod: V1Pod = {
  metadata: { name: 'web-1', namespace: 'w', ownerReferences: [{ kind: 'ReplicaSet', name: 'web', apiVersion: 'apps/v1', uid: 'u' }] },
  spec: { nodeName: 'n', containers: [] },
  status: { phase: 'Running' },
};
const pool = { spec: { clusterName: 'c', name: 'p' } } as unknown as SimNodePool;
const cluster = { metadata: { name: 'c', namespace: 'rg' }, spec: {} } as unknown as SimCluster;
const machineView = (m: SimMachine, n: V1Node | undefined): MachineView =>
  ({
    m,
    node: n,
    pool,
    cluster,
    nowMs: NOW,
    nowIso: iso(NOW),
    timeScale: 60,
    subscriptionId: 's',
    clusterBooting: false,
    freshBootId: 'f',
    drain: { pods: [pod], budgets: [] },
  }) as MachineView;
const writesOf = (d: unknown): Write[] => (d as Plan).writes;
const cordon = { do: 'patchNode', name: 'n', body: { spec: { unschedulable: true } } };

describe('drains keep their node cordoned', () => {
  it('an upgrade drain cordons again a node whose cordon was lost, before evicting', () => {
    const m = {
      metadata: { name: 'n', namespace: 'rg' },
      spec: { clusterName: 'c', poolName: 'p', orchestratorVersion: '1.31.6', nodeImageVersion: 'i2' },
      status: {
        orchestratorVersion: '1.30.14',
        nodeImageVersion: 'i1',
        reimageStartTime: iso(NOW - 1_000),
        conditions: [{ type: 'Upgrading', status: 'True', reason: 'Draining', message: '', lastTransitionTime: iso(NOW - 1_000) }],
      },
    } as unknown as SimMachine;
    const w = writesOf(reimage(machineView(m, node(false))));
    expect(w[0]).to.deep.equal(cordon);
    expect(w.map((x) => x.do)).to.deep.equal(['patchNode', 'evict']);
    expect(writesOf(reimage(machineView(m, node(true)))).map((x) => x.do)).to.deep.equal(['evict']);
  });

  it('a drain before a VM delete does the same', () => {
    const m = {
      metadata: { name: 'n', namespace: 'rg', deletionTimestamp: iso(NOW - 2_000), finalizers: [FINALIZERS.machine] },
      spec: { clusterName: 'c', poolName: 'p' },
      status: { conditions: [{ type: 'Drained', status: 'False', reason: 'Draining', message: '', lastTransitionTime: iso(NOW - 1_000) }] },
    } as unknown as SimMachine;
    const w = writesOf(teardown(machineView(m, node(false))));
    expect(w[0]).to.deep.equal(cordon);
    expect(w.map((x) => x.do)).to.deep.equal(['patchNode', 'evict']);
  });

  it('a VM delete removes its Node even when the cache shows none (a boot just before the delete may have registered one)', () => {
    const m = {
      metadata: { name: 'n', namespace: 'rg', deletionTimestamp: iso(NOW - 2_000), finalizers: [FINALIZERS.machine] },
      spec: { clusterName: 'c', poolName: 'p' },
      status: {},
    } as unknown as SimMachine;
    const w = writesOf(teardown(machineView(m, undefined)));
    expect(w.map((x) => x.do)).to.deep.equal(['deleteNode', 'finalizer']);
    expect(w[0]).to.deep.equal({ do: 'deleteNode', name: 'n' });
  });

  it('an autodrain for a scheduled event cordons and taints again a node that lost them', () => {
    const e = {
      metadata: { name: 'e', namespace: 'rg', uid: 'eu' },
      spec: { eventType: 'Redeploy', nodes: ['n'] },
      status: {
        eventId: 'E1',
        action: 'CordonAndDrain',
        notBefore: iso(NOW + 600_000),
        drainStartTime: iso(NOW - 1_000),
        nodes: [{ node: 'n', cordonedByAksim: true, drain: 'Draining' }],
      },
    } as unknown as ScheduledEvent;
    const v = {
      e,
      nowMs: NOW,
      nowIso: iso(NOW),
      timeScale: 60,
      machines: {},
      nodes: { n: node(false) },
      autoDrain: undefined,
      others: {},
      drains: { n: { pods: [pod], budgets: [] } },
      freshEventId: 'x',
    } as unknown as EventView;
    const w = writesOf(scheduled(v, () => ({ writes: [], events: [] })));
    expect(w.map((x) => x.do)).to.deep.equal(['patchNode', 'patchNode', 'evict']);
    expect(w[0]).to.deep.equal(cordon);
  });
});
