// Pure drain decisions: which pods on a node to evict, which to leave, and whether the drain is
// finished or out of time. One drain serves every feature that drains (scale-in, upgrade,
// scheduled events): each step is observed (drain.ts lists the pods and budgets), decided here,
// and carried out as an `evict` write.
import type { V1LabelSelector, V1Node, V1Pod } from '@kubernetes/client-node';
import { isPodReady } from './ready.js';
import type { Write } from './plan.js';

export type PodVerdict =
  | { kind: 'evict'; pod: string }
  | { kind: 'skip'; pod: string; why: 'daemonset' | 'mirror' | 'finished' }
  | { kind: 'terminating'; pod: string };

export function classifyPod(p: V1Pod): PodVerdict {
  const name = `${p.metadata?.namespace}/${p.metadata?.name}`;
  if (p.metadata?.annotations?.['kubernetes.io/config.mirror']) return { kind: 'skip', pod: name, why: 'mirror' };
  if (p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.controller))
    return { kind: 'skip', pod: name, why: 'daemonset' };
  if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return { kind: 'skip', pod: name, why: 'finished' };
  if (p.metadata?.deletionTimestamp) return { kind: 'terminating', pod: name };
  return { kind: 'evict', pod: name };
}

export interface DrainState {
  /** Pods still to evict (not yet terminating). */
  toEvict: string[];
  /** Pods already on their way out. */
  terminating: string[];
}

export function drainState(pods: V1Pod[]): DrainState {
  const s: DrainState = { toEvict: [], terminating: [] };
  for (const p of pods) {
    const v = classifyPod(p);
    if (v.kind === 'evict') s.toEvict.push(v.pod);
    else if (v.kind === 'terminating') s.terminating.push(v.pod);
  }
  return s;
}

export type DrainDecision =
  { kind: 'done' } | { kind: 'evict'; pods: string[] } | { kind: 'wait'; pods: string[] } | { kind: 'timeout'; remaining: string[] };

/** Decides the next drain step; deadlineMs is when the drain timeout ends (real ms). */
export function decideDrain(state: DrainState, nowMs: number, deadlineMs: number): DrainDecision {
  const remaining = [...state.toEvict, ...state.terminating];
  if (remaining.length === 0) return { kind: 'done' };
  if (nowMs >= deadlineMs) return { kind: 'timeout', remaining };
  if (state.toEvict.length > 0) return { kind: 'evict', pods: state.toEvict };
  return { kind: 'wait', pods: state.terminating };
}

/** What a drain needs of a PodDisruptionBudget: whom it covers and how many it lets go now. */
export interface Budget {
  namespace: string;
  name: string;
  selector?: V1LabelSelector;
  /** status.disruptionsAllowed as last computed by the disruption controller. */
  disruptionsAllowed: number;
}

/** Label selector semantics of policy/v1: an empty selector matches every pod, a missing one none. */
export function selectorMatches(sel: V1LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !vals.includes(l[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(l[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Which of the pods to evict to ask for now, and which to hold back because a budget lets no more
 * of them go this step. The API server stays the judge (a 429 is still handled as blocked): this
 * only spares requests that are sure to be refused. Per budget, as many healthy pods as it allows
 * now, at least one (its status may lag, and the probe's answer is the truth); pods no budget
 * covers, and pods that are not Ready (the API server may let an unhealthy pod go whatever the
 * budget), are always asked for.
 */
export function planEvictions(pods: V1Pod[], budgets: Budget[]): { evict: string[]; held: string[] } {
  const slots = new Map(budgets.map((b) => [`${b.namespace}/${b.name}`, Math.max(1, b.disruptionsAllowed)]));
  const evict: string[] = [];
  const held: string[] = [];
  for (const p of pods) {
    const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
    const mine = budgets.filter((b) => b.namespace === p.metadata?.namespace && selectorMatches(b.selector, p.metadata?.labels));
    if (mine.length === 0 || !isPodReady(p)) {
      evict.push(key);
      continue;
    }
    const ids = mine.map((b) => `${b.namespace}/${b.name}`);
    if (ids.every((id) => (slots.get(id) ?? 0) > 0)) {
      for (const id of ids) slots.set(id, slots.get(id)! - 1);
      evict.push(key);
    } else held.push(key);
  }
  return { evict, held };
}

/** What a drain step looks at: the pods on the node and the budgets of their namespaces. */
export interface DrainView {
  pods: V1Pod[];
  budgets: Budget[];
}

export interface DrainStep {
  done: boolean;
  timedOut: boolean;
  /** Pods to ask the eviction API for now. */
  evict: V1Pod[];
  /** Pods a budget allows no more of now (asked for in a later step). */
  held: V1Pod[];
  /** Pods left: still to evict or terminating. */
  remaining: number;
  /** At the timeout, the pods left (namespace/name). */
  left: string[];
}

/** The next step of draining a node; deadlineMs is when the drain timeout ends (real ms). */
export function drainStep(view: DrainView, nowMs: number, deadlineMs: number): DrainStep {
  const decision = decideDrain(drainState(view.pods), nowMs, deadlineMs);
  const none = { done: false, timedOut: false, evict: [], held: [], remaining: 0, left: [] };
  switch (decision.kind) {
    case 'done':
      return { ...none, done: true };
    case 'timeout':
      return { ...none, timedOut: true, remaining: decision.remaining.length, left: decision.remaining };
    case 'wait':
      return { ...none, remaining: decision.pods.length };
    case 'evict': {
      const byKey = new Map(view.pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
      const pods = decision.pods.map((k) => byKey.get(k)).filter((p): p is V1Pod => p !== undefined);
      const plan = planEvictions(pods, view.budgets);
      const pick = (keys: string[]): V1Pod[] => keys.map((k) => byKey.get(k)!);
      return { ...none, evict: pick(plan.evict), held: pick(plan.held), remaining: decision.pods.length };
    }
  }
}

/** The write of a drain step: its evictions (none when it only waits). */
export function evictWrites(node: string, step: DrainStep): Write[] {
  return step.evict.length || step.held.length ? [{ do: 'evict', node, evict: step.evict, held: step.held }] : [];
}

/**
 * The writes of a drain pass that goes on: the cordon again if it is missing (one lost to an error
 * after the drain's start was recorded would let the scheduler put each evicted pod right back on
 * the node), then the evictions.
 */
export function drainPassWrites(node: V1Node | undefined, name: string, step: DrainStep): Write[] {
  return [...cordonWrites(node), ...evictWrites(name, step)];
}

/** Sets spec.unschedulable when it differs (nothing for a missing Node). */
export function cordonWrites(node: V1Node | undefined, unschedulable = true): Write[] {
  if (!node?.metadata?.name || Boolean(node.spec?.unschedulable) === unschedulable) return [];
  return [{ do: 'patchNode', name: node.metadata.name, body: { spec: { unschedulable: unschedulable ? true : null } } }];
}
