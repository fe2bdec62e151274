// Invariants on NGroup rolling updates and scaling, judged from the container group Pods: no batch
// larger than maxBatchPercent or crossing a zone/fault-domain pair (except the first batch of the
// unhealthy ones), one new CG per replaced CG in replace mode, no batch started or acted on after
// a cancel, and the desired count restored once things settle.
import type { Obj, Rec, Violation } from '../log.js';
import { isDeleting, isMark, keyOf, label, podHealthy, replayArrival, replayCommits, type World } from '../world.js';

const NGROUP = 'aksim.io/ngroup';
const BATCH = 'aksim.io/rolling-update-batch';
const ZONE = 'aksim.io/cg-zone';
const FD = 'aksim.io/cg-fault-domain';
const REPLACES = 'aksim.io/replaces';
const CANCEL = 'aksim.io/cancel-rolling-update';
/** Real ms a reconcile that began before a cancel may still finish its calls. */
export const CANCEL_SLACK_MS = 10_000;

export const batchSize = (total: number, pct: number): number => Math.max(1, Math.floor((total * pct) / 100));
const ngKeyOfPod = (p: Obj): string | undefined => (label(p, NGROUP) ? `${p.metadata.namespace}/${label(p, NGROUP)}` : undefined);
const liveCgs = (w: World, ng: string): Obj[] => w.list('Pod').filter((p) => ngKeyOfPod(p) === ng && !isDeleting(p));
const pctOf = (ng: Obj | undefined): number => ng?.spec?.updateProfile?.rollingUpdateProfile?.maxBatchPercent ?? 20;

interface BatchState {
  members: Set<string>;
  pairs: Set<string>;
  allowed: number;
  /** Every member so far was an unhealthy CG (the first batch of an update may then be larger and cross pairs). */
  unhealthyOnly: boolean;
}

interface CancelPoint {
  t: number;
  update: number;
  maxBatch: number;
}

export function checkNGroupBatches(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  const batches = new Map<string, BatchState>();
  const replacedBy = new Map<string, string>();
  const desiredHist = new Map<string, number[]>();
  const maxBatchOf = new Map<string, number>(); // `${ng}#${update}` -> highest batch index seen
  const maxUpdateOf = new Map<string, number>();
  /** `${ng}#${update}` -> highest batch the NGroup's status recorded as started (its Pods may not show it yet). */
  const startedBatchOf = new Map<string, number>();
  const cancels = new Map<string, CancelPoint[]>();

  replayCommits(log, (r, prev, w) => {
    if (r.res === 'NGroup' && r.type !== 'DELETED') {
      const ng = keyOf(r.obj);
      const d = r.obj.spec?.elasticProfile?.desiredCount ?? 0;
      const h = desiredHist.get(ng) ?? [];
      if (h.at(-1) !== d) h.push(d);
      desiredHist.set(ng, h.slice(-2));
      const ru = r.obj.status?.latestRollingUpdate;
      if (ru?.state === 'InProgress' && ru.currentBatch?.index !== undefined) {
        const k = `${ng}#${ru.id}`;
        startedBatchOf.set(k, Math.max(startedBatchOf.get(k) ?? -1, ru.currentBatch.index));
      }
      const req = r.obj.metadata.annotations?.[CANCEL];
      if (req && req !== prev?.metadata.annotations?.[CANCEL]) {
        const update = Math.max(maxUpdateOf.get(ng) ?? 0, Number(ru?.id ?? 0));
        // The batch in flight when the cancel came: the highest seen on the Pods or recorded as
        // started in the status (a replace batch shows on its Pods only once it made a new CG).
        const k = `${ng}#${update}`;
        const maxBatch = Math.max(maxBatchOf.get(k) ?? -1, startedBatchOf.get(k) ?? -1);
        cancels.set(ng, [...(cancels.get(ng) ?? []), { t: r.t, update, maxBatch }]);
      }
      return;
    }
    if (r.res !== 'Pod' || r.type === 'DELETED') return;
    const ng = ngKeyOfPod(r.obj);
    if (!ng) return;
    const ngObj = w.get('NGroup', ng);
    const desired = Math.max(...(desiredHist.get(ng) ?? [ngObj?.spec?.elasticProfile?.desiredCount ?? 0]));
    if (r.type === 'ADDED' && !prev) {
      // Slots: live CGs, except those whose replacement is already running (replace mode is 1:1).
      const live = liveCgs(w, ng);
      const liveNames = new Set(live.map((p) => p.metadata.name));
      const replacing = new Set(
        live.map((p) => p.metadata.annotations?.[REPLACES]).filter((n): n is string => Boolean(n) && liveNames.has(n!)),
      );
      const slots = live.filter((p) => !replacing.has(p.metadata.name)).length;
      if (slots > desired)
        out.push({
          invariant: 'ngroup-replace-1to1',
          t: r.t,
          message: `NGroup ${ng} holds ${slots} container group slots (${live.length} live, ${replacing.size} being replaced); desired ${desired}`,
        });
    }
    const b = label(r.obj, BATCH);
    if (!b || b === label(prev, BATCH)) return;
    const [update, index] = b.split('.').map(Number) as [number, number];
    maxUpdateOf.set(ng, Math.max(maxUpdateOf.get(ng) ?? 0, update));
    const mk = `${ng}#${update}`;
    maxBatchOf.set(mk, Math.max(maxBatchOf.get(mk) ?? -1, index));
    for (const c of cancels.get(ng) ?? []) {
      if (c.update !== update) continue;
      if (index > Math.max(c.maxBatch, 0))
        out.push({
          invariant: 'ngroup-no-resume-after-cancel',
          t: r.t,
          message: `NGroup ${ng}: container group ${r.obj.metadata.name} joined batch ${b} after rolling update ${update} was canceled at batch ${c.maxBatch}`,
        });
      else if (r.t > c.t + CANCEL_SLACK_MS)
        out.push({
          invariant: 'ngroup-no-resume-after-cancel',
          t: r.t,
          message: `NGroup ${ng}: container group ${r.obj.metadata.name} was changed for batch ${b} ${Math.round((r.t - c.t) / 1000)} s after rolling update ${update} was canceled`,
        });
    }
    // The CG this join stands for: the one it replaces (replace mode) or itself before the change (in place).
    const replaces = r.obj.metadata.annotations?.[REPLACES];
    let memberHealthy: boolean;
    if (r.type === 'ADDED' && !prev) {
      if (!replaces) {
        out.push({
          invariant: 'ngroup-replace-1to1',
          t: r.t,
          message: `NGroup ${ng}: container group ${r.obj.metadata.name} was made for batch ${b} without naming the one it replaces`,
        });
        memberHealthy = true;
      } else {
        const rk = `${ng}/${replaces}`;
        const other = replacedBy.get(rk);
        if (other && other !== r.obj.metadata.name)
          out.push({
            invariant: 'ngroup-replace-1to1',
            t: r.t,
            message: `NGroup ${ng}: container group ${replaces} was replaced twice (${other} and ${r.obj.metadata.name})`,
          });
        replacedBy.set(rk, r.obj.metadata.name);
        memberHealthy = podHealthy(w.get('Pod', `${r.obj.metadata.namespace}/${replaces}`));
      }
    } else {
      memberHealthy = podHealthy(prev);
    }
    let s = batches.get(`${ng}#${b}`);
    if (!s) {
      const total = Math.max(desired, liveCgs(w, ng).length - (r.type === 'ADDED' ? 1 : 0));
      s = { members: new Set(), pairs: new Set(), allowed: batchSize(total, pctOf(ngObj)), unhealthyOnly: true };
      batches.set(`${ng}#${b}`, s);
    }
    s.members.add(r.obj.metadata.name);
    s.pairs.add(`${label(r.obj, ZONE)}/${label(r.obj, FD)}`);
    s.unhealthyOnly &&= !memberHealthy && index === 0;
    if (s.unhealthyOnly) return;
    if (s.members.size > s.allowed)
      out.push({
        invariant: 'ngroup-batch-size',
        t: r.t,
        message: `NGroup ${ng}: batch ${b} has ${s.members.size} container groups; maxBatchPercent ${pctOf(ngObj)}% allows ${s.allowed}`,
      });
    if (s.pairs.size > 1)
      out.push({
        invariant: 'ngroup-batch-size',
        t: r.t,
        message: `NGroup ${ng}: batch ${b} crosses zone/fault-domain pairs ${[...s.pairs].join(', ')}`,
      });
  });
  return out;
}

/** ngroup-desired-count: when a round has converged, each NGroup runs its desired count of container groups. */
export function checkNGroupCounts(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  replayArrival(log, (r, w) => {
    if (!isMark(r) || (r.what !== 'converged' && r.what !== 'scenario-end') || !r.namespace) return;
    for (const ng of w.list('NGroup')) {
      if (ng.metadata.namespace !== r.namespace || isDeleting(ng)) continue;
      const want = ng.spec?.elasticProfile?.desiredCount ?? 0;
      const have = liveCgs(w, keyOf(ng)).length;
      const maintain = ng.spec?.elasticProfile?.maintainDesiredCount ?? false;
      if (maintain ? have !== want : have > want)
        out.push({
          invariant: 'ngroup-desired-count',
          t: r.t,
          message: `${r.scenario}: NGroup ${keyOf(ng)} runs ${have} container groups once settled; desired ${want}`,
        });
    }
  });
  return out;
}
