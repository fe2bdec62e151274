import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import type { SimMachine, SimNodePool } from '../../src/api/generated.js';
import { toPlanMachine } from '../../controllers/nodepool/plan.js';
import { isBootedUnrecorded, poolStatus } from '../../controllers/nodepool/status.js';

const machine = (name: string, status?: SimMachine['status']): SimMachine =>
  ({
    metadata: { name, namespace: 'rg' },
    spec: {
      clusterName: 'c',
      poolName: 'p',
      orchestratorVersion: '1.34.4',
      nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202511.03.0',
      vmSize: 'Standard_D2s_v3',
      osType: 'Linux',
    },
    status,
  }) as SimMachine;
const node = (ready: string, kubelet = 'v1.34.4', image = 'AKSUbuntu-2204gen2containerd-202511.03.0'): V1Node => ({
  metadata: { name: 'n', labels: { 'kubernetes.azure.com/node-image-version': image } },
  status: { conditions: [{ type: 'Ready', status: ready }], nodeInfo: { kubeletVersion: kubelet } as never },
});

describe('nodepool status: first boots counted from their Node before the machine records them', () => {
  it('counts a Ready Node running what the spec asks for', () => {
    expect(isBootedUnrecorded(machine('a'), node('True'))).to.equal(true);
    expect(isBootedUnrecorded(machine('a'), node('False'))).to.equal(false);
    expect(isBootedUnrecorded(machine('a'), undefined)).to.equal(false);
  });

  it('does not count a Node whose version or image the spec no longer asks for, nor a recorded machine', () => {
    expect(isBootedUnrecorded(machine('a'), node('True', 'v1.33.5'))).to.equal(false);
    expect(isBootedUnrecorded(machine('a'), node('True', 'v1.34.4', 'AKSUbuntu-2204gen2containerd-202510.01.0'))).to.equal(false);
    expect(isBootedUnrecorded(machine('a', { orchestratorVersion: '1.34.4', nodeImageVersion: 'x' }), node('True'))).to.equal(false);
  });

  it('plans such a machine as ready at its target, and the pool counts it ready', () => {
    const pm = toPlanMachine(machine('a'), node('True'));
    expect(pm).to.include({ ready: true, haveVersion: '1.34.4', haveImage: 'AKSUbuntu-2204gen2containerd-202511.03.0' });
    expect(toPlanMachine(machine('a'))).to.include({ ready: false, haveVersion: undefined });
    const pool = {
      metadata: { name: 'c-p', namespace: 'rg', generation: 1 },
      spec: { clusterName: 'c', name: 'p', count: 2 },
    } as SimNodePool;
    const view = {
      pool,
      machines: [machine('a'), machine('b')],
      subscriptionId: 's',
      version: '1.34.4',
      nodeImageVersion: 'x',
      nowIso: '2026-01-01T00:00:00Z',
      state: 'Creating',
    };
    expect(poolStatus({ ...view, nodeOf: (n) => (n === 'a' ? node('True') : undefined) }).readyNodes).to.equal(1);
    expect(poolStatus(view).readyNodes).to.equal(0);
  });
});
