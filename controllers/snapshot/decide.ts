// Pure: what a NodePoolSnapshot's reconcile does. It captures the source pool's configuration into
// status once (kubernetesVersion, nodeImageVersion, osType, osSku, vmSize, enableFIPS, location) and
// never touches it again; CEL keeps those values immutable. A snapshot that cannot be taken (the
// pool never finished an operation, another region, no such pool) ends Failed with a Ready=False
// condition naming the rule and a Warning event; recreate it to retry.
import type { NodePoolSnapshot, NodePoolSnapshotStatus, SimCluster, SimNodePool } from '../../src/api/generated.js';
import { captureSnapshot } from '../../src/azure/images-snapshots.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';
import type { Plan } from '../shared/plan.js';

export const CONTROLLER = 'aksim.io/snapshot';

export interface SnapshotView {
  snap: NodePoolSnapshot;
  /** The snapshot's ARM id. */
  id: string;
  nowIso: string;
  /** The source agent pool and its cluster, from the caches (undefined: not found). */
  pool?: SimNodePool;
  cluster?: SimCluster;
}

export function decideSnapshot(v: SnapshotView): Plan {
  const { snap, id, nowIso } = v;
  const state = snap.status?.provisioningState;
  if (snap.metadata.deletionTimestamp || state === 'Succeeded' || state === 'Failed') return { writes: [], events: [] }; // captured once, or refused for good
  const gen = snap.metadata.generation ?? 0;
  const prev = snap.status?.conditions as Condition[] | undefined;
  const fail = (reason: string, message: string): Plan => {
    const conditions = setCondition(prev, { type: 'Ready', status: 'False', reason, message, observedGeneration: gen }, nowIso);
    return {
      writes: [
        {
          do: 'status',
          kind: 'NodePoolSnapshot',
          obj: snap,
          status: { id, provisioningState: 'Failed', conditions } satisfies NodePoolSnapshotStatus,
        },
      ],
      events: [{ regarding: snap, type: 'Warning', reason, note: message }],
    };
  };
  if (!v.pool) return fail('SourceNotFound', `The source agent pool ${snap.spec.creationData.sourceResourceId} was not found.`);
  const got = captureSnapshot(v.pool, v.cluster?.spec.location ?? 'eastus', snap.spec.location);
  if (got.refusal) return fail(got.refusal.code, got.refusal.message);
  const info = got.info!;
  const message = `captured ${info.kubernetesVersion} / ${info.nodeImageVersion} from agent pool ${v.pool.spec.name}`;
  const conditions = setCondition(prev, { type: 'Ready', status: 'True', reason: 'Succeeded', message, observedGeneration: gen }, nowIso);
  const createdAt = snap.metadata.creationTimestamp ? new Date(snap.metadata.creationTimestamp).toISOString() : nowIso;
  return {
    writes: [
      {
        do: 'status',
        kind: 'NodePoolSnapshot',
        obj: snap,
        status: { id, provisioningState: 'Succeeded', ...info, createdAt, conditions } satisfies NodePoolSnapshotStatus,
      },
    ],
    events: [
      {
        regarding: snap,
        type: 'Normal',
        reason: 'Captured',
        note: `Snapshot of agent pool ${v.pool.spec.name}: Kubernetes ${info.kubernetesVersion}, node image ${info.nodeImageVersion}, ${info.vmSize}`,
      },
    ],
  };
}
