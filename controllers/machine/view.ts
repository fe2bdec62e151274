// The plain view a SimMachine's decisions read (the VM, its Node, pool and cluster, and what a
// drain step observed), and the small pure helpers the machine's deciders share.
import type { V1Node } from '@kubernetes/client-node';
import type { SimCluster, SimMachine, SimNodePool } from '../../src/api/generated.js';
import { healthLabels } from '../../src/model/faults.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';
import { durationMs } from '../../src/runtime/duration.js';
import type { DrainView } from '../shared/drain-plan.js';
import type { Plan, Write } from '../shared/plan.js';
import { desiredNodeLabels, nodeShape } from './node.js';

export const CONTROLLER = 'aksim.io/machine';
/** Real ms a first boot's record may trail its Ready Node while the pool scales out, and how often to look again. */
export const RECORD_TRAIL_MS = 10_000;
export const RECORD_RECHECK_MS = 500;
/**
 * Records trail only a big scale-out: with at most this many VMs of the cluster on their first
 * boot, their records are written at once (a few writes; waiting would only delay the operation).
 */
export const RECORD_TRAIL_MIN_BOOTING = 25;
/** Real ms before looking again when the cache's SimMachine is older than a step this controller already took. */
export const CACHE_WAIT_MS = 100;
/**
 * Real ms a Ready Node may show no status (Ready Unknown: its Lease lapsed) before its machine
 * records it. On a busy control plane such flaps come by the hundreds and kwok's next status post
 * usually ends each within this; writing every one down feeds the load that causes them. Repairs
 * do not wait for it (they count from the Node's own transition).
 */
export const UNKNOWN_SETTLE_MS = 5_000;

export interface MachineView {
  m: SimMachine;
  node?: V1Node;
  pool?: SimNodePool;
  cluster?: SimCluster;
  nowMs: number;
  nowIso: string;
  timeScale: number;
  subscriptionId: string;
  /** Pods on the Node and their budgets: present once a step asked for them (a drain step). */
  drain?: DrainView;
  /** More than RECORD_TRAIL_MIN_BOOTING VMs of the cluster are on their first boot (looked at only when it matters). */
  clusterBooting: boolean;
  /** A fresh boot id, used when the step boots the VM anew. */
  freshBootId: string;
}

/** A plan, or a request to observe the pods on the Node first (a drain step is due). */
export type MachineDecision = Plan | { observe: 'drain' };

export const readyOf = (n: V1Node | undefined): string => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';

export const needsReimage = (m: SimMachine): boolean =>
  m.status?.orchestratorVersion !== undefined &&
  (m.spec.orchestratorVersion !== m.status.orchestratorVersion || m.spec.nodeImageVersion !== m.status.nodeImageVersion);

/** A stable fake host id per VM and redeploy count (a redeploy moves the VM to another host). */
export function hostIdFor(name: string, redeploys: number): string {
  let h = 2166136261;
  const s = `${name}#${redeploys}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return `host-${h.toString(16).padStart(8, '0')}`;
}

/** VMs never boot in lockstep: each takes 75%-125% of the boot time, fixed per VM name (restart-safe). */
export function bootSpread(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return 0.75 + (h % 501) / 1000;
}

/** Real ms this VM takes to boot. */
export const bootMs = (v: MachineView): number =>
  (durationMs(v.cluster?.spec.simulation?.nodeBootTime ?? 'PT1M') / v.timeScale) * bootSpread(v.m.metadata.name!);

export const statusWrite = (m: SimMachine, status: object): Write => ({ do: 'status', kind: 'SimMachine', obj: m, status });

/** The labels aksim owns on the Node (AKS labels, bookkeeping, and the health labels kwok reacts to) that drifted. */
export function labelWrites(m: SimMachine, v: MachineView): Write[] {
  const want: Record<string, string | null> = { ...desiredNodeLabels(m, nodeShape(m, v.pool!, v.cluster!)), ...healthLabels(m, v.nowMs) };
  const have = v.node?.metadata?.labels ?? {};
  const drift = Object.entries(want).filter(([key, val]) => (val === null ? key in have : have[key] !== val));
  return drift.length > 0 ? [{ do: 'patchNode', name: m.metadata.name!, body: { metadata: { labels: Object.fromEntries(drift) } } }] : [];
}

/** Until when a Ready first boot may wait before it is recorded (undefined: it may not wait). */
export function recordTrailEnd(v: MachineView): number | undefined {
  if (readyOf(v.node) !== 'True' || v.m.status?.orchestratorVersion !== undefined) return undefined;
  const registered = Date.parse(v.node?.metadata?.creationTimestamp as unknown as string) || v.nowMs;
  return v.nowMs < registered + RECORD_TRAIL_MS ? registered + RECORD_TRAIL_MS : undefined;
}

/**
 * Sets NodeReady, and Ready saying the same, so that `kubectl wait --for=condition=Ready
 * simmachine/...` works as on other kinds; one status write either way.
 */
export const setNodeReady = (list: unknown[] | undefined, c: Omit<Condition, 'lastTransitionTime' | 'type'>, nowIso: string): Condition[] =>
  setCondition(setCondition(list as Condition[] | undefined, { ...c, type: 'NodeReady' }, nowIso), { ...c, type: 'Ready' }, nowIso);
