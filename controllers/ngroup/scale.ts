// Pure: scale out/in to elasticProfile.desiredCount, and the Manual-mode update of named CGs, as
// container group writes added to the pass's plan.
import { recreateProperties } from '../../src/aci/profile.js';
import { NG } from '../../src/model/names.js';
import { pickScaleIn } from './placement.js';
import type { Pass, Target } from './view.js';

/** How many CGs there should be now: without maintainDesiredCount, CGs deleted directly are not replaced. */
export function wantedCount(p: Pass): number {
  const desired = p.ng.spec.elasticProfile?.desiredCount ?? 0;
  const maintain = p.ng.spec.elasticProfile?.maintainDesiredCount ?? false;
  if (!maintain && p.st.appliedDesiredCount === desired) return Math.min(desired, p.live.length + p.unseenCreates.length);
  return desired;
}

export function scale(p: Pass, t: Target | undefined): void {
  const want = wantedCount(p);
  const have = p.live.length + p.unseenCreates.length;
  if (have < want && t) {
    const slots = p.placeNew(want - have);
    p.logs.push({ fields: { ngroup: `${p.ns}/${p.name}`, create: slots.length }, msg: `Scaling out NGroup ${p.name} by ${slots.length}` });
    p.plan(slots.map((slot) => ({ do: 'create', target: t, slot, name: p.newName() })));
  } else if (have > want) {
    const names = pickScaleIn(
      p.live.map((x) => ({
        ...p.slotOf(x),
        name: x.metadata!.name!,
        healthy: p.ready(x),
        updated: x.metadata?.labels?.[NG.revision] === String(t?.revision),
      })),
      have - want,
    );
    p.logs.push({ fields: { ngroup: `${p.ns}/${p.name}`, remove: names }, msg: `Scaling in NGroup ${p.name} by ${names.length}` });
    p.plan(names.map((name) => ({ do: 'delete', name })));
  }
  if (t || want === 0) p.st.appliedDesiredCount = p.ng.spec.elasticProfile?.desiredCount ?? 0;
}

/**
 * Manual mode: the annotation aksim.io/update-container-groups ("name1,name2" or "*") updates
 * those CGs in place to the applied profile revision, once per (request, revision). A change
 * a running CG cannot take in place is refused for that CG, naming the properties.
 */
export function manualUpdate(p: Pass, t: Target | undefined): void {
  const req = p.ng.metadata.annotations?.[NG.manualUpdate]?.trim();
  if (!req || !t) return;
  if (p.st.manualUpdate?.request === req && p.st.manualUpdate.revision === t.revision) return;
  const names = req === '*' ? p.live.map((x) => x.metadata!.name!) : req.split(/[\s,]+/).filter(Boolean);
  const updated: string[] = [];
  const errors: string[] = [];
  for (const name of names) {
    const pod = p.pod(name);
    if (!pod || pod.metadata?.deletionTimestamp) {
      errors.push(`${name}: no such container group`);
      continue;
    }
    const l = pod.metadata?.labels ?? {};
    if (l[NG.profile] === t.name && l[NG.revision] === String(t.revision)) {
      updated.push(name);
      continue;
    }
    const from = p.lookup({ name: l[NG.profile] ?? '', namespace: t.namespace, revision: Number(l[NG.revision]) });
    const props = from ? recreateProperties(from.spec, t.spec) : [];
    if (props.length > 0) {
      errors.push(`${name}: changing ${props.join(', ')} needs the container group deleted and recreated`);
      continue;
    }
    p.plan([{ do: 'update', pod, target: t }]);
    updated.push(name);
  }
  p.st.manualUpdate = { request: req, revision: t.revision, updated };
  if (errors.length > 0) {
    p.st.manualUpdate.error = errors.join('; ');
    p.emit('Warning', 'ContainerGroupUpdateRefused', `Manual update to ${t.name} revision ${t.revision}: ${errors.join('; ')}`);
  }
  if (updated.length > 0)
    p.emit('Normal', 'ContainerGroupsUpdated', `Updated ${updated.length} container groups in place to ${t.name} revision ${t.revision}`);
}
