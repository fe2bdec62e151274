// Kubernetes-style status conditions (metav1.Condition semantics), as pure functions over immutable arrays.

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Builds with a fixed field order and no undefined-valued keys, so equal conditions serialise identically. */
function make(c: Omit<Condition, 'lastTransitionTime'>, lastTransitionTime: string): Condition {
  const out: Condition = { type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime };
  if (c.observedGeneration !== undefined) out.observedGeneration = c.observedGeneration;
  return out;
}

/**
 * Returns a new array with c set. lastTransitionTime moves only when the status changes, because
 * clients use it to tell how long a condition has held. An existing type keeps its position;
 * a new type is appended. Input objects are never mutated (they may come from an informer cache).
 */
export function setCondition(list: Condition[] | undefined, c: Omit<Condition, 'lastTransitionTime'>, nowIso: string): Condition[] {
  const out = list ? [...list] : [];
  const i = out.findIndex((x) => x.type === c.type);
  const existing = i >= 0 ? out[i] : undefined;
  if (existing === undefined) {
    out.push(make(c, nowIso));
    return out;
  }
  out[i] = make(c, existing.status === c.status ? existing.lastTransitionTime : nowIso);
  return out;
}

export function getCondition(list: Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((x) => x.type === type);
}

export function isTrue(list: Condition[] | undefined, type: string): boolean {
  return getCondition(list, type)?.status === 'True';
}

/** Returns a new array without any condition of that type. */
export function removeCondition(list: Condition[] | undefined, type: string): Condition[] {
  return (list ?? []).filter((x) => x.type !== type);
}

/**
 * Order-sensitive deep equality over the Condition fields, used to skip no-op status writes.
 * A missing list equals an empty one and an absent observedGeneration equals an undefined one:
 * both mean the same to every reader, and writing just to change the spelling is wasted load.
 */
export function conditionsEqual(a?: Condition[], b?: Condition[]): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (
      p.type !== q.type ||
      p.status !== q.status ||
      p.reason !== q.reason ||
      p.message !== q.message ||
      p.lastTransitionTime !== q.lastTransitionTime ||
      p.observedGeneration !== q.observedGeneration
    ) {
      return false;
    }
  }
  return true;
}
