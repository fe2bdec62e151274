// Invariants on drains: no Pod a PodDisruptionBudget protected at that moment was removed (an
// eviction the budget approved shows in its status.disruptedPods; anything else needs
// disruptionsAllowed >= 1), no Node deleted under protected pods, and what autodrain cordoned for
// a scheduled event is uncordoned (and untainted) once the event is gone (canceled or done).
import type { Obj, Rec, Violation } from '../log.js';
import { isDeleting, keyOf, label, podHealthy, replayCommits, type World } from '../world.js';

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** policy/v1 selector semantics: an empty selector selects every pod, a missing one none. */
export function selects(sel: Selector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = k(l, e.key);
    const vals = e.values ?? [];
    if (e.operator === 'In' && !(has && vals.includes(l[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && vals.includes(l[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
const k = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

const budgetsOf = (w: World, pod: Obj): Obj[] =>
  w
    .list('PodDisruptionBudget')
    .filter((b) => b.metadata.namespace === pod.metadata.namespace && selects(b.spec?.selector, pod.metadata.labels));

/** The cluster a Node belongs to is being deleted (az aks delete removes VMs without draining). */
function clusterGoing(w: World, node: Obj | undefined): boolean {
  const ns = label(node, 'aksim.io/namespace');
  const c = label(node, 'aksim.io/cluster');
  if (!ns || !c) return false;
  const cluster = w.get('SimCluster', `${ns}/${c}`);
  return !cluster || isDeleting(cluster);
}

/**
 * pdb-respected: every Ready pod a budget covers that goes away either was evicted with the
 * budget's approval (status.disruptedPods names it) or went while the budget allowed a disruption;
 * a Node is never deleted with such pods still on it (unless its whole cluster is being deleted).
 */
export function checkBudgets(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  replayCommits(log, (r, prev, w) => {
    if (r.res === 'Pod' && prev && podHealthy(prev) && (r.type === 'DELETED' || isDeleting(r.obj)) && !r.relist) {
      const nodeName = prev.spec?.nodeName as string | undefined;
      const node = nodeName ? w.get('Node', nodeName) : undefined;
      if (!node || clusterGoing(w, node)) return; // a Node deleted under its pods is judged below
      for (const b of budgetsOf(w, prev)) {
        if (b.status?.disruptedPods?.[prev.metadata.name]) continue;
        if ((b.status?.disruptionsAllowed ?? 0) >= 1) continue;
        out.push({
          invariant: 'pdb-respected',
          t: r.t,
          message: `pod ${keyOf(prev)} on ${nodeName} was removed while PodDisruptionBudget ${b.metadata.name} allowed no disruption (and did not approve its eviction)`,
        });
      }
    }
    if (r.res === 'Node' && r.type === 'DELETED' && !r.relist) {
      if (clusterGoing(w, r.obj)) return;
      const stranded = w.list('Pod').filter((p) => p.spec?.nodeName === r.obj.metadata.name && podHealthy(p) && budgetsOf(w, p).length > 0);
      if (stranded.length > 0)
        out.push({
          invariant: 'pdb-respected',
          t: r.t,
          message: `Node ${r.obj.metadata.name} was deleted with ${stranded.length} budget-protected Ready pods still on it (${stranded
            .map((p) => p.metadata.name)
            .slice(0, 5)
            .join(', ')})`,
        });
    }
  });
  return out;
}

const AUTODRAIN_TAINT = /^remediator\.(aks\.microsoft\.com|kubernetes\.azure\.com)\/unschedulable$/;

/**
 * cordon-undone: when a ScheduledEvent is gone (canceled by deleting it, or finished), each of its
 * nodes that was schedulable when the event appeared is schedulable and without the autodrain
 * taint again, unless its VM is being deleted or another event on it is still pending.
 */
export function checkCordons(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  const schedulableAtStart = new Map<string, Set<string>>(); // event key -> nodes
  replayCommits(log, (r, prev, w) => {
    if (r.res !== 'ScheduledEvent') return;
    const key = keyOf(r.obj);
    if (!prev && r.type !== 'DELETED' && !schedulableAtStart.has(key)) {
      const nodes = (r.obj.spec?.nodes ?? []) as string[];
      schedulableAtStart.set(
        key,
        new Set(
          nodes.filter((n) => {
            const node = w.get('Node', n);
            return node && !node.spec?.unschedulable;
          }),
        ),
      );
      return;
    }
    if (r.type !== 'DELETED') return;
    const ns = r.obj.metadata.namespace!;
    for (const n of schedulableAtStart.get(key) ?? []) {
      const node = w.get('Node', n);
      const m = w.get('SimMachine', `${ns}/${n}`);
      if (!node || !m || isDeleting(m)) continue;
      const others = w
        .list('ScheduledEvent')
        .filter((e) => e.metadata.namespace === ns && !isDeleting(e) && (e.spec?.nodes ?? []).includes(n));
      if (others.length > 0) continue;
      const taints = ((node.spec?.taints ?? []) as { key: string }[]).filter((t) => AUTODRAIN_TAINT.test(t.key)).map((t) => t.key);
      if (node.spec?.unschedulable || taints.length > 0) {
        out.push({
          invariant: 'cordon-undone',
          t: r.t,
          message: `${r.obj.spec?.eventType} event ${r.obj.metadata.name} is gone (${r.obj.status?.eventStatus === 'Started' || r.obj.status?.eventStatus === 'Completed' ? 'done' : 'canceled'}) but Node ${n} is still ${[node.spec?.unschedulable ? 'cordoned' : '', ...taints.map((t) => `tainted ${t}`)].filter(Boolean).join(' and ')}`,
        });
      }
    }
    schedulableAtStart.delete(key);
  });
  return out;
}
