// Pure: the SimCluster status that follows from the cluster and its pools.
import type { SimCluster, SimClusterStatus, SimNodePool } from '../../src/api/generated.js';
import { clusterId } from '../../src/azure/ids.js';
import { poolHash } from '../nodepool/naming.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';

export interface ClusterView {
  cluster: SimCluster;
  pools: SimNodePool[];
  subscriptionId: string;
  nowIso: string;
}

const IN_PROGRESS = new Set(['Creating', 'Updating', 'Scaling', 'Upgrading', 'UpgradingNodeImageVersion', 'Deleting', 'Starting', 'Stopping', 'Canceling']);

export function clusterStatus(v: ClusterView): SimClusterStatus {
  const { cluster, pools } = v;
  const md = cluster.metadata;
  const prev = cluster.status ?? {};
  const ns = md.namespace!;
  const name = md.name!;
  const location = cluster.spec.location ?? 'eastus';
  const gen = md.generation ?? 0;
  const missing = (cluster.spec.agentPoolProfiles ?? []).filter((pr) => !pools.some((p) => p.spec.name === pr.name)).map((pr) => pr.name);
  const busy = pools.filter((p) => !p.status?.provisioningState || IN_PROGRESS.has(p.status.provisioningState) || (p.status.observedGeneration ?? 0) < (p.metadata.generation ?? 0));
  const failed = pools.filter((p) => p.status?.provisioningState === 'Failed');
  const profilesApplied = (prev.profilesAppliedGeneration ?? 0) >= gen;
  const settled = profilesApplied && busy.length === 0 && missing.length === 0;
  let state: string;
  if (md.deletionTimestamp) state = 'Deleting';
  else if (settled && failed.length > 0) state = 'Failed';
  else if (settled) state = 'Succeeded';
  else if (!prev.provisioningState || prev.provisioningState === 'Creating') state = 'Creating';
  else if ((prev.observedGeneration ?? 0) < gen || prev.provisioningState === 'Updating') state = 'Updating';
  else state = 'Succeeded';
  const ready = pools.reduce((n, p) => n + (p.status?.readyNodes ?? 0), 0);
  const total = pools.reduce((n, p) => n + (p.status?.count ?? 0), 0);
  let conditions: Condition[] | undefined = prev.conditions as Condition[] | undefined;
  const readyNow = state === 'Succeeded' && ready === total;
  conditions = setCondition(
    conditions,
    {
      type: 'Ready',
      status: readyNow ? 'True' : 'False',
      reason: readyNow ? 'Succeeded' : state === 'Succeeded' ? 'NodesNotReady' : state,
      message: readyNow
        ? `all ${total} nodes in ${pools.length} pools are ready`
        : failed.length > 0
          ? `agent pools failed: ${failed.map((p) => p.spec.name).join(', ')}`
          : `${ready}/${total} nodes ready; ${busy.length} of ${pools.length} pools in progress`,
      observedGeneration: gen,
    },
    v.nowIso,
  );
  const working = state !== 'Succeeded' && state !== 'Failed';
  conditions = setCondition(
    conditions,
    {
      type: 'Reconciling',
      status: working ? 'True' : 'False',
      reason: working ? state : 'Idle',
      message: working ? `pools in progress: ${[...busy.map((p) => p.spec.name), ...missing].join(', ') || 'none'}` : 'no operation in progress',
      observedGeneration: gen,
    },
    v.nowIso,
  );
  const dnsPrefix = cluster.spec.dnsPrefix ?? `${name}-${ns}`.slice(0, 54);
  return {
    id: clusterId(v.subscriptionId, ns, name),
    provisioningState: state,
    powerState: { code: 'Running' },
    currentKubernetesVersion: cluster.spec.kubernetesVersion,
    fqdn: `${dnsPrefix}-${poolHash(v.subscriptionId, ns, name).slice(0, 8)}.hcp.${location}.azmk8s.io`.toLowerCase(),
    nodeResourceGroup: `MC_${ns}_${name}_${location}`,
    poolCount: pools.length,
    readyNodes: ready,
    totalNodes: total,
    observedGeneration: settled ? gen : prev.observedGeneration,
    profilesAppliedGeneration: prev.profilesAppliedGeneration,
    conditions,
  };
}
