// Pure: what a SimCluster's operation does, as the hooks of the operation lifecycle
// (controllers/operations/lifecycle.ts). It upgrades the control plane (pools without their own
// version follow it), applies agentPoolProfiles to SimNodePools (server-side apply, once each pool
// is idle), waits for the pools' own operations and rolls their state up. Abort cancels the
// cluster's operation and the running operations of its pools. Stop and Start are power.ts.
import { createHash } from 'node:crypto';
import type { SimCluster, SimNodePool, SimNodePoolSpec } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { resolveVersion } from '../../src/azure/versions.js';
import { ABORT_ANNOTATION, FINALIZERS, LABELS } from '../../src/model/names.js';
import { RUNNING_STATE, type OpType } from '../../src/model/operations.js';
import { profilesMoveNodes } from '../../src/model/power.js';
import { clusterVersion, isRefusal, poolFollowsVersion } from '../../src/model/versions.js';
import { durationMs } from '../../src/runtime/duration.js';
import type { Begin, CurrentOp, OperationKind, OpView, Step } from '../operations/kind.js';
import { waitPlan, type Write } from '../shared/plan.js';
import { powerBegin, powerStep } from './power.js';
import { clusterStatus, poolSettled } from './status.js';

const FIELD_MANAGER = 'aksim-cluster-profiles';
/** Real ms between looks while pools are busy and refuse profile changes. */
export const BUSY_RETRY_MS = 500;

export interface ClusterView extends OpView<SimCluster> {
  pools: SimNodePool[];
  /** percentComplete of each pool's running operation, by pool object name. */
  poolPercent: Record<string, number>;
  subscriptionId: string;
  timeScale: number;
}

const statusIn = (v: ClusterView, state: string, error?: string): ReturnType<typeof clusterStatus> =>
  clusterStatus({ cluster: v.obj, pools: v.pools, subscriptionId: v.subscriptionId, nowIso: v.nowIso, state, error });

export function profilesHash(c: SimCluster): string {
  return createHash('sha1')
    .update(JSON.stringify(c.spec.agentPoolProfiles ?? []))
    .digest('hex')
    .slice(0, 16);
}

/** True when the only difference between the profiles and their pools is the node count (az aks scale). */
export function profilesOnlyCountChanged(cluster: SimCluster, pools: SimNodePool[]): boolean {
  let countChanged = false;
  for (const pr of cluster.spec.agentPoolProfiles ?? []) {
    const p = pools.find((x) => x.spec.name === pr.name);
    if (!p) return false;
    const { count, ...rest } = pr;
    const { count: pc, clusterName: _c, ...prest } = p.spec;
    if ((count ?? 3) !== (pc ?? 3)) countChanged = true;
    for (const [k, val] of Object.entries(rest))
      if (JSON.stringify(val) !== JSON.stringify((prest as Record<string, unknown>)[k])) return false;
  }
  return countChanged;
}

function begin(v: ClusterView): Begin {
  const { obj: cluster } = v;
  const gen = cluster.metadata.generation ?? 0;
  const prev = cluster.status;
  if (gen <= (prev?.lastOperationGeneration ?? 0)) {
    // Idle: only counts move (a pool scaling on its own); rolled up at most once a second.
    const next = statusIn(v, prev?.provisioningState ?? 'Succeeded');
    return { idle: { status: next, throttled: next.provisioningState === prev?.provisioningState } };
  }
  const have = prev?.currentKubernetesVersion;
  const choice = clusterVersion(cluster.spec.kubernetesVersion, have);
  const profilesChanged = prev?.profilesHash !== undefined && profilesHash(cluster) !== prev.profilesHash;
  const other = {
    version: !isRefusal(choice) && have !== undefined && choice.version !== have,
    profiles: profilesChanged && profilesMoveNodes(cluster.spec.agentPoolProfiles ?? [], v.pools),
  };
  const power = powerBegin(v, other);
  if (power) return power;
  if (isRefusal(choice)) return { refuse: choice };
  const want = choice.version;
  const type: OpType = !have ? 'Create' : want !== have ? 'Upgrade' : profilesOnlyCountChanged(cluster, v.pools) ? 'Scale' : 'Update';
  const stepsTotal = (cluster.spec.agentPoolProfiles?.length ?? 0) + (type === 'Upgrade' ? 1 : 0);
  const startCount = v.pools.reduce((n, p) => n + (p.status?.count ?? 0), 0);
  return {
    start: {
      type,
      stepsTotal,
      startCount,
      status: { ...statusIn(v, RUNNING_STATE[type]), currentKubernetesVersion: have ?? want },
      note: '',
    },
  };
}

/** Server-side apply of each profile to its pool, owned by the cluster; a busy pool refuses (422) and the step is retried. */
function applyProfiles(cluster: SimCluster): Write {
  const ns = cluster.metadata.namespace!;
  const name = cluster.metadata.name!;
  const owner = { apiVersion: `${GROUP}/${VERSION}`, kind: 'SimCluster', name, uid: cluster.metadata.uid!, blockOwnerDeletion: true };
  const writes: Write[] = (cluster.spec.agentPoolProfiles ?? []).map((profile) => {
    const poolName = `${name}-${profile.name}`;
    const spec: SimNodePoolSpec = { ...profile, clusterName: name };
    const body = { metadata: { name: poolName, namespace: ns, labels: { [LABELS.cluster]: name }, ownerReferences: [owner] }, spec };
    return { do: 'apply', kind: 'SimNodePool', ns, name: poolName, body, fieldManager: FIELD_MANAGER, busyRetryMs: BUSY_RETRY_MS };
  });
  return { do: 'all', writes };
}

function step(v: ClusterView, cur: CurrentOp): Step {
  if (cur.type === 'Stop' || cur.type === 'Start') return powerStep(v, cur);
  const { obj: cluster } = v;
  const gen = cluster.metadata.generation ?? 0;
  const want = resolveVersion(cluster.spec.kubernetesVersion ?? '')!;
  const cp = cluster.status?.currentKubernetesVersion ?? want;
  // 1. Control plane upgrade: takes the simulated control plane upgrade time.
  if (cp !== want) {
    const ends =
      Date.parse(cur.startTime ?? v.nowIso) + durationMs(cluster.spec.simulation?.controlPlaneUpgradeTime ?? 'PT2M') / v.timeScale;
    if (ends > v.nowMs) return { own: waitPlan(ends - v.nowMs) };
    const note = `Control plane upgraded to ${want}; agent pools that follow it upgrade next`;
    return {
      own: {
        writes: [{ do: 'status', kind: 'SimCluster', obj: cluster, status: { currentKubernetesVersion: want } }],
        events: [{ regarding: cluster, type: 'Normal', reason: 'ControlPlaneUpgraded', note }],
      },
    };
  }
  // 2. Profiles go to their pools once each is idle. Only a change of the profiles themselves is
  // pushed: a simulation setting or a version change must not undo a pool scaled on its own since.
  if ((cluster.status?.profilesAppliedGeneration ?? 0) < gen) {
    const hash = profilesHash(cluster);
    const applied = `${gen}/${hash}`;
    // Applied and recorded already; the cache has not shown the record yet (its update brings us back).
    if (v.memo.applied === applied) return { own: { writes: [], events: [] } };
    const writes: Write[] = hash !== cluster.status?.profilesHash ? [applyProfiles(cluster)] : [];
    writes.push({ do: 'status', kind: 'SimCluster', obj: cluster, status: { profilesAppliedGeneration: gen, profilesHash: hash } });
    return { own: { writes, events: [], memo: { applied } } };
  }
  // 3. Wait for every pool to catch up.
  const expected = (cluster.spec.agentPoolProfiles ?? []).map((p) => p.name);
  const missing = expected.filter((p) => !v.pools.some((x) => x.spec.name === p));
  const caughtUp = (p: SimNodePool): boolean =>
    poolSettled(p) && p.status?.target?.orchestratorVersion === resolveVersion(poolFollowsVersion(p.spec.orchestratorVersion, cp));
  const settled = v.pools.filter(caughtUp);
  const total = cur.stepsTotal ?? 0;
  const poolSteps = v.pools.reduce((n, p) => n + (caughtUp(p) ? 1 : (v.poolPercent[p.metadata.name!] ?? 0) / 100), 0);
  const done = Math.min(total, (cur.type === 'Upgrade' ? 1 : 0) + Math.min(poolSteps, expected.length || v.pools.length));
  if (missing.length === 0 && settled.length === v.pools.length) {
    const failed = v.pools.filter((p) => p.status?.provisioningState === 'Failed');
    const outcome = failed.length > 0 ? 'Failed' : 'Succeeded';
    const error = failed.length
      ? { code: 'AgentPoolOperationFailed', message: `agent pools failed: ${failed.map((p) => p.spec.name).join(', ')}` }
      : undefined;
    const note = `Operation ${cur.operationId} (${cur.type}) ${outcome.toLowerCase()}${error ? `: ${error.message}` : ''}`;
    return {
      finish: { outcome, error, status: { ...statusIn(v, outcome, error?.message), currentKubernetesVersion: cp }, reason: outcome, note },
    };
  }
  return {
    progress: { done, status: { ...statusIn(v, cur.state ?? 'Updating'), currentKubernetesVersion: cp }, plan: { writes: [], events: [] } },
  };
}

/** The running operations of the pools are aborted with the cluster's. */
function onCancel(v: ClusterView): Write[] {
  const ns = v.obj.metadata.namespace!;
  return v.pools.flatMap((p): Write[] => {
    const pop = p.status?.currentOperation;
    if (!pop?.operationId || p.metadata.annotations?.[ABORT_ANNOTATION] === pop.operationId) return [];
    return [
      {
        do: 'patch',
        kind: 'SimNodePool',
        ns,
        name: p.metadata.name!,
        body: { metadata: { annotations: { [ABORT_ANNOTATION]: pop.operationId } } },
      },
    ];
  });
}

export const clusterKind: OperationKind<ClusterView> = {
  kind: 'SimCluster',
  controller: 'aksim.io/cluster',
  finalizer: FINALIZERS.cluster,
  noun: 'cluster',
  childKind: 'SimNodePool',
  begin,
  step,
  cancelStatus: (v, state) => statusIn(v, state),
  onCancel,
  cancelNote: (_v, cur) =>
    `Abort requested: canceling operation ${cur.operationId} (${cur.type}) and the running operations of its agent pools`,
};
