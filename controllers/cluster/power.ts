// Pure: the Stop and Start operations of a managed cluster (az aks stop|start). A change of
// spec.powerState starts one; the cluster's status.powerState shows the goal from then on. The
// operation sets every agent pool's spec.powerState (a busy pool refuses and is asked again),
// and ends when every pool has run its own Stop or Start (controllers/nodepool/power.ts). A
// stopped cluster refuses upgrades and agent pool changes; a power change comes alone.
import type { SimNodePool } from '../../src/api/generated.js';
import { displayName } from '../../src/azure/ids.js';
import { RUNNING_STATE } from '../../src/model/operations.js';
import { clusterStopped, powerChangeAlone, powerOperation, shownPower, wantedPower, type PowerCode } from '../../src/model/power.js';
import type { Begin, CurrentOp, Step } from '../operations/kind.js';
import type { Write } from '../shared/plan.js';
import type { ClusterView } from './decide.js';
import { clusterStatus, poolSettled } from './status.js';

/** Real ms between looks while a busy pool refuses its power change. */
export const POWER_RETRY_MS = 500;

const statusOf = (v: ClusterView, state: string, power: PowerCode, error?: string): ReturnType<typeof clusterStatus> => ({
  ...clusterStatus({ cluster: v.obj, pools: v.pools, subscriptionId: v.subscriptionId, nowIso: v.nowIso, state, error, power }),
  currentKubernetesVersion: v.obj.status?.currentKubernetesVersion,
});

/** What else a new generation asks for, next to a power change. */
export interface OtherChanges {
  version: boolean;
  profiles: boolean;
}

/** A Stop or Start to begin, or what a stopped cluster refuses; undefined when power has nothing to say. */
export function powerBegin(v: ClusterView, other: OtherChanges): Begin | undefined {
  const { obj: cluster } = v;
  const want = wantedPower(cluster.spec);
  const have = shownPower(cluster.status);
  const name = displayName(cluster);
  const changes = other.version || other.profiles;
  if (want === have) {
    if (have !== 'Stopped' || !changes) return undefined;
    return { refuse: clusterStopped(name, other.version ? 'upgrading' : 'changing agent pools') };
  }
  // A new cluster is made Running; a power change comes on its own.
  if (!cluster.status?.currentKubernetesVersion || changes) return { refuse: powerChangeAlone('managed cluster', name) };
  const type = powerOperation(want);
  const live = v.pools.filter((p) => !p.metadata.deletionTimestamp);
  return {
    start: {
      type,
      stepsTotal: live.length,
      startCount: live.reduce((n, p) => n + (p.status?.count ?? 0), 0),
      status: statusOf(v, RUNNING_STATE[type], want),
      note: `: ${live.length} agent pools ${type === 'Stop' ? 'stop' : 'start'}`,
    },
  };
}

const followed = (p: SimNodePool, want: PowerCode): boolean => poolSettled(p) && shownPower(p.status) === want;

/** A Stop or Start runs: the pools are asked (once each), then waited for. */
export function powerStep(v: ClusterView, cur: CurrentOp): Step {
  const want: PowerCode = cur.type === 'Stop' ? 'Stopped' : 'Running';
  const ns = v.obj.metadata.namespace!;
  const live = v.pools.filter((p) => !p.metadata.deletionTimestamp);
  const ask = live.filter((p) => wantedPower(p.spec) !== want);
  if (ask.length > 0) {
    const asked = `${cur.operationId}/${want}`;
    // Asked already; the cache has not shown the pools' new spec yet (their updates bring us back).
    if (v.memo.applied === asked) return { own: { writes: [], events: [] } };
    const writes: Write[] = ask.map((p) => ({
      do: 'patch',
      kind: 'SimNodePool',
      ns,
      name: p.metadata.name!,
      body: { spec: { powerState: { code: want } } },
      busyRetryMs: POWER_RETRY_MS,
    }));
    return { own: { writes: [{ do: 'all', writes }], events: [], memo: { applied: asked } } };
  }
  const total = cur.stepsTotal ?? live.length;
  const done = live.filter((p) => followed(p, want));
  if (done.length < live.length) {
    const partial = live.reduce((n, p) => n + (followed(p, want) ? 1 : (v.poolPercent[p.metadata.name!] ?? 0) / 100), 0);
    return {
      progress: { done: Math.min(total, partial), status: statusOf(v, cur.state ?? 'Updating', want), plan: { writes: [], events: [] } },
    };
  }
  const failed = live.filter((p) => p.status?.provisioningState === 'Failed');
  const outcome = failed.length > 0 ? 'Failed' : 'Succeeded';
  const error = failed.length
    ? { code: 'AgentPoolOperationFailed', message: `agent pools failed: ${failed.map((p) => p.spec.name).join(', ')}` }
    : undefined;
  const verb = want === 'Stopped' ? 'stopped' : 'started';
  const note = `Operation ${cur.operationId} (${cur.type}) ${outcome.toLowerCase()}: ${live.length} agent pools ${verb}${error ? `; ${error.message}` : ''}`;
  return { finish: { outcome, error, status: statusOf(v, outcome, want, error?.message), reason: outcome, note } };
}
