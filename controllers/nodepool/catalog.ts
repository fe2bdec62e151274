// The node image catalog as the nodepool controller sees it now, from the catalog ConfigMap's
// cache: parsed once per version of the ConfigMap. A malformed ConfigMap is logged and the last
// good one (else the built-in default) is used. Loading a catalog also refreshes the Kubernetes
// patch versions resolveVersion() offers (additions only).
import {
  CATALOG_CONFIGMAP,
  DEFAULT_CATALOG,
  latestPatches,
  nextReleaseAt,
  parseCatalog,
  realTimeOf,
  simulatedNow,
  type CatalogData,
} from '../../src/azure/images.js';
import { SUPPORTED_PATCHES } from '../../src/azure/versions.js';
import { latestNodeImage } from '../../src/model/node-images.js';
import { objectKey } from '../../src/model/names.js';
import type { Ctx } from '../context.js';

export interface ImageFacts {
  latest: string;
  /** Real ms until the next image of this kind ships (undefined: none is scheduled). */
  nextReleaseInMs?: number;
}

export class CatalogReader {
  /** Real ms the built-in catalog's epoch refers to when there is no ConfigMap: operator start. */
  private readonly startedAt: number;
  private parsed: { rv: string; data: CatalogData; realEpochMs: number } | undefined;

  constructor(private readonly ctx: Ctx) {
    this.startedAt = ctx.clock.now();
  }

  /** The newest image of an OS SKU now, and when the next one ships. */
  facts(osSku: string, fips: boolean): ImageFacts {
    const { data, realEpochMs } = this.load();
    const now = this.ctx.clock.now();
    const scale = this.ctx.clock.timeScale;
    const simNow = simulatedNow(data, now, realEpochMs, scale);
    const next = nextReleaseAt(data, osSku, fips, simNow);
    const facts: ImageFacts = { latest: latestNodeImage(data, osSku, fips, simNow) };
    if (next !== undefined) facts.nextReleaseInMs = Math.max(1000, Math.ceil(realTimeOf(data, next, realEpochMs, scale) - now) + 50);
    return facts;
  }

  private load(): { data: CatalogData; realEpochMs: number } {
    const { ctx } = this;
    const cm = ctx.catalogMaps.get(objectKey(ctx.settings.systemNamespace, CATALOG_CONFIGMAP));
    const rv = cm ? `${cm.metadata?.resourceVersion}` : 'default';
    if (this.parsed?.rv !== rv) {
      try {
        const data = cm ? parseCatalog(cm.data) : DEFAULT_CATALOG;
        const created = cm?.metadata?.creationTimestamp ? new Date(cm.metadata.creationTimestamp).getTime() : this.startedAt;
        this.parsed = { rv, data, realEpochMs: created };
        Object.assign(SUPPORTED_PATCHES, latestPatches(data));
      } catch (err: unknown) {
        ctx.log.warn({ err, configMap: CATALOG_CONFIGMAP }, 'Ignoring a malformed node image catalog');
        this.parsed = { ...(this.parsed ?? { data: DEFAULT_CATALOG, realEpochMs: this.startedAt }), rv };
      }
    }
    return this.parsed!;
  }
}
