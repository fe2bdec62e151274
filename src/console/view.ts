// Pure: the console's records (src/console/records.ts) from the API objects the feed caches. A
// node tile's state is decided here from its SimMachine, its Node and the scheduled events that
// drain it; nothing here reads a clock or the network.
import type { EventsV1Event, V1Node, V1Pod } from '@kubernetes/client-node';
import type { NGroup, ScheduledEvent, SimCluster, SimMachine, SimNodePool, SimOperation } from '../api/generated.js';
import { NG } from '../model/names.js';
import type { CgHealth, CgRec, ClusterRec, CurrentOp, NGroupRec, NodeRec, NodeState, OpRec, PoolRec, SchedEventRec } from './records.js';

type Cond = { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string };
const cond = (conds: Cond[] | undefined, type: string): Cond | undefined => conds?.find((c) => c.type === type);
const keyOf = (ns: string | undefined, name: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;

function currentOp(c: { name?: string; operationId?: string; type?: string; state?: string } | undefined): CurrentOp | undefined {
  if (!c?.operationId) return undefined;
  return { id: c.operationId, name: c.name ?? '', type: c.type ?? '', state: c.state ?? '' };
}

export function clusterRec(c: SimCluster): ClusterRec {
  const s = c.status ?? {};
  const ar = s.autoRepair ?? {};
  return {
    key: keyOf(c.metadata.namespace, c.metadata.name),
    ns: c.metadata.namespace ?? '',
    name: c.metadata.name ?? '',
    location: c.spec.location ?? 'eastus',
    version: s.currentKubernetesVersion ?? c.spec.kubernetesVersion ?? '',
    state: s.provisioningState ?? 'Creating',
    readyNodes: s.readyNodes ?? 0,
    totalNodes: s.totalNodes ?? 0,
    deleting: Boolean(c.metadata.deletionTimestamp),
    op: currentOp(s.currentOperation),
    autoRepair: {
      message: ar.message,
      unhealthyNodes: ar.unhealthyNodes ?? 0,
      repairs: (ar.repairs ?? []).map((r) => ({
        node: r.node ?? '',
        attempt: r.attempt ?? 1,
        step: r.step ?? '',
        phase: r.phase ?? '',
        stepStartTime: r.stepStartTime,
        deadline: r.deadline,
        done: r.done ?? [],
      })),
      queue: (ar.queue ?? []).map((q) => ({ node: q.node ?? '', since: q.unhealthySince, reason: q.reason ?? '' })),
      failed: (ar.failed ?? []).map((f) => ({ node: f.node ?? '', time: f.time, message: f.message })),
      lastRepair: ar.lastRepair,
    },
  };
}

export function poolRec(p: SimNodePool): PoolRec {
  const s = p.status ?? {};
  return {
    key: keyOf(p.metadata.namespace, p.metadata.name),
    ns: p.metadata.namespace ?? '',
    cluster: p.spec.clusterName,
    name: p.spec.name,
    mode: p.spec.mode ?? 'User',
    count: s.count ?? 0,
    wanted: p.spec.count ?? 0,
    readyNodes: s.readyNodes ?? 0,
    zones: p.spec.availabilityZones ?? [],
    vmSize: p.spec.vmSize ?? '',
    version: s.currentOrchestratorVersion ?? p.spec.orchestratorVersion ?? '',
    image: s.nodeImageVersion ?? '',
    priority: p.spec.scaleSetPriority ?? 'Regular',
    state: s.provisioningState ?? 'Creating',
    op: currentOp(s.currentOperation),
  };
}

/** Drain state of a node from the scheduled events that name it (autodrain). */
export function drainBySchedEvents(node: string, events: ScheduledEvent[]): string | undefined {
  for (const e of events)
    for (const n of e.status?.nodes ?? [])
      if (n.node === node && n.drain === 'Draining')
        return `draining for ${e.spec.eventType} event ${e.status?.eventId ?? e.spec.eventId ?? ''}`.trim();
  return undefined;
}

const ACTION_STATE: Record<string, NodeState> = { Reboot: 'Rebooting', Reimage: 'Reimaging', Redeploy: 'Redeploying' };

/**
 * What a node tile shows, most telling first: going away, a machine action, an upgrade's drain or
 * reimage, booting (no Node yet), a scheduled event's drain, not Ready, cordoned, Ready.
 */
export function nodeState(
  m: SimMachine | undefined,
  node: V1Node | undefined,
  seDrain: string | undefined,
): { state: NodeState; detail: string } {
  const mc = m?.status?.conditions as Cond[] | undefined;
  const readyCond = node?.status?.conditions?.find((c) => c.type === 'Ready');
  const ready = readyCond?.status ?? '';
  if (m?.metadata.deletionTimestamp || m?.status?.phase === 'Deleting' || (!m && node)) {
    const drained = cond(mc, 'Drained');
    if (drained?.status === 'False' && drained.reason === 'Draining')
      return { state: 'Draining', detail: 'draining before the VM is deleted' };
    return { state: 'Deleting', detail: 'VM is being deleted' };
  }
  const action = m?.status?.action;
  if (action?.type)
    return {
      state: ACTION_STATE[action.type] ?? 'Rebooting',
      detail: `${action.type} by ${action.actor ?? 'user'} since ${action.startTime ?? '?'}`,
    };
  const up = cond(mc, 'Upgrading');
  if (up?.status === 'True' && up.reason === 'Draining') return { state: 'Draining', detail: up.message ?? 'draining for an upgrade' };
  if (up?.status === 'True' && up.reason === 'Reimaging') return { state: 'Reimaging', detail: up.message ?? 'reimaging for an upgrade' };
  if (!node) return { state: 'Booting', detail: 'VM is booting; its node has not registered yet' };
  if (seDrain) return { state: 'Draining', detail: seDrain };
  if (ready !== 'True') {
    if (!m?.status?.provisionedTime) return { state: 'Booting', detail: 'node registered; not Ready yet' };
    return {
      state: 'NotReady',
      detail:
        ready === 'Unknown' || !ready
          ? 'no status (Ready Unknown)'
          : `NotReady: ${readyCond?.reason ?? ''} ${readyCond?.message ?? ''}`.trim(),
    };
  }
  if (node.spec?.unschedulable) return { state: 'Cordoned', detail: 'cordoned (unschedulable)' };
  return { state: 'Ready', detail: 'Ready' };
}

export function nodeRec(name: string, m: SimMachine | undefined, node: V1Node | undefined, seDrain: string | undefined): NodeRec {
  const { state, detail } = nodeState(m, node, seDrain);
  const labels = node?.metadata?.labels ?? {};
  const action = m?.status?.action;
  return {
    key: name,
    ns: m?.metadata.namespace ?? labels['aksim.io/namespace'] ?? '',
    cluster: m?.spec.clusterName ?? labels['aksim.io/cluster'] ?? '',
    pool: m?.spec.poolName ?? labels['kubernetes.azure.com/agentpool'] ?? labels['aksim.io/pool'] ?? '',
    zone: m?.spec.zone ?? '',
    faultDomain: m?.spec.faultDomain ?? 0,
    state,
    ready: ready(node),
    cordoned: Boolean(node?.spec?.unschedulable),
    image: m?.status?.nodeImageVersion ?? m?.spec.nodeImageVersion ?? '',
    version: m?.status?.orchestratorVersion ?? m?.spec.orchestratorVersion ?? '',
    vmSize: m?.spec.vmSize ?? '',
    faults: (m?.spec.faults ?? []).map((f) => f.type),
    action: action?.type ? `${action.type} by ${action.actor ?? 'user'}` : undefined,
    detail,
  };
}

const ready = (node: V1Node | undefined): string => node?.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '';

export function opRec(o: SimOperation): OpRec {
  const s = o.status ?? {};
  return {
    key: keyOf(o.metadata.namespace, o.metadata.name),
    ns: o.metadata.namespace ?? '',
    targetKind: o.spec.targetKind,
    target: keyOf(o.metadata.namespace, o.spec.targetName),
    id: o.spec.operationId ?? o.metadata.name ?? '',
    type: o.spec.type,
    status: s.status ?? 'InProgress',
    percent: s.percentComplete ?? 0,
    stepsDone: s.stepsDone ?? 0,
    stepsTotal: s.stepsTotal ?? 0,
    start: s.startTime ?? (o.metadata.creationTimestamp as unknown as string | undefined),
    end: s.endTime,
    error: s.error?.message ? `${s.error.code ? `(${s.error.code}) ` : ''}${s.error.message}` : undefined,
  };
}

export function schedEventRec(e: ScheduledEvent): SchedEventRec {
  const s = e.status ?? {};
  const status = s.eventStatus ?? 'Scheduled';
  return {
    key: keyOf(e.metadata.namespace, e.metadata.name),
    ns: e.metadata.namespace ?? '',
    name: e.metadata.name ?? '',
    id: s.eventId ?? e.spec.eventId ?? '',
    type: e.spec.eventType,
    status,
    notBefore: status === 'Scheduled' ? (s.notBefore ?? e.spec.notBefore ?? '') : '',
    approved: Boolean(e.spec.approved),
    source: e.spec.eventSource ?? 'Platform',
    description: e.spec.description ?? '',
    nodes: e.spec.nodes,
    action: s.action ?? 'None',
    drain: (s.nodes ?? []).map((n) => ({
      node: n.node ?? '',
      cordoned: Boolean(n.cordonedByAksim),
      drain: n.drain ?? '',
      done: Boolean(n.done),
    })),
    startTime: s.startTime,
  };
}

export function ngroupRec(ng: NGroup): NGroupRec {
  const s = ng.status ?? {};
  const rp = ng.spec.updateProfile?.rollingUpdateProfile ?? {};
  const ru = s.latestRollingUpdate;
  const conds = s.conditions as Cond[] | undefined;
  const readyC = cond(conds, 'Ready');
  const stalled = cond(conds, 'Stalled');
  const b = ru?.currentBatch;
  return {
    key: keyOf(ng.metadata.namespace, ng.metadata.name),
    ns: ng.metadata.namespace ?? '',
    name: ng.metadata.name ?? '',
    state: ng.metadata.deletionTimestamp ? 'Deleting' : (s.provisioningState ?? 'Creating'),
    desired: ng.spec.elasticProfile?.desiredCount ?? 0,
    count: s.containerGroupCount ?? 0,
    healthy: s.healthyCount ?? 0,
    unhealthy: s.unhealthyCount ?? 0,
    updated: s.updatedCount ?? 0,
    zones: ng.spec.zones ?? [],
    faultDomains: ng.spec.placementProfile?.faultDomainCount ?? 1,
    profile: s.profile?.name ?? ng.spec.containerGroupProfiles?.[0]?.resource.id ?? '',
    revision: s.profile?.revision ?? 0,
    mode: ng.spec.updateProfile?.updateMode ?? 'Manual',
    gates: {
      maxBatchPercent: rp.maxBatchPercent,
      maxUnhealthyPercent: rp.maxUnhealthyPercent,
      maxUnhealthyUpdatedPercent: rp.maxUnhealthyUpdatedPercent,
      pause: rp.pauseTimeBetweenBatches,
      inPlace: rp.inPlaceUpdate === true,
    },
    rollingUpdate: ru
      ? {
          id: ru.id ?? 0,
          state: ru.state ?? 'InProgress',
          inPlace: Boolean(ru.inPlace),
          batchesCompleted: ru.batchesCompleted ?? 0,
          totalBatches: ru.totalBatches ?? 0,
          succeeded: ru.succeededCount ?? 0,
          failed: ru.failedCount ?? 0,
          pending: ru.pendingCount ?? 0,
          start: ru.startTime,
          end: ru.endTime,
          lastAction: ru.lastAction,
          error: ru.error,
          batch: b
            ? {
                index: b.index ?? 0,
                phase: b.phase ?? 'Updating',
                members: b.members ?? [],
                replacements: b.replacements ?? [],
                faultDomain: b.faultDomain ?? '',
                pauseUntil: b.pauseUntil,
              }
            : undefined,
        }
      : undefined,
    message: readyC?.status === 'False' ? readyC.message : undefined,
    stalled: stalled?.status === 'True' ? stalled.message : undefined,
  };
}

/** A container group's health: going away, Ready, held unhealthy (image or injected fault), or still starting. */
export function cgHealth(p: V1Pod): CgHealth {
  if (p.metadata?.deletionTimestamp) return 'Terminating';
  if ((p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) return 'Healthy';
  const l = p.metadata?.labels ?? {};
  const a = p.metadata?.annotations ?? {};
  if (l[NG.unhealthy] === 'true' || a[NG.imageHealth] === 'unhealthy' || (a[NG.fault] ?? '').toLowerCase() === 'unhealthy')
    return 'Unhealthy';
  if (p.status?.phase === 'Running' && p.status.podIP) return 'Unhealthy';
  return 'Starting';
}

export function cgRec(p: V1Pod): CgRec {
  const l = p.metadata?.labels ?? {};
  return {
    key: keyOf(p.metadata?.namespace, p.metadata?.name),
    ns: p.metadata?.namespace ?? '',
    ngroup: l[NG.ngroup] ?? '',
    name: p.metadata?.name ?? '',
    zone: l[NG.zone] ?? 'none',
    faultDomain: l[NG.faultDomain] ?? '0',
    profile: l[NG.profile] ?? '',
    revision: Number(l[NG.revision] ?? 0),
    health: cgHealth(p),
    batch: l[NG.batch],
  };
}

/** When an event happened (events.k8s.io: eventTime, or the series' last sighting). */
export function eventTime(e: EventsV1Event): string {
  const t = e.series?.lastObservedTime ?? e.eventTime ?? e.deprecatedLastTimestamp ?? e.metadata?.creationTimestamp;
  return t ? new Date(t as unknown as string).toISOString() : '';
}
