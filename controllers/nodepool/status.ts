// Pure: the SimNodePool status that follows from the pool, its machines and its operation state.
import type { V1Node } from '@kubernetes/client-node';
import type { SimMachine, SimNodePool, SimNodePoolStatus } from '../../src/api/generated.js';
import { agentPoolId } from '../../src/azure/ids.js';
import { LABELS } from '../../src/model/names.js';
import { labelValue } from '../../src/model/node-labels.js';
import { shownPower, type PowerCode } from '../../src/model/power.js';
import type { Condition } from '../../src/runtime/conditions.js';
import { observedGeneration, operationConditions } from '../operations/conditions.js';
import { isNodeReady } from '../shared/ready.js';

export interface PoolStatusInput {
  pool: SimNodePool;
  machines: SimMachine[];
  subscriptionId: string;
  version: string;
  nodeImageVersion: string;
  nowIso: string;
  /** provisioningState: the running operation's state, or how the last one ended. */
  state: string;
  /** Why the last operation failed. */
  error?: string;
  /** The power state to show (default: the one shown now). */
  power?: PowerCode;
  /** A machine's Node from the node cache: counts first boots not yet recorded. */
  nodeOf?: (name: string) => V1Node | undefined;
}

export const isMachineReady = (m: SimMachine): boolean =>
  !m.metadata.deletionTimestamp &&
  m.status?.phase === 'Running' &&
  (m.status.conditions ?? []).some((c) => c.type === 'NodeReady' && c.status === 'True');

/**
 * A first boot whose Node registered and is Ready while the machine has not recorded it yet (that
 * record may trail a scale-out, see controllers/machine), running what the spec still asks for.
 */
export function isBootedUnrecorded(m: SimMachine, node: V1Node | undefined): boolean {
  if (!node || m.metadata.deletionTimestamp || m.status?.orchestratorVersion !== undefined) return false;
  if (!isNodeReady(node)) return false;
  return (
    node.status?.nodeInfo?.kubeletVersion === `v${m.spec.orchestratorVersion}` &&
    node.metadata?.labels?.[LABELS.nodeImage] === labelValue(m.spec.nodeImageVersion)
  );
}

export function poolStatus(v: PoolStatusInput): SimNodePoolStatus {
  const { pool, machines, state } = v;
  const prev = pool.status ?? {};
  const gen = pool.metadata.generation ?? 0;
  const live = machines.filter((m) => !m.metadata.deletionTimestamp);
  const leaving = machines.length - live.length;
  const ready = live.filter((m) => isMachineReady(m) || isBootedUnrecorded(m, v.nodeOf?.(m.metadata.name!))).length;
  const power = v.power ?? shownPower(prev);
  const conditions = operationConditions(
    prev.conditions as Condition[] | undefined,
    {
      state,
      allReady: ready === live.length,
      notReadyReason: power === 'Stopped' ? 'Stopped' : 'NodesNotReady',
      error: v.error,
      summary:
        (power === 'Stopped' ? 'stopped; ' : '') + `${ready}/${live.length} nodes ready` + (leaving ? `, ${leaving} being removed` : ''),
      progress: `${state}: ${live.length} nodes, target ${pool.status?.target?.count ?? pool.spec.count}`,
      generation: gen,
    },
    v.nowIso,
  );
  return {
    id: agentPoolId(v.subscriptionId, pool.metadata.namespace!, pool.spec.clusterName, pool.spec.name),
    provisioningState: state,
    powerState: { code: power },
    count: live.filter((m) => m.metadata.labels?.[LABELS.surge] !== 'true').length,
    readyNodes: ready,
    currentOrchestratorVersion: v.version || undefined,
    nodeImageVersion: v.nodeImageVersion || undefined,
    observedGeneration: observedGeneration(state, prev.observedGeneration, gen),
    conditions,
  };
}
