// The node image a pool should run, from the node image catalog (src/azure/images.ts; data in
// the ConfigMap aksim-system/aksim-node-images).
import { DEFAULT_CATALOG, latestImage, type CatalogData } from '../azure/images.js';

/** The newest image of an OS SKU at simulated time simMs; falls back to the built-in catalog, then to Ubuntu's. */
export function latestNodeImage(catalog: CatalogData, osSku: string, fips: boolean, simMs: number): string {
  return (
    latestImage(catalog, osSku, fips, simMs) ??
    latestImage(catalog, osSku, false, simMs) ??
    latestImage(DEFAULT_CATALOG, osSku, false, Date.parse(DEFAULT_CATALOG.simulatedEpoch)) ??
    latestImage(DEFAULT_CATALOG, 'Ubuntu', false, Date.parse(DEFAULT_CATALOG.simulatedEpoch))!
  );
}
