// The chaos run's invariant checkers on small hand-made logs: each must find the violation planted
// in a log, and stay quiet on the same story told right.
import { expect } from 'chai';
import type { MarkRec, Obj, Rec, Resource, WatchRec, WriteRec } from '../../src/chaos/log.js';
import { checkBudgets, checkCordons } from '../../src/chaos/invariants/drain.js';
import { checkLeaderWrites } from '../../src/chaos/invariants/leader.js';
import { checkMachines, checkNodePerMachine, checkOrphans } from '../../src/chaos/invariants/machines.js';
import { checkNGroupBatches, checkNGroupCounts } from '../../src/chaos/invariants/ngroups.js';
import { checkOperationsSettled, checkOperationTransitions } from '../../src/chaos/invariants/operations.js';
import { checkRepairs } from '../../src/chaos/invariants/repair.js';
import { checkAll, INVARIANT_NAMES } from '../../src/chaos/invariants/index.js';

/** A log builder: each record gets the next resourceVersion and a time 100 ms later. */
class Log {
  readonly recs: Rec[] = [];
  private rv = 100;
  t = 1_000_000;

  add(res: Resource, type: WatchRec['type'], obj: Partial<Obj> & { metadata: Obj['metadata'] }): this {
    this.rv++;
    this.t += 100;
    this.recs.push({
      kind: 'watch',
      t: this.t,
      rv: this.rv,
      res,
      type,
      obj: { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } } as Obj,
    });
    return this;
  }
  mark(what: MarkRec['what'], namespace = 'rg', data?: Record<string, unknown>): this {
    this.t += 100;
    this.recs.push({ kind: 'mark', t: this.t, what, scenario: 's', namespace, data });
    return this;
  }
  write(replica: string, at: number, path = '/api/v1/nodes/x', extra: Partial<WriteRec> = {}): this {
    this.recs.push({ kind: 'write', t: at, replica, method: 'PATCH', path, status: 200, ...extra });
    return this;
  }
}

const ns = 'rg';
const pool = (count: number, extra: object = {}): Partial<Obj> & { metadata: Obj['metadata'] } => ({
  metadata: { name: 'c1-p1', namespace: ns },
  spec: { clusterName: 'c1', name: 'p1', count, ...extra },
});
const machine = (
  index: number,
  o: { deleting?: boolean; surge?: boolean; name?: string } = {},
): Partial<Obj> & { metadata: Obj['metadata'] } => ({
  metadata: {
    name: o.name ?? `aks-p1-12345678-vmss${index.toString(36).padStart(6, '0')}`,
    namespace: ns,
    labels: { 'aksim.io/cluster': 'c1', 'aksim.io/pool': 'p1', ...(o.surge ? { 'aksim.io/surge': 'true' } : {}) },
    ...(o.deleting ? { deletionTimestamp: 'x' } : {}),
  },
  spec: { clusterName: 'c1', poolName: 'p1', index },
});
const node = (
  index: number,
  o: { ready?: boolean; unschedulable?: boolean; taints?: object[] } = {},
): Partial<Obj> & { metadata: Obj['metadata'] } => ({
  metadata: {
    name: `aks-p1-12345678-vmss${index.toString(36).padStart(6, '0')}`,
    labels: { 'aksim.io/cluster': 'c1', 'aksim.io/pool': 'p1', 'aksim.io/namespace': ns },
  },
  spec: { unschedulable: o.unschedulable, taints: o.taints },
  status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});
const names = (vs: { invariant: string }[]): string[] => vs.map((v) => v.invariant);

describe('chaos invariants: machines and Nodes', () => {
  it('finds two live machines holding one VMSS index, and not a freed index used again', () => {
    const bad = new Log()
      .add('SimNodePool', 'ADDED', pool(3))
      .add('SimMachine', 'ADDED', machine(0))
      .add('SimMachine', 'ADDED', machine(0, { name: 'other-vmss000000' }));
    expect(names(checkMachines(bad.recs))).to.include('unique-machines');
    const ok = new Log()
      .add('SimNodePool', 'ADDED', pool(3))
      .add('SimMachine', 'ADDED', machine(0))
      .add('SimMachine', 'DELETED', machine(0))
      .add('SimMachine', 'ADDED', machine(0, { name: 'other-vmss000000' }));
    expect(checkMachines(ok.recs)).to.deep.equal([]);
  });

  it('finds more live machines than the pool ever asked for, not a scale-in under way', () => {
    const bad = new Log().add('SimNodePool', 'ADDED', pool(2));
    for (const i of [0, 1, 2]) bad.add('SimMachine', 'ADDED', machine(i));
    expect(names(checkMachines(bad.recs))).to.deep.equal(['machine-count']);
    const ok = new Log().add('SimNodePool', 'ADDED', pool(3));
    for (const i of [0, 1, 2]) ok.add('SimMachine', 'ADDED', machine(i));
    ok.add('SimNodePool', 'MODIFIED', pool(2))
      .add('SimMachine', 'MODIFIED', machine(2, { deleting: true }))
      .add('SimMachine', 'ADDED', machine(5, { surge: true }));
    expect(checkMachines(ok.recs)).to.deep.equal([]);
  });

  it('finds a Node made without its machine and a machine gone before its Node', () => {
    const bad = new Log().add('Node', 'ADDED', node(0));
    expect(names(checkNodePerMachine(bad.recs))).to.deep.equal(['node-per-machine']);
    const bad2 = new Log().add('SimMachine', 'ADDED', machine(0)).add('Node', 'ADDED', node(0)).add('SimMachine', 'DELETED', machine(0));
    expect(names(checkNodePerMachine(bad2.recs))).to.deep.equal(['node-per-machine']);
    const ok = new Log()
      .add('SimMachine', 'ADDED', machine(0))
      .add('Node', 'ADDED', node(0))
      .add('Node', 'DELETED', node(0))
      .add('SimMachine', 'DELETED', machine(0));
    expect(checkNodePerMachine(ok.recs)).to.deep.equal([]);
  });

  it('finds orphans when a round has converged and leftovers after the run', () => {
    const bad = new Log()
      .add('SimCluster', 'ADDED', { metadata: { name: 'c1', namespace: ns } })
      .add('Node', 'ADDED', node(0))
      .mark('converged');
    expect(checkOrphans(bad.recs).map((v) => v.message)).to.deep.equal(['s: Node aks-p1-12345678-vmss000000 has no SimMachine']);
    const left = new Log()
      .mark('scenario-start')
      .add('SimCluster', 'ADDED', { metadata: { name: 'c1', namespace: ns } })
      .mark('end', '');
    expect(names(checkOrphans(left.recs))).to.deep.equal(['no-orphans']);
    const ok = new Log()
      .add('SimCluster', 'ADDED', { metadata: { name: 'c1', namespace: ns } })
      .add('SimNodePool', 'ADDED', pool(1))
      .add('SimMachine', 'ADDED', machine(0))
      .add('Node', 'ADDED', node(0))
      .add('Pod', 'ADDED', {
        metadata: { name: 'web-1', namespace: ns },
        spec: { nodeName: node(0).metadata.name },
        status: { phase: 'Running' },
      })
      .mark('converged');
    expect(checkOrphans(ok.recs)).to.deep.equal([]);
  });

  it('gives the garbage collector its time: an operation of a pool deleted 5 s ago is not an orphan yet, 15 s ago it is', () => {
    const op = {
      metadata: { name: 'c1-p1-1', namespace: ns },
      spec: { targetKind: 'SimNodePool', targetName: 'c1-p1' },
      status: { status: 'Succeeded' },
    };
    const build = (waitMs: number): Log => {
      const l = new Log()
        .add('SimCluster', 'ADDED', { metadata: { name: 'c1', namespace: ns } })
        .add('SimNodePool', 'ADDED', pool(0))
        .add('SimOperation', 'ADDED', op)
        .add('SimNodePool', 'DELETED', pool(0));
      l.t += waitMs;
      return l.mark('converged');
    };
    expect(checkOrphans(build(5_000).recs)).to.deep.equal([]);
    expect(checkOrphans(build(15_000).recs).map((v) => v.message)).to.deep.equal(['s: SimOperation c1-p1-1 has no SimNodePool c1-p1']);
  });
});

describe('chaos invariants: pods on a deleted Node', () => {
  it("gives kube-controller-manager's pod GC its quarantine: a Pod on a Node gone 30 s is not an orphan yet, 80 s it is", () => {
    const build = (waitMs: number): Log => {
      const l = new Log()
        .add('SimCluster', 'ADDED', { metadata: { name: 'c1', namespace: ns } })
        .add('Node', 'ADDED', node(0))
        .add('Pod', 'ADDED', {
          metadata: { name: 'web-1', namespace: ns },
          spec: { nodeName: node(0).metadata.name },
          status: { phase: 'Running' },
        })
        .add('Node', 'DELETED', node(0));
      l.t += waitMs;
      return l.mark('converged');
    };
    expect(checkOrphans(build(30_000).recs)).to.deep.equal([]);
    expect(checkOrphans(build(80_000).recs).map((v) => v.message)).to.deep.equal([
      `s: Pod web-1 is bound to Node ${node(0).metadata.name}, which is gone`,
    ]);
  });
});

describe('chaos invariants: operations', () => {
  const op = (name: string, status?: string) => ({
    metadata: { name, namespace: ns },
    spec: { targetKind: 'SimNodePool', targetName: 'c1-p1', type: 'Scale' },
    ...(status ? { status: { status } } : {}),
  });

  it('finds two running operations on one target and a finished one changing its outcome', () => {
    const bad = new Log().add('SimOperation', 'ADDED', op('a', 'InProgress')).add('SimOperation', 'ADDED', op('b', 'InProgress'));
    expect(names(checkOperationTransitions(bad.recs))).to.deep.equal(['single-running-operation']);
    const back = new Log()
      .add('SimOperation', 'ADDED', op('a', 'InProgress'))
      .add('SimOperation', 'MODIFIED', op('a', 'Canceled'))
      .add('SimOperation', 'MODIFIED', op('a', 'Succeeded'));
    expect(names(checkOperationTransitions(back.recs))).to.deep.equal(['terminal-stays']);
    const ok = new Log()
      .add('SimOperation', 'ADDED', op('a', 'InProgress'))
      .add('SimOperation', 'MODIFIED', op('a', 'Succeeded'))
      .add('SimOperation', 'ADDED', op('b'))
      .add('SimOperation', 'MODIFIED', op('b', 'InProgress'));
    expect(checkOperationTransitions(ok.recs)).to.deep.equal([]);
  });

  it('finds more than 50 operations kept per target, and an operation still running when its scenario ends', () => {
    const many = new Log();
    for (let i = 0; i < 53; i++) many.add('SimOperation', 'ADDED', op(`o${i}`, 'Succeeded'));
    expect(names(checkOperationTransitions(many.recs))).to.include('history-limit');
    const pruned = new Log();
    for (let i = 0; i < 60; i++) {
      pruned.add('SimOperation', 'ADDED', op(`o${i}`, 'Succeeded'));
      if (i >= 50) pruned.add('SimOperation', 'DELETED', op(`o${i - 50}`, 'Succeeded'));
    }
    pruned.mark('scenario-end');
    expect(checkOperationTransitions(pruned.recs)).to.deep.equal([]);
    expect(checkOperationsSettled(pruned.recs)).to.deep.equal([]);
    const open = new Log().add('SimOperation', 'ADDED', op('a', 'InProgress')).mark('scenario-end');
    expect(names(checkOperationsSettled(open.recs))).to.deep.equal(['operations-end']);
  });
});

describe('chaos invariants: auto-repair', () => {
  const cluster = (autoRepair: object = {}) => ({ metadata: { name: 'c1', namespace: ns }, spec: { autoRepair } });
  let seq = 0;
  const event = (nodeIndex: number, reason: string, note: string, series?: number) => ({
    metadata: { name: `ev${++seq}`, namespace: 'default' },
    reason,
    note,
    type: 'Normal',
    reportingController: 'aks-auto-repair',
    regarding: { kind: 'Node', name: node(nodeIndex).metadata.name },
    ...(series ? { series: { count: series } } : {}),
  });
  const start = (i: number, step = 'Reboot', attempt = 1) =>
    event(i, `Node${step}Start`, `${step} of node n started by aks-remediator (attempt ${attempt}): node was NotReady for 10m`);
  const end = (i: number, step = 'Reboot') => event(i, `Node${step}End`, `${step} of node n finished; waiting up to 5m for Ready`);
  const base = (l: Log, size = 3, autoRepair: object = {}): Log => {
    l.add('SimCluster', 'ADDED', cluster(autoRepair)).add('SimNodePool', 'ADDED', pool(size));
    for (let i = 0; i < size; i++) l.add('SimMachine', 'ADDED', machine(i)).add('Node', 'ADDED', node(i));
    return l;
  };
  const repaired = (l: Log, i: number): Log =>
    l.add('Event', 'ADDED', start(i)).add('Event', 'ADDED', end(i)).add('Node', 'MODIFIED', node(i));

  it('is quiet on repairs one after another, each step posted once', () => {
    const l = base(new Log());
    l.add('Node', 'MODIFIED', node(0, { ready: false })).add('Node', 'MODIFIED', node(1, { ready: false }));
    repaired(l, 0);
    repaired(l, 1);
    expect(checkRepairs(l.recs)).to.deep.equal([]);
  });

  it('finds two repairs at once beyond maxConcurrentRepairs, but not within it', () => {
    const l = base(new Log());
    l.add('Event', 'ADDED', start(0)).add('Event', 'ADDED', start(1));
    expect(names(checkRepairs(l.recs))).to.include('repair-concurrency');
    const two = base(new Log(), 3, { maxConcurrentRepairs: 2 });
    two.add('Event', 'ADDED', start(0)).add('Event', 'ADDED', start(1));
    expect(names(checkRepairs(two.recs))).to.not.include('repair-concurrency');
  });

  it('finds a repair started on a cluster under its minimum size', () => {
    const l = base(new Log(), 2, { minNodes: 3 });
    repaired(l, 0);
    expect(names(checkRepairs(l.recs))).to.deep.equal(['repair-min-size']);
  });

  it('finds a step event posted twice (a second Event or a series raise) and a step asked for without its event', () => {
    const dup = base(new Log());
    dup.add('Event', 'ADDED', start(0)).add('Event', 'ADDED', start(0));
    expect(names(checkRepairs(dup.recs))).to.include('repair-events-once');
    const series = base(new Log());
    const e = start(0);
    series.add('Event', 'ADDED', e).add('Event', 'MODIFIED', { ...e, series: { count: 2 } });
    expect(names(checkRepairs(series.recs))).to.include('repair-events-once');
    const lost = base(new Log());
    lost.add('SimMachine', 'MODIFIED', {
      ...machine(0),
      spec: { ...machine(0).spec, rebootRequests: 1, lastRequestedBy: 'aks-remediator' },
    });
    expect(checkRepairs(lost.recs).map((v) => v.message)).to.deep.equal([
      `aks-remediator asked VM ${node(0).metadata.name} for 1 Reboot(s) but NodeRebootStart was posted 0 time(s)`,
    ]);
  });

  it('finds a repair whose step never got its End event', () => {
    const l = base(new Log());
    l.add('Event', 'ADDED', start(0)).add('Node', 'MODIFIED', node(0)).add('Event', 'ADDED', start(0));
    expect(names(checkRepairs(l.recs))).to.deep.equal(['repair-events-once']);
  });
});

describe('chaos invariants: drains and scheduled events', () => {
  const pod = (name: string, o: { ready?: boolean; deleting?: boolean } = {}) => ({
    metadata: { name, namespace: ns, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: 'x' } : {}) },
    spec: { nodeName: node(0).metadata.name },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  });
  const pdb = (allowed: number, disrupted: Record<string, string> = {}) => ({
    metadata: { name: 'web', namespace: ns },
    spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    status: { disruptionsAllowed: allowed, disruptedPods: disrupted },
  });
  const setup = (): Log =>
    new Log()
      .add('SimCluster', 'ADDED', { metadata: { name: 'c1', namespace: ns } })
      .add('Node', 'ADDED', node(0))
      .add('Pod', 'ADDED', pod('a'))
      .add('Pod', 'ADDED', pod('b'));

  it('finds a protected pod removed while its budget allowed nothing, not an approved eviction', () => {
    const bad = setup()
      .add('PodDisruptionBudget', 'ADDED', pdb(0))
      .add('Pod', 'MODIFIED', pod('a', { deleting: true }));
    expect(names(checkBudgets(bad.recs))).to.deep.equal(['pdb-respected']);
    const ok = setup()
      .add('PodDisruptionBudget', 'ADDED', pdb(1))
      .add('PodDisruptionBudget', 'MODIFIED', pdb(0, { a: 't' }))
      .add('Pod', 'MODIFIED', pod('a', { deleting: true }))
      .add('Pod', 'DELETED', pod('a', { deleting: true }));
    expect(checkBudgets(ok.recs)).to.deep.equal([]);
    const unready = setup()
      .add('PodDisruptionBudget', 'ADDED', pdb(0))
      .add('Pod', 'MODIFIED', pod('a', { ready: false }))
      .add('Pod', 'DELETED', pod('a', { ready: false }));
    expect(checkBudgets(unready.recs)).to.deep.equal([]);
  });

  it('finds a Node deleted under protected pods, except when its cluster is being deleted', () => {
    const bad = setup().add('PodDisruptionBudget', 'ADDED', pdb(0)).add('Node', 'DELETED', node(0));
    expect(names(checkBudgets(bad.recs))).to.deep.equal(['pdb-respected']);
    const going = setup()
      .add('PodDisruptionBudget', 'ADDED', pdb(0))
      .add('SimCluster', 'MODIFIED', { metadata: { name: 'c1', namespace: ns, deletionTimestamp: 'x' } })
      .add('Node', 'DELETED', node(0));
    expect(checkBudgets(going.recs)).to.deep.equal([]);
  });

  const sev = (status?: string) => ({
    metadata: { name: 'redeploy-1', namespace: ns },
    spec: { eventType: 'Redeploy', nodes: [node(0).metadata.name] },
    ...(status ? { status: { eventStatus: status } } : {}),
  });
  const taint = [{ key: 'remediator.aks.microsoft.com/unschedulable', value: 'true', effect: 'NoSchedule' }];

  it('finds a canceled event that left its node cordoned, not one that uncordoned it', () => {
    const base = (): Log =>
      new Log()
        .add('SimMachine', 'ADDED', machine(0))
        .add('Node', 'ADDED', node(0))
        .add('ScheduledEvent', 'ADDED', sev())
        .add('Node', 'MODIFIED', node(0, { unschedulable: true, taints: taint }));
    const bad = base().add('ScheduledEvent', 'DELETED', sev('Scheduled'));
    expect(checkCordons(bad.recs).map((v) => v.message)).to.deep.equal([
      `Redeploy event redeploy-1 is gone (canceled) but Node ${node(0).metadata.name} is still cordoned and tainted remediator.aks.microsoft.com/unschedulable`,
    ]);
    const ok = base().add('Node', 'MODIFIED', node(0)).add('ScheduledEvent', 'DELETED', sev('Scheduled'));
    expect(checkCordons(ok.recs)).to.deep.equal([]);
    const vmGoing = base()
      .add('SimMachine', 'MODIFIED', machine(0, { deleting: true }))
      .add('ScheduledEvent', 'DELETED', sev('Started'));
    expect(checkCordons(vmGoing.recs)).to.deep.equal([]);
  });
});

describe('chaos invariants: NGroups', () => {
  const ng = (o: { desired?: number; cancel?: string } = {}) => ({
    metadata: { name: 'ng1', namespace: ns, ...(o.cancel ? { annotations: { 'aksim.io/cancel-rolling-update': o.cancel } } : {}) },
    spec: {
      elasticProfile: { desiredCount: o.desired ?? 10, maintainDesiredCount: true },
      updateProfile: { rollingUpdateProfile: { maxBatchPercent: 20 } },
    },
  });
  const cg = (
    name: string,
    o: { zone?: string; fd?: number; batch?: string; replaces?: string; ready?: boolean; deleting?: boolean } = {},
  ) => ({
    metadata: {
      name,
      namespace: ns,
      labels: {
        'aksim.io/ngroup': 'ng1',
        'aksim.io/cg-zone': o.zone ?? '1',
        'aksim.io/cg-fault-domain': String(o.fd ?? 0),
        ...(o.batch ? { 'aksim.io/rolling-update-batch': o.batch } : {}),
      },
      annotations: (o.replaces ? { 'aksim.io/replaces': o.replaces } : {}) as Record<string, string>,
      ...(o.deleting ? { deletionTimestamp: 'x' } : {}),
    },
    spec: { nodeName: 'aci-vk' },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  });
  const ten = (unhealthy: string[] = []): Log => {
    const l = new Log().add('NGroup', 'ADDED', ng());
    for (let i = 0; i < 10; i++)
      l.add('Pod', 'ADDED', cg(`cg${i}`, { zone: String(1 + (i % 2)), fd: 0, ready: !unhealthy.includes(`cg${i}`) }));
    return l;
  };

  it('finds a batch larger than maxBatchPercent and one crossing pairs; not the unhealthy-first batch', () => {
    const big = ten();
    for (const i of [0, 2, 4]) big.add('Pod', 'ADDED', cg(`new${i}`, { zone: '1', batch: '1.1', replaces: `cg${i}` }));
    expect(names(checkNGroupBatches(big.recs))).to.include('ngroup-batch-size');
    const cross = ten()
      .add('Pod', 'MODIFIED', cg('cg0', { zone: '1', batch: '1.1' }))
      .add('Pod', 'MODIFIED', cg('cg1', { zone: '2', batch: '1.1' }));
    expect(checkNGroupBatches(cross.recs).map((v) => v.message)).to.deep.equal([
      `NGroup ${ns}/ng1: batch 1.1 crosses zone/fault-domain pairs 1/0, 2/0`,
    ]);
    const sick = ten(['cg0', 'cg1', 'cg3']);
    for (const i of [0, 1, 3]) sick.add('Pod', 'ADDED', cg(`new${i}`, { zone: String(1 + (i % 2)), batch: '1.0', replaces: `cg${i}` }));
    expect(checkNGroupBatches(sick.recs)).to.deep.equal([]);
  });

  it('finds a container group replaced twice in a replace update', () => {
    const l = ten()
      .add('Pod', 'ADDED', cg('new0', { batch: '1.0', replaces: 'cg0' }))
      .add('Pod', 'ADDED', cg('again0', { batch: '1.0', replaces: 'cg0' }));
    expect(names(checkNGroupBatches(l.recs))).to.include('ngroup-replace-1to1');
  });

  it('finds a batch started after a cancel, not the canceled batch finishing its calls', () => {
    const l = ten()
      .add('Pod', 'ADDED', cg('new0', { batch: '1.0', replaces: 'cg0' }))
      .add('NGroup', 'MODIFIED', ng({ cancel: 't1' }))
      .add('Pod', 'ADDED', cg('new2', { batch: '1.0', replaces: 'cg2' }));
    expect(checkNGroupBatches(l.recs)).to.deep.equal([]);
    l.add('Pod', 'ADDED', cg('new4', { batch: '1.1', replaces: 'cg4' }));
    expect(names(checkNGroupBatches(l.recs))).to.deep.equal(['ngroup-no-resume-after-cancel']);
  });

  it('counts a batch the status recorded as started before the cancel as in flight (chaos seed 878212153, ngroup-scale round 12)', () => {
    // Replace mode: batch 1 is recorded as started, then the cancel comes; the batch's first
    // member is deleted and its replacement made (the reconcile had begun before the cancel).
    const inFlight = (batch: number) => ({
      ...ng({ cancel: undefined }),
      status: { latestRollingUpdate: { id: 1, state: 'InProgress', currentBatch: { index: batch, phase: 'Updating' } } },
    });
    const l = ten()
      .add('Pod', 'ADDED', cg('new0', { batch: '1.0', replaces: 'cg0' }))
      .add('NGroup', 'MODIFIED', inFlight(1))
      .add('NGroup', 'MODIFIED', { ...inFlight(1), ...ng({ cancel: 't1' }) })
      .add('Pod', 'ADDED', cg('new2', { batch: '1.1', replaces: 'cg2' }));
    expect(checkNGroupBatches(l.recs)).to.deep.equal([]);
    l.add('Pod', 'ADDED', cg('new4', { batch: '1.2', replaces: 'cg4' }));
    expect(names(checkNGroupBatches(l.recs))).to.deep.equal(['ngroup-no-resume-after-cancel']);
  });

  it('finds an NGroup off its desired count once a round converged', () => {
    const l = ten()
      .add('Pod', 'MODIFIED', cg('cg9', { deleting: true }))
      .mark('converged');
    expect(names(checkNGroupCounts(l.recs))).to.deep.equal(['ngroup-desired-count']);
    expect(checkNGroupCounts(ten().mark('converged').recs)).to.deep.equal([]);
  });
});

describe('chaos invariants: leader election', () => {
  const lease = (holder: string, renewMs: number) => ({
    metadata: { name: 'aksim-operator', namespace: 'aksim-system' },
    spec: { holderIdentity: holder, renewTime: new Date(renewMs).toISOString(), leaseDurationSeconds: 3 },
  });

  it('finds a write after the writer lease ran out and a write from a replica that never led', () => {
    const l = new Log().add('Lease', 'MODIFIED', lease('a', 10_000)).add('Lease', 'MODIFIED', lease('b', 14_000));
    l.write('a', 12_000)
      .write('b', 15_000)
      .write('a', 13_500)
      .write('c', 15_000)
      .write('a', 13_600, '/apis/coordination.k8s.io/v1/namespaces/aksim-system/leases/aksim-operator')
      .write('a', 14_000, '/x', { injected: 'before', status: 429 });
    expect(checkLeaderWrites(l.recs).map((v) => `${v.invariant}:${v.message.split(' ')[1]}`)).to.deep.equal([
      'leader-only-writes:a',
      'leader-only-writes:c',
    ]);
  });

  it('counts the renewals the proxy saw go through, even those the watch missed', () => {
    const l = new Log().add('Lease', 'MODIFIED', lease('a', 10_000));
    l.write('a', 12_500, '/apis/coordination.k8s.io/v1/namespaces/aksim-system/leases/aksim-operator', {
      method: 'PUT',
      lease: { name: 'aksim-operator', holder: 'a', renewTime: new Date(12_400).toISOString(), durationS: 3 },
    });
    l.write('a', 14_000);
    expect(checkLeaderWrites(l.recs)).to.deep.equal([]);
  });
});

describe('chaos invariants: registry', () => {
  it('names every invariant once and checks a clean log without complaint', () => {
    expect(INVARIANT_NAMES).to.include.members([
      'unique-machines',
      'no-orphans',
      'operations-end',
      'history-limit',
      'repair-concurrency',
      'repair-min-size',
      'repair-events-once',
      'pdb-respected',
      'cordon-undone',
      'ngroup-batch-size',
      'ngroup-replace-1to1',
      'ngroup-no-resume-after-cancel',
      'ngroup-desired-count',
      'leader-only-writes',
    ]);
    expect(checkAll(new Log().mark('scenario-start').mark('scenario-end').recs)).to.deep.equal([]);
  });
});
