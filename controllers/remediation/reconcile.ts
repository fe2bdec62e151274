// Node auto-repair, one reconciler per SimCluster: reads the cluster's machines and Nodes from the
// caches, lets decide() choose, records the repair state in SimCluster status.autoRepair first
// (the memory a restarted operator resumes from), then asks machines for actions as user
// aks-remediator (spec.<action>Requests, field manager aks-remediator) and posts the Node events
// (reporting controller aks-auto-repair). Requeues at the earliest deadline; never polls.
import { isDeepStrictEqual } from 'node:util';
import { PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import type { SimCluster, SimMachine } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { getCondition, type Condition } from '../../src/runtime/conditions.js';
import { clusterKeyOf, LABELS, splitKey, type ControllerDef, type Ctx } from '../context.js';
import { doneOf, requestField, requestsOf, ACTION_TYPES, type ActionType } from '../machine/health.js';
import { decide, repairSettings, REMEDIATOR_USER, REPORTING_CONTROLLER, type NodeView } from './decide.js';

export const SHUTDOWN_TAINT = 'node.cloudprovider.kubernetes.io/shutdown';
export const CA_DELETE_TAINT = 'ToBeDeletedByClusterAutoscaler';

export const remediationController: ControllerDef = {
  name: 'remediation',
  reconciler: (ctx) => new RemediationReconciler(ctx),
  // One reconcile looks at every node of the cluster: during a scale-out's event storm, at most
  // one per 250 ms instead of one per node event. Windows and waits run on deadlines (wakeAt).
  coalesceMs: 250,
  watch(ctx, enqueue) {
    const self = (c: SimCluster): void => enqueue(`${c.metadata.namespace}/${c.metadata.name}`);
    ctx.clusters.on({ add: self, update: (_o, c) => self(c) });
    const fromMachine = (m: SimMachine): void => enqueue(clusterKeyOf(m.metadata.namespace!, m.spec.clusterName));
    ctx.machines.on({ add: fromMachine, update: (_o, m) => fromMachine(m), delete: fromMachine });
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

const readyCond = (n: V1Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready');
const readyOf = (n: V1Node | undefined): 'True' | 'False' | 'Unknown' => {
  const s = readyCond(n)?.status;
  return s === 'True' || s === 'False' ? s : 'Unknown';
};

/** Why a node must not be repaired now, if it must not (behaviour.md section 2, "not repaired when"). */
export function skipReason(m: SimMachine, node: V1Node | undefined): string | undefined {
  if (!m.status?.provisionedTime) return 'it never registered as healthy';
  const taints = node?.spec?.taints ?? [];
  if (taints.some((t) => t.key === SHUTDOWN_TAINT)) return `it carries the ${SHUTDOWN_TAINT} taint`;
  if (taints.some((t) => t.key === CA_DELETE_TAINT)) return `it carries the ${CA_DELETE_TAINT} taint`;
  const conds = m.status.conditions as Condition[] | undefined;
  if (getCondition(conds, 'Upgrading') || m.spec.orchestratorVersion !== m.status.orchestratorVersion || m.spec.nodeImageVersion !== m.status.nodeImageVersion) return 'it is being upgraded';
  if (m.status.action) return `a ${m.status.action.type} requested by ${m.status.action.actor} is running`;
  return undefined;
}

/**
 * Real ms since when the node has been unhealthy. Unknown: the controller manager's transition
 * time (it marks a node Unknown a grace period after its last heartbeat). False: kwok stamps the
 * node's creation time as the transition, so the machine controller's own observation
 * (SimMachine condition NodeReady) is the later, truer bound.
 */
export function unhealthySince(m: SimMachine, node: V1Node | undefined, now: number): number | undefined {
  const c = readyCond(node);
  if (c?.status === 'True') return undefined;
  if (!node) return undefined;
  const nodeLtt = c?.lastTransitionTime ? new Date(c.lastTransitionTime as unknown as string).getTime() : new Date(node.metadata!.creationTimestamp as unknown as string).getTime();
  const seen = getCondition(m.status?.conditions as Condition[] | undefined, 'NodeReady');
  const seenMs = seen && seen.status !== 'True' ? Date.parse(seen.lastTransitionTime) : NaN;
  if (c?.status !== 'False') return nodeLtt;
  // The machine controller has not recorded the change yet: count from now until it has.
  return Number.isNaN(seenMs) ? now : Math.max(seenMs, nodeLtt);
}

export function nodeView(m: SimMachine, node: V1Node | undefined, now: number): NodeView {
  const requests = Object.fromEntries(ACTION_TYPES.map((a) => [a, requestsOf(m, a)])) as Record<ActionType, number>;
  const done = Object.fromEntries(ACTION_TYPES.map((a) => [a, doneOf(m, a)])) as Record<ActionType, number>;
  const v: NodeView = { name: m.metadata.name!, ready: readyOf(node), windows: m.spec.osType === 'Windows', requests, done };
  const since = unhealthySince(m, node, now);
  if (since !== undefined) v.unhealthySince = since;
  const skip = skipReason(m, node);
  if (skip) v.skip = skip;
  if (!m.status?.provisionedTime) v.neverHealthy = true;
  return v;
}

class RemediationReconciler implements Reconciler {
  readonly name = 'remediation';
  /**
   * The last status.autoRepair this process wrote per cluster. A reconcile triggered by a machine
   * or node change can run before the cluster cache shows that write; deciding from the stale
   * copy would repeat the step's events. Only a guard against the cache lag: on restart the API
   * server's status is the memory.
   */
  private readonly written = new Map<string, { rv: number; status: NonNullable<NonNullable<SimCluster['status']>['autoRepair']> }>();
  constructor(private readonly ctx: Ctx) {}

  private freshest(k: string, cluster: SimCluster): NonNullable<SimCluster['status']>['autoRepair'] {
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
    const [ns] = splitKey(k);
    const machines = ctx.machines.byIndex('cluster', k).filter((m) => !m.metadata.deletionTimestamp);
    const now = ctx.clock.now();
    const nodes = machines.map((m) => nodeView(m, ctx.nodes.get(m.metadata.name!), now));
    const prev = this.freshest(k, cluster);
    const d = decide({ settings: repairSettings(cluster.spec.autoRepair), nodes, prev, toReal: (ms) => ctx.clock.toReal(ms) }, now);
    // The step's events first, each named by its key: a restart before the status write below
    // decides the same step again and finds its events already there (posted once, never lost).
    await Promise.all(
      d.events.map((e) => {
        const node = ctx.nodes.get(e.node);
        const regarding = node ? { apiVersion: 'v1', kind: 'Node', metadata: node.metadata } : { apiVersion: 'v1', kind: 'Node', metadata: { name: e.node } };
        // The machine's uid too: a VM made again under the same name counts its requests from 0.
        const uid = (ctx.machines.get(`${ns}/${e.node}`)?.metadata.uid ?? 'gone').slice(0, 8);
        return ctx.events.recordOnce(regarding, { type: e.type, reason: e.reason, note: e.note, action: e.reason.replace(/^Node|Start$|End$|Error$/g, '') || e.reason, controller: REPORTING_CONTROLLER }, `${e.node}.${uid}.${e.key}`);
      }),
    );
    // Then status: a restart after this line resumes the same step and re-asserts its request.
    if (!isDeepStrictEqual(prev ?? {}, d.status)) {
      // A merge patch keeps keys it does not name: clear the ones that went (e.g. message).
      const cleared = Object.fromEntries(Object.keys(cluster.status?.autoRepair ?? {}).filter((f) => !(f in d.status)).map((f) => [f, null]));
      const updated = await ctx.kube.patchStatus<SimCluster>('SimCluster', ns, cluster.metadata.name!, { autoRepair: { ...cleared, ...d.status } });
      this.written.set(k, { rv: Number(updated.metadata.resourceVersion), status: d.status });
    }
    for (const r of d.requests) {
      const m = ctx.machines.get(`${ns}/${r.node}`);
      if (!m || requestsOf(m, r.action) >= r.target) continue;
      ctx.kube.wrote('patch', 'SimMachine');
      await ctx.kube.custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: ns, plural: 'simmachines', name: r.node, body: { spec: { [requestField(r.action)]: r.target, lastRequestedBy: REMEDIATOR_USER } }, fieldManager: REMEDIATOR_USER },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      ctx.log.info({ cluster: k, node: r.node, action: r.action }, `auto-repair: ${r.action} of ${r.node}`);
    }
    if (d.wakeAt !== undefined) return { requeueAfterMs: Math.max(0, d.wakeAt - now) };
  }
}
