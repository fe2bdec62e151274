// The rules of VM scheduled events (docs/behaviour.md section 3, docs/autodrain.md): minimum
// notice per type, the effective NotBefore, the autodrain action per type (seed table by default),
// and the IMDS shape.
import type { ScheduledEvent, SimCluster } from '../api/generated.js';
import { durationMs } from '../runtime/duration.js';

export type EventType = 'Freeze' | 'Reboot' | 'Redeploy' | 'Preempt' | 'Terminate';
export type DrainAction = 'None' | 'CordonAndDrain';

export const SEED_TAINT = 'remediator.aks.microsoft.com/unschedulable';
export const CURRENT_TAINT = 'remediator.kubernetes.azure.com/unschedulable';
export const CONDITION = 'VMEventScheduled';
export const DEFAULT_FREEZE_SECONDS = 5;

/** Minimum notice in simulated ms (Terminate: 5-15 minutes, from spec.terminateNotice). */
export function minNoticeMs(type: EventType, terminateNotice?: string): number {
  switch (type) {
    case 'Freeze':
    case 'Reboot':
      return 15 * 60_000;
    case 'Redeploy':
      return 10 * 60_000;
    case 'Preempt':
      return 30_000;
    case 'Terminate': {
      const t = terminateNotice ? durationMs(terminateNotice) : 10 * 60_000;
      return Math.min(15 * 60_000, Math.max(5 * 60_000, t));
    }
  }
}

/** The effective NotBefore (real ms): the asked time, but never earlier than creation + minimum notice. */
export function effectiveNotBefore(e: ScheduledEvent, createdMs: number, toReal: (simMs: number) => number): number {
  const earliest = createdMs + toReal(minNoticeMs(e.spec.eventType as EventType, e.spec.terminateNotice));
  const asked = e.spec.notBefore ? Date.parse(e.spec.notBefore) : NaN;
  return Number.isNaN(asked) ? earliest : Math.max(asked, earliest);
}

export interface DrainSettings {
  actions: Record<EventType, DrainAction>;
  taintKey: string;
  /** Simulated ms; undefined = drain until NotBefore. */
  drainTimeoutMs?: number;
}

const SEED: Record<EventType, DrainAction> = {
  Freeze: 'None',
  Reboot: 'None',
  Redeploy: 'CordonAndDrain',
  Preempt: 'CordonAndDrain',
  Terminate: 'CordonAndDrain',
};
const CURRENT: Record<EventType, DrainAction> = { ...SEED, Terminate: 'None' };

export function drainSettings(spec: SimCluster['spec']['autoDrain']): DrainSettings {
  const current = spec?.profile === 'CurrentAKS';
  const base = current ? CURRENT : SEED;
  const actions = { ...base } as Record<EventType, DrainAction>;
  for (const [k, v] of Object.entries(spec?.actions ?? {})) if (v) actions[k as EventType] = v as DrainAction;
  const out: DrainSettings = { actions, taintKey: spec?.taintKey ?? (current ? CURRENT_TAINT : SEED_TAINT) };
  if (spec?.drainTimeout) out.drainTimeoutMs = durationMs(spec.drainTimeout);
  return out;
}

/** IMDS NotBefore: RFC 1123 ("Mon, 11 Apr 2026 22:26:58 GMT"), "" once started. */
export const imdsTime = (iso: string | undefined): string => (iso ? new Date(iso).toUTCString() : '');

export interface ImdsEvent {
  EventId: string;
  EventStatus: string;
  EventType: string;
  ResourceType: 'VirtualMachine';
  Resources: string[];
  NotBefore: string;
  Description: string;
  EventSource: string;
  DurationInSeconds: number;
}

const DESCRIPTIONS: Record<EventType, string> = {
  Freeze: 'Host server is undergoing maintenance.',
  Reboot: 'Virtual machine is going to be restarted as requested by authorized user.',
  Redeploy: 'Virtual machine is being moved to another host.',
  Preempt: 'Spot virtual machine is being evicted.',
  Terminate: 'Virtual machine is being deleted.',
};

export function imdsEvent(e: ScheduledEvent): ImdsEvent | undefined {
  const st = e.status?.eventStatus;
  if (st !== 'Scheduled' && st !== 'Started') return undefined;
  const type = e.spec.eventType as EventType;
  return {
    EventId: e.status!.eventId ?? '',
    EventStatus: st,
    EventType: type,
    ResourceType: 'VirtualMachine',
    Resources: e.status?.resources ?? e.spec.nodes,
    NotBefore: st === 'Started' ? '' : imdsTime(e.status?.notBefore),
    Description: e.spec.description ?? DESCRIPTIONS[type],
    EventSource: e.spec.eventSource ?? 'Platform',
    DurationInSeconds: e.spec.durationInSeconds ?? (type === 'Freeze' ? DEFAULT_FREEZE_SECONDS : -1),
  };
}
