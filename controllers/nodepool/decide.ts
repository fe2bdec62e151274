// Pure: what a SimNodePool's operation does, as the hooks of the operation lifecycle
// (controllers/operations/lifecycle.ts): it drives the pool's machines to a recorded target:
// count (zone-balanced, deterministic names, so a restart never duplicates machines), Kubernetes
// version and node image (rolling, with maxSurge). Machines tear themselves down and reimage
// themselves (cordon, drain, boot); see controllers/machine. Abort stops where it is, no rollback.
// Stop and Start (power.ts) stop or start the machines.
import type { V1Node } from '@kubernetes/client-node';
import type { NodePoolSnapshot, SimCluster, SimMachine, SimNodePool } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { FINALIZERS, LABELS } from '../../src/model/names.js';
import { nodeName } from '../../src/model/naming.js';
import { RUNNING_STATE, type OpType } from '../../src/model/operations.js';
import { isRefusal } from '../../src/model/versions.js';
import { getCondition, type Condition } from '../../src/runtime/conditions.js';
import type { Begin, CurrentOp, OperationKind, OpView, Step } from '../operations/kind.js';
import type { Write } from '../shared/plan.js';
import { pendingUnits, planPool, toPlanMachine, type PlanMachine, type PoolTarget } from './plan.js';
import { powerBegin, powerStep } from './power.js';
import { isBootedUnrecorded, poolStatus } from './status.js';
import { desiredTarget } from './target.js';

/** Creates in flight per pool at once: fast scale-outs without flooding the API server. */
export const CREATE_WIDTH = 32;

export interface PoolView extends OpView<SimNodePool> {
  cluster?: SimCluster;
  machines: SimMachine[];
  /** The machines' Nodes from the node cache. */
  nodes: Map<string, V1Node>;
  /** Machines created that the cache does not show yet: planned as existing, never created twice. */
  expected: PlanMachine[];
  snapshot?: NodePoolSnapshot;
  /** The pool's image kind and the newest image of it now; real ms until a newer one ships. */
  image: { osSku: string; fips: boolean; latest: string; nextReleaseInMs?: number };
  subscriptionId: string;
  /** The pool's name hash (node names aks-<pool>-<hash>-vmss...). */
  hash: string;
}

function statusIn(v: PoolView, state: string, version: string, image: string, error?: string): ReturnType<typeof poolStatus> {
  return poolStatus({
    pool: v.obj,
    machines: v.machines,
    nodeOf: (n) => v.nodes.get(n),
    subscriptionId: v.subscriptionId,
    version,
    nodeImageVersion: image,
    nowIso: v.nowIso,
    state,
    error,
  });
}

function classify(prev: PoolTarget | undefined, next: PoolTarget): OpType {
  if (!prev) return 'Create';
  if (prev.version !== next.version) return 'Upgrade';
  if (prev.image !== next.image) return 'NodeImageUpgrade';
  if (prev.count !== next.count) return 'Scale';
  return 'Update';
}

function describe(type: OpType, prev: PoolTarget | undefined, next: PoolTarget): string {
  switch (type) {
    case 'Create':
      return `${next.count} nodes on Kubernetes ${next.version}`;
    case 'Scale':
      return `${prev?.count} -> ${next.count} nodes`;
    case 'Upgrade':
      return `Kubernetes ${prev?.version} -> ${next.version}`;
    case 'NodeImageUpgrade':
      return `node image ${prev?.image} -> ${next.image}`;
    default:
      return 'settings update';
  }
}

/** Only once the cluster exists and is not going away. */
function gate(v: PoolView): ReturnType<NonNullable<OperationKind<PoolView>['gate']>> {
  const ns = v.obj.metadata.namespace!;
  if (!v.cluster) return { reason: 'ClusterNotFound', message: `SimCluster ${v.obj.spec.clusterName} does not exist in namespace ${ns}` };
  return v.cluster.metadata.deletionTimestamp ? 'hold' : undefined;
}

function begin(v: PoolView): Begin {
  const { obj: pool } = v;
  const gen = pool.metadata.generation ?? 0;
  const prevTarget = pool.status?.target;
  // Idle or not, come back when a newer node image ships (latestNodeImageVersion follows it).
  const requeueAfterMs = v.image.nextReleaseInMs;
  const d = desiredTarget({ pool, cluster: v.cluster!, snapshot: v.snapshot, latest: v.image.latest });
  const prevT: PoolTarget | undefined = prevTarget?.orchestratorVersion
    ? { count: prevTarget.count ?? 0, version: prevTarget.orchestratorVersion, image: prevTarget.nodeImageVersion ?? '' }
    : undefined;
  const moved = !isRefusal(d) && prevT !== undefined && (d.target.version !== prevT.version || d.target.image !== prevT.image);
  if (gen <= (pool.status?.lastOperationGeneration ?? 0) && !moved) {
    const status = {
      ...statusIn(
        v,
        pool.status?.provisioningState ?? 'Succeeded',
        pool.status?.currentOrchestratorVersion ?? '',
        pool.status?.nodeImageVersion ?? '',
      ),
      latestNodeImageVersion: v.image.latest,
    };
    return { idle: { status, throttled: false }, requeueAfterMs };
  }
  const power = powerBegin(v, prevT, isRefusal(d) ? undefined : d.target);
  if (power) return { ...power, requeueAfterMs };
  if (isRefusal(d)) return { refuse: d, requeueAfterMs };
  const target = d.target;
  const type = classify(prevT, target);
  const plans = v.machines.map((m) => toPlanMachine(m, v.nodes.get(m.metadata.name!)));
  const status = {
    ...statusIn(
      v,
      RUNNING_STATE[type],
      pool.status?.currentOrchestratorVersion ?? target.version,
      pool.status?.nodeImageVersion ?? target.image,
    ),
    target: { count: target.count, orchestratorVersion: target.version, nodeImageVersion: target.image },
    latestNodeImageVersion: v.image.latest,
  };
  const startCount = plans.filter((m) => !m.deleting && !m.surge).length;
  return {
    start: { type, stepsTotal: pendingUnits(plans, target), startCount, status, note: `: ${describe(type, prevT, target)}` },
    requeueAfterMs,
  };
}

/** A new machine of the pool, born with its finalizer (one write less than adding it afterwards). */
export function machineFor(
  pool: SimNodePool,
  hash: string,
  c: { index: number; zone: string; surge: boolean },
  t: PoolTarget,
  osSku: string,
): SimMachine {
  const md = pool.metadata;
  const labels: Record<string, string> = { [LABELS.cluster]: pool.spec.clusterName, [LABELS.pool]: pool.spec.name };
  if (c.surge) labels[LABELS.surge] = 'true';
  return {
    metadata: {
      name: nodeName(pool.spec.name, hash, c.index),
      namespace: md.namespace,
      labels,
      finalizers: [FINALIZERS.machine],
      ownerReferences: [
        {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'SimNodePool',
          name: md.name!,
          uid: md.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      clusterName: pool.spec.clusterName,
      poolName: pool.spec.name,
      index: c.index,
      zone: c.zone,
      faultDomain: c.index % 5,
      vmSize: pool.spec.vmSize ?? 'Standard_D2s_v3',
      osType: pool.spec.osType ?? 'Linux',
      osSKU: osSku as SimMachine['spec']['osSKU'],
      priority: pool.spec.scaleSetPriority ?? 'Regular',
      orchestratorVersion: t.version,
      nodeImageVersion: t.image,
    },
  };
}

function step(v: PoolView, cur: CurrentOp): Step {
  if (cur.type === 'Stop' || cur.type === 'Start') return powerStep(v, cur);
  const { obj: pool } = v;
  const ns = pool.metadata.namespace!;
  const tgt = pool.status!.target!;
  const target: PoolTarget = { count: tgt.count ?? 0, version: tgt.orchestratorVersion!, image: tgt.nodeImageVersion! };
  const plans = [...v.machines.map((m) => toPlanMachine(m, v.nodes.get(m.metadata.name!))), ...v.expected];
  const plan = planPool({
    machines: plans,
    target,
    zones: pool.spec.availabilityZones ?? [],
    maxSurge: pool.spec.upgradeSettings?.maxSurge,
  });
  const failed = v.machines.find((m) => getCondition(m.status?.conditions as Condition[] | undefined, 'UpgradeFailed')?.status === 'True');
  if (failed) {
    const msg = getCondition(failed.status!.conditions as Condition[], 'UpgradeFailed')!.message;
    return finish(v, cur, 'Failed', { code: 'UpgradeFailed', message: `Upgrade of node ${failed.metadata.name} failed: ${msg}` });
  }
  const writes: Write[] = [];
  const logs: { fields: object; msg: string }[] = [];
  const where = `${ns}/${pool.metadata.name}`;
  if (plan.create.length > 0) {
    logs.push({ fields: { pool: where, create: plan.create.length }, msg: `Adding ${plan.create.length} nodes to pool ${pool.spec.name}` });
    const creates: Write[] = plan.create.map((c) => {
      const m = machineFor(pool, v.hash, c, target, v.image.osSku);
      return { do: 'create', kind: 'SimMachine', ns, body: m, expect: { owner: v.key, value: toPlanMachine(m) } };
    });
    writes.push({ do: 'all', writes: creates, width: CREATE_WIDTH });
  }
  if (plan.remove.length > 0) {
    logs.push({ fields: { pool: where, remove: plan.remove }, msg: `Removing ${plan.remove.length} nodes from pool ${pool.spec.name}` });
    writes.push({ do: 'all', writes: plan.remove.map((name) => ({ do: 'delete', kind: 'SimMachine', ns, name })) });
  }
  for (const name of plan.upgrade) {
    logs.push({ fields: { machine: `${ns}/${name}`, version: target.version, image: target.image }, msg: `Upgrading node ${name}` });
    writes.push({
      do: 'patch',
      kind: 'SimMachine',
      ns,
      name,
      body: { spec: { orchestratorVersion: target.version, nodeImageVersion: target.image } },
    });
  }
  // Done once every machine has also recorded its first boot (records trail a scale-out; they
  // come as soon as no VM of the cluster is still booting, and each brings this pool back).
  if (plan.done && !v.machines.some((m) => isBootedUnrecorded(m, v.nodes.get(m.metadata.name!)))) return finish(v, cur, 'Succeeded');
  const done = Math.max(0, (cur.stepsTotal ?? 0) - plan.pending);
  const status = statusIn(
    v,
    cur.state ?? 'Updating',
    pool.status?.currentOrchestratorVersion ?? target.version,
    pool.status?.nodeImageVersion ?? target.image,
  );
  return { progress: { done, status, plan: { writes, events: [], logs } } };
}

function finish(v: PoolView, cur: CurrentOp, outcome: 'Succeeded' | 'Failed', error?: { code: string; message: string }): Step {
  const { obj: pool } = v;
  const tgt = pool.status!.target!;
  const ok = outcome === 'Succeeded';
  const version = ok ? tgt.orchestratorVersion! : (pool.status?.currentOrchestratorVersion ?? tgt.orchestratorVersion!);
  const image = ok ? tgt.nodeImageVersion! : (pool.status?.nodeImageVersion ?? tgt.nodeImageVersion!);
  const note = ok
    ? `Operation ${cur.operationId} (${cur.type}) succeeded: ${tgt.count} nodes on ${version}`
    : `Operation ${cur.operationId} (${cur.type}) failed: ${error?.message}`;
  return {
    finish: {
      outcome,
      error: error ? { ...error, target: pool.spec.name } : undefined,
      status: statusIn(v, outcome, version, image, error?.message),
      reason: ok ? 'Succeeded' : (error?.code ?? 'Failed'),
      note,
    },
  };
}

/**
 * VMs the operation asked for that have not booted yet are not provisioned: canceling stops them.
 * Nodes that registered stay (no rollback), and nothing new is started.
 */
function onCancel(v: PoolView): Write[] {
  const ns = v.obj.metadata.namespace!;
  const unbooted = v.machines.filter(
    (m) =>
      !m.metadata.deletionTimestamp &&
      !v.nodes.has(m.metadata.name!) &&
      !m.status?.provisionedTime &&
      m.status?.orchestratorVersion === undefined,
  );
  return unbooted.length
    ? [{ do: 'all', writes: unbooted.map((m) => ({ do: 'delete', kind: 'SimMachine', ns, name: m.metadata.name! })) }]
    : [];
}

export const poolKind: OperationKind<PoolView> = {
  kind: 'SimNodePool',
  controller: 'aksim.io/nodepool',
  finalizer: FINALIZERS.pool,
  noun: 'agent pool',
  childKind: 'SimMachine',
  gate,
  begin,
  step,
  cancelStatus: (v, state) => statusIn(v, state, v.obj.status?.currentOrchestratorVersion ?? '', v.obj.status?.nodeImageVersion ?? ''),
  onCancel,
  cancelNote: (_v, cur) => `Abort requested: canceling operation ${cur.operationId} (${cur.type})`,
};
