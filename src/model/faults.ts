// Faults and machine actions (reboot, reimage, redeploy): which faults each action clears, how
// long it takes, and what faults and running actions do to a simulated VM, expressed as the two
// labels kwok reacts to (heartbeat stopped -> Unknown after the grace period; node-not-ready
// Stage -> Ready=False). aksim never writes a Node's Ready condition itself.
import type { SimMachine } from '../api/generated.js';
import { LABELS } from './names.js';

export type FaultType =
  'KubeletStopped' | 'ContainerRuntimeDown' | 'DiskCorruption' | 'HostHardwareFailure' | 'NetworkMisconfiguration' | 'Frozen';
export type ActionType = 'Reboot' | 'Reimage' | 'Redeploy';
export const FAULT_TYPES: readonly FaultType[] = [
  'KubeletStopped',
  'ContainerRuntimeDown',
  'DiskCorruption',
  'HostHardwareFailure',
  'NetworkMisconfiguration',
  'Frozen',
];
export const ACTION_TYPES: readonly ActionType[] = ['Reboot', 'Reimage', 'Redeploy'];

/** How a fault shows: no status (heartbeat stops) or NotReady (kubelet posts Ready=False). */
export const FAULT_EFFECT: Record<FaultType, 'NoStatus' | 'NotReady'> = {
  KubeletStopped: 'NoStatus',
  ContainerRuntimeDown: 'NotReady',
  DiskCorruption: 'NotReady',
  HostHardwareFailure: 'NoStatus',
  NetworkMisconfiguration: 'NoStatus',
  Frozen: 'NoStatus',
};

/** Which faults each action clears (a reimage and a redeploy also reboot the VM). */
export const CLEARS: Record<ActionType, readonly FaultType[]> = {
  Reboot: ['KubeletStopped', 'ContainerRuntimeDown'],
  Reimage: ['KubeletStopped', 'ContainerRuntimeDown', 'DiskCorruption'],
  Redeploy: ['KubeletStopped', 'ContainerRuntimeDown', 'HostHardwareFailure'],
};

/** Simulated duration of each action, in boot times: a reimage rewrites the OS disk, a redeploy also moves the VM. */
export const ACTION_BOOTS: Record<ActionType, number> = { Reboot: 1, Reimage: 2, Redeploy: 3 };

type Fault = NonNullable<SimMachine['spec']['faults']>[number];

/** Faults in effect now (a fault with `until` ends by itself). */
export function activeFaults(m: SimMachine, nowMs: number): Fault[] {
  return (m.spec.faults ?? []).filter((f) => !f.until || Date.parse(f.until) > nowMs);
}

/** The next time a fault ends by itself, if any. */
export function nextFaultExpiry(m: SimMachine, nowMs: number): number | undefined {
  const ends = (m.spec.faults ?? []).map((f) => (f.until ? Date.parse(f.until) : NaN)).filter((t) => t > nowMs);
  return ends.length ? Math.min(...ends) : undefined;
}

/** The labels that make kwok show the VM's health; null means "remove the label". A stopped VM (az aks stop) reports nothing. */
export function healthLabels(m: SimMachine, nowMs: number): Record<string, string | null> {
  const faults = activeFaults(m, nowMs);
  const stopped = m.status?.powerState === 'Stopped' || faults.some((f) => FAULT_EFFECT[f.type as FaultType] === 'NoStatus');
  const notReady = Boolean(m.status?.action) || faults.some((f) => FAULT_EFFECT[f.type as FaultType] === 'NotReady');
  return { [LABELS.kubelet]: stopped ? 'stopped' : 'running', [LABELS.notReady]: notReady ? 'true' : null };
}

const REQUESTS = { Reboot: 'rebootRequests', Reimage: 'reimageRequests', Redeploy: 'redeployRequests' } as const;
const DONE = { Reboot: 'reboots', Reimage: 'reimages', Redeploy: 'redeploys' } as const;

export const requestsOf = (m: SimMachine, a: ActionType): number => m.spec[REQUESTS[a]] ?? 0;
export const doneOf = (m: SimMachine, a: ActionType): number => m.status?.[DONE[a]] ?? 0;
export const requestField = (a: ActionType): string => REQUESTS[a];
export const doneField = (a: ActionType): string => DONE[a];

/** The action asked for and not yet done; the biggest hammer first (a redeploy also reboots). */
export function pendingAction(m: SimMachine): ActionType | undefined {
  for (const a of ['Redeploy', 'Reimage', 'Reboot'] as const) if (requestsOf(m, a) > doneOf(m, a)) return a;
  return undefined;
}

/** Faults an action that started at startMs clears: only those injected before it started. */
export function clearedBy(m: SimMachine, a: ActionType, startMs: number): { cleared: string[]; remaining: Fault[] } {
  const cleared: string[] = [];
  const remaining: Fault[] = [];
  for (const f of m.spec.faults ?? []) {
    const before = !f.since || Date.parse(f.since) <= startMs;
    if (before && CLEARS[a].includes(f.type as FaultType)) cleared.push(f.type);
    else remaining.push(f);
  }
  return { cleared, remaining };
}
