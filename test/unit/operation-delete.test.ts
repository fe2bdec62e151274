// A deleted target takes its operation records with it before its finalizer goes (seen by the chaos
// run: a deleted pool's records, left to the garbage collector, stayed 29 s after the pool after a
// kube-apiserver restart; its operations were orphans for that long).
import { expect } from 'chai';
import type { SimNodePool, SimOperation } from '../../src/api/generated.js';
import { decideOperation } from '../../controllers/operations/lifecycle.js';
import type { OperationKind, OpView } from '../../controllers/operations/kind.js';
import type { Write } from '../../controllers/shared/plan.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const record = (name: string, status: string, deleting = false): SimOperation =>
  ({
    metadata: { name, namespace: 'rg', ...(deleting ? { deletionTimestamp: new Date(NOW) } : {}) },
    spec: { operationId: name, targetKind: 'SimNodePool', targetName: 'c1-np1', type: 'Scale' },
    status: { status },
  }) as SimOperation;
const deleteOp = record('c1-np1-del', 'InProgress');
const pool: SimNodePool = {
  metadata: { name: 'c1-np1', namespace: 'rg', finalizers: ['aksim.io/nodepool'], deletionTimestamp: new Date(NOW) },
  spec: { clusterName: 'c1', name: 'np1' },
  status: { currentOperation: { name: 'c1-np1-del', operationId: 'c1-np1-del', type: 'Delete', stepsTotal: 2 } },
} as SimNodePool;
const kind = { kind: 'SimNodePool', finalizer: 'aksim.io/nodepool', noun: 'agent pool', childKind: 'SimMachine' } as OperationKind<OpView>;
const view = (children: OpView['children'], history: SimOperation[]): OpView => ({
  obj: pool,
  key: 'rg/c1-np1',
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1/agentPools/np1',
  nowMs: NOW,
  nowIso: new Date(NOW).toISOString(),
  op: deleteOp,
  history,
  children,
  memo: {},
});

describe('operations: a deleted target removes its operation records, then its finalizer', () => {
  it('ends the Delete record, deletes every record not already going, then removes the finalizer', () => {
    const history = [record('c1-np1-a', 'Succeeded'), record('c1-np1-b', 'Canceled', true), deleteOp];
    const plan = decideOperation(kind, view([], history));
    const [end, records, finalizer] = plan.writes as Write[];
    expect(end).to.include({ do: 'status', kind: 'SimOperation' });
    expect((end as Extract<Write, { do: 'status' }>).status).to.include({ status: 'Succeeded', percentComplete: 100 });
    expect(records).to.deep.equal({
      do: 'all',
      writes: [
        { do: 'delete', kind: 'SimOperation', ns: 'rg', name: 'c1-np1-a' },
        { do: 'delete', kind: 'SimOperation', ns: 'rg', name: 'c1-np1-del' },
      ],
    });
    expect(finalizer).to.include({ do: 'finalizer', present: false, finalizer: 'aksim.io/nodepool' });
    expect(plan.writes).to.have.length(3);
  });

  it('deletes no record while children are left', () => {
    const plan = decideOperation(kind, view([{ name: 'm0', deleting: true }], [record('c1-np1-a', 'Succeeded'), deleteOp]));
    expect(plan.writes.some((w) => w.do === 'all' || w.do === 'finalizer')).to.equal(false);
  });

  it('after a restart with the records already gone, only the finalizer is left to remove', () => {
    const plan = decideOperation(kind, { ...view([], []), op: undefined });
    expect(plan.writes).to.deep.equal([
      { do: 'finalizer', kind: 'SimNodePool', obj: pool, finalizer: 'aksim.io/nodepool', present: false },
    ]);
  });
});
