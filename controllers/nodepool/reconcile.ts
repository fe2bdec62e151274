// SimNodePool reconciler: keeps the pool's SimMachines at spec.count (zone-balanced, deterministic
// names, so a restart never duplicates machines), and reports the pool's state. Machines tear
// themselves down (cordon, drain, delete Node) when deleted; see controllers/machine.
import type { SimCluster, SimMachine, SimNodePool } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { checkPoolVersion, resolveVersion } from '../../src/azure/versions.js';
import { isConflict } from '../../src/runtime/client.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';
import { clusterKeyOf, FINALIZERS, LABELS, poolKeyOf, splitKey, type ControllerDef, type Ctx } from '../context.js';
import { addFinalizer, hasFinalizer, removeFinalizer, writeStatus } from '../shared/objects.js';
import { defaultNodeImage, defaultOsSku } from './images.js';
import { nodeName, parseNodeIndex, poolHash } from './naming.js';
import { planScale, type MachineInfo } from './scale.js';
import { isMachineReady, poolStatus } from './status.js';

/** Creates in flight at once: fast for 500-node scale-outs without flooding the API server. */
const CREATE_CONCURRENCY = 32;

export const nodepoolController: ControllerDef = {
  name: 'nodepool',
  reconciler: (ctx) => new NodePoolReconciler(ctx),
  watch(ctx, enqueue) {
    const self = (p: SimNodePool): void => enqueue(`${p.metadata.namespace}/${p.metadata.name}`);
    ctx.pools.on({ add: self, update: (_o, p) => self(p), delete: self });
    const fromMachine = (m: SimMachine): void => enqueue(`${m.metadata.namespace}/${m.spec.clusterName}-${m.spec.poolName}`);
    ctx.machines.on({ add: fromMachine, update: (_o, m) => fromMachine(m), delete: fromMachine });
    const fromCluster = (c: SimCluster): void => {
      for (const p of ctx.pools.byIndex('cluster', clusterKeyOf(c.metadata.namespace!, c.metadata.name!))) self(p);
    };
    ctx.clusters.on({ add: fromCluster, update: (o, c) => o.metadata.generation !== c.metadata.generation && fromCluster(c), delete: fromCluster });
  },
};

export const poolHashOf = (subscription: string, ns: string, cluster: string, pool: string): string => poolHash(subscription, ns, cluster, pool);

class NodePoolReconciler implements Reconciler {
  readonly name = 'nodepool';
  constructor(private readonly ctx: Ctx) {}

  async reconcile(k: string): Promise<Result> {
    const { ctx } = this;
    const pool = ctx.pools.get(k);
    if (!pool) return;
    const [ns] = splitKey(k);
    const machines = ctx.machines.byIndex('pool', poolKeyOf(ns, pool.spec.clusterName, pool.spec.name));
    if (pool.metadata.deletionTimestamp) return this.finalize(pool, machines);
    if (!hasFinalizer(pool, FINALIZERS.pool)) {
      await addFinalizer(ctx.kube, 'SimNodePool', pool, FINALIZERS.pool);
      return;
    }
    const cluster = ctx.clusters.get(clusterKeyOf(ns, pool.spec.clusterName));
    const nowIso = new Date(ctx.clock.now()).toISOString();
    if (!cluster) return this.refuse(pool, 'ClusterNotFound', `SimCluster ${pool.spec.clusterName} does not exist in namespace ${ns}`, nowIso);
    if (cluster.metadata.deletionTimestamp) return;

    const cpVersion = resolveVersion(cluster.spec.kubernetesVersion ?? '');
    const wanted = pool.spec.orchestratorVersion ?? cluster.spec.kubernetesVersion ?? '';
    const version = resolveVersion(wanted);
    if (!cpVersion || !version) return this.refuse(pool, 'VersionNotSupported', `Kubernetes version ${version ? cluster.spec.kubernetesVersion : wanted} is not supported`, nowIso);
    const versionError = checkPoolVersion(version, cpVersion);
    if (versionError) return this.refuse(pool, 'InvalidOrchestratorVersion', versionError, nowIso);

    const osSku = defaultOsSku(pool.spec.osType ?? 'Linux', pool.spec.osSKU);
    const image = pool.status?.nodeImageVersion ?? defaultNodeImage(osSku);
    const hash = poolHashOf(ctx.settings.subscriptionId, ns, pool.spec.clusterName, pool.spec.name);
    const infos: MachineInfo[] = machines.map((m) => ({
      name: m.metadata.name!,
      index: m.spec.index ?? parseNodeIndex(m.metadata.name!) ?? 0,
      zone: m.spec.zone ?? '',
      deleting: Boolean(m.metadata.deletionTimestamp),
      ready: isMachineReady(m),
    }));
    const plan = planScale({ machines: infos, desired: pool.spec.count ?? 0, zones: pool.spec.availabilityZones ?? [] });

    if (plan.create.length > 0) {
      ctx.log.info({ pool: k, create: plan.create.length }, `Scaling out pool ${pool.spec.name} by ${plan.create.length}`);
      const queue = [...plan.create];
      await Promise.all(
        Array.from({ length: Math.min(CREATE_CONCURRENCY, queue.length) }, async () => {
          for (let c = queue.shift(); c; c = queue.shift()) {
            const m = this.machineFor(pool, nodeName(pool.spec.name, hash, c.index), c.index, c.zone, version, image, osSku);
            try {
              await ctx.kube.create('SimMachine', ns, m);
            } catch (err: unknown) {
              if (!isConflict(err)) throw err; // AlreadyExists: made by an earlier reconcile the cache has not shown yet
            }
          }
        }),
      );
    }
    if (plan.remove.length > 0) {
      ctx.log.info({ pool: k, remove: plan.remove }, `Scaling in pool ${pool.spec.name} by ${plan.remove.length}`);
      await Promise.all(plan.remove.map((name) => ctx.kube.delete('SimMachine', ns, name)));
    }
    const next = poolStatus({ pool, machines, subscriptionId: ctx.settings.subscriptionId, version, nodeImageVersion: image, nowIso });
    const before = pool.status?.provisioningState;
    await writeStatus(ctx.kube, 'SimNodePool', pool, next);
    if (before !== next.provisioningState) {
      ctx.events.emit(pool, {
        type: 'Normal',
        reason: next.provisioningState!,
        note: next.provisioningState === 'Succeeded' ? `Pool ${pool.spec.name} reached ${pool.spec.count} ready nodes` : `Pool ${pool.spec.name} is ${next.provisioningState!.toLowerCase()} to ${pool.spec.count} nodes`,
        controller: 'aksim.io/nodepool',
      });
    }
  }

  private machineFor(pool: SimNodePool, name: string, index: number, zone: string, version: string, image: string, osSku: string): SimMachine {
    const md = pool.metadata;
    return {
      metadata: {
        name,
        namespace: md.namespace,
        labels: { [LABELS.cluster]: pool.spec.clusterName, [LABELS.pool]: pool.spec.name },
        ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'SimNodePool', name: md.name!, uid: md.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        clusterName: pool.spec.clusterName,
        poolName: pool.spec.name,
        index,
        zone,
        faultDomain: index % 5,
        vmSize: pool.spec.vmSize ?? 'Standard_D2s_v3',
        osType: pool.spec.osType ?? 'Linux',
        osSKU: osSku,
        priority: pool.spec.scaleSetPriority ?? 'Regular',
        orchestratorVersion: version,
        nodeImageVersion: image,
      },
    };
  }

  /** A spec the operator cannot act on: say why (condition + Warning event) and change nothing else. */
  private async refuse(pool: SimNodePool, reason: string, message: string, nowIso: string): Promise<Result> {
    const gen = pool.metadata.generation ?? 0;
    const prev = pool.status?.conditions as Condition[] | undefined;
    const already = prev?.find((c) => c.type === 'Ready' && c.reason === reason && c.observedGeneration === gen);
    const conditions = setCondition(prev, { type: 'Ready', status: 'False', reason, message, observedGeneration: gen }, nowIso);
    await writeStatus(this.ctx.kube, 'SimNodePool', pool, { conditions });
    if (!already) this.ctx.events.emit(pool, { type: 'Warning', reason, note: message, controller: 'aksim.io/nodepool' });
  }

  private async finalize(pool: SimNodePool, machines: SimMachine[]): Promise<Result> {
    const { ctx } = this;
    await writeStatus(ctx.kube, 'SimNodePool', pool, { provisioningState: 'Deleting' });
    const live = machines.filter((m) => !m.metadata.deletionTimestamp);
    if (machines.length > 0) {
      await Promise.all(live.map((m) => ctx.kube.delete('SimMachine', m.metadata.namespace!, m.metadata.name!)));
      return; // machine deletions re-enqueue this pool
    }
    await removeFinalizer(ctx.kube, 'SimNodePool', pool, FINALIZERS.pool);
  }
}
