// Pure: the SimCluster status that follows from the cluster, its pools and its operation state.
import type { SimCluster, SimClusterStatus, SimNodePool } from '../../src/api/generated.js';
import { clusterId } from '../../src/azure/ids.js';
import { poolHash } from '../nodepool/naming.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';

export interface ClusterView {
  cluster: SimCluster;
  pools: SimNodePool[];
  subscriptionId: string;
  nowIso: string;
  /** provisioningState: the running operation's state, or how the last one ended. */
  state: string;
  error?: string;
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

/** The version each pool should run: its own, or the control plane's. */
export const poolFollowsVersion = (p: SimNodePool, cp: string): string => p.spec.orchestratorVersion ?? cp;

/** A pool has caught up with everything asked of it and runs no operation. */
export function poolSettled(p: SimNodePool): boolean {
  const s = p.status;
  return Boolean(s && !s.currentOperation && (s.lastOperationGeneration ?? 0) >= (p.metadata.generation ?? 1) && s.provisioningState && TERMINAL.has(s.provisioningState));
}

export function clusterStatus(v: ClusterView): SimClusterStatus {
  const { cluster, pools, state } = v;
  const md = cluster.metadata;
  const prev = cluster.status ?? {};
  const ns = md.namespace!;
  const name = md.name!;
  const location = cluster.spec.location ?? 'eastus';
  const gen = md.generation ?? 0;
  const ready = pools.reduce((n, p) => n + (p.status?.readyNodes ?? 0), 0);
  const total = pools.reduce((n, p) => n + (p.status?.count ?? 0), 0);
  const working = !TERMINAL.has(state);
  const readyNow = state === 'Succeeded' && ready >= total && pools.every((p) => p.status?.provisioningState === 'Succeeded');
  const busy = pools.filter((p) => !poolSettled(p)).map((p) => p.spec.name);
  let conditions = prev.conditions as Condition[] | undefined;
  conditions = setCondition(
    conditions,
    {
      type: 'Ready',
      status: readyNow ? 'True' : 'False',
      reason: readyNow ? 'Succeeded' : state === 'Succeeded' ? 'PoolsNotReady' : state,
      message: (v.error ? `${v.error}; ` : '') + `${ready}/${total} nodes ready in ${pools.length} agent pools`,
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
      message: working ? `${state}; agent pools in progress: ${busy.join(', ') || 'none'}` : 'no operation in progress',
      observedGeneration: gen,
    },
    v.nowIso,
  );
  const dnsPrefix = cluster.spec.dnsPrefix ?? `${name}-${ns}`.slice(0, 54);
  return {
    id: clusterId(v.subscriptionId, ns, name),
    provisioningState: state,
    powerState: { code: 'Running' },
    currentKubernetesVersion: prev.currentKubernetesVersion,
    fqdn: `${dnsPrefix}-${poolHash(v.subscriptionId, ns, name)}.hcp.${location}.azmk8s.io`.toLowerCase(),
    nodeResourceGroup: `MC_${ns}_${name}_${location}`,
    poolCount: pools.length,
    readyNodes: ready,
    totalNodes: total,
    observedGeneration: working ? prev.observedGeneration : gen,
    conditions,
  };
}
