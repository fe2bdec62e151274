// Invariants on long-running operations (SimOperation): one running at a time per target, a
// finished one stays finished, every one ends finished, and at most 50 are kept per target.
import type { Obj, Rec, Violation } from '../log.js';
import { isDeleting, isMark, replayArrival, replayCommits, type World } from '../world.js';

export const HISTORY_LIMIT = 50;
const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);
const targetOf = (o: Obj): string => `${o.metadata.namespace}/${o.spec?.targetKind}/${o.spec?.targetName}`;
const running = (o: Obj): boolean => !TERMINAL.has(o.status?.status);

/**
 * single-running-operation: never two unfinished operations on one target at once.
 * terminal-stays: a Succeeded, Failed or Canceled operation never changes its outcome.
 * history-limit: never more than 50 + 1 (the new one, before the oldest is pruned) per target.
 */
export function checkOperationTransitions(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  replayCommits(log, (r, prev, w) => {
    if (r.res !== 'SimOperation' || r.type === 'DELETED') return;
    const o = r.obj;
    const was = prev?.status?.status;
    if (TERMINAL.has(was) && o.status?.status !== was) {
      out.push({
        invariant: 'terminal-stays',
        t: r.t,
        message: `operation ${o.metadata.namespace}/${o.metadata.name} went from ${was} to ${o.status?.status ?? 'no status'}`,
      });
    }
    const mine = w.list('SimOperation').filter((x) => targetOf(x) === targetOf(o) && !isDeleting(x));
    const busy = mine.filter(running);
    if (busy.length > 1 && running(o)) {
      out.push({
        invariant: 'single-running-operation',
        t: r.t,
        message: `${targetOf(o)} has ${busy.length} unfinished operations at once: ${busy.map((x) => `${x.metadata.name} (${x.spec?.type}, ${x.status?.status ?? 'no status'})`).join(', ')}`,
      });
    }
    if (!prev && mine.length > HISTORY_LIMIT + 1) {
      out.push({ invariant: 'history-limit', t: r.t, message: `${targetOf(o)} keeps ${mine.length} operations (limit ${HISTORY_LIMIT})` });
    }
  });
  return out;
}

function settledProblems(w: World, ns: string): string[] {
  const found: string[] = [];
  const per = new Map<string, number>();
  for (const o of w.list('SimOperation')) {
    if (o.metadata.namespace !== ns) continue;
    if (running(o))
      found.push(
        `operation ${o.metadata.name} (${o.spec?.type} of ${o.spec?.targetName}) is still ${o.status?.status ?? 'without a status'}`,
      );
    if (!isDeleting(o)) per.set(targetOf(o), (per.get(targetOf(o)) ?? 0) + 1);
  }
  for (const [t, n] of per) if (n > HISTORY_LIMIT) found.push(`${t} keeps ${n} operations (limit ${HISTORY_LIMIT})`);
  return found;
}

/**
 * operations-end: when a scenario ends (its last round converged), every operation of its
 * resource group has ended (Succeeded, Failed or Canceled), and each target keeps at most 50.
 */
export function checkOperationsSettled(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  replayArrival(log, (r, w) => {
    if (!isMark(r) || r.what !== 'scenario-end' || !r.namespace) return;
    for (const p of settledProblems(w, r.namespace))
      out.push({ invariant: p.includes('keeps') ? 'history-limit' : 'operations-end', t: r.t, message: `${r.scenario}: ${p}` });
  });
  return out;
}
