// Small write helpers shared by the reconcilers: finalizers and change-only status writes.
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Kind, Kube } from '../../src/runtime/client.js';
import { isNotFound } from '../../src/runtime/client.js';

type Obj = KubernetesObject & { status?: object };

export function hasFinalizer(o: KubernetesObject, f: string): boolean {
  return o.metadata?.finalizers?.includes(f) ?? false;
}

/** Adds a finalizer; the resourceVersion makes a stale cache lose with 409 instead of clobbering. */
export async function addFinalizer(kube: Kube, kind: Kind, o: KubernetesObject, f: string): Promise<void> {
  const md = o.metadata!;
  await kube.patch(kind, md.namespace!, md.name!, {
    metadata: { resourceVersion: md.resourceVersion, finalizers: [...(md.finalizers ?? []), f] },
  });
}

export async function removeFinalizer(kube: Kube, kind: Kind, o: KubernetesObject, f: string): Promise<void> {
  const md = o.metadata!;
  if (!hasFinalizer(o, f)) return;
  try {
    await kube.patch(kind, md.namespace!, md.name!, {
      metadata: { resourceVersion: md.resourceVersion, finalizers: (md.finalizers ?? []).filter((x) => x !== f) },
    });
  } catch (err: unknown) {
    if (!isNotFound(err)) throw err;
  }
}

/** Writes status only when it differs from what the cache holds: no writes when nothing changed. */
export async function writeStatus<S extends object>(kube: Kube, kind: Kind, o: Obj, next: S): Promise<boolean> {
  const current = (o.status ?? {}) as Record<string, unknown>;
  const changed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) {
    if (!isDeepStrictEqual(current[k], v)) changed[k] = v === undefined ? null : v;
  }
  if (Object.keys(changed).length === 0) return false;
  try {
    await kube.patchStatus(kind, o.metadata!.namespace!, o.metadata!.name!, changed);
  } catch (err: unknown) {
    if (isNotFound(err)) return false;
    throw err;
  }
  return true;
}
