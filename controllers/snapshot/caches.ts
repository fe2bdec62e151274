// Caches for node pool snapshots and the node image catalog, shared by the snapshot and nodepool
// controllers. The snapshot controller's caches() makes and returns them (so the operator starts
// them once); the nodepool controller reads them through snapshotCaches(ctx).
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import type { NodePoolSnapshot } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { CATALOG_CONFIGMAP, DEFAULT_CATALOG, latestPatches, parseCatalog, realTimeOf, simulatedNow, type CatalogData } from '../../src/azure/images.js';
import { SUPPORTED_PATCHES } from '../../src/azure/versions.js';
import { Informer } from '../../src/runtime/informer.js';
import type { Ctx } from '../context.js';

export interface SnapshotCaches {
  snapshots: Informer<NodePoolSnapshot>;
  /** The catalog ConfigMap aksim-node-images in the system namespace. */
  catalogMaps: Informer<V1ConfigMap>;
  /** Real ms the built-in catalog's epoch refers to when there is no ConfigMap: operator start. */
  startedAt: number;
  parsed?: { rv: string; data: CatalogData; realEpochMs: number };
}

const byCtx = new WeakMap<Ctx, SnapshotCaches>();

export function snapshotCaches(ctx: Ctx): SnapshotCaches {
  let c = byCtx.get(ctx);
  if (!c) {
    const snapshots = new Informer<NodePoolSnapshot>({ kube: ctx.kube, path: `/apis/${GROUP}/${VERSION}/nodepoolsnapshots`, log: ctx.log });
    // By name (field selector), so RBAC can grant list/watch on that one ConfigMap only.
    const catalogMaps = new Informer<V1ConfigMap>({ kube: ctx.kube, path: `/api/v1/namespaces/${ctx.settings.systemNamespace}/configmaps?fieldSelector=metadata.name%3D${CATALOG_CONFIGMAP}`, log: ctx.log });
    c = { snapshots, catalogMaps, startedAt: ctx.clock.now() };
    byCtx.set(ctx, c);
  }
  return c;
}

export function informersOf(c: SnapshotCaches): Informer<KubernetesObject>[] {
  return [c.snapshots, c.catalogMaps] as unknown as Informer<KubernetesObject>[];
}

export interface CatalogView {
  data: CatalogData;
  /** Simulated now (ms) on the catalog's calendar. */
  simNow: number;
  /** Real ms at which the simulated calendar reaches simMs. */
  realAt(simMs: number): number;
}

/**
 * The node image catalog as the operator sees it now. A malformed ConfigMap is logged and the
 * last good one (else the built-in default) is used. Loading a catalog also refreshes the
 * Kubernetes patch versions resolveVersion() offers (additions only).
 */
export function catalogView(ctx: Ctx): CatalogView {
  const c = snapshotCaches(ctx);
  const cm = c.catalogMaps.get(`${ctx.settings.systemNamespace}/${CATALOG_CONFIGMAP}`);
  const rv = cm ? `${cm.metadata?.resourceVersion}` : 'default';
  if (c.parsed?.rv !== rv) {
    try {
      const data = cm ? parseCatalog(cm.data) : DEFAULT_CATALOG;
      const created = cm?.metadata?.creationTimestamp ? new Date(cm.metadata.creationTimestamp).getTime() : c.startedAt;
      c.parsed = { rv, data, realEpochMs: created };
      Object.assign(SUPPORTED_PATCHES, latestPatches(data));
    } catch (err: unknown) {
      ctx.log.warn({ err, configMap: CATALOG_CONFIGMAP }, 'Ignoring a malformed node image catalog');
      c.parsed ??= { rv, data: DEFAULT_CATALOG, realEpochMs: c.startedAt };
      c.parsed.rv = rv;
    }
  }
  const { data, realEpochMs } = c.parsed;
  const scale = ctx.clock.timeScale;
  return { data, simNow: simulatedNow(data, ctx.clock.now(), realEpochMs, scale), realAt: (simMs) => realTimeOf(data, simMs, realEpochMs, scale) };
}
