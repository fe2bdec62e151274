// Pure: the NGroup status a pass ends with: counts, provisioningState and conditions on top of
// the rolling-update and profile fields the pass already set in p.st.
import { isDeepStrictEqual } from 'node:util';
import type { NGroupStatus } from '../../src/api/generated.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';
import { NG } from '../../src/model/names.js';
import type { Pass } from './view.js';
import { wantedCount } from './scale.js';

export function ngroupStatus(p: Pass, problem: { reason: string; message: string } | undefined): NGroupStatus {
  const st = p.st;
  const gen = p.ng.metadata.generation ?? 0;
  const live = p.live;
  const healthy = live.filter((x) => p.ready(x)).length;
  const stopped = p.ng.spec.powerState === 'Stopped';
  const want = stopped ? 0 : wantedCount(p);
  // Start and restart are done when every CG they make again runs (their LROs wait for that).
  const powerBusy = (!stopped && (st.stoppedContainerGroups?.length ?? 0) > 0) || (st.restart?.pending?.length ?? 0) > 0;
  const ru = st.latestRollingUpdate;
  const onProfile = (l: Record<string, string>): boolean =>
    l[NG.profile] === st.profile?.name && l[NG.revision] === String(st.profile?.revision);
  const settled = !powerBusy && live.length === want && p.v.pods.length === live.length && p.unseenCreates.length === 0;
  let state: string;
  const ruForProfile = ru && ru.profile?.revision === st.profile?.revision && ru.profile?.id === st.profile?.id;
  if (problem) state = 'Failed';
  else if (ru?.state === 'InProgress') state = 'Updating';
  else if (!settled) state = !st.provisioningState || st.provisioningState === 'Creating' ? 'Creating' : 'Updating';
  else if (ruForProfile && ru.state === 'Failed') state = 'Failed';
  else if (ruForProfile && (ru.state === 'Canceled' || ru.state === 'Cancelled')) state = 'Canceled';
  else state = 'Succeeded';
  const working = state === 'Creating' || state === 'Updating';
  let conditions = st.conditions as Condition[] | undefined;
  const readyMsg =
    (stopped ? `stopped (desiredCount ${p.ng.spec.elasticProfile?.desiredCount ?? 0} kept), ` : '') +
    `${healthy}/${want} container groups healthy` +
    (ru?.state === 'InProgress' ? `, rolling update ${ru.id} at batch ${(ru.batchesCompleted ?? 0) + 1}/${ru.totalBatches ?? '?'}` : '');
  conditions = setCondition(
    conditions,
    {
      type: 'Ready',
      status: state === 'Succeeded' ? 'True' : 'False',
      reason: problem?.reason ?? (state === 'Failed' && ru?.error?.code ? ru.error.code : state),
      message: problem?.message ?? (state === 'Failed' && ru?.error?.message ? ru.error.message : readyMsg),
      observedGeneration: gen,
    },
    p.nowIso,
  );
  conditions = setCondition(
    conditions,
    {
      type: 'Reconciling',
      status: working ? 'True' : 'False',
      reason: working ? state : 'Idle',
      message: working ? readyMsg : 'nothing in progress',
      observedGeneration: gen,
    },
    p.nowIso,
  );
  conditions = setCondition(
    conditions,
    {
      type: 'Stalled',
      status: state === 'Failed' ? 'True' : 'False',
      reason: state === 'Failed' ? (problem?.reason ?? ru?.error?.code ?? 'Failed') : 'Progressing',
      message: state === 'Failed' ? (problem?.message ?? ru?.error?.message ?? '') : 'not stalled',
      observedGeneration: gen,
    },
    p.nowIso,
  );
  return {
    ...st,
    id: p.id,
    provisioningState: state,
    observedGeneration: gen,
    containerGroupCount: live.length,
    healthyCount: healthy,
    unhealthyCount: live.length - healthy,
    updatedCount: live.filter((x) => onProfile(x.metadata?.labels ?? {})).length,
    conditions,
  };
}

const COUNTS = new Set(['containerGroupCount', 'healthyCount', 'unhealthyCount', 'updatedCount', 'latestRollingUpdate', 'conditions']);
const RU_COUNTS = new Set(['succeededCount', 'failedCount', 'pendingCount']);
const MESSAGE = new Set(['message']);

/** Equal apart from the keys in skip (compared one level deep). */
function sameBut(a: object | undefined, b: object | undefined, skip: Set<string>): boolean {
  if (!a || !b) return a === b;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) if (!skip.has(k) && !isDeepStrictEqual(x[k], y[k])) return false;
  return true;
}

/**
 * True when `next` differs from `prev` in CG counts only (and the condition messages that quote
 * them): such roll-ups may wait (reconcile.ts writes them at most once a second); any other change
 * (a batch, a phase, a state, a reason) is written at once.
 */
export function countsOnly(prev: NGroupStatus | undefined, next: NGroupStatus): boolean {
  if (!prev || !sameBut(prev, next, COUNTS) || !sameBut(prev.latestRollingUpdate, next.latestRollingUpdate, RU_COUNTS)) return false;
  const a = (prev.conditions ?? []) as Condition[];
  const b = (next.conditions ?? []) as Condition[];
  return a.length === b.length && a.every((c, i) => sameBut(c, b[i], MESSAGE));
}
