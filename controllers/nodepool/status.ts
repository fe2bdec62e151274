// Pure: the SimNodePool status that follows from the pool, its machines and the version in use.
import type { SimMachine, SimNodePool, SimNodePoolStatus } from '../../src/api/generated.js';
import { agentPoolId } from '../../src/azure/ids.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';

export interface PoolView {
  pool: SimNodePool;
  machines: SimMachine[];
  subscriptionId: string;
  version: string;
  nodeImageVersion: string;
  nowIso: string;
}

export const isMachineReady = (m: SimMachine): boolean =>
  !m.metadata.deletionTimestamp && m.status?.phase === 'Running' && (m.status.conditions ?? []).some((c) => c.type === 'NodeReady' && c.status === 'True');

export function poolStatus(v: PoolView): SimNodePoolStatus {
  const { pool, machines } = v;
  const prev = pool.status ?? {};
  const gen = pool.metadata.generation ?? 0;
  const live = machines.filter((m) => !m.metadata.deletionTimestamp);
  const leaving = machines.length - live.length;
  const ready = live.filter(isMachineReady).length;
  const desired = pool.spec.count ?? 0;
  const settled = live.length === desired && ready === desired && leaving === 0;
  let state: string;
  if (pool.metadata.deletionTimestamp) state = 'Deleting';
  else if (settled) state = 'Succeeded';
  else if (!prev.provisioningState || prev.provisioningState === 'Creating') state = 'Creating';
  else state = 'Scaling';
  const working = state !== 'Succeeded';
  let conditions = prev.conditions as Condition[] | undefined;
  conditions = setCondition(
    conditions,
    {
      type: 'Ready',
      status: settled ? 'True' : 'False',
      reason: settled ? 'Succeeded' : state,
      message: `${ready}/${desired} nodes ready` + (leaving ? `, ${leaving} being removed` : ''),
      observedGeneration: gen,
    },
    v.nowIso,
  );
  conditions = setCondition(
    conditions,
    {
      type: 'Reconciling',
      status: working ? 'True' : 'False',
      reason: working ? state : 'Idle',
      message: working ? `${live.length} machines for a target of ${desired}` : 'no operation in progress',
      observedGeneration: gen,
    },
    v.nowIso,
  );
  return {
    id: agentPoolId(v.subscriptionId, pool.metadata.namespace!, pool.spec.clusterName, pool.spec.name),
    provisioningState: state,
    powerState: { code: 'Running' },
    count: live.length,
    readyNodes: ready,
    currentOrchestratorVersion: v.version,
    nodeImageVersion: v.nodeImageVersion,
    observedGeneration: settled ? gen : prev.observedGeneration,
    conditions,
  };
}
