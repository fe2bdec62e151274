// Pure: the rolling update of an NGroup as a state machine kept in status.latestRollingUpdate:
// a batch is first recorded (members, replacement names) and only acted on by a later reconcile,
// so a restarted operator resumes the recorded batch and never has two in flight. The planner
// only adds container group writes to the pass's plan; act.ts carries them out.
import { parseAciId } from '../../src/aci/ids.js';
import { NG } from '../../src/model/names.js';
import { overPercent, planBatches } from './batches.js';
import { rollingSettings, type RollingSettings } from './rolling-start.js';
import type { CgWrite, Pass, Ru, Target } from './view.js';

function fail(p: Pass, ru: Ru, code: string, message: string): void {
  ru.state = 'Failed';
  ru.endTime = p.nowIso;
  ru.error = { code, message };
  delete ru.currentBatch;
  p.emit('Warning', 'RollingUpdateFailed', message);
}

/** The target of a running update, from its profile id. */
function ruTarget(p: Pass, ru: Ru): Target | undefined {
  const ref = ru.profile?.id ? parseAciId(ru.profile.id, 'containerGroupProfiles') : undefined;
  return ref && p.lookup({ name: ref.name, namespace: ref.resourceGroup, revision: ru.profile?.revision });
}

function counts(p: Pass, ru: Ru, t: Target): void {
  const cgs = p.cgInfos(t);
  ru.succeededCount = cgs.filter((c) => c.updated && c.healthy).length;
  ru.failedCount = cgs.filter((c) => c.updated && !c.healthy).length;
  ru.pendingCount = cgs.filter((c) => !c.updated).length;
  ru.progress = `${ru.batchesCompleted ?? 0}/${ru.totalBatches ?? '?'}`;
}

/** True while a replace batch is swapping CGs: scaling waits for it. */
export function replaceInFlight(p: Pass): boolean {
  const ru = p.st.latestRollingUpdate;
  return ru?.state === 'InProgress' && !ru.inPlace && ru.currentBatch?.phase === 'Updating';
}

/** Advances a running update by at most one step. */
export function stepRollingUpdate(p: Pass): void {
  const ru = p.st.latestRollingUpdate;
  if (ru?.state !== 'InProgress') return;
  const t = ruTarget(p, ru);
  if (!t)
    return fail(
      p,
      ru,
      'ContainerGroupProfileNotFound',
      `container group profile ${ru.profile?.id} revision ${ru.profile?.revision} no longer exists`,
    );
  const rs = rollingSettings(p.ng);
  if (ru.currentBatch?.phase === 'Updating' && !updateBatch(p, ru, t, rs)) return;
  if (ru.currentBatch?.phase === 'Pausing' && !judgeBatch(p, ru, t, rs)) return;
  startNextBatch(p, ru, t, rs);
}

/** The recorded batch's writes; true when it is done and the pause is over at once (no pause). */
function updateBatch(p: Pass, ru: Ru, t: Target, rs: RollingSettings): boolean {
  const b = ru.currentBatch!;
  const label = `${ru.id}.${b.index ?? 0}`;
  const batch = ru.inPlace ? inPlaceBatch(p, b.members ?? [], t, label) : replaceBatch(p, b.members ?? [], b.replacements ?? [], t, label);
  p.plan(batch.writes);
  if (!batch.done) {
    counts(p, ru, t);
    return false;
  }
  b.phase = 'Pausing';
  const pauseReal = rs.pauseMs / p.v.timeScale;
  b.pauseUntil = new Date(p.nowMs + pauseReal).toISOString();
  if (pauseReal > 0) {
    p.requeue(pauseReal);
    counts(p, ru, t);
    return false;
  }
  // No pause: the batch is judged now, from the same view of the CGs that found it done.
  return true;
}

/** After the pause, the health gate on the updated CGs; true when the batch completed. */
function judgeBatch(p: Pass, ru: Ru, t: Target, rs: RollingSettings): boolean {
  const b = ru.currentBatch!;
  const until = Date.parse(b.pauseUntil ?? '') || 0;
  if (p.nowMs < until) {
    p.requeue(until - p.nowMs);
    counts(p, ru, t);
    return false;
  }
  const updatedPods = p.live.filter(
    (x) => x.metadata?.labels?.[NG.profile] === t.name && x.metadata.labels[NG.revision] === String(t.revision),
  );
  if (updatedPods.some((x) => p.settling(x))) {
    p.requeue(500);
    return false;
  }
  const updated = p.cgInfos(t).filter((c) => c.updated);
  const bad = updated.filter((c) => !c.healthy).length;
  if (overPercent(bad, updated.length, rs.maxUnhealthyUpdatedPercent)) {
    counts(p, ru, t);
    const why = `${bad} of ${updated.length} updated container groups are unhealthy, more than maxUnhealthyUpdatedPercent ${rs.maxUnhealthyUpdatedPercent}%`;
    fail(p, ru, 'MaxUnhealthyUpdatedPercentExceeded', `Rolling update ${ru.id} failed after batch ${b.index! + 1}: ${why}`);
    return false;
  }
  ru.batchesCompleted = (ru.batchesCompleted ?? 0) + 1;
  delete ru.currentBatch;
  p.emit('Normal', 'RollingUpdateBatchCompleted', `Rolling update ${ru.id}: batch ${b.index! + 1} of ${ru.totalBatches} completed`);
  return true;
}

/** Records the next batch (acted on by the next reconcile), or ends the update. */
function startNextBatch(p: Pass, ru: Ru, t: Target, rs: RollingSettings): void {
  if (p.live.some((x) => p.settling(x))) return p.requeue(500);
  const cgs = p.cgInfos(t);
  const plan = planBatches(cgs, rs.maxBatchPercent, (ru.batchesCompleted ?? 0) === 0);
  if (plan.length === 0) {
    ru.state = 'Succeeded';
    ru.endTime = p.nowIso;
    ru.totalBatches = ru.batchesCompleted ?? 0;
    counts(p, ru, t);
    p.emit(
      'Normal',
      'RollingUpdateSucceeded',
      `Rolling update ${ru.id} to ${t.name} revision ${t.revision} completed in ${ru.totalBatches} batches`,
    );
    return;
  }
  const sick = cgs.filter((c) => !c.healthy).length;
  if (overPercent(sick, cgs.length, rs.maxUnhealthyPercent)) {
    counts(p, ru, t);
    const why = `${sick} of ${cgs.length} container groups are unhealthy, more than maxUnhealthyPercent ${rs.maxUnhealthyPercent}%`;
    return fail(
      p,
      ru,
      'MaxUnhealthyPercentExceeded',
      `Rolling update ${ru.id} failed before batch ${(ru.batchesCompleted ?? 0) + 1}: ${why}`,
    );
  }
  const next = plan[0]!;
  const index = ru.batchesCompleted ?? 0;
  ru.totalBatches = index + plan.length;
  ru.currentBatch = {
    index,
    phase: 'Updating',
    members: next.members,
    ...(ru.inPlace ? {} : { replacements: next.members.map(() => p.newName()) }),
    faultDomain: next.pair,
    startTime: p.nowIso,
  };
  counts(p, ru, t);
  p.emit(
    'Normal',
    'RollingUpdateBatchStarted',
    `Rolling update ${ru.id}: batch ${index + 1} of ${ru.totalBatches} (${next.members.length} container groups, ${next.pair === '*' ? 'the unhealthy ones' : `zone/fault domain ${next.pair}`})`,
  );
}

/**
 * Replace: one new CG per member (same slot) and the member deleted. Done when all new ones run
 * and the old ones are going. The new CGs come first: they start while the deletes are sent.
 */
export function replaceBatch(
  p: Pass,
  members: string[],
  replacements: string[],
  t: Target,
  label: string,
): { writes: CgWrite[]; done: boolean } {
  let done = true;
  const creates: CgWrite[] = [];
  const deletes: CgWrite[] = [];
  members.forEach((old, i) => {
    const fresh = replacements[i];
    if (!fresh) return;
    const oldPod = p.pod(old);
    const newPod = p.pod(fresh);
    if (!newPod) {
      done = false;
      // Sent by an earlier reconcile and not in the cache yet: wait for it rather than send it again.
      const slot = p.expectsCreate(fresh) ? undefined : oldPod ? p.slotOf(oldPod) : p.placeNew(1)[0];
      if (slot) creates.push({ do: 'create', target: t, slot, name: fresh, batchLabel: label, replaces: old });
    } else if (newPod.status?.phase !== 'Running') {
      done = false;
    }
    if (oldPod && !oldPod.metadata?.deletionTimestamp) {
      done = false;
      if (!p.expectsDelete(old)) deletes.push({ do: 'delete', name: old });
    }
  });
  return { writes: [...creates, ...deletes], done };
}

/** In place: each member patched to the target revision. Done when the cache shows them all updated. */
export function inPlaceBatch(p: Pass, members: string[], t: Target, label: string): { writes: CgWrite[]; done: boolean } {
  const writes: CgWrite[] = [];
  for (const name of members) {
    const pod = p.pod(name);
    if (!pod || pod.metadata?.deletionTimestamp) continue; // gone: nothing left to update
    const l = pod.metadata?.labels ?? {};
    if (l[NG.profile] === t.name && l[NG.revision] === String(t.revision)) continue;
    writes.push({ do: 'update', pod, target: t, batchLabel: label });
  }
  return { writes, done: writes.length === 0 };
}
