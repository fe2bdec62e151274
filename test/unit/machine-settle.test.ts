import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import type { SimMachine } from '../../src/api/generated.js';
import { unknownSettleEnd } from '../../controllers/machine/decide.js';
import { UNKNOWN_SETTLE_MS, type MachineView } from '../../controllers/machine/view.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const machine = (nodeReady: 'True' | 'False' | undefined): SimMachine =>
  ({
    metadata: { name: 'n', namespace: 'rg' },
    spec: { clusterName: 'c', poolName: 'p' },
    status: nodeReady
      ? {
          phase: 'Running',
          conditions: [{ type: 'NodeReady', status: nodeReady, reason: 'x', message: '', lastTransitionTime: '2025-12-31T00:00:00Z' }],
        }
      : {},
  }) as SimMachine;
const node = (ready: string, since = T0): V1Node => ({
  metadata: { name: 'n' },
  status: { conditions: [{ type: 'Ready', status: ready, lastTransitionTime: new Date(since).toISOString() as never }] },
});
const view = (m: SimMachine, n: V1Node | undefined, nowMs: number): MachineView =>
  ({
    m,
    node: n,
    nowMs,
    nowIso: new Date(nowMs).toISOString(),
    timeScale: 60,
    subscriptionId: 's',
    clusterBooting: false,
    freshBootId: 'b',
  }) as MachineView;

describe('machine: a Node that just lost its status (Lease flap) is recorded only once it lasted', () => {
  it('waits UNKNOWN_SETTLE_MS from the Node turning Unknown before recording a Ready machine as not Ready', () => {
    expect(unknownSettleEnd(view(machine('True'), node('Unknown'), T0 + 1000))).to.equal(T0 + UNKNOWN_SETTLE_MS);
    expect(unknownSettleEnd(view(machine('True'), node('Unknown'), T0 + UNKNOWN_SETTLE_MS))).to.equal(undefined);
  });

  it('records at once a NotReady Node (a fault), a machine not recorded Ready, and an Unknown without a transition time', () => {
    expect(unknownSettleEnd(view(machine('True'), node('False'), T0 + 1000))).to.equal(undefined);
    expect(unknownSettleEnd(view(machine('False'), node('Unknown'), T0 + 1000))).to.equal(undefined);
    expect(unknownSettleEnd(view(machine(undefined), node('Unknown'), T0 + 1000))).to.equal(undefined);
    const bare: V1Node = { metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
    expect(unknownSettleEnd(view(machine('True'), bare, T0 + 1000))).to.equal(undefined);
    expect(unknownSettleEnd(view(machine('True'), node('True'), T0 + 1000))).to.equal(undefined);
  });
});
