// Pure: the simulated kubelet's part in pod readiness after its Node comes back. When a Node's
// status lapses (Ready Unknown: its Lease was late, e.g. for a while after a kube-apiserver
// restart), kube-controller-manager marks every pod on it Ready=False and leaves the containers'
// own `ready` as they were. A real kubelet posts its pods' status again once it is back; kwok
// (which plays the kubelets) readies a pod only when it starts, never again. So the machine
// controller does it: once the Node is Ready again and the VM has no active fault, pods that run
// with every container ready but Ready=False get Ready=True back. It looks twice, RECHECKS_MS
// after the Node's return, since the controller manager's marking races the Node's return. The
// Node's Ready lastTransitionTime cannot tell a return (kwok posts the first one again), so the
// lapse is seen in the Node watch (Ready True -> not True) and, at start, in the controller
// manager's NodeNotReady events.
import type { V1Pod } from '@kubernetes/client-node';
import { activeFaults } from '../../src/model/faults.js';
import { NG } from '../../src/model/names.js';
import { readyOf, type MachineView } from './view.js';

/** Real ms after the Node is seen Ready again at which its pods are looked at (one list each). */
export const RECHECKS_MS = [2_000, 10_000] as const;
/**
 * A restarted operator looks at the Nodes the controller manager reported NotReady (its Node
 * events, one list at start) within this many real ms: it catches a return it was down for
 * without listing the pods of every Node.
 */
export const STARTUP_WINDOW_MS = 300_000;

/** A Node whose status lapsed (memory only): when it was seen Ready again, and the looks done since. */
export interface Lapse {
  backAt?: number;
  checks: number;
}

export interface ReadinessStep {
  /** What to remember next; undefined: forget the lapse (done, or the Node is gone). */
  lapse?: Lapse;
  /** List the pods on the Node now and ready the ones the controller manager marked. */
  look: boolean;
  requeueAfterMs?: number;
}

/** The next step for a Node whose status lapsed, or undefined when it did not. */
export function readinessStep(v: MachineView, lapse: Lapse | undefined): ReadinessStep | undefined {
  if (!lapse) return undefined;
  const { m, node, nowMs: now } = v;
  if (!node || m.metadata.deletionTimestamp) return { look: false }; // its pods go with it
  // Still away, or the VM is faulty (the pods are rightly not ready): wait for the next return.
  if (readyOf(node) !== 'True' || activeFaults(m, now).length > 0) return { lapse: { checks: 0 }, look: false };
  const backAt = lapse.backAt ?? now;
  const due = backAt + RECHECKS_MS[lapse.checks]!;
  if (now < due) return { lapse: { backAt, checks: lapse.checks }, look: false, requeueAfterMs: due - now };
  const checks = lapse.checks + 1;
  if (checks >= RECHECKS_MS.length) return { look: true };
  return { lapse: { backAt, checks }, look: true, requeueAfterMs: Math.max(0, backAt + RECHECKS_MS[checks]! - now) };
}

/** The Nodes named by the controller manager's NodeNotReady events of the last STARTUP_WINDOW_MS. */
export function lapsedAtStart(events: { name?: string; reason?: string; atMs: number }[], nowMs: number): string[] {
  const recent = events.filter((e) => e.reason === 'NodeNotReady' && e.name && nowMs - e.atMs < STARTUP_WINDOW_MS);
  return [...new Set(recent.map((e) => e.name!))];
}

/** Pods that run with every container ready, yet Ready=False: what the controller manager marked. */
export function podsToReady(pods: V1Pod[]): V1Pod[] {
  return pods.filter((p) => {
    if (p.status?.phase !== 'Running' || p.metadata?.deletionTimestamp) return false;
    if (p.metadata?.labels?.[NG.unhealthy] === 'true') return false;
    if (p.status.conditions?.find((c) => c.type === 'Ready')?.status !== 'False') return false;
    const containers = p.status.containerStatuses ?? [];
    return containers.length > 0 && containers.every((c) => c.ready);
  });
}

/** The status patch (strategic merge: conditions merge by type) a kubelet would post; only Ready was marked. */
export const readyPatch = (nowIso: string): object => ({
  status: { conditions: [{ type: 'Ready', status: 'True', reason: null, message: null, lastTransitionTime: nowIso }] },
});
