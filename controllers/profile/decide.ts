// Pure: what a ContainerGroupProfile's reconcile does: it records a new revision when the
// profile's spec changed (the history NGroups and rolling updates name), and says which is current.
import type { ContainerGroupProfile } from '../../src/api/generated.js';
import { recordRevision } from '../../src/aci/profile.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';
import { withKind, type Plan } from '../shared/plan.js';

export const CONTROLLER = 'aksim.io/ngroup';

export function decideProfile(cgp: ContainerGroupProfile, id: string, nowIso: string): Plan {
  const rec = recordRevision(cgp.status, cgp.spec, nowIso);
  const revision = rec?.revision ?? cgp.status?.revision ?? 0;
  const ready = {
    type: 'Ready',
    status: 'True' as const,
    reason: 'RevisionRecorded',
    message: `revision ${revision} is current`,
    observedGeneration: cgp.metadata.generation,
  };
  const conditions = setCondition(cgp.status?.conditions as Condition[] | undefined, ready, nowIso);
  const status = { id, revision, observedGeneration: cgp.metadata.generation, conditions, ...(rec ? { revisions: rec.revisions } : {}) };
  const plan: Plan = { writes: [{ do: 'status', kind: 'ContainerGroupProfile', obj: cgp, status }], events: [] };
  if (rec) {
    const note = `Container group profile ${cgp.metadata.name} revision ${rec.revision} recorded`;
    plan.events.push({ regarding: withKind('ContainerGroupProfile', cgp), type: 'Normal', reason: 'RevisionCreated', note });
  }
  return plan;
}
