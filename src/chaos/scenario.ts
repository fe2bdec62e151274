// What a chaos scenario is and what it gets: its resource group, a seeded stream for its actions,
// the public surfaces, and the recorded world to judge when things have settled.
import type { Rng } from './random.js';
import type { Surfaces } from './surfaces.js';
import type { Obj } from './log.js';
import { isDeleting, isReady, label, type World } from './world.js';

export interface Ctx {
  /** The scenario's resource group (namespace). */
  ns: string;
  rng: Rng;
  timeScale: number;
  subscriptionId: string;
  world: World;
  s: Surfaces;
  /** Waits until check(world) returns undefined; throws with its last answer after timeoutMs. */
  waitFor(what: string, check: (w: World) => string | undefined, timeoutMs?: number): Promise<void>;
  /** Real ms the operators' simulation clock runs ahead (the sum of the clock jumps so far). */
  clockOffsetMs(): number;
  /** Records what the scenario did (for the log and the printout). */
  note(msg: string, data?: Record<string, unknown>): void;
  sleep(ms: number): Promise<void>;
}

export interface Scenario {
  name: string;
  /** What it exercises, for the report. */
  what: string;
  /** Real ms after a round's action during which a fault may strike (the action is still in flight). */
  windowMs: number;
  setup(c: Ctx): Promise<void>;
  /** The round's action; returns what it did. */
  action(c: Ctx, round: number): Promise<string>;
  /** Undefined once everything in the resource group has settled; otherwise what is still pending. */
  settled(c: Ctx): string | undefined;
  /** Extra steps after the last round (e.g. more than 50 operations on one target). */
  finish?(c: Ctx): Promise<void>;
}

// Helpers the scenarios share to judge a resource group from the recorded world.

export const inNs = (w: World, res: Parameters<World['list']>[0], ns: string): Obj[] =>
  w.list(res).filter((o) => o.metadata.namespace === ns);

/** Nodes of a cluster pool in the world. */
export const poolNodes = (w: World, ns: string, cluster: string, pool: string): Obj[] =>
  w
    .list('Node')
    .filter((n) => label(n, 'aksim.io/namespace') === ns && label(n, 'aksim.io/cluster') === cluster && label(n, 'aksim.io/pool') === pool);

/**
 * A pool has settled when its live machines match its count, each has a Ready, schedulable Node,
 * nothing is being deleted and no operation of it still runs.
 */
export function poolSettled(
  w: World,
  ns: string,
  cluster: string,
  pool: string,
  opts: { count?: number; version?: string } = {},
): string | undefined {
  const p = w.get('SimNodePool', `${ns}/${cluster}-${pool}`);
  if (!p) return `pool ${pool} not there yet`;
  const taken = takenIn(p);
  if (taken) return `pool ${pool}: ${taken}`;
  const clusterTaken = takenIn(w.get('SimCluster', `${ns}/${cluster}`));
  if (clusterTaken) return `cluster ${cluster}: ${clusterTaken}`;
  // A count the round asked for must show in the spec first: the record may trail the write.
  if (opts.count !== undefined && p.spec?.count !== opts.count)
    return `pool ${pool}: spec.count ${p.spec?.count} not yet ${opts.count} in the record`;
  const count = opts.count ?? p.spec?.count ?? 3;
  const machines = inNs(w, 'SimMachine', ns).filter((m) => m.spec?.clusterName === cluster && m.spec?.poolName === pool);
  if (machines.some(isDeleting)) return `pool ${pool}: machines still being deleted`;
  if (machines.length !== count) return `pool ${pool}: ${machines.length} machines, want ${count}`;
  const nodes = poolNodes(w, ns, cluster, pool);
  const notReady = machines.filter((m) => !isReady(nodes.find((n) => n.metadata.name === m.metadata.name)));
  if (notReady.length > 0) return `pool ${pool}: ${notReady.length} nodes not Ready`;
  if (nodes.length !== count) return `pool ${pool}: ${nodes.length} Nodes, want ${count}`;
  if (opts.version && nodes.some((n) => n.status?.nodeInfo?.kubeletVersion !== `v${opts.version}`))
    return `pool ${pool}: nodes not all on ${opts.version}`;
  return opsSettled(w, ns);
}

/** Every operation of the resource group has ended. */
export function opsSettled(w: World, ns: string): string | undefined {
  const running = inNs(w, 'SimOperation', ns).filter((o) => !['Succeeded', 'Failed', 'Canceled'].includes(o.status?.status));
  return running.length
    ? `operations still running: ${running.map((o) => `${o.spec?.type} of ${o.spec?.targetName}`).join(', ')}`
    : undefined;
}

/** A Deployment's pods (by label) all Ready and not going. */
export function workloadReady(w: World, ns: string, app: string, replicas: number): string | undefined {
  const pods = inNs(w, 'Pod', ns).filter(
    (p) => label(p, 'app') === app && !isDeleting(p) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
  );
  const ready = pods.filter(isReady).length;
  return ready >= replicas && pods.length === replicas ? undefined : `workload ${app}: ${ready}/${replicas} Ready (${pods.length} pods)`;
}

/**
 * `aksim aks nodepool scale` of one pool in the scenario's resource group (`--no-wait` unless wait).
 * A call the harness sent again after its write had gone through (the first failed around a
 * kube-apiserver restart) is refused as busy: the pool's spec then says the scale was asked for.
 */
export async function cliScale(c: Ctx, cluster: string, pool: string, count: number, o: { wait?: boolean } = {}): Promise<void> {
  const noWait = o.wait ? [] : ['--no-wait'];
  const asked = (): boolean => c.world.get('SimNodePool', `${c.ns}/${cluster}-${pool}`)?.spec?.count === count;
  await c.s
    .aksim(['aks', 'nodepool', 'scale', '-g', c.ns, '--cluster-name', cluster, '-n', pool, '-c', String(count), ...noWait, '-o', 'none'])
    .catch((err: unknown) => {
      if (!asked()) throw err;
      return '';
    });
}

/** The first reason in a list of checks, or undefined when all pass. */
export const firstOf = (...checks: (string | undefined)[]): string | undefined => checks.find((c) => c !== undefined);

/** A Deployment of `replicas` pods on a pool's nodes, kept by a PodDisruptionBudget of minAvailable. */
export function workloadYaml(o: {
  ns: string;
  app: string;
  pool: string;
  replicas: number;
  minAvailable: number;
  tolerateSpot?: boolean;
}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${o.app}}
spec:
  replicas: ${o.replicas}
  selector: {matchLabels: {app: ${o.app}}}
  template:
    metadata: {labels: {app: ${o.app}}}
    spec:
      nodeSelector: {kubernetes.azure.com/agentpool: ${o.pool}, aksim.io/namespace: ${o.ns}}
${o.tolerateSpot ? '      tolerations: [{key: kubernetes.azure.com/scalesetpriority, operator: Equal, value: spot, effect: NoSchedule}]\n' : ''}      terminationGracePeriodSeconds: 0
      containers: [{name: app, image: registry.k8s.io/pause:3.10}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: ${o.app}}
spec:
  minAvailable: ${o.minAvailable}
  selector: {matchLabels: {app: ${o.app}}}
`;
}

export interface PoolProfile {
  name: string;
  count: number;
  mode?: 'System' | 'User';
  zones?: string[];
  maxSurge?: string;
  spot?: boolean;
}

/**
 * A SimCluster (kubectl apply) with quick simulated timings: boots of 30 s, control plane upgrades
 * of 30 s, VM deletes of 10 s (half a second, half a second and a sixth at timeScale 60), and
 * drains allowed two simulated hours so that a clock jump never cuts one short.
 */
export function clusterYaml(o: { name: string; version?: string; pools: PoolProfile[]; autoRepair?: object; bootTime?: string }): string {
  const pools = o.pools.map((p) => ({
    name: p.name,
    count: p.count,
    mode: p.mode ?? 'User',
    vmSize: 'Standard_D2s_v3',
    ...(p.zones ? { availabilityZones: p.zones } : {}),
    upgradeSettings: { maxSurge: p.maxSurge ?? '1', drainTimeoutInMinutes: 120 },
    ...(p.spot ? { scaleSetPriority: 'Spot', scaleSetEvictionPolicy: 'Delete' } : {}),
  }));
  const spec = {
    location: 'eastus',
    kubernetesVersion: o.version ?? '1.34.4',
    simulation: { nodeBootTime: o.bootTime ?? 'PT30S', controlPlaneUpgradeTime: 'PT30S', nodeDeleteTime: 'PT10S' },
    ...(o.autoRepair ? { autoRepair: o.autoRepair } : {}),
    agentPoolProfiles: pools,
  };
  return JSON.stringify({ apiVersion: 'aksim.io/v1alpha1', kind: 'SimCluster', metadata: { name: o.name }, spec });
}

/** Live (not deleting) machines of a pool. */
export const liveMachines = (w: World, ns: string, cluster: string, pool: string): Obj[] =>
  inNs(w, 'SimMachine', ns).filter((m) => m.spec?.clusterName === cluster && m.spec?.poolName === pool && !isDeleting(m));

/** Nothing is being deleted, every live machine has a Ready Node, every operation has ended (the count may differ from spec: an abort). */
export function machinesSettled(w: World, ns: string, cluster: string, pool: string): string | undefined {
  const taken = takenIn(w.get('SimNodePool', `${ns}/${cluster}-${pool}`)) ?? takenIn(w.get('SimCluster', `${ns}/${cluster}`));
  if (taken) return `pool ${pool}: ${taken}`;
  const all = inNs(w, 'SimMachine', ns).filter((m) => m.spec?.clusterName === cluster && m.spec?.poolName === pool);
  if (all.some(isDeleting)) return `pool ${pool}: machines still being deleted`;
  const nodes = poolNodes(w, ns, cluster, pool);
  const notReady = all.filter((m) => !isReady(nodes.find((n) => n.metadata.name === m.metadata.name)));
  if (notReady.length) return `pool ${pool}: ${notReady.length} machines without a Ready Node`;
  if (nodes.length !== all.length) return `pool ${pool}: ${nodes.length} Nodes for ${all.length} machines`;
  return opsSettled(w, ns);
}

/** The operator has taken in the object's latest spec and runs no operation on it (a convergence test only). */
export function takenIn(o: Obj | undefined): string | undefined {
  if (!o) return undefined;
  if ((o.status?.lastOperationGeneration ?? 0) < (o.metadata.generation ?? 0)) {
    const ready = (o.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
    if (ready?.status === 'False' && ready.observedGeneration === o.metadata.generation) return undefined; // refused
    return `generation ${o.metadata.generation} not taken in yet`;
  }
  if (o.status?.currentOperation) return `operation ${o.status.currentOperation.type} running`;
  return undefined;
}
