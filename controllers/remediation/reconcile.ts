// Node auto-repair, one reconciler per SimCluster: observe reads the cluster's machines and Nodes
// from the caches, decide() (decide.ts, pure) chooses, and act records the repair state in
// SimCluster status.autoRepair first (the memory a restarted operator resumes from), then asks
// machines for actions as user aks-remediator (spec.<action>Requests, field manager
// aks-remediator) and posts the Node events (reporting controller aks-auto-repair). Requeues at
// the earliest deadline; never polls.
import { isDeepStrictEqual } from 'node:util';
import type { V1Node } from '@kubernetes/client-node';
import type { SimCluster } from '../../src/api/generated.js';
import { requestField, requestsOf } from '../../src/model/faults.js';
import { clusterKeyOf, LABELS, objectKey, splitKey } from '../../src/model/names.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import type { ControllerDef, Ctx } from '../context.js';
import { nodeRef } from '../shared/plan.js';
import { onEvery } from '../shared/wiring.js';
import { decide, repairSettings, REMEDIATOR_USER, REPORTING_CONTROLLER, type RepairDecision } from './decide.js';
import { nodeView, readyOf } from './view.js';

type AutoRepair = NonNullable<NonNullable<SimCluster['status']>['autoRepair']>;

export const remediationController: ControllerDef = {
  name: 'remediation',
  reconciler: (ctx) => new RemediationReconciler(ctx),
  // One reconcile looks at every node of the cluster: during a scale-out's event storm, at most
  // one per 250 ms instead of one per node event. Windows and waits run on deadlines (wakeAt).
  coalesceMs: 250,
  watch(ctx, enqueue) {
    const self = (c: SimCluster): void => enqueue(clusterKeyOf(c.metadata.namespace!, c.metadata.name!));
    ctx.clusters.on({ add: self, update: (_o, c) => self(c) });
    onEvery(ctx.machines, (m) => enqueue(clusterKeyOf(m.metadata.namespace!, m.spec.clusterName)));
    const fromNode = (n: V1Node): void => {
      const ns = n.metadata?.labels?.[LABELS.namespace];
      const c = n.metadata?.labels?.[LABELS.cluster];
      if (ns && c) enqueue(clusterKeyOf(ns, c));
    };
    ctx.nodes.on({
      add: fromNode,
      delete: fromNode,
      update: (o, n) => (readyOf(o) !== readyOf(n) || JSON.stringify(o.spec?.taints) !== JSON.stringify(n.spec?.taints)) && fromNode(n),
    });
  },
};

class RemediationReconciler implements Reconciler {
  readonly name = 'remediation';
  /**
   * The last status.autoRepair this process wrote per cluster. A reconcile triggered by a machine
   * or node change can run before the cluster cache shows that write; deciding from the stale
   * copy would repeat the step's events. Only a guard against the cache lag: on restart the API
   * server's status is the memory.
   */
  private readonly written = new Map<string, { rv: number; status: AutoRepair }>();
  constructor(private readonly ctx: Ctx) {}

  private freshest(k: string, cluster: SimCluster): AutoRepair | undefined {
    const mine = this.written.get(k);
    const cached = cluster.status?.autoRepair;
    if (!mine) return cached;
    if (Number(cluster.metadata.resourceVersion) >= mine.rv || isDeepStrictEqual(cached, mine.status)) {
      this.written.delete(k);
      return cached;
    }
    return mine.status;
  }

  async reconcile(k: string): Promise<Result> {
    const { ctx } = this;
    const cluster = ctx.clusters.get(k);
    if (!cluster || cluster.metadata.deletionTimestamp) {
      this.written.delete(k);
      return;
    }
    // Observe.
    const machines = ctx.machines.byIndex('cluster', k).filter((m) => !m.metadata.deletionTimestamp);
    const now = ctx.clock.now();
    const nodes = machines.map((m) => nodeView(m, ctx.nodes.get(m.metadata.name!), now));
    const prev = this.freshest(k, cluster);
    // Decide.
    const d = decide({ settings: repairSettings(cluster.spec.autoRepair), nodes, prev, toReal: (ms) => ctx.clock.toReal(ms) }, now);
    // Act.
    await this.act(k, cluster, prev, d);
    if (d.wakeAt !== undefined) return { requeueAfterMs: Math.max(0, d.wakeAt - now) };
  }

  private async act(k: string, cluster: SimCluster, prev: AutoRepair | undefined, d: RepairDecision): Promise<void> {
    const { ctx } = this;
    const [ns] = splitKey(k);
    // The step's events first, each named by its key: a restart before the status write below
    // decides the same step again and finds its events already there (posted once, never lost).
    await Promise.all(
      d.events.map((e) => {
        const action = e.reason.replace(/^Node|Start$|End$|Error$/g, '') || e.reason;
        // The machine's uid too: a VM made again under the same name counts its requests from 0.
        const uid = (ctx.machines.get(`${ns}/${e.node}`)?.metadata.uid ?? 'gone').slice(0, 8);
        const input = { type: e.type, reason: e.reason, note: e.note, action, controller: REPORTING_CONTROLLER };
        return ctx.events.recordOnce(nodeRef(e.node, ctx.nodes.get(e.node)), input, `${e.node}.${uid}.${e.key}`);
      }),
    );
    // Then status: a restart after this line resumes the same step and re-asserts its request.
    if (!isDeepStrictEqual(prev ?? {}, d.status)) {
      // A merge patch keeps keys it does not name: clear the ones that went (e.g. message).
      const cleared = Object.fromEntries(
        Object.keys(cluster.status?.autoRepair ?? {})
          .filter((f) => !(f in d.status))
          .map((f) => [f, null]),
      );
      const updated = await ctx.kube.patchStatus<SimCluster>('SimCluster', ns, cluster.metadata.name!, {
        autoRepair: { ...cleared, ...d.status },
      });
      this.written.set(k, { rv: Number(updated.metadata.resourceVersion), status: d.status });
    }
    for (const r of d.requests) {
      const m = ctx.machines.get(objectKey(ns, r.node));
      if (!m || requestsOf(m, r.action) >= r.target) continue;
      await ctx.kube.patch(
        'SimMachine',
        ns,
        r.node,
        { spec: { [requestField(r.action)]: r.target, lastRequestedBy: REMEDIATOR_USER } },
        { fieldManager: REMEDIATOR_USER },
      );
      ctx.log.info({ cluster: k, node: r.node, action: r.action }, `auto-repair: ${r.action} of ${r.node}`);
    }
  }
}
