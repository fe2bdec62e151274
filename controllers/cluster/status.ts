// Pure: the SimCluster status that follows from the cluster, its pools and its operation state.
import type { SimCluster, SimClusterStatus, SimNodePool } from '../../src/api/generated.js';
import { clusterId } from '../../src/azure/ids.js';
import { poolHash } from '../../src/model/naming.js';
import { isTerminal } from '../../src/model/operations.js';
import { shownPower, type PowerCode } from '../../src/model/power.js';
import type { Condition } from '../../src/runtime/conditions.js';
import { observedGeneration, operationConditions } from '../operations/conditions.js';

export interface ClusterStatusInput {
  cluster: SimCluster;
  pools: SimNodePool[];
  subscriptionId: string;
  nowIso: string;
  /** provisioningState: the running operation's state, or how the last one ended. */
  state: string;
  error?: string;
  /** The power state to show (default: the one shown now). */
  power?: PowerCode;
}

/** A pool has caught up with everything asked of it and runs no operation. */
export function poolSettled(p: SimNodePool): boolean {
  const s = p.status;
  return Boolean(
    s && !s.currentOperation && (s.lastOperationGeneration ?? 0) >= (p.metadata.generation ?? 1) && isTerminal(s.provisioningState),
  );
}

export function clusterStatus(v: ClusterStatusInput): SimClusterStatus {
  const { cluster, pools, state } = v;
  const md = cluster.metadata;
  const prev = cluster.status ?? {};
  const ns = md.namespace!;
  const name = md.name!;
  const location = cluster.spec.location ?? 'eastus';
  const gen = md.generation ?? 0;
  const ready = pools.reduce((n, p) => n + (p.status?.readyNodes ?? 0), 0);
  const total = pools.reduce((n, p) => n + (p.status?.count ?? 0), 0);
  const busy = pools.filter((p) => !poolSettled(p)).map((p) => p.spec.name);
  const power = v.power ?? shownPower(prev);
  const conditions = operationConditions(
    prev.conditions as Condition[] | undefined,
    {
      state,
      allReady: ready >= total && pools.every((p) => p.status?.provisioningState === 'Succeeded'),
      notReadyReason: power === 'Stopped' ? 'Stopped' : 'PoolsNotReady',
      error: v.error,
      summary: (power === 'Stopped' ? 'stopped; ' : '') + `${ready}/${total} nodes ready in ${pools.length} agent pools`,
      progress: `${state}; agent pools in progress: ${busy.join(', ') || 'none'}`,
      generation: gen,
    },
    v.nowIso,
  );
  const dnsPrefix = cluster.spec.dnsPrefix ?? `${name}-${ns}`.slice(0, 54);
  return {
    id: clusterId(v.subscriptionId, ns, name),
    provisioningState: state,
    powerState: { code: power },
    currentKubernetesVersion: prev.currentKubernetesVersion,
    fqdn: `${dnsPrefix}-${poolHash(v.subscriptionId, ns, name)}.hcp.${location}.azmk8s.io`.toLowerCase(),
    nodeResourceGroup: `MC_${ns}_${name}_${location}`,
    poolCount: pools.length,
    readyNodes: ready,
    totalNodes: total,
    observedGeneration: observedGeneration(state, prev.observedGeneration, gen),
    conditions,
  };
}
