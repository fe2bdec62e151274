// The running operation's percentComplete shows on its target too (status.currentOperation, the
// Progress column of kubectl get simclusters/simnodepools), in the status write progress makes
// anyway, and never goes back there either.
import { expect } from 'chai';
import type { SimNodePool, SimOperation } from '../../src/api/generated.js';
import { decideOperation } from '../../controllers/operations/lifecycle.js';
import type { OperationKind, OpView } from '../../controllers/operations/kind.js';
import type { Write } from '../../controllers/shared/plan.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const op = {
  metadata: { name: 'c1-np1-op', namespace: 'rg' },
  spec: { operationId: 'op', targetKind: 'SimNodePool', targetName: 'c1-np1', type: 'Scale' },
  status: { status: 'InProgress', stepsDone: 1, percentComplete: 25 },
} as SimOperation;
const pool = (percentComplete?: number): SimNodePool =>
  ({
    metadata: { name: 'c1-np1', namespace: 'rg', finalizers: ['aksim.io/nodepool'], generation: 2 },
    spec: { clusterName: 'c1', name: 'np1', count: 7 },
    status: {
      readyNodes: 4,
      currentOperation: {
        name: 'c1-np1-op',
        operationId: 'op',
        type: 'Scale',
        state: 'Scaling',
        stepsTotal: 4,
        startCount: 3,
        percentComplete,
      },
    },
  }) as SimNodePool;
const kind = (done: number) =>
  ({
    kind: 'SimNodePool',
    finalizer: 'aksim.io/nodepool',
    noun: 'agent pool',
    childKind: 'SimMachine',
    step: () => ({ progress: { done, status: { readyNodes: 3 + done }, plan: { writes: [], events: [] } } }),
  }) as unknown as OperationKind<OpView>;
const view = (p: SimNodePool): OpView => ({
  obj: p,
  key: 'rg/c1-np1',
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1/agentPools/np1',
  nowMs: NOW,
  nowIso: new Date(NOW).toISOString(),
  op,
  history: [op],
  children: [],
  memo: {},
});
const targetStatus = (writes: Write[]) =>
  (writes.find((w) => w.do === 'status' && w.kind === 'SimNodePool') as Extract<Write, { do: 'status' }>).status as {
    readyNodes: number;
    currentOperation: { percentComplete: number; name: string; stepsTotal: number };
  };

describe('operations: progress on the target', () => {
  it("puts the operation's percentComplete in the target's currentOperation, beside the rest of its status", () => {
    const s = targetStatus(decideOperation(kind(2), view(pool(25))).writes);
    expect(s.readyNodes).to.equal(5);
    expect(s.currentOperation).to.include({ name: 'c1-np1-op', stepsTotal: 4, percentComplete: 50 });
  });

  it('never shows less than it showed before', () => {
    expect(targetStatus(decideOperation(kind(1), view(pool(75))).writes).currentOperation.percentComplete).to.equal(75);
  });
});
