// Pure drain decisions: which pods on a node to evict, which to leave, and whether the drain is
// finished or out of time. One drain serves every feature that drains (scale-in, upgrade,
// scheduled events).
import type { V1Pod } from '@kubernetes/client-node';

export type PodVerdict =
  | { kind: 'evict'; pod: string }
  | { kind: 'skip'; pod: string; why: 'daemonset' | 'mirror' | 'finished' }
  | { kind: 'terminating'; pod: string };

export function classifyPod(p: V1Pod): PodVerdict {
  const name = `${p.metadata?.namespace}/${p.metadata?.name}`;
  if (p.metadata?.annotations?.['kubernetes.io/config.mirror']) return { kind: 'skip', pod: name, why: 'mirror' };
  if (p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.controller)) return { kind: 'skip', pod: name, why: 'daemonset' };
  if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return { kind: 'skip', pod: name, why: 'finished' };
  if (p.metadata?.deletionTimestamp) return { kind: 'terminating', pod: name };
  return { kind: 'evict', pod: name };
}

export interface DrainState {
  /** Pods still to evict (not yet terminating). */
  toEvict: string[];
  /** Pods already on their way out. */
  terminating: string[];
}

export function drainState(pods: V1Pod[]): DrainState {
  const s: DrainState = { toEvict: [], terminating: [] };
  for (const p of pods) {
    const v = classifyPod(p);
    if (v.kind === 'evict') s.toEvict.push(v.pod);
    else if (v.kind === 'terminating') s.terminating.push(v.pod);
  }
  return s;
}

export type DrainDecision =
  | { kind: 'done' }
  | { kind: 'evict'; pods: string[] }
  | { kind: 'wait'; pods: string[] }
  | { kind: 'timeout'; remaining: string[] };

/** Decides the next drain step; deadlineMs is when the drain timeout ends (real ms). */
export function decideDrain(state: DrainState, nowMs: number, deadlineMs: number): DrainDecision {
  const remaining = [...state.toEvict, ...state.terminating];
  if (remaining.length === 0) return { kind: 'done' };
  if (nowMs >= deadlineMs) return { kind: 'timeout', remaining };
  if (state.toEvict.length > 0) return { kind: 'evict', pods: state.toEvict };
  return { kind: 'wait', pods: state.terminating };
}
