// Pure: a ScheduledEvent while Scheduled. It starts on approval or at NotBefore; until then,
// autodrain cordons, taints and drains the affected nodes when the cluster's spec.autoDrain says
// so for this event type (eviction API, PDBs honoured, until NotBefore or the drain timeout; then
// the node stays cordoned and a Warning says why). What aksim cordoned is recorded first, so the
// finalizer uncordons only that.
import { drainSettings, imdsTime } from '../../src/model/scheduled-events.js';
import { classifyPod, cordonWrites, drainStep, evictWrites } from '../shared/drain-plan.js';
import type { Plan, Write } from '../shared/plan.js';
import { DRAIN_POLL_MS, nodeNote, statusWrite, taintWrites, type EventDecision, type EventView, type NodeState } from './view.js';

export function scheduled(v: EventView, start: (v: EventView, nodes: NodeState[]) => Plan): EventDecision {
  const { e, nowMs: now } = v;
  const st = e.status!;
  const notBefore = Date.parse(st.notBefore ?? '') || now;
  const startNow = e.spec.approved === true || now >= notBefore;
  const nodes = (st.nodes ?? []).map((x) => ({ ...x }));
  if (st.action !== 'CordonAndDrain')
    return startNow ? start(v, nodes) : { writes: [], events: [], requeueAfterMs: Math.max(0, notBefore - now) };
  if (!st.drainStartTime) return beginDrain(v, nodes);
  const draining = nodes.filter((x) => x.drain === 'Draining' && v.nodes[x.node ?? '']);
  if (draining.length > 0 && !v.drains) return { observe: draining.map((x) => x.node!) };
  const cfg = drainSettings(v.autoDrain);
  const drainStart = Date.parse(st.drainStartTime) || now;
  const deadline = Math.min(notBefore, cfg.drainTimeoutMs !== undefined ? drainStart + cfg.drainTimeoutMs / v.timeScale : Infinity);
  const plan: Plan = { writes: [], events: [] };
  let requeue = startNow ? 0 : notBefore - now;
  let changed = false;
  const why = `its ${e.spec.eventType} event ${st.eventId}`;
  for (const x of draining) {
    const view = v.drains![x.node!]!;
    const step = drainStep(view, now, deadline);
    // Cordon and taint again if they were lost (an error after the drain's start was recorded):
    // else the scheduler puts the evicted pods right back on this node.
    const node = v.nodes[x.node!]!;
    if (!step.done && !step.timedOut) plan.writes.push(...cordonWrites(node), ...taintWrites(node, cfg.taintKey, true));
    plan.writes.push(...evictWrites(x.node!, step).map((w) => ({ ...w, owner: e.metadata.uid, why }) as Write));
    if (step.done) {
      x.drain = 'Drained';
      changed = true;
      plan.events.push(
        nodeNote(v, x.node!, 'Normal', 'NodeDrainEnd', `Drained node ${x.node} for ${e.spec.eventType} event ${st.eventId}`),
      );
    } else if (step.timedOut) {
      x.drain = 'TimedOut';
      changed = true;
      // The pods left are reported as blocked (once each).
      plan.writes.push({
        do: 'evict',
        node: x.node!,
        evict: [],
        held: view.pods.filter((p) => classifyPod(p).kind === 'evict'),
        owner: e.metadata.uid,
        why,
      });
      const until = deadline >= notBefore ? 'NotBefore' : 'the drain timeout';
      const note = `Drain of ${x.node} did not finish before ${until}; ${step.remaining} pods left (${step.left.slice(0, 5).join(', ') || 'terminating'}); the node stays cordoned`;
      plan.events.push(nodeNote(v, x.node!, 'Warning', 'NodeDrainError', note));
    } else requeue = Math.min(requeue, DRAIN_POLL_MS);
  }
  // Fenced: the pass right after (requeued at once) may read a cache without this write yet, and
  // would post NodeDrainEnd again.
  if (changed) plan.writes.push({ do: 'status', kind: 'ScheduledEvent', obj: e, status: { nodes }, fenced: true });
  if (changed && !startNow) return { ...plan, requeueAfterMs: 0 };
  if (!startNow) return { ...plan, requeueAfterMs: Math.max(0, requeue) };
  const then = start(v, nodes);
  return { writes: [...plan.writes, ...then.writes], events: [...plan.events, ...then.events], requeueAfterMs: then.requeueAfterMs };
}

/** Record what aksim is about to cordon before cordoning: the memory for the uncordon. */
function beginDrain(v: EventView, current: NodeState[]): Plan {
  const { e } = v;
  const st = e.status!;
  const taintKey = drainSettings(v.autoDrain).taintKey;
  const nodes = current.map((x) => ({ ...x, cordonedByAksim: !v.nodes[x.node ?? '']?.spec?.unschedulable, drain: 'Draining' }));
  const plan: Plan = { writes: [statusWrite(e, { nodes, drainStartTime: v.nowIso })], events: [], requeueAfterMs: 0 };
  for (const x of nodes) {
    const node = v.nodes[x.node ?? ''];
    if (!node) continue;
    plan.writes.push(...cordonWrites(node), ...taintWrites(node, taintKey, true));
    plan.events.push(
      nodeNote(v, x.node!, 'Normal', 'NodeCordonStart', `Cordoning node ${x.node} for ${e.spec.eventType} event ${st.eventId}`),
      nodeNote(v, x.node!, 'Normal', 'NodeCordonEnd', `Cordoned node ${x.node} and tainted it ${taintKey}:NoSchedule`),
      nodeNote(
        v,
        x.node!,
        'Normal',
        'NodeDrainStart',
        `Draining node ${x.node} before ${imdsTime(st.notBefore)} (${e.spec.eventType} event ${st.eventId})`,
      ),
    );
  }
  return plan;
}
