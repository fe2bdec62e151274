// The Kubernetes version rules of clusters and agent pools, as AKS refuses them: unknown
// versions, downgrades, skipped minors, and pools ahead of (or too far behind) the control plane.
// Built on the supported versions in src/azure/versions.ts.
import { checkPoolVersion, minorOf, resolveVersion, versionLess } from '../azure/versions.js';

/** Why a spec cannot be acted on: the Ready condition's reason and message (and a Warning event). */
export interface Refusal {
  reason: string;
  message: string;
}

export type VersionChoice = { version: string } | Refusal;

export const isRefusal = (x: object): x is Refusal => 'reason' in x;

/** The control plane version a cluster spec asks for, given the one it runs (undefined: new cluster). */
export function clusterVersion(requested: string | undefined, current: string | undefined): VersionChoice {
  const want = resolveVersion(requested ?? '');
  if (!want) return { reason: 'VersionNotSupported', message: `Kubernetes version ${requested} is not supported` };
  if (current && want !== current) {
    if (versionLess(want, current)) {
      return { reason: 'NotAllowedVersionDowngrade', message: `Downgrading the control plane from ${current} to ${want} is not allowed` };
    }
    if (minorOf(want) - minorOf(current) > 1) {
      return {
        reason: 'InvalidUpgradePath',
        message: `Upgrading from ${current} to ${want} skips a minor version; upgrade one minor version at a time`,
      };
    }
  }
  return { version: want };
}

export interface PoolVersionInput {
  pool: string;
  /** spec.orchestratorVersion; undefined: the pool follows the control plane. */
  requested: string | undefined;
  /** The control plane's version (running, else asked for). */
  controlPlane: string;
  /** The version of the pool's last operation target. */
  previous: string | undefined;
}

/** The version an agent pool's next operation targets. */
export function poolVersion(v: PoolVersionInput): VersionChoice {
  const cpVersion = resolveVersion(v.controlPlane);
  const wanted = v.requested ?? v.controlPlane;
  const version = resolveVersion(wanted);
  if (!cpVersion || !version)
    return { reason: 'VersionNotSupported', message: `Kubernetes version ${version ? v.controlPlane : wanted} is not supported` };
  const prev = v.previous;
  if (prev && resolveVersion(prev) && version !== prev && versionLess(version, prev)) {
    return { reason: 'NotAllowedVersionDowngrade', message: `Downgrading agent pool ${v.pool} from ${prev} to ${version} is not allowed` };
  }
  const err = checkPoolVersion(version, cpVersion);
  if (err) return { reason: 'InvalidOrchestratorVersion', message: err };
  return { version };
}

/** The version each pool should run: its own, or the control plane's. */
export const poolFollowsVersion = (requested: string | undefined, controlPlane: string): string => requested ?? controlPlane;
