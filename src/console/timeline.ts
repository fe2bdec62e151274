// The auto-repair timeline of a cluster: unhealthy windows, each repair step (reboot / reimage /
// redeploy) with its start, end and result, failures, and why nodes were skipped. Steps come from
// the remediator's Node events (aks-auto-repair), which outlive a console restart; windows and
// skip reasons are what this process saw of SimMachine and SimCluster status (a restarted
// console knows the open windows from the machines' NodeReady condition, not the closed ones).
import type { SimCluster, SimMachine } from '../api/generated.js';
import type { TimelineEntry } from './records.js';

export interface RepairEvent {
  node: string;
  reason: string;
  note: string;
  /** ISO time. */
  time: string;
}

export interface Window {
  node: string;
  start: string;
  end?: string;
}

export interface Skip {
  node: string;
  time: string;
  reason: string;
}

const STEP = /^Node(Reboot|Reimage|Redeploy)(Start|End|Error)$/;
const MAX_PER_NODE = 20;

/** Pure: the entries of one cluster's timeline, newest first (at most `max`). */
export function buildTimeline(events: RepairEvent[], windows: Window[], skips: Skip[], max = 200): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const sorted = [...events].sort((a, b) => a.time.localeCompare(b.time));
  const open = new Map<string, TimelineEntry>();
  const steps: TimelineEntry[] = [];
  for (const e of sorted) {
    const m = STEP.exec(e.reason);
    if (m) {
      const [, step, phase] = m as unknown as [string, 'Reboot' | 'Reimage' | 'Redeploy', string];
      const k = `${e.node}/${step}`;
      if (phase === 'Start') {
        const entry: TimelineEntry = {
          id: `${e.node}/${step}/${e.time}`,
          node: e.node,
          kind: step,
          start: e.time,
          result: 'Running',
          text: e.note,
        };
        open.set(k, entry);
        steps.push(entry);
      } else {
        const entry = open.get(k);
        if (!entry) continue;
        open.delete(k);
        entry.end = e.time;
        entry.result = phase === 'Error' ? 'TimedOut' : 'WaitingForReady';
      }
    } else if (e.reason === 'NodeAutoRepairFailed') {
      out.push({ id: `${e.node}/failed/${e.time}`, node: e.node, kind: 'Failed', start: e.time, result: 'Failed', text: e.note });
    }
  }
  // A finished step's result: the next step started (still not Ready), the node became Ready, or the repair failed.
  for (const s of steps) {
    if (s.result !== 'WaitingForReady') continue;
    const next = steps.find((x) => x.node === s.node && x.start > s.start);
    const failed = out.find((f) => f.kind === 'Failed' && f.node === s.node && f.start >= s.start && (!next || f.start <= next.start));
    const healed = windows.find((w) => w.node === s.node && w.end && w.end >= s.start && w.start <= s.start);
    if (failed) s.result = 'Failed';
    else if (healed && (!next || healed.end! <= next.start)) s.result = 'Succeeded';
    else if (next) s.result = 'StillNotReady';
  }
  out.push(...steps);
  for (const w of windows) {
    out.push({
      id: `${w.node}/unhealthy/${w.start}`,
      node: w.node,
      kind: 'Unhealthy',
      start: w.start,
      end: w.end,
      result: w.end ? 'Ready' : 'Unhealthy',
      text: w.end ? `unhealthy until ${w.end}` : 'unhealthy',
    });
  }
  for (const s of skips) out.push({ id: `${s.node}/skip/${s.time}`, node: s.node, kind: 'Skipped', start: s.time, text: s.reason });
  return out.sort((a, b) => b.start.localeCompare(a.start) || a.id.localeCompare(b.id)).slice(0, max);
}

/** Reasons in status.autoRepair.queue that are only "the window has not passed yet", not a skip. */
const isWaitingForWindow = (reason: string): boolean => reason.startsWith('unhealthy for less than');

/**
 * What the console saw of unhealthy windows and skip reasons, per cluster (namespace/name).
 * Bounded: at most MAX_PER_NODE windows per node and 200 skips per cluster are kept.
 */
export class RepairMemory {
  private readonly windows = new Map<string, Map<string, Window[]>>();
  private readonly skips = new Map<string, Skip[]>();
  private readonly lastReason = new Map<string, Map<string, string>>();

  /** Opens or closes the node's window from the machine's NodeReady condition. Returns true when it changed. */
  observeMachine(m: SimMachine): boolean {
    const ck = `${m.metadata.namespace}/${m.spec.clusterName}`;
    const node = m.metadata.name!;
    const c = (m.status?.conditions ?? []).find((x) => x.type === 'NodeReady');
    if (!c || !m.status?.provisionedTime) return false; // never healthy yet: booting, not unhealthy
    let byNode = this.windows.get(ck);
    if (!byNode) this.windows.set(ck, (byNode = new Map()));
    const list = byNode.get(node) ?? [];
    const last = list[list.length - 1];
    if (c.status !== 'True' && c.reason !== 'Booting') {
      if (last && !last.end) return false;
      list.push({ node, start: c.lastTransitionTime });
      if (list.length > MAX_PER_NODE) list.shift();
      byNode.set(node, list);
      return true;
    }
    if (c.status === 'True' && last && !last.end) {
      last.end = c.lastTransitionTime;
      return true;
    }
    return false;
  }

  /** A deleted machine's windows go with it. */
  forgetMachine(m: SimMachine): boolean {
    return this.windows.get(`${m.metadata.namespace}/${m.spec.clusterName}`)?.delete(m.metadata.name!) ?? false;
  }

  /** Records new skip reasons of status.autoRepair (queue reasons and the cluster-wide message) at nowIso. */
  observeCluster(c: SimCluster, nowIso: string): boolean {
    const ck = `${c.metadata.namespace}/${c.metadata.name}`;
    const ar = c.status?.autoRepair ?? {};
    let last = this.lastReason.get(ck);
    if (!last) this.lastReason.set(ck, (last = new Map()));
    const list = this.skips.get(ck) ?? [];
    let changed = false;
    const seen = new Set<string>();
    const note = (node: string, reason: string): void => {
      seen.add(node);
      if (last.get(node) === reason) return;
      last.set(node, reason);
      if (isWaitingForWindow(reason)) return;
      list.push({ node, time: nowIso, reason });
      changed = true;
    };
    if (ar.message) note('', ar.message);
    for (const q of ar.queue ?? []) if (q.node && q.reason) note(q.node, q.reason);
    for (const k of [...last.keys()]) if (!seen.has(k)) last.delete(k);
    while (list.length > 200) list.shift();
    this.skips.set(ck, list);
    return changed;
  }

  windowsOf(clusterKey: string): Window[] {
    return [...(this.windows.get(clusterKey)?.values() ?? [])].flat();
  }

  skipsOf(clusterKey: string): Skip[] {
    return this.skips.get(clusterKey) ?? [];
  }

  forgetCluster(clusterKey: string): void {
    this.windows.delete(clusterKey);
    this.skips.delete(clusterKey);
    this.lastReason.delete(clusterKey);
  }
}
