// Unit: the auto-repair timeline (src/console/timeline.ts): steps paired from the remediator's
// events with their results, unhealthy windows, skip reasons.
import { expect } from 'chai';
import type { SimCluster, SimMachine } from '../../src/api/generated.js';
import { buildTimeline, RepairMemory, type RepairEvent } from '../../src/console/timeline.js';

const at = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const ev = (reason: string, s: number, node = 'n1'): RepairEvent => ({ node, reason, note: `${reason} of ${node}`, time: at(s) });

describe('console: auto-repair timeline', () => {
  it('pairs start and end of each step; a later step means the earlier one did not make it Ready', () => {
    const events = [ev('NodeRebootStart', 10), ev('NodeRebootEnd', 11), ev('NodeReimageStart', 14), ev('NodeReimageEnd', 16)];
    const windows = [{ node: 'n1', start: at(0), end: at(17) }];
    const t = buildTimeline(events, windows, []);
    const reboot = t.find((e) => e.kind === 'Reboot')!;
    const reimage = t.find((e) => e.kind === 'Reimage')!;
    expect(reboot).to.include({ start: at(10), end: at(11), result: 'StillNotReady' });
    expect(reimage).to.include({ start: at(14), end: at(16), result: 'Succeeded' });
    expect(t.find((e) => e.kind === 'Unhealthy')).to.include({ start: at(0), end: at(17), result: 'Ready' });
    expect(t.map((e) => e.start)).to.deep.equal([at(14), at(10), at(0)]); // newest first
  });

  it('a running step, a timed-out step, and a failed repair', () => {
    expect(buildTimeline([ev('NodeRebootStart', 1)], [], [])[0]).to.include({ kind: 'Reboot', result: 'Running' });
    expect(buildTimeline([ev('NodeRebootStart', 1), ev('NodeRebootError', 5)], [], [])[0]).to.include({ result: 'TimedOut' });
    const failed = buildTimeline(
      [ev('NodeRedeployStart', 1), ev('NodeRedeployEnd', 2), ev('NodeAutoRepairFailed', 9)],
      [{ node: 'n1', start: at(0) }],
      [],
    );
    expect(failed.find((e) => e.kind === 'Redeploy')!.result).to.equal('Failed');
    expect(failed.find((e) => e.kind === 'Failed')).to.include({ node: 'n1', start: at(9) });
  });

  it('remembers windows from NodeReady and skip reasons from the cluster status, once each', () => {
    const mem = new RepairMemory();
    const m = (status: 'True' | 'False', s: number, reason = 'KubeletNotReady'): SimMachine =>
      ({
        metadata: { name: 'n1', namespace: 'rg' },
        spec: { clusterName: 'c1' },
        status: { provisionedTime: at(0), conditions: [{ type: 'NodeReady', status, reason, message: '', lastTransitionTime: at(s) }] },
      }) as SimMachine;
    expect(mem.observeMachine(m('False', 5))).to.equal(true);
    expect(mem.observeMachine(m('False', 5))).to.equal(false);
    expect(mem.observeMachine(m('True', 20, 'KubeletReady'))).to.equal(true);
    expect(mem.windowsOf('rg/c1')).to.deep.equal([{ node: 'n1', start: at(5), end: at(20) }]);
    const booting = { ...m('False', 1, 'Booting') };
    booting.status!.provisionedTime = undefined;
    expect(mem.observeMachine(booting)).to.equal(false);

    const c = (queue: { node: string; reason: string }[], message?: string): SimCluster => ({
      metadata: { name: 'c1', namespace: 'rg' },
      spec: {},
      status: { autoRepair: { queue, message } },
    });
    expect(mem.observeCluster(c([{ node: 'n2', reason: 'unhealthy for less than 10m' }]), at(30))).to.equal(false);
    expect(mem.observeCluster(c([{ node: 'n2', reason: 'waiting: one node is repaired at a time (repairing n1)' }]), at(31))).to.equal(
      true,
    );
    expect(mem.observeCluster(c([{ node: 'n2', reason: 'waiting: one node is repaired at a time (repairing n1)' }]), at(32))).to.equal(
      false,
    );
    expect(mem.observeCluster(c([], 'cluster has 1 node(s); auto-repair needs at least 2'), at(33))).to.equal(true);
    expect(mem.skipsOf('rg/c1').map((s) => [s.node, s.time])).to.deep.equal([
      ['n2', at(31)],
      ['', at(33)],
    ]);
  });
});
