// Plans: what a controller's pure decide step returns and its act step carries out. A plan is
// data: the writes in order, the events to post, log lines, and when to look again.
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject, V1Node, V1Pod } from '@kubernetes/client-node';
import type { PLURALS } from '../../src/api/generated.js';

/** aksim's custom resources by kind. */
export type Kind = keyof typeof PLURALS;
export type Obj = KubernetesObject & { status?: object };

export type Write =
  /** Status keys that differ from obj's cached status (undefined clears a key); gone objects are skipped. */
  /** fenced: only over the version this pass read (a pass on a stale cache gets a 409, writes and posts nothing, and runs again). */
  | { do: 'status'; kind: Kind; obj: Obj; status: object; fenced?: boolean }
  /**
   * JSON merge patch of the object (spec, metadata), optionally as a named field manager; with
   * busyRetryMs a 422 ("another operation is in progress") stops the plan and retries then.
   */
  | { do: 'patch'; kind: Kind; ns: string; name: string; body: object; fieldManager?: string; busyRetryMs?: number }
  /**
   * Creates an object; AlreadyExists counts as made. `status` is its first status (set when the
   * object has none); `expect` records it until the cache shows it; `ifForbidden`: a 403 does that
   * write instead and ends the plan.
   */
  | {
      do: 'create';
      kind: Kind;
      ns: string;
      body: KubernetesObject;
      status?: object;
      expect?: { owner: string; value: unknown };
      ifForbidden?: Write;
    }
  /** Server-side apply; with busyRetryMs a 422 ("another operation is in progress") stops the plan and retries then. */
  | { do: 'apply'; kind: Kind; ns: string; name: string; body: object; fieldManager: string; busyRetryMs?: number }
  /** Deletes; NotFound counts as success. */
  | { do: 'delete'; kind: Kind; ns: string; name: string }
  /** Adds or removes a finalizer (a stale cache loses with 409 instead of clobbering). */
  | { do: 'finalizer'; kind: Kind; obj: KubernetesObject; finalizer: string; present: boolean }
  | { do: 'createNode'; body: V1Node }
  | { do: 'deleteNode'; name: string }
  /** Merge patch of a Node; NotFound is skipped. */
  | { do: 'patchNode'; name: string; body: object }
  /** Strategic merge patch of a Node's status (conditions merge by type); NotFound is skipped. */
  | { do: 'patchNodeStatus'; name: string; body: object }
  /** Strategic merge patch of a Pod's status (conditions merge by type); NotFound is skipped. */
  | { do: 'patchPodStatus'; ns: string; name: string; body: object }
  /**
   * Evictions through the eviction API (PDBs honoured: 429 means blocked for now); `held` are
   * reported as blocked. `owner` and `why` name what drains, for the reports.
   */
  | { do: 'evict'; node: string; evict: V1Pod[]; held: V1Pod[]; owner?: string; why?: string }
  /** Writes at the same time (`width` at once at most). */
  | { do: 'all'; writes: Write[]; width?: number };

export interface Note {
  regarding: KubernetesObject;
  type: 'Normal' | 'Warning';
  reason: string;
  note: string;
  action?: string;
  /** Reporting controller; the reconciler's own when unset. */
  controller?: string;
}

export interface Plan {
  writes: Write[];
  events: Note[];
  logs?: { fields: object; msg: string }[];
  /** Real ms until this key is looked at again. */
  requeueAfterMs?: number;
}

/** A plan that only waits. */
export const waitPlan = (ms: number): Plan => ({ writes: [], events: [], requeueAfterMs: ms });

/** The status keys that differ from what the object shows; {} when nothing changed. */
export function statusChanges(obj: Obj, next: object): Record<string, unknown> {
  const current = (obj.status ?? {}) as Record<string, unknown>;
  const changed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) {
    if (!isDeepStrictEqual(current[k], v)) changed[k] = v === undefined ? null : v;
  }
  return changed;
}

export const hasFinalizer = (o: KubernetesObject, f: string): boolean => o.metadata?.finalizers?.includes(f) ?? false;

/** The write that puts a finalizer on (present) or takes it off. */
export const finalizerWrite = (kind: Kind, obj: KubernetesObject, finalizer: string, present: boolean): Write => ({
  do: 'finalizer',
  kind,
  obj,
  finalizer,
  present,
});

/** Deletion first, then the finalizer: how a finalized object's decision starts (undefined: go on). */
export function finalizerFirst<T>(kind: Kind, obj: KubernetesObject, finalizer: string, deleting: () => T): T | Plan | undefined {
  if (obj.metadata?.deletionTimestamp) return deleting();
  return hasFinalizer(obj, finalizer) ? undefined : addFinalizer(kind, obj, finalizer);
}

/** The plan of a reconcile whose object lacks its finalizer: adding it is all it does. */
export const addFinalizer = (kind: Kind, obj: KubernetesObject, finalizer: string): Plan => ({
  writes: [finalizerWrite(kind, obj, finalizer, true)],
  events: [],
});

/** How objects the controllers post events about name themselves. */
export const withKind = <T extends KubernetesObject>(kind: string, o: T, apiVersion = 'aksim.io/v1alpha1'): KubernetesObject => ({
  apiVersion,
  kind,
  metadata: o.metadata,
});

export const nodeRef = (name: string, node?: KubernetesObject): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: node?.metadata ?? { name },
});
