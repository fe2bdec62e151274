// After a Node's status lapsed (kube-controller-manager took its Lease for late, as it does for a
// while after a kube-apiserver restart), the controller manager marks the pods on it Ready=False;
// the simulated kubelet readies them again once the Node is back (seen by the chaos run: workload
// pods stayed not ready for good, since kwok readies a pod only when it starts).
import { expect } from 'chai';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { SimMachine } from '../../src/api/generated.js';
import { lapsedAtStart, podsToReady, readinessStep, RECHECKS_MS, STARTUP_WINDOW_MS } from '../../controllers/machine/pods.js';
import type { MachineView } from '../../controllers/machine/view.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const machine = (extra: Partial<SimMachine['spec']> = {}, deleting = false): SimMachine =>
  ({
    metadata: { name: 'n', namespace: 'rg', ...(deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { clusterName: 'c', poolName: 'p', ...extra },
    status: { phase: 'Running', provisionedTime: '2026-01-01T00:00:00Z' },
  }) as SimMachine;
const node = (status: string): V1Node => ({ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status } as never] } });
const view = (n: V1Node | undefined, nowMs: number, m = machine()): MachineView =>
  ({ m, node: n, nowMs, nowIso: iso(nowMs), timeScale: 60, clusterBooting: false, freshBootId: 'f' }) as MachineView;

describe('machine: pods marked not ready while the Node was away are readied again', () => {
  it('nothing to do for a Node whose status never lapsed', () => {
    expect(readinessStep(view(node('True'), NOW), undefined)).to.equal(undefined);
  });

  it('once the Node is back, looks at its pods twice, then forgets the lapse', () => {
    const seen = readinessStep(view(node('True'), NOW), { checks: 0 })!;
    expect(seen).to.deep.equal({ lapse: { backAt: NOW, checks: 0 }, look: false, requeueAfterMs: RECHECKS_MS[0] });
    const look1 = readinessStep(view(node('True'), NOW + RECHECKS_MS[0]), seen.lapse)!;
    expect(look1).to.deep.equal({ lapse: { backAt: NOW, checks: 1 }, look: true, requeueAfterMs: RECHECKS_MS[1] - RECHECKS_MS[0] });
    const look2 = readinessStep(view(node('True'), NOW + RECHECKS_MS[1] + 5), look1.lapse)!;
    expect(look2).to.deep.equal({ look: true });
  });

  it('waits while the Node is still away or the VM has a fault (its pods are rightly not ready)', () => {
    expect(readinessStep(view(node('Unknown'), NOW), { backAt: NOW - 1, checks: 1 })).to.deep.equal({ lapse: { checks: 0 }, look: false });
    const faulty = machine({ faults: [{ type: 'KubeletStopped' }] } as never);
    expect(readinessStep(view(node('True'), NOW, faulty), { checks: 0 })).to.deep.equal({ lapse: { checks: 0 }, look: false });
  });

  it('forgets the lapse of a Node that is gone or a VM being deleted (its pods go with it)', () => {
    expect(readinessStep(view(undefined, NOW), { checks: 0 })).to.deep.equal({ look: false });
    expect(readinessStep(view(node('True'), NOW, machine({}, true)), { checks: 0 })).to.deep.equal({ look: false });
  });

  it('a restarted operator takes the lapses from the NodeNotReady events of the last minutes', () => {
    const ev = (name: string, agoMs: number, reason = 'NodeNotReady') => ({ name, reason, atMs: NOW - agoMs });
    const names = lapsedAtStart(
      [ev('a', 10_000), ev('a', 20_000), ev('b', STARTUP_WINDOW_MS + 1), ev('c', 1_000, 'NodeReady'), ev('d', 5_000)],
      NOW,
    );
    expect(names).to.deep.equal(['a', 'd']);
  });

  const pod = (
    name: string,
    ready: string,
    containersReady: boolean[],
    extra: Partial<V1Pod['metadata']> = {},
    phase = 'Running',
  ): V1Pod => ({
    metadata: { name, namespace: 'w', ...extra },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: ready }],
      containerStatuses: containersReady.map((r, i) => ({ name: `c${i}`, ready: r }) as never),
    },
  });

  it('readies only running pods whose containers are all ready', () => {
    const pods = [
      pod('marked', 'False', [true, true]),
      pod('ready', 'True', [true]),
      pod('container-not-ready', 'False', [true, false]),
      pod('no-containers', 'False', []),
      pod('pending', 'False', [true], {}, 'Pending'),
      pod('deleting', 'False', [true], { deletionTimestamp: new Date() }),
      pod('unhealthy', 'False', [true], { labels: { 'aksim.io/unhealthy': 'true' } }),
    ];
    expect(podsToReady(pods).map((p) => p.metadata!.name)).to.deep.equal(['marked']);
  });
});
