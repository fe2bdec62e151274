// Pure node auto-repair decisions (docs/behaviour.md section 2, docs/auto-repair.md): which
// unhealthy nodes to repair, the next step of each running repair (reboot -> reimage -> redeploy,
// each followed by a bounded wait for Ready), what waits and why, and when to look again. No I/O: reconcile.ts gathers the state
// and carries out what this returns.
import type { SimCluster } from '../../src/api/generated.js';
import { durationMs } from '../../src/runtime/duration.js';
import type { ActionType } from '../../src/model/faults.js';

export { REMEDIATOR_USER, REPORTING_CONTROLLER } from '../../src/model/names.js';
import { REMEDIATOR_USER } from '../../src/model/names.js';
/** kwok needs about a second to show a node Ready again; no timeScale can make that shorter. */
export const READY_FLOOR_MS = 2_000;
/** status.autoRepair.queue lists this many unhealthy nodes at most (unhealthyNodes counts them all). */
export const QUEUE_LISTED = 50;
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
  Seed: {
    enabled: true,
    windowMs: 600_000,
    delayMs: 0,
    minNodes: 2,
    maxConcurrent: 1,
    actions: ['Reboot', 'Reimage', 'Redeploy'],
    redeployOnWindows: true,
    retries: 1,
    readyTimeoutMs: 300_000,
  },
  CurrentAKS: {
    enabled: true,
    windowMs: 600_000,
    delayMs: 300_000,
    minNodes: 2,
    maxConcurrent: 1,
    actions: ['Reboot', 'Reimage', 'Redeploy'],
    redeployOnWindows: false,
    retries: 3,
    readyTimeoutMs: 300_000,
  },
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
const keyOf = (n: NodeView, ahead: number, what: string): string =>
  `${String(n.requests.Reboot + n.requests.Reimage + n.requests.Redeploy + ahead).padStart(4, '0')}-${what}`;
const fmt = (simMs: number): string => (simMs % 60_000 === 0 ? `${simMs / 60_000}m` : `${Math.round(simMs / 1000)}s`);

export function decide(s: RepairState, now: number): RepairDecision {
  return new Round(s, now).decide();
}

/** One decision: the accumulators the steps below share. */
class Round {
  private readonly cfg: RepairSettings;
  private readonly byName: Map<string, NodeView>;
  private readonly events: RepairEvent[] = [];
  private readonly requests: RepairDecision['requests'] = [];
  private readonly wake: number[] = [];
  private readonly repairs: Repair[] = [];
  private readonly failed: NonNullable<AutoRepairStatus['failed']>;
  private readonly readyWaitMs: number;
  private lastRepair: AutoRepairStatus['lastRepair'];

  constructor(
    private readonly s: RepairState,
    private readonly now: number,
  ) {
    this.cfg = s.settings;
    this.byName = new Map(s.nodes.map((n) => [n.name, n]));
    this.lastRepair = s.prev?.lastRepair;
    // Failed nodes stay failed (no new repair) until they are Ready again or gone.
    this.failed = (s.prev?.failed ?? []).filter((f) => this.byName.get(f.node ?? '')?.ready !== 'True' && this.byName.has(f.node ?? ''));
    this.readyWaitMs = Math.max(s.toReal(this.cfg.readyTimeoutMs), READY_FLOOR_MS);
  }

  decide(): RepairDecision {
    for (const r of this.s.prev?.repairs ?? []) this.continueRepair(r);
    const { listed, due } = this.unhealthy();
    const queue = listed.queue;
    let message: string | undefined;
    if (!this.cfg.enabled) message = 'auto-repair is disabled for this cluster';
    else if (this.s.nodes.length < this.cfg.minNodes)
      message = `cluster has ${this.s.nodes.length} node(s); auto-repair needs at least ${this.cfg.minNodes}`;
    for (const n of due) {
      const reason = message ?? this.startOrWait(n);
      if (reason) queue.push({ node: n.name, unhealthySince: iso(n.unhealthySince!), reason });
    }
    const status: AutoRepairStatus = {
      // Each unhealthy node once: listed and waiting, or in repair (one that starts now is both).
      unhealthyNodes: new Set([...listed.names, ...this.repairs.map((r) => r.node)]).size,
      repairs: this.repairs,
      // The longest unhealthy first, at most QUEUE_LISTED: a status naming every node of a
      // flapping 5,000-node cluster would be rewritten whole on every flap (and near etcd's limit).
      queue: queue
        .sort((a, b) => a.unhealthySince!.localeCompare(b.unhealthySince!) || a.node!.localeCompare(b.node!))
        .slice(0, QUEUE_LISTED),
      failed: this.failed,
    };
    if (message) status.message = message;
    if (this.lastRepair) status.lastRepair = this.lastRepair;
    const future = this.wake.filter((t) => t > this.now);
    return { status, requests: this.requests, events: this.events, wakeAt: future.length ? Math.min(...future) : undefined };
  }

  private stepsFor(n: NodeView): ActionType[] {
    return this.cfg.actions.filter((a) => a !== 'Redeploy' || !n.windows || this.cfg.redeployOnWindows);
  }

  private startStep(n: NodeView, r: Repair, step: ActionType, why: string): Repair {
    const target = Math.max(n.requests[step], n.done[step]) + 1;
    this.requests.push({ node: n.name, action: step, target });
    this.events.push({
      node: n.name,
      key: keyOf(n, 1, `a-${step.toLowerCase()}-start`),
      type: 'Normal',
      reason: `Node${step}Start`,
      note: `${step} of node ${n.name} started by ${REMEDIATOR_USER} (attempt ${r.attempt}): ${why}`,
    });
    this.wake.push(this.now + this.s.toReal(ACTION_TIMEOUT_SIM_MS));
    return { ...r, step, phase: 'Acting', requested: target, stepStartTime: iso(this.now), deadline: undefined };
  }

  /** The current step did not make the node Ready: next step, next attempt, or give up. */
  private advance(n: NodeView, r: Repair): void {
    const steps = this.stepsFor(n);
    const done = [...(r.done ?? []), r.step ?? ''];
    const next = steps[steps.indexOf(r.step as ActionType) + 1];
    if (next) return void this.repairs.push(this.startStep(n, { ...r, done }, next, `node still not Ready after ${r.step}`));
    if ((r.attempt ?? 1) < this.cfg.retries && steps[0]) {
      return void this.repairs.push(
        this.startStep(n, { ...r, done, attempt: (r.attempt ?? 1) + 1 }, steps[0], `sequence failed; trying again`),
      );
    }
    const message = `auto-repair could not make node ${n.name} Ready (${done.join(', ')}; ${r.attempt ?? 1} attempt(s)); left for investigation`;
    this.failed.push({ node: n.name, time: iso(this.now), message });
    this.events.push({
      node: n.name,
      key: keyOf(n, 0, 'c-autorepair-failed'),
      type: 'Warning',
      reason: 'NodeAutoRepairFailed',
      note: message,
    });
    this.lastRepair = { node: n.name, result: 'Failed', steps: done, endTime: iso(this.now) };
  }

  /** A running repair: its step finished, timed out, or goes on. */
  private continueRepair(r: Repair): void {
    const { now, cfg } = this;
    const n = this.byName.get(r.node ?? '');
    if (!n) {
      this.lastRepair = { node: r.node, result: 'Abandoned', steps: r.done ?? [], endTime: iso(now) };
      return; // the VM was deleted meanwhile
    }
    const step = r.step as ActionType;
    if (r.phase === 'Acting') {
      if (n.done[step] >= (r.requested ?? 0)) {
        this.events.push({
          node: n.name,
          key: keyOf(n, 0, `b-${step.toLowerCase()}-end`),
          type: 'Normal',
          reason: `Node${step}End`,
          note: `${step} of node ${n.name} finished; waiting up to ${fmt(cfg.readyTimeoutMs)} for Ready`,
        });
        const deadline = now + this.readyWaitMs;
        this.wake.push(deadline);
        return void this.repairs.push({ ...r, phase: 'WaitingReady', deadline: iso(deadline) });
      }
      const started = Date.parse(r.stepStartTime ?? '') || now;
      if (now >= started + this.s.toReal(ACTION_TIMEOUT_SIM_MS)) {
        this.events.push({
          node: n.name,
          key: keyOf(n, 0, `b-${step.toLowerCase()}-error`),
          type: 'Warning',
          reason: `Node${step}Error`,
          note: `${step} of node ${n.name} did not finish within ${fmt(ACTION_TIMEOUT_SIM_MS)}`,
        });
        return this.advance(n, r);
      }
      this.requests.push({ node: n.name, action: step, target: r.requested ?? 0 });
      this.wake.push(started + this.s.toReal(ACTION_TIMEOUT_SIM_MS));
      return void this.repairs.push(r);
    }
    // WaitingReady
    if (n.ready === 'True') {
      this.lastRepair = { node: n.name, result: 'Succeeded', steps: [...(r.done ?? []), step], endTime: iso(now) };
      return;
    }
    const deadline = Date.parse(r.deadline ?? '') || now;
    if (now >= deadline) return this.advance(n, r);
    this.wake.push(deadline);
    this.repairs.push(r);
  }

  /** Unhealthy nodes not in repair: the ones listed with why they wait, and the ones due now. */
  private unhealthy(): { listed: { names: string[]; queue: NonNullable<AutoRepairStatus['queue']> }; due: NodeView[] } {
    const { now, cfg } = this;
    const busy = new Set(this.repairs.map((r) => r.node));
    const failedSet = new Set(this.failed.map((f) => f.node));
    const dueAfter = this.s.toReal(cfg.windowMs + cfg.delayMs);
    // A VM that has not registered healthy yet is still provisioning: it is neither counted nor
    // listed (a scale-out would otherwise rewrite this status for every booting node) until it has
    // been down for the window; then it is listed as not repaired.
    const booting = (n: NodeView): boolean => Boolean(n.neverHealthy) && !failedSet.has(n.name) && now < n.unhealthySince! + dueAfter;
    const unhealthy = this.s.nodes.filter((n) => n.ready !== 'True' && n.unhealthySince !== undefined && !busy.has(n.name));
    for (const n of unhealthy.filter(booting)) this.wake.push(n.unhealthySince! + dueAfter);
    const queue: NonNullable<AutoRepairStatus['queue']> = [];
    const due: NodeView[] = [];
    const listed = unhealthy.filter((n) => !booting(n));
    for (const n of listed.sort((a, b) => a.unhealthySince! - b.unhealthySince! || a.name.localeCompare(b.name))) {
      const since = iso(n.unhealthySince!);
      if (failedSet.has(n.name)) queue.push({ node: n.name, unhealthySince: since, reason: 'auto-repair failed; left for investigation' });
      else if (n.skip) queue.push({ node: n.name, unhealthySince: since, reason: `not repaired: ${n.skip}` });
      else if (now < n.unhealthySince! + dueAfter) {
        this.wake.push(n.unhealthySince! + dueAfter);
        queue.push({
          node: n.name,
          unhealthySince: since,
          reason: `unhealthy for less than ${fmt(cfg.windowMs)}${cfg.delayMs ? ` + ${fmt(cfg.delayMs)}` : ''}`,
        });
      } else due.push(n);
    }
    return { listed: { names: listed.map((n) => n.name), queue }, due };
  }

  /** A due node starts its repair when a slot is free; otherwise, why it waits. */
  private startOrWait(n: NodeView): string | undefined {
    const { cfg } = this;
    const first = this.stepsFor(n)[0];
    if (this.repairs.length < cfg.maxConcurrent && first) {
      const why = `node ${n.ready === 'Unknown' ? 'reported no status' : 'was NotReady'} for ${fmt(cfg.windowMs)}`;
      this.repairs.push(this.startStep(n, { node: n.name, attempt: 1, startTime: iso(this.now), done: [] }, first, why));
      return undefined;
    }
    const limit = cfg.maxConcurrent === 1 ? 'one node is repaired at a time' : `${cfg.maxConcurrent} repairs at a time`;
    return `waiting: ${limit} (repairing ${this.repairs.map((r) => r.node).join(', ')})`;
  }
}
