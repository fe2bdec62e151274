// Unit: the console's records (src/console/view.ts): a node tile's state from its SimMachine, its
// Node and the scheduled events draining it; container group health; operations.
import { expect } from 'chai';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { ScheduledEvent, SimMachine, SimOperation } from '../../src/api/generated.js';
import { cgRec, drainBySchedEvents, nodeRec, nodeState, opRec } from '../../src/console/view.js';

const T = '2026-01-01T00:00:00Z';
const machine = (o: { status?: SimMachine['status']; deleting?: boolean; spec?: Partial<SimMachine['spec']> } = {}): SimMachine => ({
  metadata: { name: 'aks-np1-1-vmss000000', namespace: 'rg', ...(o.deleting ? { deletionTimestamp: new Date(T) } : {}) },
  spec: {
    clusterName: 'c1',
    poolName: 'np1',
    index: 0,
    zone: '2',
    faultDomain: 1,
    vmSize: 'Standard_D2s_v3',
    osType: 'Linux',
    orchestratorVersion: '1.34.4',
    nodeImageVersion: 'img-1',
    ...o.spec,
  },
  status: { phase: 'Running', provisionedTime: T, nodeImageVersion: 'img-1', orchestratorVersion: '1.34.4', ...o.status },
});
const node = (ready: 'True' | 'False' | 'Unknown', unschedulable = false): V1Node => ({
  metadata: { name: 'aks-np1-1-vmss000000', labels: { 'aksim.io/cluster': 'c1', 'aksim.io/namespace': 'rg' } },
  spec: { unschedulable },
  status: { conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady' }] },
});

describe('console: node tile state', () => {
  const cases: [string, SimMachine | undefined, V1Node | undefined, string | undefined, string][] = [
    ['Ready', machine(), node('True'), undefined, 'Ready'],
    ['cordoned', machine(), node('True', true), undefined, 'Cordoned'],
    ['NotReady wins over cordoned', machine(), node('False', true), undefined, 'NotReady'],
    ['no status is NotReady', machine(), node('Unknown'), undefined, 'NotReady'],
    [
      'a reboot in progress',
      machine({ status: { action: { type: 'Reboot', actor: 'aks-remediator', startTime: T } } }),
      node('False'),
      undefined,
      'Rebooting',
    ],
    [
      'a reimage in progress',
      machine({ status: { action: { type: 'Reimage', actor: 'u', startTime: T } } }),
      node('False'),
      undefined,
      'Reimaging',
    ],
    [
      'a redeploy in progress',
      machine({ status: { action: { type: 'Redeploy', actor: 'u', startTime: T } } }),
      node('False'),
      undefined,
      'Redeploying',
    ],
    ['no Node yet', machine({ status: { phase: 'Provisioning' } }), undefined, undefined, 'Booting'],
    ['registered, never Ready', machine({ status: { provisionedTime: undefined } }), node('False'), undefined, 'Booting'],
    [
      'upgrade drain',
      machine({ status: { conditions: [{ type: 'Upgrading', status: 'True', reason: 'Draining', message: 'x', lastTransitionTime: T }] } }),
      node('True', true),
      undefined,
      'Draining',
    ],
    [
      'upgrade reimage',
      machine({
        status: { conditions: [{ type: 'Upgrading', status: 'True', reason: 'Reimaging', message: 'x', lastTransitionTime: T }] },
      }),
      undefined,
      undefined,
      'Reimaging',
    ],
    ['scheduled event drain', machine(), node('True', true), 'draining for Redeploy event X', 'Draining'],
    ['being deleted', machine({ deleting: true }), node('True'), undefined, 'Deleting'],
    [
      'deleting, drain first',
      machine({
        deleting: true,
        status: { conditions: [{ type: 'Drained', status: 'False', reason: 'Draining', message: 'x', lastTransitionTime: T }] },
      }),
      node('True', true),
      undefined,
      'Draining',
    ],
    ['a Node without its machine', undefined, node('True'), undefined, 'Deleting'],
  ];
  for (const [what, m, n, se, want] of cases) {
    it(what, () => expect(nodeState(m, n, se).state).to.equal(want));
  }

  it('carries zone, fault domain, image and version for the tile and its hover', () => {
    const r = nodeRec('aks-np1-1-vmss000000', machine({ spec: { faults: [{ type: 'DiskCorruption' }] } }), node('False'), undefined);
    expect(r).to.include({
      key: 'aks-np1-1-vmss000000',
      ns: 'rg',
      cluster: 'c1',
      pool: 'np1',
      zone: '2',
      faultDomain: 1,
      image: 'img-1',
      version: '1.34.4',
      ready: 'False',
      state: 'NotReady',
    });
    expect(r.faults).to.deep.equal(['DiskCorruption']);
  });

  it('finds the scheduled event that drains a node', () => {
    const e = {
      metadata: { name: 'e' },
      spec: { eventType: 'Redeploy', nodes: ['n1'] },
      status: { eventId: 'ABC', nodes: [{ node: 'n1', drain: 'Draining' }] },
    } as ScheduledEvent;
    expect(drainBySchedEvents('n1', [e])).to.equal('draining for Redeploy event ABC');
    expect(drainBySchedEvents('n1', [{ ...e, status: { nodes: [{ node: 'n1', drain: 'Drained' }] } }])).to.equal(undefined);
  });
});

describe('console: container groups and operations', () => {
  const pod = (o: Partial<{ ready: boolean; unhealthy: boolean; running: boolean; deleting: boolean }>): V1Pod => ({
    metadata: {
      name: 'cg-1',
      namespace: 'rg',
      labels: {
        'aksim.io/ngroup': 'ng',
        'aksim.io/cg-profile': 'p1',
        'aksim.io/cg-zone': '1',
        'aksim.io/cg-fault-domain': '1',
        'aksim.io/cg-profile-revision': '2',
        ...(o.unhealthy ? { 'aksim.io/unhealthy': 'true' } : {}),
      },
      ...(o.deleting ? { deletionTimestamp: new Date(T) } : {}),
    },
    status: {
      phase: o.running || o.ready ? 'Running' : 'Pending',
      podIP: o.running || o.ready ? '10.0.0.1' : undefined,
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
    },
  });
  it('health: Healthy, Unhealthy (image or stuck unready), Starting, Terminating', () => {
    expect(cgRec(pod({ ready: true }))).to.include({
      health: 'Healthy',
      zone: '1',
      faultDomain: '1',
      profile: 'p1',
      revision: 2,
      ngroup: 'ng',
    });
    expect(cgRec(pod({ unhealthy: true })).health).to.equal('Unhealthy');
    expect(cgRec(pod({ running: true })).health).to.equal('Unhealthy');
    expect(cgRec(pod({})).health).to.equal('Starting');
    expect(cgRec(pod({ ready: true, deleting: true })).health).to.equal('Terminating');
  });

  it('an operation points at its target and carries its error', () => {
    const o: SimOperation = {
      metadata: { name: 'op1', namespace: 'rg' },
      spec: { operationId: 'GUID', targetKind: 'SimNodePool', targetName: 'c1-np1', type: 'Scale' },
      status: { status: 'Failed', percentComplete: 40, startTime: T, error: { code: 'X', message: 'broke' } },
    };
    expect(opRec(o)).to.include({ key: 'rg/op1', target: 'rg/c1-np1', id: 'GUID', status: 'Failed', percent: 40, error: '(X) broke' });
  });
});
