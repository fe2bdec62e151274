// Pure: the Stop and Start operations of an agent pool (az aks nodepool stop|start, and every
// pool of a cluster that az aks stop|start stops or starts). A change of spec.powerState starts
// one; its status.powerState shows the goal from then on and the pool's VMs follow it
// (controllers/machine/power.ts); the operation ends when every VM is Stopped, or Running with
// its Node Ready again. A stopped pool refuses to scale or upgrade; a power change comes alone; a
// System mode pool stops only with its cluster.
import type { SimMachine } from '../../src/api/generated.js';
import { displayName } from '../../src/azure/ids.js';
import { LABELS } from '../../src/model/names.js';
import { RUNNING_STATE } from '../../src/model/operations.js';
import {
  clusterStopped,
  poolStopped,
  powerChangeAlone,
  powerOperation,
  shownPower,
  systemPoolStop,
  wantedPower,
  type PowerCode,
} from '../../src/model/power.js';
import type { Begin, CurrentOp, Step } from '../operations/kind.js';
import type { PoolTarget } from './plan.js';
import { poolStatus } from './status.js';
import type { PoolView } from './decide.js';

function statusOf(v: PoolView, state: string, power: PowerCode): ReturnType<typeof poolStatus> {
  const s = v.obj.status;
  return poolStatus({
    pool: v.obj,
    machines: v.machines,
    nodeOf: (n) => v.nodes.get(n),
    subscriptionId: v.subscriptionId,
    version: s?.currentOrchestratorVersion ?? '',
    nodeImageVersion: s?.nodeImageVersion ?? '',
    nowIso: v.nowIso,
    state,
    power,
  });
}

/** What a change of target asks for, in words for a refusal. */
function what(prev: PoolTarget, next: PoolTarget): string {
  if (prev.version !== next.version) return 'upgrading';
  if (prev.image !== next.image) return 'a node image upgrade';
  return 'scaling';
}

/**
 * A power change to start, or a refusal a power state asks for, before anything else a new
 * generation starts; undefined when power has nothing to say.
 */
export function powerBegin(v: PoolView, prev: PoolTarget | undefined, next: PoolTarget | undefined): Begin | undefined {
  const { obj: pool } = v;
  const want = wantedPower(pool.spec);
  const have = shownPower(pool.status);
  const name = pool.spec.name;
  const moved = Boolean(prev && next && (prev.count !== next.count || prev.version !== next.version || prev.image !== next.image));
  const clusterWants = wantedPower(v.cluster?.spec);
  if (!prev) {
    // A new pool: it is made Running, and not in a stopped cluster.
    if (shownPower(v.cluster?.status) === 'Stopped') return { refuse: clusterStopped(displayName(v.cluster!), 'adding an agent pool') };
    return want === 'Stopped' ? { refuse: powerChangeAlone('agent pool', name) } : undefined;
  }
  if (want === have) return have === 'Stopped' && moved ? { refuse: poolStopped(name, what(prev, next!)) } : undefined;
  if (want === 'Stopped' && (pool.spec.mode ?? 'User') === 'System' && clusterWants !== 'Stopped') return { refuse: systemPoolStop(name) };
  if (want === 'Running' && clusterWants === 'Stopped')
    return { refuse: clusterStopped(displayName(v.cluster!), 'starting an agent pool') };
  if (moved) return { refuse: powerChangeAlone('agent pool', name) };
  const type = powerOperation(want);
  const live = v.machines.filter((m) => !m.metadata.deletionTimestamp);
  return {
    start: {
      type,
      stepsTotal: live.length,
      startCount: live.filter((m) => m.metadata.labels?.[LABELS.surge] !== 'true').length,
      status: statusOf(v, RUNNING_STATE[type], want),
      note: `: ${live.length} nodes ${type === 'Stop' ? 'stop' : 'start'}`,
    },
  };
}

/** A VM done with the power change: Stopped, or Running again (record() says so once its Node is Ready). */
const settled = (m: SimMachine, want: PowerCode): boolean => m.status?.powerState === (want === 'Stopped' ? 'Stopped' : 'Running');

/** A Stop or Start runs: done once every VM has followed. */
export function powerStep(v: PoolView, cur: CurrentOp): Step {
  const want: PowerCode = cur.type === 'Stop' ? 'Stopped' : 'Running';
  const live = v.machines.filter((m) => !m.metadata.deletionTimestamp);
  const done = live.filter((m) => settled(m, want)).length;
  if (done < live.length)
    return { progress: { done, status: statusOf(v, cur.state ?? 'Updating', want), plan: { writes: [], events: [] } } };
  const verb = want === 'Stopped' ? 'stopped' : 'started';
  return {
    finish: {
      outcome: 'Succeeded',
      status: statusOf(v, 'Succeeded', want),
      reason: 'Succeeded',
      note: `Operation ${cur.operationId} (${cur.type}) succeeded: ${live.length} nodes ${verb}`,
    },
  };
}
