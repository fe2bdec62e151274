// `aksim sim status`: what the simulator is doing now, from the objects on the API server: the
// operator (its leader Lease and the timeScale it publishes there), the simulated VMs by phase,
// the faults in force, the scheduled events, the operations and NGroup rolling updates under way.
// Pure: the command reads the objects, this shapes them.
import type { V1Lease } from '@kubernetes/client-node';
import type { NGroup, ScheduledEvent, SimMachine, SimOperation } from '../api/generated.js';
import { TIME_SCALE_ANNOTATION } from '../config.js';
import { activeFaults } from '../model/faults.js';
import { render } from './output.js';

export interface StatusInput {
  lease?: V1Lease;
  machines: SimMachine[];
  events: ScheduledEvent[];
  operations: SimOperation[];
  ngroups: NGroup[];
  nowMs: number;
}

export interface SimStatus {
  operator: { leader: string | null; live: boolean; renewTime: string | null; timeScale: number | null };
  vms: { total: number; byPhase: Record<string, number>; withFaults: number; inAction: number };
  faults: { node: string; resourceGroup: string; type: string; until: string | null }[];
  scheduledEvents: {
    name: string;
    resourceGroup: string;
    EventId: string | null;
    EventType: string;
    EventStatus: string;
    NotBefore: string | null;
    nodes: string[];
  }[];
  operations: {
    name: string;
    resourceGroup: string;
    target: string;
    type: string;
    status: string;
    percentComplete: number;
    startTime: string | null;
  }[];
  rollingUpdates: { name: string; resourceGroup: string; inPlace: boolean; progress: string | null; startTime: string | null }[];
}

const iso = (t: unknown): string | null => (t === undefined || t === null ? null : t instanceof Date ? t.toISOString() : String(t));
const byName = <T extends { name: string; resourceGroup: string }>(a: T, b: T): number =>
  a.resourceGroup.localeCompare(b.resourceGroup) || a.name.localeCompare(b.name);

function operator(lease: V1Lease | undefined, nowMs: number): SimStatus['operator'] {
  const spec = lease?.spec;
  const renew = iso(spec?.renewTime);
  const live = Boolean(spec?.holderIdentity && renew && Date.parse(renew) + (spec?.leaseDurationSeconds ?? 15) * 1000 > nowMs);
  const ts = Number(lease?.metadata?.annotations?.[TIME_SCALE_ANNOTATION]);
  return { leader: spec?.holderIdentity ?? null, live, renewTime: renew, timeScale: ts > 0 ? ts : null };
}

/** A scheduled event as the CLI prints it (`aksim sim event list`, `sim status`). */
export const eventOut = (e: ScheduledEvent): SimStatus['scheduledEvents'][number] => ({
  name: e.metadata.name!,
  resourceGroup: e.metadata.namespace!,
  EventId: e.status?.eventId ?? e.spec.eventId ?? null,
  EventType: e.spec.eventType,
  EventStatus: e.status?.eventStatus ?? 'Scheduled',
  NotBefore: e.status?.notBefore ?? e.spec.notBefore ?? null,
  nodes: e.spec.nodes ?? [],
});

export function simStatus(x: StatusInput): SimStatus {
  const byPhase: Record<string, number> = {};
  for (const m of x.machines) {
    const phase = m.metadata.deletionTimestamp ? 'Deleting' : (m.status?.phase ?? 'Provisioning');
    byPhase[phase] = (byPhase[phase] ?? 0) + 1;
  }
  const faults = x.machines.flatMap((m) =>
    activeFaults(m, x.nowMs).map((f) => ({
      node: m.metadata.name!,
      resourceGroup: m.metadata.namespace!,
      type: f.type,
      until: f.until ?? null,
    })),
  );
  return {
    operator: operator(x.lease, x.nowMs),
    vms: {
      total: x.machines.length,
      byPhase,
      withFaults: new Set(faults.map((f) => `${f.resourceGroup}/${f.node}`)).size,
      inAction: x.machines.filter((m) => m.status?.action).length,
    },
    faults: faults.sort((a, b) => a.resourceGroup.localeCompare(b.resourceGroup) || a.node.localeCompare(b.node)),
    scheduledEvents: x.events.map(eventOut).sort(byName),
    operations: x.operations
      .filter((o) => o.status?.status === 'InProgress' || o.status?.status === 'Canceling')
      .map((o) => ({
        name: o.metadata.name!,
        resourceGroup: o.metadata.namespace!,
        target: o.spec.targetName,
        type: o.spec.type,
        status: o.status!.status!,
        percentComplete: o.status?.percentComplete ?? 0,
        startTime: o.status?.startTime ?? null,
      }))
      .sort(byName),
    rollingUpdates: x.ngroups
      .filter((g) => g.status?.latestRollingUpdate?.state === 'InProgress')
      .map((g) => {
        const ru = g.status!.latestRollingUpdate!;
        return {
          name: g.metadata.name!,
          resourceGroup: g.metadata.namespace!,
          inPlace: ru.inPlace ?? false,
          progress: ru.progress ?? null,
          startTime: ru.startTime ?? null,
        };
      })
      .sort(byName),
  };
}

/** `-o table`: a few lines about the operator and the VMs, then one table per list (or "none"). */
export function statusText(s: SimStatus, nowMs: number): string {
  const op = s.operator;
  const age = op.renewTime ? `, renewed ${Math.max(0, Math.round((nowMs - Date.parse(op.renewTime)) / 1000))} s ago` : '';
  const lines = [
    `Operator: ${op.leader ? `${op.leader} (${op.live ? 'leading' : 'lease expired'}${age})` : 'none has run (no leader Lease)'}` +
      `; timeScale ${op.timeScale ?? 'unknown'}`,
    `VMs: ${s.vms.total}${Object.entries(s.vms.byPhase)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([p, n]) => `, ${n} ${p}`)
      .join('')}; ${s.vms.withFaults} with faults, ${s.vms.inAction} in a reboot, reimage or redeploy`,
  ];
  const section = (title: string, rows: object[]): void => {
    lines.push('', `${title}:`);
    lines.push(rows.length ? render(rows, { output: 'table' }) : 'none');
  };
  section('Faults', s.faults);
  section('Scheduled events', s.scheduledEvents);
  section('Operations in progress', s.operations);
  section('NGroup rolling updates in progress', s.rollingUpdates);
  return lines.join('\n');
}
