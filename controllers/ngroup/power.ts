// Pure: stop, start and restart of an NGroup (POST .../stop|start|restart). Stop deletes every CG
// (compute deallocated) but keeps desiredCount; start makes the stopped CGs again with their names
// and slots; restart deletes each CG and makes it again with its name (images resolved anew). The
// CGs concerned are recorded in status first and acted on only by a later pass, so a restarted
// operator or a lost status write never forgets one.
import type { NGroupStatus } from '../../src/api/generated.js';
import { isPodStarted } from './pod.js';
import type { Pass, Target } from './view.js';

export type CgSlot = NonNullable<NGroupStatus['stoppedContainerGroups']>[number];

/** The spec asks for the NGroup stopped. */
export const wantsStopped = (p: Pass): boolean => p.ng.spec.powerState === 'Stopped';

function slotEntry(p: Pass, name: string): CgSlot {
  const pod = p.pod(name)!;
  const s = p.slotOf(pod);
  return { name, uid: pod.metadata?.uid, zone: s.zone, faultDomain: s.faultDomain };
}

const names = (xs: CgSlot[] | undefined): Set<string> => new Set((xs ?? []).map((x) => x.name));

/**
 * Plans this pass's stop, start or restart work. Returns true while it has CGs in flight (the
 * pass then neither steps a rolling update nor scales nor updates CGs in place).
 */
export function stepPower(p: Pass, t: Target | undefined): boolean {
  return wantsStopped(p) ? stop(p) : start(p, t) || restart(p, t);
}

/** Records every live CG (and any a restart had deleted) as stopped, then deletes the recorded ones. */
function stop(p: Pass): boolean {
  const recorded = names(p.v.ng.status?.stoppedContainerGroups);
  const parked = [...(p.st.stoppedContainerGroups ?? [])];
  const known = names(parked);
  const add = (e: CgSlot): void => {
    if (known.has(e.name)) return;
    known.add(e.name);
    parked.push({ name: e.name, zone: e.zone, faultDomain: e.faultDomain });
  };
  // A restart cut short: its CGs deleted and not made again yet are stopped too.
  for (const e of p.st.restart?.pending ?? []) if (!p.pod(e.name)) add(e);
  if (p.st.restart?.pending?.length) p.st.restart.pending = [];
  for (const pod of p.live) add(slotEntry(p, pod.metadata!.name!));
  if (p.st.powerState !== 'Stopping' && p.st.powerState !== 'Stopped')
    p.emit(
      'Normal',
      'Stopping',
      `Stopping NGroup ${p.name}: deleting ${p.live.length} container groups (desiredCount ${p.ng.spec.elasticProfile?.desiredCount ?? 0} kept)`,
    );
  p.st.stoppedContainerGroups = parked;
  p.plan(
    p.live
      .filter((x) => recorded.has(x.metadata!.name!) && !p.expectsDelete(x.metadata!.name!))
      .map((x) => ({ do: 'delete', name: x.metadata!.name! })),
  );
  // Creates sent before the stop that the cache does not show yet: recorded once they appear.
  const gone = p.v.pods.length === 0 && p.unseenCreates.length === 0;
  const next = gone ? 'Stopped' : 'Stopping';
  if (next === 'Stopped' && p.st.powerState !== 'Stopped')
    p.emit('Normal', 'Stopped', `NGroup ${p.name} stopped: ${parked.length} container groups deallocated`);
  p.st.powerState = next;
  return true;
}

/** Makes the stopped CGs again (same name and slot); each leaves the list once it runs. */
function start(p: Pass, t: Target | undefined): boolean {
  const parked = p.st.stoppedContainerGroups ?? [];
  if (parked.length === 0) {
    p.st.powerState = 'Running';
    return false;
  }
  if (p.st.powerState !== 'Starting')
    p.emit('Normal', 'Starting', `Starting NGroup ${p.name}: making ${parked.length} container groups again`);
  p.st.powerState = 'Starting';
  const left = remake(p, parked, t, () => false);
  if (left.length === 0) {
    delete p.st.stoppedContainerGroups;
    p.st.powerState = 'Running';
    p.emit('Normal', 'Started', `NGroup ${p.name} started: ${parked.length} container groups running`);
    return false;
  }
  p.st.stoppedContainerGroups = left;
  return true;
}

/** A new spec.restartRequests: record every live CG, then delete and make each again with its name. */
function restart(p: Pass, t: Target | undefined): boolean {
  const want = p.ng.spec.restartRequests ?? 0;
  const rs = p.st.restart;
  if (want > (rs?.request ?? 0)) {
    const pending = p.live.map((x) => slotEntry(p, x.metadata!.name!));
    // An earlier restart's CGs deleted and not made again yet stay in the list.
    for (const e of rs?.pending ?? []) if (!p.pod(e.name)) pending.push(e);
    p.st.restart = { request: want, pending };
    p.emit('Normal', 'Restarting', `Restarting NGroup ${p.name}: ${pending.length} container groups deleted and made again in place`);
    return pending.length > 0;
  }
  // Only what an earlier pass recorded (and the stored status shows) is acted on.
  const recorded = p.v.ng.status?.restart;
  if (!rs?.pending?.length || recorded?.request !== rs.request) return false;
  const old = (name: string): boolean => (rs.pending ?? []).some((e) => e.name === name && p.pod(name)?.metadata?.uid === e.uid);
  const left = remake(p, rs.pending, t, old);
  rs.pending = left;
  if (left.length === 0) p.emit('Normal', 'Restarted', `NGroup ${p.name} restarted: every container group made again`);
  return left.length > 0;
}

/**
 * One step for each CG to be made again: delete the old Pod (`isOld`), create it once the cache
 * shows the name free, and keep it in the list until the new one runs. Returns those left.
 */
function remake(p: Pass, list: CgSlot[], t: Target | undefined, isOld: (name: string) => boolean): CgSlot[] {
  const left: CgSlot[] = [];
  for (const e of list) {
    const pod = p.pod(e.name);
    if (pod && isOld(e.name)) {
      left.push(e);
      if (!pod.metadata?.deletionTimestamp && !p.expectsDelete(e.name)) p.plan([{ do: 'delete', name: e.name }]);
    } else if (!pod) {
      left.push(e);
      if (t && !p.expectsCreate(e.name))
        p.plan([{ do: 'create', target: t, slot: { zone: e.zone ?? '', faultDomain: e.faultDomain ?? 0 }, name: e.name }]);
    } else if (pod.metadata?.deletionTimestamp || !isPodStarted(pod)) left.push(e);
  }
  return left;
}
