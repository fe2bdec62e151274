// Pure rules of node pool snapshots, shared by the ARM layer (synchronous refusals) and the
// controllers (kubectl path): what a snapshot captures, and when a pool may be made from or
// upgraded to one. Every refusal carries an ARM error code and a message naming the rule.
import semver from 'semver';
import { parseArmId } from './ids.js';
import { imagePrefix, isNewerImage } from './images.js';
import { defaultOsSku } from './os.js';
import { vmFamily } from './vmsizes.js';

export interface SnapshotInfo {
  kubernetesVersion: string;
  nodeImageVersion: string;
  osType: string;
  osSku: string;
  vmSize: string;
  enableFIPS: boolean;
  location: string;
}

export interface Refusal {
  code: string;
  message: string;
}

/** The pool fields a capture reads (a SimNodePool satisfies it). */
export interface SourcePool {
  spec: { name: string; vmSize?: string; osType?: string; osSKU?: string; enableFIPS?: boolean };
  status?: {
    currentOrchestratorVersion?: string;
    nodeImageVersion?: string;
    provisioningState?: string;
    currentOperation?: { type?: string };
  };
}

/** `/subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerService/snapshots/NAME`. */
export function parseSnapshotId(id: string): { subscription: string; resourceGroup: string; name: string } | undefined {
  const p = parseArmId(id);
  if (
    !p ||
    p.provider.toLowerCase() !== 'microsoft.containerservice' ||
    p.types.length !== 1 ||
    p.types[0]!.type.toLowerCase() !== 'snapshots'
  )
    return undefined;
  return { subscription: p.subscription, resourceGroup: p.resourceGroup, name: p.types[0]!.name };
}

/** Namespace/name of the NodePoolSnapshot an id names (resource groups and names are case-insensitive). */
export function snapshotKey(id: string): string | undefined {
  const p = parseSnapshotId(id);
  return p ? `${p.resourceGroup.toLowerCase()}/${p.name.toLowerCase()}` : undefined;
}

export const normalizeLocation = (l: string): string => l.toLowerCase().replace(/\s+/g, '');

/**
 * What a snapshot of this pool captures, or why it cannot be taken. AKS requires the pool to
 * have been created or upgraded after 2021-11-10; in the simulation that means it has finished
 * at least one operation. The snapshot lives in the source pool's region.
 */
export function captureSnapshot(
  pool: SourcePool,
  clusterLocation: string,
  requestedLocation?: string,
): { info?: SnapshotInfo; refusal?: Refusal } {
  const s = pool.status ?? {};
  const first = !s.provisioningState || s.currentOperation?.type === 'Create' || !s.currentOrchestratorVersion || !s.nodeImageVersion;
  if (first) {
    return {
      refusal: {
        code: 'SnapshotSourceNotReady',
        message: `Agent pool ${pool.spec.name} has not finished an operation yet (provisioningState ${s.provisioningState ?? 'Creating'}): a snapshot can only be taken of a node pool that has been created or upgraded (after 2021-11-10).`,
      },
    };
  }
  const location = normalizeLocation(clusterLocation);
  if (requestedLocation && normalizeLocation(requestedLocation) !== location) {
    return {
      refusal: {
        code: 'InvalidSnapshotLocation',
        message: `The snapshot must be created in the same region as its source node pool ${pool.spec.name} (${location}), not ${normalizeLocation(requestedLocation)}; it can then be used in any region.`,
      },
    };
  }
  const osType = pool.spec.osType ?? 'Linux';
  return {
    info: {
      kubernetesVersion: s.currentOrchestratorVersion!,
      nodeImageVersion: s.nodeImageVersion!,
      osType,
      osSku: defaultOsSku(osType, pool.spec.osSKU),
      vmSize: pool.spec.vmSize ?? 'Standard_D2s_v3',
      enableFIPS: pool.spec.enableFIPS ?? false,
      location,
    },
  };
}

/** A pool made from a snapshot uses a VM size of the snapshot's family and its OS. */
export function checkPoolFitsSnapshot(
  snapName: string,
  snap: SnapshotInfo,
  pool: { name: string; vmSize: string; osType?: string; osSKU?: string },
): Refusal | undefined {
  const want = vmFamily(snap.vmSize);
  const have = vmFamily(pool.vmSize);
  if (want !== have) {
    return {
      code: 'InvalidVMSizeForSnapshot',
      message: `Agent pool ${pool.name} uses VM size ${pool.vmSize} (${have}-series) but snapshot ${snapName} was taken from ${snap.vmSize} (${want}-series): a node pool or cluster created from a snapshot must use a VM size of the same VM family, because their node images differ.`,
    };
  }
  if (pool.osType && pool.osType !== snap.osType) {
    return {
      code: 'InvalidOSTypeForSnapshot',
      message: `Agent pool ${pool.name} has osType ${pool.osType} but snapshot ${snapName} is ${snap.osType}: a pool created from a snapshot uses the snapshot's OS.`,
    };
  }
  if (pool.osSKU && pool.osSKU !== snap.osSku) {
    return {
      code: 'InvalidOSSKUForSnapshot',
      message: `Agent pool ${pool.name} has osSKU ${pool.osSKU} but snapshot ${snapName} is ${snap.osSku}: a pool created from a snapshot uses the snapshot's OS SKU.`,
    };
  }
  return undefined;
}

/**
 * Upgrading an existing pool to a snapshot: allowed only when the snapshot's Kubernetes version
 * and node image are newer than the pool's. With the same Kubernetes version, only a node image
 * upgrade (--node-image-only) is allowed, and the image must still be newer.
 */
export function checkUpgradeToSnapshot(input: {
  snapName: string;
  snap: SnapshotInfo;
  poolName: string;
  poolVersion: string;
  poolImage: string;
  nodeImageOnly: boolean;
}): Refusal | undefined {
  const { snapName, snap, poolName, poolVersion, poolImage, nodeImageOnly } = input;
  const sv = semver.coerce(snap.kubernetesVersion);
  const pv = semver.coerce(poolVersion);
  if (!nodeImageOnly && sv && pv) {
    if (semver.eq(sv, pv)) {
      return {
        code: 'SnapshotSameKubernetesVersion',
        message: `Snapshot ${snapName} has Kubernetes version ${snap.kubernetesVersion}, the same as agent pool ${poolName}: use --node-image-only to upgrade only the node image to the snapshot's ${snap.nodeImageVersion}.`,
      };
    }
    if (semver.lt(sv, pv)) {
      return {
        code: 'SnapshotVersionNotNewer',
        message: `Upgrading agent pool ${poolName} to snapshot ${snapName} is not allowed: the snapshot's Kubernetes version ${snap.kubernetesVersion} is older than the pool's ${poolVersion}; a pool can only be upgraded to a snapshot whose Kubernetes version and node image version are newer than its own.`,
      };
    }
  }
  if (poolImage && !isNewerImage(snap.nodeImageVersion, poolImage)) {
    return {
      code: 'SnapshotNodeImageNotNewer',
      message: `Upgrading agent pool ${poolName} to snapshot ${snapName} is not allowed: the snapshot's node image ${snap.nodeImageVersion} is not newer than the pool's ${poolImage}; node images never go down.`,
    };
  }
  return undefined;
}

/** A node image asked for by name: same image family as the pool's, and never lower than the current one. */
export function checkNodeImage(input: { poolName: string; want: string; current?: string; expectedPrefix?: string }): Refusal | undefined {
  const { poolName, want, current, expectedPrefix } = input;
  if (expectedPrefix && imagePrefix(want) !== expectedPrefix) {
    return {
      code: 'InvalidNodeImageVersion',
      message: `Node image ${want} is not a ${expectedPrefix} image, which agent pool ${poolName} runs.`,
    };
  }
  if (current && want !== current && isNewerImage(current, want)) {
    return {
      code: 'NodeImageVersionDowngrade',
      message: `Agent pool ${poolName} runs node image ${current}, newer than ${want}: node images never go down.`,
    };
  }
  return undefined;
}
