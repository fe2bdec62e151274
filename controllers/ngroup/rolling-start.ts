// Pure: how an NGroup's rolling update starts: its settings (ACI defaults), a profile change
// that starts one (Rolling mode), is just recorded (Manual mode) or is refused (in place, for a
// change that needs the CGs recreated), and a cancel request. rolling.ts steps a running update.
import type { NGroup } from '../../src/api/generated.js';
import { recreateProperties } from '../../src/aci/profile.js';
import { NG } from '../../src/model/names.js';
import { durationMs } from '../../src/runtime/duration.js';
import type { Pass, Target } from './view.js';

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
  p.emit(
    'Normal',
    'RollingUpdateCanceled',
    `Rolling update ${ru.id} canceled after ${ru.batchesCompleted ?? 0} of ${ru.totalBatches ?? '?'} batches; it cannot be resumed`,
  );
}

export interface Refusal {
  reason: string;
  message: string;
}

/**
 * The spec names a profile revision other than the one applied: in Manual mode (or with no CGs,
 * or stopped) just record it; in Rolling mode start an update, unless in place is asked for a change that
 * needs the CGs recreated: then refuse and change nothing.
 */
export function handleTargetChange(p: Pass, t: Target, stopped = false): Refusal | undefined {
  const prev = p.st.profile;
  if (prev && prev.name === t.name && prev.namespace === t.namespace && prev.revision === t.revision) return undefined;
  const ref = { name: t.name, namespace: t.namespace, id: t.id, revision: t.revision };
  const mode = p.ng.spec.updateProfile?.updateMode ?? 'Manual';
  // Stopped: nothing to update; the CGs are made on the new revision when started.
  if (!prev || mode !== 'Rolling' || p.live.length === 0 || stopped) {
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
  p.emit(
    'Normal',
    'RollingUpdateStarted',
    `Rolling update ${id} (${rs.inPlace ? 'in place' : 'replace'}) to ${t.name} revision ${t.revision} started for ${p.live.length} container groups`,
  );
  return undefined;
}
