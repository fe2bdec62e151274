// Pure: the next step of a simulated VM (SimMachine), from a plain view of it, its Node, pool and
// cluster. A VM without a Node boots (after the simulated boot time its Node registers and kwok
// keeps it Ready); one whose wanted version or image changed is reimaged (drains.ts); a machine
// action runs (actions.ts); otherwise the Node's labels are kept in step and what the VM runs is
// recorded. A VM of a stopped pool is stopped (power.ts). Deletion drains the Node and removes it
// (drains.ts).
import type { SimMachine, SimMachineStatus } from '../../src/api/generated.js';
import { activeFaults, healthLabels, nextFaultExpiry, pendingAction } from '../../src/model/faults.js';
import { FINALIZERS } from '../../src/model/names.js';
import { getCondition, removeCondition, setCondition, type Condition } from '../../src/runtime/conditions.js';
import { finalizerFirst, type Plan } from '../shared/plan.js';
import { runAction } from './actions.js';
import { powerStep } from './power.js';
import { reimage, reimageEnd, teardown } from './drains.js';
import { buildNode, nodeShape } from './node.js';
import {
  bootMs,
  CACHE_WAIT_MS,
  hostIdFor,
  labelWrites,
  needsReimage,
  readyOf,
  RECORD_RECHECK_MS,
  recordTrailEnd,
  statusWrite,
  UNKNOWN_SETTLE_MS,
  type MachineDecision,
  type MachineView,
  setNodeReady,
} from './view.js';

export function decideMachine(v: MachineView): MachineDecision {
  const { m } = v;
  const first = finalizerFirst('SimMachine', m, FINALIZERS.machine, () => teardown(v));
  if (first) return first;
  if (!v.pool || !v.cluster) return { writes: [], events: [] }; // the pool or cluster is going away and will delete this machine
  const power = powerStep(v);
  if (power) return power;
  if (!v.node) return boot(v);
  if (needsReimage(m)) return reimage(v);
  if (m.status?.action || pendingAction(m)) return runAction(v);
  return record(v);
}

/** No Node: the VM is booting (created or reimaged); after the boot time its Node registers. */
function boot(v: MachineView): Plan {
  const { m, nowMs: now } = v;
  const name = m.metadata.name!;
  // A Node deleted for a reimage the cache does not show yet: wait for the cache, never boot on stale status.
  if (needsReimage(m) && getCondition(m.status?.conditions as Condition[] | undefined, 'Upgrading')?.reason !== 'Reimaging')
    return { writes: [], events: [], requeueAfterMs: CACHE_WAIT_MS };
  const bootStart = Date.parse(m.status?.bootStartTime ?? (m.metadata.creationTimestamp as unknown as string)) || now;
  const bootDone = bootStart + bootMs(v);
  const booting = {
    status: 'False' as const,
    reason: 'Booting',
    message: 'VM is booting; its node has not registered yet',
  };
  const status: SimMachineStatus = {
    phase: m.status?.phase ?? 'Provisioning',
    powerState: 'Starting',
    nodeName: name,
    bootId: m.status?.bootId ?? v.freshBootId,
    bootStartTime: m.status?.bootStartTime ?? new Date(bootStart).toISOString(),
    conditions: setNodeReady(m.status?.conditions, booting, v.nowIso),
  };
  // A first boot writes nothing until its Node is Ready (record() writes it all at once), unless
  // it has to wait: fewer writes per node, which is what bounds scale-out speed.
  if (now < bootDone) return { writes: [statusWrite(m, status)], events: [], requeueAfterMs: bootDone - now };
  const booted = { ...m, status: { ...m.status, ...status } } as SimMachine;
  const shape = nodeShape(m, v.pool!, v.cluster!, true);
  const body = buildNode(booted, shape, v.subscriptionId);
  // A VM that boots with a fault (e.g. a network misconfiguration) never reports healthy.
  for (const [key, val] of Object.entries(healthLabels(m, now))) if (val !== null) body.metadata!.labels![key] = val;
  const plan: Plan = {
    writes: [{ do: 'createNode', body }],
    events: [],
    logs: [{ fields: { machine: `${m.metadata.namespace}/${name}`, version: shape.kubernetesVersion }, msg: `Node ${name} registered` }],
  };
  if (m.status?.orchestratorVersion === undefined) return plan; // a first boot is recorded once its Node is Ready
  // What the VM now runs; a reimage is finished once its node registered.
  plan.writes.push(reimageEnd(booted));
  return plan;
}

/** Until when a recorded-Ready machine leaves its Node's fresh Unknown unrecorded (undefined: record now). */
export function unknownSettleEnd(v: MachineView): number | undefined {
  const c = v.node?.status?.conditions?.find((x) => x.type === 'Ready');
  if (c?.status !== 'Unknown' || getCondition(v.m.status?.conditions as Condition[] | undefined, 'NodeReady')?.status !== 'True')
    return undefined;
  const since = Date.parse(c.lastTransitionTime as unknown as string);
  return !Number.isNaN(since) && v.nowMs < since + UNKNOWN_SETTLE_MS ? since + UNKNOWN_SETTLE_MS : undefined;
}

/** Running VM: keep the labels aksim owns in step and record readiness and what it runs. */
function record(v: MachineView): Plan {
  const { m, node, nowMs: now } = v;
  const name = m.metadata.name!;
  const plan: Plan = { writes: labelWrites(m, v), events: [] };
  const ready = readyOf(node) === 'True';
  // A new node that kwok has not made Ready yet: its Ready event brings us back; no write now.
  if (!ready && !m.status?.provisionedTime && m.status?.phase !== 'Running' && (m.spec.faults ?? []).length === 0) return plan;
  // A first boot's record trails a scale-out: while other VMs of its cluster still boot, their
  // creates go to the API server first (pools count this one from its Ready Node meanwhile), for
  // at most RECORD_TRAIL_MS after the Node registered.
  const trailEnd = recordTrailEnd(v);
  if (trailEnd !== undefined && v.clusterBooting) return { ...plan, requeueAfterMs: Math.min(RECORD_RECHECK_MS, trailEnd - now) };
  // A Ready node whose status lapsed (Unknown) only a moment ago: most such flaps end by
  // themselves; record it once it has lasted UNKNOWN_SETTLE_MS (the Ready event ends the wait).
  const settleEnd = unknownSettleEnd(v);
  if (settleEnd !== undefined) return { ...plan, requeueAfterMs: settleEnd - now };
  const failed = v.cluster!.status?.autoRepair?.failed?.find((f) => f.node === name);
  let conditions = m.status?.conditions as Condition[] | undefined;
  conditions = failed
    ? setCondition(
        conditions,
        { type: 'AutoRepairFailed', status: 'True', reason: 'AllRepairActionsFailed', message: failed.message ?? 'auto-repair failed' },
        v.nowIso,
      )
    : removeCondition(conditions, 'AutoRepairFailed');
  const readySince = node!.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime as unknown as
    string | undefined;
  const nodeReady = ready
    ? { status: 'True' as const, reason: 'KubeletReady', message: 'node is Ready' }
    : {
        status: 'False' as const,
        reason: readyOf(node) === 'Unknown' ? 'NodeStatusUnknown' : 'KubeletNotReady',
        message: `node Ready condition is ${readyOf(node)}`,
      };
  const status: SimMachineStatus = {
    phase: ready || m.status?.phase === 'Running' ? 'Running' : (m.status?.phase ?? 'Provisioning'),
    // A VM that starts is Running once its Node is Ready (or, with a fault, once it runs at all).
    powerState: m.status?.powerState === 'Starting' && !ready && activeFaults(m, now).length === 0 ? 'Starting' : 'Running',
    nodeName: name,
    bootId: m.status?.bootId ?? node!.status?.nodeInfo?.bootID,
    provisionedTime: m.status?.provisionedTime ?? (ready ? (readySince ? new Date(readySince).toISOString() : v.nowIso) : undefined),
    orchestratorVersion: m.status?.orchestratorVersion ?? m.spec.orchestratorVersion,
    nodeImageVersion: m.status?.nodeImageVersion ?? m.spec.nodeImageVersion,
    hostId: m.status?.hostId ?? hostIdFor(name, 0),
    id: m.status?.id ?? node!.spec?.providerID?.replace(/^azure:\/\//, ''),
    conditions: setNodeReady(conditions, nodeReady, v.nowIso),
  };
  plan.writes.push(statusWrite(m, status));
  // A Freeze (fault with an end) lifts by itself: come back then.
  const expiry = nextFaultExpiry(m, now);
  return expiry === undefined ? plan : { ...plan, requeueAfterMs: expiry - now };
}
