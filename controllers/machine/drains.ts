// Pure: the two steps of a SimMachine that drain its Node through the eviction API (PDBs
// honoured): an upgrade in place (cordon, drain up to drainTimeoutInMinutes, then a fresh boot on
// the new version) and the teardown on deletion (cordon, drain, delete the Node after the
// simulated delete time, release the finalizer). One drain step per reconcile.
import { FINALIZERS } from '../../src/model/names.js';
import { durationMs } from '../../src/runtime/duration.js';
import type { SimMachine } from '../../src/api/generated.js';
import { getCondition, removeCondition, setCondition, type Condition } from '../../src/runtime/conditions.js';
import { cordonWrites, drainPassWrites, drainStep } from '../shared/drain-plan.js';
import { finalizerWrite, hasFinalizer, type Plan, type Write } from '../shared/plan.js';
import { CONTROLLER, statusWrite, type MachineDecision, type MachineView } from './view.js';

const DEFAULT_DRAIN_MINUTES = 30;
/** Real ms between drain steps while pods terminate or budgets block. */
export const DRAIN_POLL_MS = 250;

const drainDeadline = (v: MachineView, fromIso: string, minutes: number): number => Date.parse(fromIso) + (minutes * 60_000) / v.timeScale;

/** Upgrade in place: cordon, drain (PDBs honoured, up to drainTimeoutInMinutes), then a fresh boot on the new version. */
export function reimage(v: MachineView): MachineDecision {
  const { m, node } = v;
  const name = m.metadata.name!;
  let conditions = m.status?.conditions as Condition[] | undefined;
  if (getCondition(conditions, 'UpgradeFailed')?.status === 'True') return { writes: [], events: [] }; // left cordoned for investigation
  // Drained and recorded as reimaging: the old kubelet goes away; boot() brings the new one. A
  // Node of the reimage's own boot means boot() already registered it: never delete that Node (a
  // second delete and create); write the reimage's end again, which boot() may have lost (an
  // error after its create) or the cache may not show yet (then the write changes nothing).
  if (getCondition(conditions, 'Upgrading')?.reason === 'Reimaging') {
    if (node?.status?.nodeInfo?.bootID && node.status.nodeInfo.bootID === m.status?.bootId) return { writes: [reimageEnd(m)], events: [] };
    return { writes: [{ do: 'deleteNode', name }], events: [] };
  }
  const target = `${m.spec.orchestratorVersion} (${m.spec.nodeImageVersion})`;
  if (!m.status?.reimageStartTime) {
    conditions = setCondition(
      conditions,
      { type: 'Upgrading', status: 'True', reason: 'Draining', message: `upgrading to ${target}: cordoned, evicting pods` },
      v.nowIso,
    );
    return {
      writes: [statusWrite(m, { phase: 'Upgrading', reimageStartTime: v.nowIso, conditions }), ...cordonWrites(node)],
      events: [
        {
          regarding: node!,
          type: 'Normal',
          reason: 'NodeDrainStart',
          note: `Draining node ${name} to upgrade it to Kubernetes ${m.spec.orchestratorVersion}`,
          controller: CONTROLLER,
        },
      ],
      requeueAfterMs: 0,
    };
  }
  if (!v.drain) return { observe: 'drain' };
  const drainMinutes = v.pool!.spec.upgradeSettings?.drainTimeoutInMinutes ?? DEFAULT_DRAIN_MINUTES;
  const step = drainStep(v.drain, v.nowMs, drainDeadline(v, m.status.reimageStartTime, drainMinutes));
  if (!step.done && !step.timedOut) return { writes: drainPassWrites(node, name, step), events: [], requeueAfterMs: DRAIN_POLL_MS };
  if (step.timedOut) {
    const msg = `drain did not finish within ${drainMinutes} minutes; ${step.remaining} pods left (${step.left.slice(0, 5).join(', ')})`;
    conditions = setCondition(conditions, { type: 'UpgradeFailed', status: 'True', reason: 'DrainTimeout', message: msg }, v.nowIso);
    return {
      writes: [statusWrite(m, { conditions })],
      events: [
        {
          regarding: node!,
          type: 'Warning',
          reason: 'NodeDrainError',
          note: `Upgrade of ${name}: ${msg}; the node stays cordoned`,
          controller: CONTROLLER,
        },
      ],
    };
  }
  conditions = setCondition(
    conditions,
    { type: 'Upgrading', status: 'True', reason: 'Reimaging', message: `reimaging to ${m.spec.orchestratorVersion}` },
    v.nowIso,
  );
  // Record the reimage first; the Node goes on the next pass, once the cache shows this.
  return {
    writes: [statusWrite(m, { phase: 'Upgrading', powerState: 'Starting', bootStartTime: v.nowIso, bootId: v.freshBootId, conditions })],
    events: [
      {
        regarding: node!,
        type: 'Normal',
        reason: 'NodeDrainEnd',
        note: `Drained node ${name}; reimaging it with ${m.spec.nodeImageVersion}`,
        controller: CONTROLLER,
      },
    ],
  };
}

/** The status write that ends a reimage once its Node registered: what the VM now runs, no Upgrading condition. */
export function reimageEnd(m: SimMachine): Write {
  return statusWrite(m, {
    orchestratorVersion: m.spec.orchestratorVersion,
    nodeImageVersion: m.spec.nodeImageVersion,
    reimageStartTime: undefined,
    conditions: removeCondition(m.status?.conditions as Condition[] | undefined, 'Upgrading'),
  });
}

/** Cordon, drain (PDBs honoured, up to drainTimeoutInMinutes), delete the Node, release the finalizer. */
export function teardown(v: MachineView): MachineDecision {
  const { m, node, cluster } = v;
  if (!hasFinalizer(m, FINALIZERS.machine)) return { writes: [], events: [] };
  const name = m.metadata.name!;
  const drained = getCondition(m.status?.conditions as Condition[] | undefined, 'Drained');
  // `az aks delete` removes the VMs with the cluster: no cordon or drain (a pool delete or a
  // scale-in drains first). The VM still takes nodeDeleteTime from its own deletion.
  const clusterGoing = !cluster || Boolean(cluster.metadata.deletionTimestamp);
  if (node && drained?.status !== 'True' && !clusterGoing) return drainBeforeDelete(v);
  // The VM takes nodeDeleteTime to go away after its drain.
  const since = drained ? Date.parse(drained.lastTransitionTime) : Date.parse(m.metadata.deletionTimestamp as unknown as string) || v.nowMs;
  const deleteAt = since + durationMs(cluster?.spec.simulation?.nodeDeleteTime ?? 'PT30S') / v.timeScale;
  if (node && v.nowMs < deleteAt) return { writes: [], events: [], requeueAfterMs: deleteAt - v.nowMs };
  // The Node is deleted even when the cache shows none: a boot that ran just before the delete was
  // seen may have registered one the cache does not show yet (a watch cut, a re-list), and the
  // finalizer is the last chance to remove it (a 404 is fine).
  return {
    writes: [{ do: 'deleteNode', name }, finalizerWrite('SimMachine', m, FINALIZERS.machine, false)],
    events: [],
    logs: [{ fields: { machine: `${m.metadata.namespace}/${name}` }, msg: `VM ${name} deleted` }],
  };
}

function drainBeforeDelete(v: MachineView): MachineDecision {
  const { m, node } = v;
  const name = m.metadata.name!;
  let conditions = m.status?.conditions as Condition[] | undefined;
  const drained = getCondition(conditions, 'Drained');
  const deleting = { phase: 'Deleting', powerState: 'Stopping' };
  if (!drained) {
    conditions = setCondition(
      conditions,
      { type: 'Drained', status: 'False', reason: 'Draining', message: 'cordoned; evicting pods' },
      v.nowIso,
    );
    return {
      writes: [statusWrite(m, { ...deleting, conditions }), ...cordonWrites(node)],
      events: [
        {
          regarding: node!,
          type: 'Normal',
          reason: 'NodeDrainStart',
          note: `Draining node ${name} before deleting its VM`,
          controller: CONTROLLER,
        },
      ],
      requeueAfterMs: 0,
    };
  }
  if (!v.drain) return { observe: 'drain' };
  const drainMinutes = v.pool?.spec.upgradeSettings?.drainTimeoutInMinutes ?? DEFAULT_DRAIN_MINUTES;
  const step = drainStep(v.drain, v.nowMs, drainDeadline(v, drained.lastTransitionTime, drainMinutes));
  if (!step.done && !step.timedOut) return { writes: drainPassWrites(node, name, step), events: [], requeueAfterMs: DRAIN_POLL_MS };
  const plan: Plan = { writes: [], events: [], requeueAfterMs: 0 };
  if (step.timedOut) {
    const note = `Drain of ${name} timed out after ${drainMinutes} simulated minutes; ${step.remaining} pods left (${step.left.slice(0, 5).join(', ')}); deleting the VM anyway`;
    plan.events.push({ regarding: node!, type: 'Warning', reason: 'NodeDrainError', note, controller: CONTROLLER });
  } else {
    plan.events.push({ regarding: node!, type: 'Normal', reason: 'NodeDrainEnd', note: `Drained node ${name}`, controller: CONTROLLER });
  }
  const done = {
    type: 'Drained',
    status: 'True' as const,
    reason: step.timedOut ? 'DrainTimeout' : 'Drained',
    message: step.timedOut ? 'drain timed out' : 'all pods evicted',
  };
  plan.writes.push(statusWrite(m, { ...deleting, conditions: setCondition(conditions, done, v.nowIso) }));
  return plan;
}
