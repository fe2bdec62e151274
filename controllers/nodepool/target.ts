// Pure: what a node pool's next operation targets (node count, Kubernetes version, node image),
// or why its spec cannot be acted on. The version rules are in src/model/versions.ts; the image
// comes from a snapshot, the spec, or the catalog's latest, and never goes down.
import type { NodePoolSnapshot, SimCluster, SimNodePool } from '../../src/api/generated.js';
import { checkNodeImage, checkPoolFitsSnapshot } from '../../src/azure/images-snapshots.js';
import { imagePrefix, isNewerImage } from '../../src/azure/images.js';
import { capturedInfo, isCaptured } from '../../src/model/snapshots.js';
import { isRefusal, poolVersion, type Refusal } from '../../src/model/versions.js';
import type { PoolTarget } from './plan.js';

export interface TargetInput {
  pool: SimNodePool;
  cluster: SimCluster;
  /** The snapshot spec.creationData names, from the cache (undefined: none or not found). */
  snapshot?: NodePoolSnapshot;
  /** The newest image of the pool's OS SKU now. */
  latest: string;
}

export function desiredTarget(t: TargetInput): { target: PoolTarget } | Refusal {
  const { pool, cluster } = t;
  const controlPlane = cluster.status?.currentKubernetesVersion ?? cluster.spec.kubernetesVersion ?? '';
  const version = poolVersion({
    pool: pool.spec.name,
    requested: pool.spec.orchestratorVersion,
    controlPlane,
    previous: pool.status?.target?.orchestratorVersion,
  });
  if (isRefusal(version)) return version;
  const image = desiredImage(t, version.version);
  if (isRefusal(image)) return image;
  return { target: { count: pool.spec.count ?? 0, version: version.version, image: image.image } };
}

/**
 * The node image the pool's next operation targets:
 * - spec.creationData names a snapshot: the snapshot's image (pinned through scaling);
 * - spec.nodeImageVersion: that image (a node image upgrade), never lower than the current one;
 * - otherwise the image of the last target, unless the Kubernetes version changes or the pool
 *   is new: then the latest image (node images never go down).
 */
export function desiredImage(t: TargetInput, version: string): { image: string } | Refusal {
  const { pool, latest } = t;
  const prev = pool.status?.target;
  const current = pool.status?.nodeImageVersion ?? prev?.nodeImageVersion;
  const snapId = pool.spec.creationData?.sourceResourceId;
  if (snapId) return snapshotImage(t, snapId, current);
  const want = pool.spec.nodeImageVersion;
  if (want) {
    const bad = checkNodeImage({ poolName: pool.spec.name, want, current, expectedPrefix: imagePrefix(latest) });
    if (bad) return { reason: bad.code, message: bad.message };
    if (want !== current && isNewerImage(want, latest)) {
      return {
        reason: 'NodeImageVersionNotFound',
        message: `Node image ${want} has not been released yet; the latest for agent pool ${pool.spec.name} is ${latest}.`,
      };
    }
    return { image: want };
  }
  if (prev?.nodeImageVersion && prev.orchestratorVersion === version) return { image: prev.nodeImageVersion };
  return { image: current && isNewerImage(current, latest) ? current : latest };
}

function snapshotImage(t: TargetInput, snapId: string, current: string | undefined): { image: string } | Refusal {
  const { pool, snapshot: snap } = t;
  const prev = pool.status?.target;
  const snapName = snap?.metadata.name ?? snapId.split('/').at(-1)!;
  if (!snap) {
    if (prev?.nodeImageVersion) return { image: prev.nodeImageVersion }; // deleted since: the pool keeps its image
    return { reason: 'SnapshotNotFound', message: `The snapshot ${snapId} was not found.` };
  }
  if (!isCaptured(snap)) {
    return {
      reason: 'SnapshotNotReady',
      message: `Snapshot ${snapName} has not captured its source pool (provisioningState ${snap.status?.provisioningState ?? 'Creating'}).`,
    };
  }
  const info = capturedInfo(snap);
  const misfit = checkPoolFitsSnapshot(snapName, info, {
    name: pool.spec.name,
    vmSize: pool.spec.vmSize ?? 'Standard_D2s_v3',
    osType: pool.spec.osType,
    osSKU: pool.spec.osSKU,
  });
  if (misfit) return { reason: misfit.code, message: misfit.message };
  if (current && info.nodeImageVersion !== current && isNewerImage(current, info.nodeImageVersion)) {
    return {
      reason: 'SnapshotNodeImageNotNewer',
      message: `Upgrading agent pool ${pool.spec.name} to snapshot ${snapName} is not allowed: the snapshot's node image ${info.nodeImageVersion} is older than the pool's ${current}; node images never go down.`,
    };
  }
  return { image: info.nodeImageVersion };
}
