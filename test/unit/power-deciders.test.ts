import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import type { SimCluster, SimMachine, SimNodePool } from '../../src/api/generated.js';
import { powerBegin as clusterPowerBegin, powerStep as clusterPowerStep } from '../../controllers/cluster/power.js';
import type { ClusterView } from '../../controllers/cluster/decide.js';
import { powerBegin as poolPowerBegin, powerStep as poolPowerStep } from '../../controllers/nodepool/power.js';
import type { PoolView } from '../../controllers/nodepool/decide.js';
import { powerStep as machinePowerStep } from '../../controllers/machine/power.js';
import type { MachineView } from '../../controllers/machine/view.js';
import type { CurrentOp } from '../../controllers/operations/kind.js';

const NOW = '2026-12-05T12:00:00.000Z';
type Power = 'Running' | 'Stopped';

const cluster = (want: Power = 'Running', shown: Power = want): SimCluster =>
  ({
    metadata: { name: 'startstop', namespace: 'rg', uid: 'u1', generation: 2 },
    spec: { kubernetesVersion: '1.34.4', powerState: { code: want }, agentPoolProfiles: [{ name: 'nodepool1', mode: 'System', count: 1 }] },
    status: { provisioningState: 'Succeeded', currentKubernetesVersion: '1.34.4', powerState: { code: shown } },
  }) as SimCluster;
const pool = (name: string, o: { mode?: 'System' | 'User'; want?: Power; shown?: Power; settled?: boolean } = {}): SimNodePool =>
  ({
    metadata: { name: `startstop-${name}`, namespace: 'rg', generation: 3 },
    spec: { clusterName: 'startstop', name, mode: o.mode ?? 'User', count: 2, powerState: { code: o.want ?? 'Running' } },
    status: {
      provisioningState: 'Succeeded',
      currentOrchestratorVersion: '1.34.4',
      nodeImageVersion: 'img',
      powerState: { code: o.shown ?? o.want ?? 'Running' },
      lastOperationGeneration: o.settled === false ? 2 : 3,
    },
  }) as SimNodePool;
const machine = (i: number, power = 'Running'): SimMachine =>
  ({
    metadata: { name: `aks-userpool-1-vmss00000${i}`, namespace: 'rg' },
    spec: {
      clusterName: 'startstop',
      poolName: 'userpool',
      index: i,
      orchestratorVersion: '1.34.4',
      nodeImageVersion: 'img',
      vmSize: 'Standard_D2s_v3',
      osType: 'Linux',
    },
    status: { phase: 'Running', powerState: power, orchestratorVersion: '1.34.4', nodeImageVersion: 'img' },
  }) as SimMachine;
const node = (name: string, kubelet: string): V1Node =>
  ({ metadata: { name, labels: { 'aksim.io/kubelet': kubelet } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }) as V1Node;

const base = { key: 'rg/x', id: '/x', nowMs: Date.parse(NOW), nowIso: NOW, history: [], children: [], memo: {} };
const poolView = (p: SimNodePool, c: SimCluster, machines: SimMachine[]): PoolView =>
  ({
    ...base,
    obj: p,
    cluster: c,
    machines,
    nodes: new Map(),
    expected: [],
    image: { osSku: 'Ubuntu', fips: false, latest: 'img' },
    subscriptionId: 's',
    hash: '1',
  }) as unknown as PoolView;
const clusterView = (c: SimCluster, pools: SimNodePool[], memo = {}): ClusterView =>
  ({ ...base, memo, obj: c, pools, poolPercent: {}, subscriptionId: 's', timeScale: 60 }) as unknown as ClusterView;
const target = { count: 2, version: '1.34.4', image: 'img' };
const op = (type: 'Stop' | 'Start'): CurrentOp =>
  ({ operationId: 'op1', type, state: type === 'Stop' ? 'Stopping' : 'Starting', stepsTotal: 2 }) as CurrentOp;

describe('agent pool Stop and Start (controllers/nodepool/power.ts)', () => {
  it('a User pool asked to stop starts a Stop of its VMs, shown Stopping with the goal as its power state', () => {
    const b = poolPowerBegin(
      poolView(pool('userpool', { want: 'Stopped', shown: 'Running' }), cluster(), [machine(0), machine(1)]),
      target,
      target,
    );
    expect(b && 'start' in b && b.start).to.deep.include({ type: 'Stop', stepsTotal: 2 });
    const st = b && 'start' in b ? b.start!.status : undefined;
    expect(st).to.deep.include({ provisioningState: 'Stopping', powerState: { code: 'Stopped' } });
  });

  it('a System pool stops only with its cluster', () => {
    const alone = poolPowerBegin(
      poolView(pool('nodepool1', { mode: 'System', want: 'Stopped', shown: 'Running' }), cluster(), []),
      target,
      target,
    );
    expect(alone && 'refuse' in alone && alone.refuse!.message).to.match(/System mode agent pools cannot be stopped on their own/);
    const withCluster = poolPowerBegin(
      poolView(pool('nodepool1', { mode: 'System', want: 'Stopped', shown: 'Running' }), cluster('Stopped', 'Stopped'), []),
      target,
      target,
    );
    expect(withCluster && 'start' in withCluster && withCluster.start!.type).to.equal('Stop');
  });

  it('a stopped pool refuses to scale; a new pool in a stopped cluster is refused; nothing to say otherwise', () => {
    const scaled = poolPowerBegin(poolView(pool('userpool', { want: 'Stopped' }), cluster(), []), target, { ...target, count: 3 });
    expect(scaled && 'refuse' in scaled && scaled.refuse!.message).to.include(
      'Agent pool userpool is in Power State(Stopped): scaling cannot be performed',
    );
    const fresh = poolPowerBegin(poolView(pool('late'), cluster('Stopped'), []), undefined, target);
    expect(fresh && 'refuse' in fresh && fresh.refuse!.message).to.include('adding an agent pool');
    expect(poolPowerBegin(poolView(pool('userpool'), cluster(), []), target, { ...target, count: 3 })).to.equal(undefined);
  });

  it('the operation ends once every VM is Stopped (or Running again)', () => {
    const half = poolPowerStep(poolView(pool('userpool', { want: 'Stopped' }), cluster(), [machine(0, 'Stopped'), machine(1)]), op('Stop'));
    expect('progress' in half && half.progress!.done).to.equal(1);
    const all = poolPowerStep(
      poolView(pool('userpool', { want: 'Stopped' }), cluster(), [machine(0, 'Stopped'), machine(1, 'Stopped')]),
      op('Stop'),
    );
    expect('finish' in all && all.finish!.outcome).to.equal('Succeeded');
    const starting = poolPowerStep(poolView(pool('userpool'), cluster(), [machine(0, 'Starting'), machine(1)]), op('Start'));
    expect('progress' in starting).to.equal(true);
  });
});

describe('cluster Stop and Start (controllers/cluster/power.ts)', () => {
  it('a stop starts a Stop operation; a stopped cluster refuses an upgrade; a power change comes alone', () => {
    const b = clusterPowerBegin(clusterView(cluster('Stopped', 'Running'), [pool('nodepool1', { mode: 'System' })]), {
      version: false,
      profiles: false,
    });
    expect(b && 'start' in b && b.start!.type).to.equal('Stop');
    const up = clusterPowerBegin(clusterView(cluster('Stopped'), []), { version: true, profiles: false });
    expect(up && 'refuse' in up && up.refuse!.message).to.include('upgrading cannot be performed on a stopped cluster');
    const mixed = clusterPowerBegin(clusterView(cluster('Stopped', 'Running'), []), { version: false, profiles: true });
    expect(mixed && 'refuse' in mixed && mixed.refuse!.reason).to.equal('InvalidParameter');
    expect(clusterPowerBegin(clusterView(cluster(), []), { version: true, profiles: false })).to.equal(undefined);
  });

  it('asks each pool once, then waits for every pool to follow', () => {
    const pools = [pool('nodepool1', { mode: 'System' }), pool('userpool', { want: 'Stopped' })];
    const ask = clusterPowerStep(clusterView(cluster('Stopped', 'Stopped'), pools), op('Stop'));
    const writes = 'own' in ask ? (ask.own!.writes[0] as { writes: { name: string; body: unknown }[] }).writes : [];
    expect(writes.map((w) => [w.name, w.body])).to.deep.equal([['startstop-nodepool1', { spec: { powerState: { code: 'Stopped' } } }]]);
    const again = clusterPowerStep(clusterView(cluster('Stopped', 'Stopped'), pools, { applied: 'op1/Stopped' }), op('Stop'));
    expect('own' in again && again.own!.writes).to.deep.equal([]);
    const following = [
      pool('nodepool1', { mode: 'System', want: 'Stopped', shown: 'Stopped', settled: false }),
      pool('userpool', { want: 'Stopped' }),
    ];
    expect('progress' in clusterPowerStep(clusterView(cluster('Stopped', 'Stopped'), following), op('Stop'))).to.equal(true);
    const done = [pool('nodepool1', { mode: 'System', want: 'Stopped' }), pool('userpool', { want: 'Stopped' })];
    const fin = clusterPowerStep(clusterView(cluster('Stopped', 'Stopped'), done), op('Stop'));
    expect('finish' in fin && fin.finish!.outcome).to.equal('Succeeded');
  });
});

describe("a VM follows its pool's power state (controllers/machine/power.ts)", () => {
  const view = (m: SimMachine, p: SimNodePool, kubelet: string): MachineView =>
    ({
      m,
      node: node(m.metadata.name!, kubelet),
      pool: p,
      cluster: cluster(),
      nowMs: Date.parse(NOW),
      nowIso: NOW,
      timeScale: 60,
      subscriptionId: 's',
      clusterBooting: false,
      freshBootId: 'b',
    }) as MachineView;

  it("stops: status Stopped and its Node's kubelet label says stopped (the heartbeat stops)", () => {
    const plan = machinePowerStep(view(machine(0), pool('userpool', { want: 'Stopped' }), 'running'))!;
    const status = plan.writes.find((w) => w.do === 'status') as { status: { powerState: string } };
    expect(status.status.powerState).to.equal('Stopped');
    const label = plan.writes.find((w) => w.do === 'patchNode') as { body: { metadata: { labels: Record<string, string> } } };
    expect(label.body.metadata.labels['aksim.io/kubelet']).to.equal('stopped');
  });

  it('starts: Starting with a fresh boot, its Node reports again; a running VM of a running pool has nothing to do', () => {
    const plan = machinePowerStep(view(machine(0, 'Stopped'), pool('userpool'), 'stopped'))!;
    const status = plan.writes.find((w) => w.do === 'status') as { status: { powerState: string; bootStartTime: string } };
    expect(status.status).to.deep.include({ powerState: 'Starting', bootStartTime: NOW });
    const label = plan.writes.find((w) => w.do === 'patchNode') as { body: { metadata: { labels: Record<string, string> } } };
    expect(label.body.metadata.labels['aksim.io/kubelet']).to.equal('running');
    expect(machinePowerStep(view(machine(0), pool('userpool'), 'running'))).to.equal(undefined);
  });
});
