// Kubernetes versions the simulated AKS offers, and the version rules for agent pools.
import semver from 'semver';

/** Latest patch of each supported minor (data users may extend with the image catalog later). */
export const SUPPORTED_PATCHES: Record<string, string> = {
  '1.30': '1.30.14',
  '1.31': '1.31.13',
  '1.32': '1.32.9',
  '1.33': '1.33.5',
  '1.34': '1.34.4',
  '1.35': '1.35.1',
};

/** '1.34' -> '1.34.4' (latest patch); a full version is kept. Undefined when the minor is unknown. */
export function resolveVersion(v: string): string | undefined {
  const parts = v.split('.');
  const minor = `${parts[0]}.${parts[1]}`;
  if (!SUPPORTED_PATCHES[minor]) return undefined;
  return parts.length >= 3 ? v : SUPPORTED_PATCHES[minor];
}

export function minorOf(v: string): number {
  return semver.coerce(v)?.minor ?? 0;
}

/**
 * AKS rule: a pool's version is at most the control plane's and at most 2 minors behind it.
 * Returns an error message, or undefined when allowed.
 */
export function checkPoolVersion(pool: string, controlPlane: string): string | undefined {
  const p = semver.coerce(pool);
  const c = semver.coerce(controlPlane);
  if (!p || !c) return `version ${pool} is not a valid Kubernetes version`;
  if (semver.gt(p, c)) return `agent pool version ${pool} is newer than the control plane version ${controlPlane}`;
  if (p.major !== c.major || c.minor - p.minor > 2)
    return `agent pool version ${pool} is more than 2 minor versions behind the control plane version ${controlPlane}`;
  return undefined;
}

/** a < b for Kubernetes versions (major.minor.patch, missing parts as 0). */
export function versionLess(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0);
  return false;
}
