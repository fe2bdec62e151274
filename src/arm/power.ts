// Start and stop at the ARM layer: what POST managedClusters/{name}/stop|start and an agent pool
// PUT with properties.powerState ask for, and AKS's refusals around them (a second stop, a start
// of a running cluster, scaling or upgrading what is stopped, stopping a System pool alone). The
// operator runs the Stop and Start operations (controllers/*/power.ts); docs/operations.md.
import type { SimCluster, SimNodePool } from '../api/generated.js';
import { displayName } from '../azure/ids.js';
import { resolveVersion } from '../azure/versions.js';
import { RUNNING_STATE } from '../model/operations.js';
import {
  clusterPowerConflict,
  clusterStopped,
  isPowerCode,
  poolStopped,
  powerChangeAlone,
  powerOperation,
  profilesMoveNodes,
  type ProfileCounts,
  shownPower,
  systemPoolStop,
  wantedPower,
  type PowerCode,
  type PowerRefusal,
} from '../model/power.js';
import { ArmError, operationInProgress } from './errors.js';

type Json = Record<string, unknown>;

const conflict = (r: PowerRefusal): ArmError => new ArmError(409, r.reason, r.message);
const badRequest = (r: PowerRefusal): ArmError => new ArmError(400, r.reason, r.message);

/** A cluster is stopped, or a stop of it was asked for. */
export const clusterIsStopped = (c: SimCluster): boolean => wantedPower(c.spec) === 'Stopped' || shownPower(c.status) === 'Stopped';

/**
 * Refuses a stop or start the cluster's power state does not allow: 409 while an operation runs
 * (a stop or start already asked for included) and, as AKS answers, 409 for a second stop or a
 * start of a running cluster.
 */
export function checkClusterPower(c: SimCluster, want: PowerCode): void {
  const cur = c.status?.currentOperation;
  if (cur) throw operationInProgress(cur.state ?? 'Updating');
  if (wantedPower(c.spec) !== want) return;
  if (shownPower(c.status) !== want) throw operationInProgress(RUNNING_STATE[powerOperation(want)]);
  const verb = want === 'Stopped' ? 'stopping' : 'starting';
  throw conflict(clusterPowerConflict(displayName(c), c.status?.provisioningState ?? 'Succeeded', want, verb));
}

/** A PUT of a stopped cluster: upgrades and agent pool changes that move nodes are refused (409). */
export function checkClusterPut(c: SimCluster, pools: SimNodePool[], spec: Json): void {
  if (!clusterIsStopped(c)) return;
  const version = typeof spec.kubernetesVersion === 'string' ? resolveVersion(spec.kubernetesVersion) : undefined;
  if (version && version !== c.status?.currentKubernetesVersion) throw conflict(clusterStopped(displayName(c), 'upgrading'));
  const profiles = spec.agentPoolProfiles as ProfileCounts[] | undefined;
  if (profiles && profilesMoveNodes(profiles, pools)) throw conflict(clusterStopped(displayName(c), 'scaling or changing agent pools'));
}

/** properties.powerState of an agent pool body: undefined when absent; 400 when malformed. */
export function powerField(props: Json): PowerCode | undefined {
  const p = props.powerState;
  if (p === undefined || p === null) return undefined;
  const code = typeof p === 'object' && !Array.isArray(p) ? (p as Json).code : undefined;
  if (code === undefined || code === null) return undefined;
  if (!isPowerCode(code))
    throw new ArmError(
      400,
      'InvalidParameter',
      `The value of parameter properties.powerState.code is invalid: expected Running or Stopped, got ${JSON.stringify(code)}.`,
      'properties.powerState.code',
    );
  return code;
}

/** What else an agent pool PUT asks of an existing pool, in words for a refusal (undefined: nothing that moves nodes). */
function poolChange(existing: SimNodePool, spec: Json, nodeImageOnly: boolean): string | undefined {
  if (typeof spec.count === 'number' && spec.count !== (existing.spec.count ?? 3)) return 'scaling';
  const wanted = typeof spec.orchestratorVersion === 'string' ? resolveVersion(spec.orchestratorVersion) : undefined;
  if (
    wanted &&
    wanted !== resolveVersion(existing.spec.orchestratorVersion ?? '') &&
    wanted !== existing.status?.currentOrchestratorVersion
  )
    return 'upgrading';
  const snap = (spec.creationData as { sourceResourceId?: string } | undefined)?.sourceResourceId;
  if (nodeImageOnly || (snap && snap.toLowerCase() !== (existing.spec.creationData?.sourceResourceId ?? '').toLowerCase()))
    return 'a node image upgrade';
  return undefined;
}

/**
 * An agent pool PUT and power: the refusals (a new pool in a stopped cluster, a stopped pool
 * scaled or upgraded, a System pool stopped alone, a power change with other changes, a start in
 * a stopped cluster), and spec.powerState set when the body changes it.
 */
export function poolPowerPut(
  c: SimCluster,
  existing: SimNodePool | undefined,
  pool: string,
  props: Json,
  spec: Json,
  nodeImageOnly: boolean,
): void {
  const want = powerField(props);
  const cluster = displayName(c);
  if (!existing) {
    if (clusterIsStopped(c)) throw conflict(clusterStopped(cluster, 'adding an agent pool'));
    if (want === 'Stopped') throw badRequest(powerChangeAlone('agent pool', pool));
    return;
  }
  const have = wantedPower(existing.spec);
  const change = poolChange(existing, spec, nodeImageOnly);
  if (want === undefined || want === have) {
    if (!change) return;
    if (clusterIsStopped(c)) throw conflict(clusterStopped(cluster, change));
    if (have === 'Stopped' || shownPower(existing.status) === 'Stopped') throw conflict(poolStopped(existing.spec.name, change));
    return;
  }
  if (want === 'Stopped' && (existing.spec.mode ?? 'User') === 'System') throw badRequest(systemPoolStop(existing.spec.name));
  if (want === 'Running' && clusterIsStopped(c)) throw conflict(clusterStopped(cluster, 'starting an agent pool'));
  if (change) throw badRequest(powerChangeAlone('agent pool', existing.spec.name));
  spec.powerState = { code: want };
}
