// Start and stop of managed clusters and agent pools (az aks stop|start, az aks nodepool
// stop|start): the power states, and the refusals AKS answers around them, worded once so the
// operator's conditions and the ARM layer's errors say the same. docs/operations.md describes it.
import type { SimNodePool } from '../api/generated.js';
import { resolveVersion } from '../azure/versions.js';

/** ARM's PowerState.code of a managed cluster or an agent pool. */
export type PowerCode = 'Running' | 'Stopped';
export const POWER_CODES: readonly PowerCode[] = ['Running', 'Stopped'];

export const isPowerCode = (x: unknown): x is PowerCode => x === 'Running' || x === 'Stopped';

/** A spec's wanted power state (absent: Running). */
export const wantedPower = (spec: { powerState?: { code?: string } } | undefined): PowerCode =>
  spec?.powerState?.code === 'Stopped' ? 'Stopped' : 'Running';

/** The power state a status shows (absent: Running). */
export const shownPower = (status: { powerState?: { code?: string } } | undefined): PowerCode =>
  status?.powerState?.code === 'Stopped' ? 'Stopped' : 'Running';

/** The operation a power change runs. */
export const powerOperation = (want: PowerCode): 'Stop' | 'Start' => (want === 'Stopped' ? 'Stop' : 'Start');

/** A reason and a message: a Ready=False condition in the operator, a 409 OperationNotAllowed at the ARM layer. */
export interface PowerRefusal {
  reason: string;
  message: string;
}

/** AKS's words for a stop or start that the power state does not allow (a second stop, a start of a running cluster). */
export function clusterPowerConflict(cluster: string, state: string, power: PowerCode, verb: 'stopping' | 'starting'): PowerRefusal {
  return {
    reason: 'OperationNotAllowed',
    message: `Managed cluster ${cluster} is in Provisioning State(${state}) and Power State(${power}), ${verb} cannot be performed.`,
  };
}

/** What a stopped cluster refuses: everything but start, delete and tags. */
export function clusterStopped(cluster: string, what: string): PowerRefusal {
  return {
    reason: 'OperationNotAllowed',
    message: `Managed cluster ${cluster} is in Power State(Stopped): ${what} cannot be performed on a stopped cluster. Start the cluster first (az aks start).`,
  };
}

/** What a stopped agent pool refuses: scaling and upgrades (start it first). */
export function poolStopped(pool: string, what: string): PowerRefusal {
  return {
    reason: 'OperationNotAllowed',
    message: `Agent pool ${pool} is in Power State(Stopped): ${what} cannot be performed on a stopped agent pool. Start the agent pool first (az aks nodepool start).`,
  };
}

/** System mode pools stop only with their cluster. */
export function systemPoolStop(pool: string): PowerRefusal {
  return {
    reason: 'OperationNotAllowed',
    message: `Agent pool ${pool} is a System mode agent pool: System mode agent pools cannot be stopped on their own. Stop the cluster instead (az aks stop).`,
  };
}

/** A power change asks for nothing else at the same time. */
export function powerChangeAlone(what: string, name: string): PowerRefusal {
  return {
    reason: 'InvalidParameter',
    message: `A change of powerState of ${what} ${name} must come on its own: start or stop it first, then change its other properties.`,
  };
}

/** The fields of an agent pool profile that move nodes. */
export type ProfileCounts = { name: string; count?: number; orchestratorVersion?: string };

/**
 * True when agent pool profiles would add a pool, or change a pool's node count or Kubernetes
 * version: what a stopped cluster refuses. A version the pool already runs is no change (clients
 * send back the version they read).
 */
export function profilesMoveNodes(profiles: ProfileCounts[], pools: SimNodePool[]): boolean {
  return profiles.some((pr) => {
    const p = pools.find((x) => x.spec.name === pr.name);
    if (!p) return true;
    if ((pr.count ?? 3) !== (p.spec.count ?? 3)) return true;
    if (!pr.orchestratorVersion) return false;
    const want = resolveVersion(pr.orchestratorVersion);
    return want !== resolveVersion(p.spec.orchestratorVersion ?? '') && want !== p.status?.currentOrchestratorVersion;
  });
}
