// The rolling update of an NGroup as a state machine kept in status.latestRollingUpdate:
// a batch is first recorded (members, replacement names) and only acted on by a later reconcile,
// so a restarted operator resumes the recorded batch and never has two in flight.
import type { NGroup } from '../../src/api/generated.js';
import { parseAciId } from '../../src/aci/ids.js';
import { recreateProperties } from '../../src/aci/profile.js';
import { durationMs } from '../../src/runtime/duration.js';
import { overPercent, planBatches } from './batches.js';
import { NG } from './pod.js';
import { runAll, settleAll, type Pass, type Ru, type Target } from './pass.js';

export interface RollingSettings {
  maxBatchPercent: number;
  maxUnhealthyPercent: number;
  maxUnhealthyUpdatedPercent: number;
  /** Simulated ms. */
  pauseMs: number;
  inPlace: boolean;
}

/** rollingUpdateProfile with the ACI defaults (20/20/20, PT1M, replace). */
export function rollingSettings(ng: NGroup): RollingSettings {
  const r = ng.spec.updateProfile?.rollingUpdateProfile ?? {};
  let pauseMs = 60_000;
  try {
    pauseMs = durationMs(r.pauseTimeBetweenBatches ?? 'PT1M');
  } catch {
    // the CRD pattern admits only ISO 8601 durations; keep the default for anything it let through
  }
  return {
    maxBatchPercent: r.maxBatchPercent ?? 20,
    maxUnhealthyPercent: r.maxUnhealthyPercent ?? 20,
    maxUnhealthyUpdatedPercent: r.maxUnhealthyUpdatedPercent ?? 20,
    pauseMs,
    inPlace: r.inPlaceUpdate === true,
  };
}

/** Acts on a new aksim.io/cancel-rolling-update annotation value: a running update stops for good. */
export function handleCancel(p: Pass): void {
  const req = p.ng.metadata.annotations?.[NG.cancel];
  if (!req || req === p.st.cancelRequestHandled) return;
  p.st.cancelRequestHandled = req;
  const ru = p.st.latestRollingUpdate;
  if (ru?.state !== 'InProgress') return;
  ru.state = 'Canceled';
  ru.lastAction = 'Cancel';
  ru.lastActionTime = p.nowIso;
  ru.endTime = p.nowIso;
  delete ru.currentBatch;
  p.emit('Normal', 'RollingUpdateCanceled', `Rolling update ${ru.id} canceled after ${ru.batchesCompleted ?? 0} of ${ru.totalBatches ?? '?'} batches; it cannot be resumed`);
}

export interface Refusal {
  reason: string;
  message: string;
}

/**
 * The spec names a profile revision other than the one applied: in Manual mode (or with no CGs)
 * just record it; in Rolling mode start an update, unless in place is asked for a change that
 * needs the CGs recreated: then refuse and change nothing.
 */
export function handleTargetChange(p: Pass, t: Target): Refusal | undefined {
  const prev = p.st.profile;
  if (prev && prev.name === t.name && prev.namespace === t.namespace && prev.revision === t.revision) return undefined;
  const ref = { name: t.name, namespace: t.namespace, id: t.id, revision: t.revision };
  const mode = p.ng.spec.updateProfile?.updateMode ?? 'Manual';
  if (!prev || mode !== 'Rolling' || p.live.length === 0) {
    p.st.profile = ref;
    return undefined;
  }
  const rs = rollingSettings(p.ng);
  if (rs.inPlace) {
    const from = p.lookup({ name: prev.name!, namespace: prev.namespace!, revision: prev.revision });
    const props = from ? recreateProperties(from.spec, t.spec) : [];
    if (props.length > 0) {
      return {
        reason: 'InPlaceUpdateNotAllowed',
        message: `In-place rolling update to ${t.name} revision ${t.revision} refused: changing ${props.join(', ')} needs the container groups deleted and recreated. Nothing was changed; use a replace update (inPlaceUpdate false) or change only image, command or environment variables.`,
      };
    }
  }
  p.st.profile = ref;
  const id = (p.st.latestRollingUpdate?.id ?? 0) + 1;
  p.st.latestRollingUpdate = {
    id,
    profile: { id: t.id, revision: t.revision },
    inPlace: rs.inPlace,
    state: 'InProgress',
    progress: '0/?',
    batchesCompleted: 0,
    succeededCount: 0,
    failedCount: 0,
    pendingCount: p.live.length,
    startTime: p.nowIso,
    lastAction: 'Start',
    lastActionTime: p.nowIso,
  };
  p.emit('Normal', 'RollingUpdateStarted', `Rolling update ${id} (${rs.inPlace ? 'in place' : 'replace'}) to ${t.name} revision ${t.revision} started for ${p.live.length} container groups`);
  return undefined;
}

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
export async function stepRollingUpdate(p: Pass): Promise<void> {
  const ru = p.st.latestRollingUpdate;
  if (ru?.state !== 'InProgress') return;
  const t = ruTarget(p, ru);
  if (!t) return fail(p, ru, 'ContainerGroupProfileNotFound', `container group profile ${ru.profile?.id} revision ${ru.profile?.revision} no longer exists`);
  const rs = rollingSettings(p.ng);
  const b = ru.currentBatch;
  const label = `${ru.id}.${b?.index ?? 0}`;
  if (b?.phase === 'Updating') {
    const done = ru.inPlace ? await inPlaceBatch(p, b.members ?? [], t, label) : await replaceBatch(p, b.members ?? [], b.replacements ?? [], t, label);
    if (!done) return counts(p, ru, t);
    b.phase = 'Pausing';
    const pauseReal = p.ctx.clock.toReal(rs.pauseMs);
    b.pauseUntil = new Date(p.nowMs + pauseReal).toISOString();
    if (pauseReal > 0) {
      p.requeue(pauseReal);
      return counts(p, ru, t);
    }
    // No pause: the batch is judged now, from the same view of the CGs that found it done.
  }
  if (b?.phase === 'Pausing') {
    const until = Date.parse(b.pauseUntil ?? '') || 0;
    if (p.nowMs < until) {
      p.requeue(until - p.nowMs);
      return counts(p, ru, t);
    }
    const updatedPods = p.live.filter((x) => x.metadata?.labels?.[NG.profile] === t.name && x.metadata.labels[NG.revision] === String(t.revision));
    if (updatedPods.some((x) => p.settling(x))) return p.requeue(500);
    const updated = p.cgInfos(t).filter((c) => c.updated);
    const bad = updated.filter((c) => !c.healthy).length;
    if (overPercent(bad, updated.length, rs.maxUnhealthyUpdatedPercent)) {
      counts(p, ru, t);
      return fail(p, ru, 'MaxUnhealthyUpdatedPercentExceeded', `Rolling update ${ru.id} failed after batch ${b.index! + 1}: ${bad} of ${updated.length} updated container groups are unhealthy, more than maxUnhealthyUpdatedPercent ${rs.maxUnhealthyUpdatedPercent}%`);
    }
    ru.batchesCompleted = (ru.batchesCompleted ?? 0) + 1;
    delete ru.currentBatch;
    p.emit('Normal', 'RollingUpdateBatchCompleted', `Rolling update ${ru.id}: batch ${b.index! + 1} of ${ru.totalBatches} completed`);
  }
  // Start the next batch (recorded now, acted on by the next reconcile).
  if (p.live.some((x) => p.settling(x))) return p.requeue(500);
  const cgs = p.cgInfos(t);
  const plan = planBatches(cgs, rs.maxBatchPercent, (ru.batchesCompleted ?? 0) === 0);
  if (plan.length === 0) {
    ru.state = 'Succeeded';
    ru.endTime = p.nowIso;
    ru.totalBatches = ru.batchesCompleted ?? 0;
    counts(p, ru, t);
    p.emit('Normal', 'RollingUpdateSucceeded', `Rolling update ${ru.id} to ${t.name} revision ${t.revision} completed in ${ru.totalBatches} batches`);
    return;
  }
  const sick = cgs.filter((c) => !c.healthy).length;
  if (overPercent(sick, cgs.length, rs.maxUnhealthyPercent)) {
    counts(p, ru, t);
    return fail(p, ru, 'MaxUnhealthyPercentExceeded', `Rolling update ${ru.id} failed before batch ${(ru.batchesCompleted ?? 0) + 1}: ${sick} of ${cgs.length} container groups are unhealthy, more than maxUnhealthyPercent ${rs.maxUnhealthyPercent}%`);
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
  p.emit('Normal', 'RollingUpdateBatchStarted', `Rolling update ${ru.id}: batch ${index + 1} of ${ru.totalBatches} (${next.members.length} container groups, ${next.pair === '*' ? 'the unhealthy ones' : `zone/fault domain ${next.pair}`})`);
}

/** Replace: one new CG per member (same slot) and the member deleted. Done when all new ones run and the old ones are going. */
async function replaceBatch(p: Pass, members: string[], replacements: string[], t: Target, label: string): Promise<boolean> {
  let done = true;
  const creates: (() => Promise<unknown>)[] = [];
  const deletes: (() => Promise<unknown>)[] = [];
  members.forEach((old, i) => {
    const fresh = replacements[i];
    if (!fresh) return;
    const oldPod = p.pod(old);
    const newPod = p.pod(fresh);
    if (!newPod) {
      done = false;
      // Sent by an earlier reconcile and not in the cache yet: wait for it rather than send it again.
      const slot = p.expectsCreate(fresh) ? undefined : oldPod ? p.slotOf(oldPod) : p.placeNew(1)[0];
      if (slot) creates.push(() => p.createCg(t, slot, fresh, { batchLabel: label, replaces: old }));
    } else if (newPod.status?.phase !== 'Running') {
      done = false;
    }
    if (oldPod && !oldPod.metadata?.deletionTimestamp) {
      done = false;
      if (!p.expectsDelete(old)) deletes.push(() => p.deleteCg(old));
    }
  });
  // The new CGs first: the batch is done when they run, and they start while the deletes are sent.
  await runAll([...creates, ...deletes]);
  return done;
}

/** In place: each member patched to the target revision. Done when the cache shows them all updated. */
async function inPlaceBatch(p: Pass, members: string[], t: Target, label: string): Promise<boolean> {
  let done = true;
  await settleAll(
    members.map(async (name) => {
      const pod = p.pod(name);
      if (!pod || pod.metadata?.deletionTimestamp) return; // gone: nothing left to update
      const l = pod.metadata?.labels ?? {};
      if (l[NG.profile] === t.name && l[NG.revision] === String(t.revision)) return;
      done = false;
      await p.updateInPlace(pod, t, label);
    }),
  );
  return done;
}
