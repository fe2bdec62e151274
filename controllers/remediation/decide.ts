// Pure node auto-repair decisions (behaviour.md section 2): which unhealthy nodes to repair, the
// next step of each running repair (reboot -> reimage -> redeploy, each followed by a bounded wait
// for Ready), what waits and why, and when to look again. No I/O: reconcile.ts gathers the state
// and carries out what this returns.
import type { SimCluster } from '../../src/api/generated.js';
import { durationMs } from '../../src/runtime/duration.js';
import type { ActionType } from '../machine/health.js';

export const REMEDIATOR_USER = 'aks-remediator';
export const REPORTING_CONTROLLER = 'aks-auto-repair';
/** kwok needs about a second to show a node Ready again; no timeScale can make that shorter. */
export const READY_FLOOR_MS = 2_000;
/** A machine that does not even start the action within this (simulated) time counts as an error. */
export const ACTION_TIMEOUT_SIM_MS = 30 * 60_000;

export interface RepairSettings {
  enabled: boolean;
  windowMs: number;
  delayMs: number;
  minNodes: number;
  maxConcurrent: number;
  actions: ActionType[];
  redeployOnWindows: boolean;
  retries: number;
  readyTimeoutMs: number;
}

export const PROFILES: Record<'Seed' | 'CurrentAKS', RepairSettings> = {
  Seed: { enabled: true, windowMs: 600_000, delayMs: 0, minNodes: 2, maxConcurrent: 1, actions: ['Reboot', 'Reimage', 'Redeploy'], redeployOnWindows: true, retries: 1, readyTimeoutMs: 300_000 },
  CurrentAKS: { enabled: true, windowMs: 600_000, delayMs: 300_000, minNodes: 2, maxConcurrent: 1, actions: ['Reboot', 'Reimage', 'Redeploy'], redeployOnWindows: false, retries: 3, readyTimeoutMs: 300_000 },
};

/** spec.autoRepair over its profile's defaults (simulated durations in ms). */
export function repairSettings(spec: SimCluster['spec']['autoRepair']): RepairSettings {
  const base = PROFILES[spec?.profile ?? 'Seed'];
  return {
    enabled: spec?.enabled ?? base.enabled,
    windowMs: spec?.unhealthyWindow ? durationMs(spec.unhealthyWindow) : base.windowMs,
    delayMs: spec?.repairDelay ? durationMs(spec.repairDelay) : base.delayMs,
    minNodes: spec?.minNodes ?? base.minNodes,
    maxConcurrent: spec?.maxConcurrentRepairs ?? base.maxConcurrent,
    actions: (spec?.actions as ActionType[] | undefined) ?? base.actions,
    redeployOnWindows: spec?.redeployOnWindows ?? base.redeployOnWindows,
    retries: spec?.retries ?? base.retries,
    readyTimeoutMs: spec?.readyTimeout ? durationMs(spec.readyTimeout) : base.readyTimeoutMs,
  };
}

export interface NodeView {
  name: string;
  /** Ready condition status of the Node ('Unknown' also when the Node has none or is missing). */
  ready: 'True' | 'False' | 'Unknown';
  /** Real ms since when the node has been NotReady/Unknown without a break. */
  unhealthySince?: number;
  /** Why this node must not be repaired now (never healthy, shutdown taint, upgrading...). */
  skip?: string;
  /** Never registered healthy yet: a booting VM, not an unhealthy one, until a window has passed. */
  neverHealthy?: boolean;
  windows: boolean;
  requests: Record<ActionType, number>;
  done: Record<ActionType, number>;
}

type AutoRepairStatus = NonNullable<NonNullable<SimCluster['status']>['autoRepair']>;
export type Repair = NonNullable<AutoRepairStatus['repairs']>[number];

export interface RepairState {
  settings: RepairSettings;
  /** Nodes of the cluster (machines not being deleted). */
  nodes: NodeView[];
  prev: AutoRepairStatus | undefined;
  /** Simulated -> real ms (the clock's toReal). */
  toReal(simMs: number): number;
}

export interface RepairEvent {
  node: string;
  /**
   * Names this occurrence (with the node): the same decision made again after a restart gives the
   * same key, so the event is posted once per step of an attempt (reconcile.ts names the Event by
   * it). Keys sort in the order things happen (kubectl lists Events by name): the VM's action
   * requests so far, then start < end/error < failed.
   */
  key: string;
  type: 'Normal' | 'Warning';
  reason: string;
  note: string;
}

export interface RepairDecision {
  status: AutoRepairStatus;
  /** Make the machine's spec.<action>Requests at least target (idempotent). */
  requests: { node: string; action: ActionType; target: number }[];
  events: RepairEvent[];
  /** Real ms when something is due next (a window ends, a wait for Ready runs out). */
  wakeAt?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** An event key: the VM's action requests so far (plus `ahead` for the one being asked now), zero-padded to sort, and what happened. */
const keyOf = (n: NodeView, ahead: number, what: string): string => `${String(n.requests.Reboot + n.requests.Reimage + n.requests.Redeploy + ahead).padStart(4, '0')}-${what}`;
const fmt = (simMs: number): string => (simMs % 60_000 === 0 ? `${simMs / 60_000}m` : `${Math.round(simMs / 1000)}s`);

export function decide(s: RepairState, now: number): RepairDecision {
  const { settings: cfg } = s;
  const byName = new Map(s.nodes.map((n) => [n.name, n]));
  const events: RepairEvent[] = [];
  const requests: RepairDecision['requests'] = [];
  const wake: number[] = [];
  let lastRepair = s.prev?.lastRepair;
  // Failed nodes stay failed (no new repair) until they are Ready again or gone.
  const failed = (s.prev?.failed ?? []).filter((f) => byName.get(f.node ?? '')?.ready !== 'True' && byName.has(f.node ?? ''));
  const readyWaitMs = Math.max(s.toReal(cfg.readyTimeoutMs), READY_FLOOR_MS);

  const stepsFor = (n: NodeView): ActionType[] => cfg.actions.filter((a) => a !== 'Redeploy' || !n.windows || cfg.redeployOnWindows);
  const startStep = (n: NodeView, r: Repair, step: ActionType, why: string): Repair => {
    const target = Math.max(n.requests[step], n.done[step]) + 1;
    requests.push({ node: n.name, action: step, target });
    events.push({ node: n.name, key: keyOf(n, 1, `a-${step.toLowerCase()}-start`), type: 'Normal', reason: `Node${step}Start`, note: `${step} of node ${n.name} started by ${REMEDIATOR_USER} (attempt ${r.attempt}): ${why}` });
    wake.push(now + s.toReal(ACTION_TIMEOUT_SIM_MS));
    return { ...r, step, phase: 'Acting', requested: target, stepStartTime: iso(now), deadline: undefined };
  };
  /** The current step did not make the node Ready: next step, next attempt, or give up. */
  const advance = (n: NodeView, r: Repair): Repair | undefined => {
    const steps = stepsFor(n);
    const done = [...(r.done ?? []), r.step ?? ''];
    const i = steps.indexOf(r.step as ActionType);
    const next = steps[i + 1];
    if (next) return startStep(n, { ...r, done }, next, `node still not Ready after ${r.step}`);
    if ((r.attempt ?? 1) < cfg.retries && steps[0]) return startStep(n, { ...r, done, attempt: (r.attempt ?? 1) + 1 }, steps[0], `sequence failed; trying again`);
    const message = `auto-repair could not make node ${n.name} Ready (${done.join(', ')}; ${r.attempt ?? 1} attempt(s)); left for investigation`;
    failed.push({ node: n.name, time: iso(now), message });
    events.push({ node: n.name, key: keyOf(n, 0, 'c-autorepair-failed'), type: 'Warning', reason: 'NodeAutoRepairFailed', note: message });
    lastRepair = { node: n.name, result: 'Failed', steps: done, endTime: iso(now) };
    return undefined;
  };

  const repairs: Repair[] = [];
  for (const r of s.prev?.repairs ?? []) {
    const n = byName.get(r.node ?? '');
    if (!n) {
      lastRepair = { node: r.node, result: 'Abandoned', steps: r.done ?? [], endTime: iso(now) };
      continue; // the VM was deleted meanwhile
    }
    const step = r.step as ActionType;
    if (r.phase === 'Acting') {
      if (n.done[step] >= (r.requested ?? 0)) {
        events.push({ node: n.name, key: keyOf(n, 0, `b-${step.toLowerCase()}-end`), type: 'Normal', reason: `Node${step}End`, note: `${step} of node ${n.name} finished; waiting up to ${fmt(cfg.readyTimeoutMs)} for Ready` });
        const deadline = now + readyWaitMs;
        wake.push(deadline);
        repairs.push({ ...r, phase: 'WaitingReady', deadline: iso(deadline) });
        continue;
      }
      const started = Date.parse(r.stepStartTime ?? '') || now;
      if (now >= started + s.toReal(ACTION_TIMEOUT_SIM_MS)) {
        events.push({ node: n.name, key: keyOf(n, 0, `b-${step.toLowerCase()}-error`), type: 'Warning', reason: `Node${step}Error`, note: `${step} of node ${n.name} did not finish within ${fmt(ACTION_TIMEOUT_SIM_MS)}` });
        const next = advance(n, r);
        if (next) repairs.push(next);
        continue;
      }
      requests.push({ node: n.name, action: step, target: r.requested ?? 0 });
      wake.push(started + s.toReal(ACTION_TIMEOUT_SIM_MS));
      repairs.push(r);
      continue;
    }
    // WaitingReady
    if (n.ready === 'True') {
      lastRepair = { node: n.name, result: 'Succeeded', steps: [...(r.done ?? []), step], endTime: iso(now) };
      continue;
    }
    const deadline = Date.parse(r.deadline ?? '') || now;
    if (now < deadline) {
      wake.push(deadline);
      repairs.push(r);
      continue;
    }
    const next = advance(n, r);
    if (next) repairs.push(next);
  }

  // Unhealthy nodes not in repair: why they wait, and which start now.
  const busy = new Set(repairs.map((r) => r.node));
  const failedSet = new Set(failed.map((f) => f.node));
  const dueAfter = s.toReal(cfg.windowMs + cfg.delayMs);
  // A VM that has not registered healthy yet is still provisioning: it is neither counted nor
  // listed (a scale-out would otherwise rewrite this status for every booting node) until it has
  // been down for the window; then it is listed as not repaired.
  const booting = (n: NodeView): boolean => Boolean(n.neverHealthy) && !failedSet.has(n.name) && now < n.unhealthySince! + dueAfter;
  const unhealthy = s.nodes.filter((n) => n.ready !== 'True' && n.unhealthySince !== undefined && !busy.has(n.name));
  for (const n of unhealthy.filter(booting)) wake.push(n.unhealthySince! + dueAfter);
  const queue: NonNullable<AutoRepairStatus['queue']> = [];
  const due: NodeView[] = [];
  const listed = unhealthy.filter((n) => !booting(n));
  for (const n of listed.sort((a, b) => a.unhealthySince! - b.unhealthySince! || a.name.localeCompare(b.name))) {
    const since = iso(n.unhealthySince!);
    if (failedSet.has(n.name)) queue.push({ node: n.name, unhealthySince: since, reason: 'auto-repair failed; left for investigation' });
    else if (n.skip) queue.push({ node: n.name, unhealthySince: since, reason: `not repaired: ${n.skip}` });
    else if (now < n.unhealthySince! + dueAfter) {
      wake.push(n.unhealthySince! + dueAfter);
      queue.push({ node: n.name, unhealthySince: since, reason: `unhealthy for less than ${fmt(cfg.windowMs)}${cfg.delayMs ? ` + ${fmt(cfg.delayMs)}` : ''}` });
    } else due.push(n);
  }
  let message: string | undefined;
  if (!cfg.enabled) message = 'auto-repair is disabled for this cluster';
  else if (s.nodes.length < cfg.minNodes) message = `cluster has ${s.nodes.length} node(s); auto-repair needs at least ${cfg.minNodes}`;
  for (const n of due) {
    if (message) {
      queue.push({ node: n.name, unhealthySince: iso(n.unhealthySince!), reason: message });
      continue;
    }
    const first = stepsFor(n)[0];
    if (repairs.length < cfg.maxConcurrent && first) {
      repairs.push(startStep(n, { node: n.name, attempt: 1, startTime: iso(now), done: [] }, first, `node ${n.ready === 'Unknown' ? 'reported no status' : 'was NotReady'} for ${fmt(cfg.windowMs)}`));
    } else {
      queue.push({ node: n.name, unhealthySince: iso(n.unhealthySince!), reason: `waiting: ${cfg.maxConcurrent === 1 ? 'one node is repaired at a time' : `${cfg.maxConcurrent} repairs at a time`} (repairing ${repairs.map((r) => r.node).join(', ')})` });
    }
  }
  const status: AutoRepairStatus = { unhealthyNodes: listed.length + repairs.length, repairs, queue, failed };
  if (message) status.message = message;
  if (lastRepair) status.lastRepair = lastRepair;
  const future = wake.filter((t) => t > now);
  return { status, requests, events, wakeAt: future.length ? Math.min(...future) : undefined };
}
