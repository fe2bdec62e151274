// The scale benchmark (`make bench-scale BENCH_NODES=2000|5000`, issue 14): kwokctl scaling N plain
// nodes and aksim bringing up a SimCluster of N nodes (10 pools, auto-repair on as a user gets it)
// on the same control plane in the same run; then whether the N Nodes stay Ready, what the idle
// operator costs (writes, CPU), a +10 scale of one pool against the same on an empty cluster, and
// auto-repair latency under faults at that size. The control plane is profiled throughout
// (bench/probe.ts). Writes bench/results/scale-<N>-<time>.json and scale-<N>-latest.json.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import type { SimCluster, SimNodePool } from '../src/api/generated.js';
import { poolObjectName } from '../src/model/names.js';
import { isNotFound } from '../src/runtime/client.js';
import { repairSettings } from '../controllers/remediation/decide.js';
import { type ClusterObj, type MachineObj, sample, type Sample, watchRebootStarts } from './faults.js';
import {
  apiWrites,
  cleanupAll,
  cleanups,
  CLUSTER_NAME,
  crdPath,
  elapsed,
  forceRemove,
  kube,
  kwokctl,
  LEASE_SECONDS,
  machineInfo,
  median,
  type Operator,
  OPERATOR_ENTRY,
  procStatusKB,
  RESULTS,
  round3,
  runMain,
  sleep,
  startOperator,
  TIME_SCALE,
  Watcher,
  writeResult,
  writesBetween,
} from './lib.js';
import { clusterPids, cpuSeconds, heartbeatSettings, Profiler, ReadyTracker } from './probe.js';

const NODES = Number(process.env.BENCH_NODES ?? 2000);
const POOLS = Number(process.env.BENCH_POOLS ?? 10);
const PER_POOL = Math.ceil(NODES / POOLS);
/** How long all N must stay Ready after they all were (and how long the operator is watched idle, at its end). */
const STABLE_SECONDS = Number(process.env.BENCH_STABLE_SECONDS ?? 120);
const IDLE_SECONDS = Math.min(STABLE_SECONDS, Number(process.env.BENCH_IDLE_SECONDS ?? 60));
/** Wait for all N Ready at most this long; a run that never gets there is recorded as such. */
const READY_TIMEOUT_MS = Number(process.env.BENCH_READY_TIMEOUT_SECONDS ?? 900) * 1000;
const FAULTS = (process.env.BENCH_SCALE_FAULTS ?? 'KubeletStopped,ContainerRuntimeDown,KubeletStopped,ContainerRuntimeDown,KubeletStopped')
  .split(',')
  .filter(Boolean);
const SCALE_BY = 10;
const SKIP_KWOKCTL = process.env.BENCH_SKIP_KWOKCTL === '1';
const PROFILE_INTERVAL_MS = Number(process.env.BENCH_PROFILE_INTERVAL_SECONDS ?? 10) * 1000;

const TARGET = {
  ratio: 1.3,
  peakRssMB: NODES > 2000 ? 500 : 300,
  idleWritesPerMinute: 0,
  idleCpuPercent: 5,
  scaleRatio: 2,
  repairMs: 1000,
};
const KWOK_SELECTOR = 'kwok.x-k8s.io/kwokctl-scale=node';
const CLUSTER = 'scale';
const EMPTY = 'empty';

const grace = (): number => Number(heartbeatSettings(CLUSTER_NAME).nodeMonitorGracePeriodSeconds);

// ---------------------------------------------------------------------------------------------
// kwokctl alone

interface KwokSide {
  secondsToReady: number | null;
  secondsCommand: number;
  stableSeconds: number;
  minReadyAfterAllReady: number;
  nodesSeenNotReady: number;
  secondsToDeleted: number;
  maxReady: number;
}

async function kwokctlSide(profiler: Profiler, track: { tracker?: ReadyTracker<V1Node> }): Promise<KwokSide> {
  const watch = await new Watcher<V1Node>('/api/v1/nodes', KWOK_SELECTOR).start();
  cleanups.push(async () => watch.stop());
  if (watch.informer.size > 0) {
    console.log(`  kwokctl: ${watch.informer.size} leftover nodes; scaling to 0 first`);
    await kwokctl('scale', 'node', '--replicas', '0');
    await watch.until('leftover kwokctl nodes gone', (n) => n.length === 0);
  }
  const tracker = new ReadyTracker(watch.informer);
  track.tracker = tracker;
  let scaled = true;
  cleanups.push(async () => {
    if (scaled) await kwokctl('scale', 'node', '--replicas', '0');
  });
  await profiler.phase('kwokctl: scale-out');
  const t0 = process.hrtime.bigint();
  let maxReady = 0;
  // Counted from the watch's own list: the tracker hears the same event after this check does.
  const isReady = (n: V1Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const ready = watch.until(
    `${NODES} kwokctl Nodes Ready`,
    (ns) => (maxReady = Math.max(maxReady, ns.filter(isReady).length)) >= NODES,
    READY_TIMEOUT_MS,
  );
  let secondsCommand = 0;
  let secondsToReady: number | null = null;
  await Promise.all([
    kwokctl('scale', 'node', '--replicas', String(NODES)).then(() => (secondsCommand = elapsed(t0))),
    ready.then(
      () => (secondsToReady = elapsed(t0)),
      (err: unknown) => console.log(`  kwokctl: ${(err as Error).message}`),
    ),
  ]);
  console.log(
    `  kwokctl: ${NODES} Nodes Ready in ${secondsToReady === null ? 'never' : (secondsToReady as number).toFixed(1)}s (command ${secondsCommand.toFixed(1)}s)`,
  );
  const held = await hold(profiler, 'kwokctl: hold', tracker);
  await profiler.phase('kwokctl: delete');
  const td = process.hrtime.bigint();
  await kwokctl('scale', 'node', '--replicas', '0');
  await watch.until('kwokctl Nodes deleted', (n) => n.length === 0);
  scaled = false;
  const secondsToDeleted = elapsed(td);
  track.tracker = undefined;
  console.log(`  kwokctl: deleted in ${secondsToDeleted.toFixed(1)}s`);
  return {
    secondsToReady: secondsToReady === null ? null : round3(secondsToReady),
    secondsCommand: round3(secondsCommand),
    ...held,
    maxReady,
    secondsToDeleted: round3(secondsToDeleted),
  };
}

/** Holds STABLE_SECONDS after all were Ready: the lowest Ready count and how long all stayed Ready. */
async function hold(
  profiler: Profiler,
  phase: string,
  tracker: ReadyTracker<V1Node>,
  during?: (atSecond: number) => Promise<void>,
): Promise<{ stableSeconds: number; minReadyAfterAllReady: number; nodesSeenNotReady: number }> {
  await profiler.phase(phase);
  tracker.arm();
  const start = Date.now();
  for (let s = 0; s < STABLE_SECONDS; s++) {
    await during?.(s);
    await sleep(Math.max(0, start + (s + 1) * 1000 - Date.now()));
  }
  const stableSeconds = round3(((tracker.firstDropAt ?? Date.now()) - start) / 1000);
  const out = { stableSeconds, minReadyAfterAllReady: tracker.minReady, nodesSeenNotReady: tracker.seenNotReady.size };
  tracker.disarm();
  console.log(
    `  ${phase}: Ready stayed at ${NODES} for ${stableSeconds}s of ${STABLE_SECONDS}s; lowest ${out.minReadyAfterAllReady}; ${out.nodesSeenNotReady} Nodes seen not Ready`,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// aksim

const clusterSpec = (name: string, ns: string, pools: number, perPool: number): SimCluster =>
  ({
    metadata: { name, namespace: ns },
    spec: {
      location: 'eastus',
      agentPoolProfiles: Array.from({ length: pools }, (_, i) => ({
        name: `pool${i}`,
        mode: i === 0 ? 'System' : 'User',
        count: Math.min(perPool, NODES - i * perPool),
        vmSize: 'Standard_D2s_v3',
      })),
      simulation: { nodeBootTime: 'PT0S', nodeDeleteTime: 'PT0S' },
      // spec.autoRepair is not written: the default a user gets (on, the Seed profile).
    },
  }) as SimCluster;

interface Scale10 {
  from: number;
  to: number;
  secondsToReady: number;
  secondsToSucceeded: number;
}

/** Patches pool0's count by +SCALE_BY (as `aksim aks nodepool scale` does) and times it to the new Nodes Ready and the pool Succeeded. */
async function scaleBy10(
  ns: string,
  cluster: string,
  nodes: Watcher<V1Node>,
  pools: Watcher<SimNodePool & { metadata: { name: string } }>,
  op: Operator,
): Promise<Scale10> {
  const name = poolObjectName(cluster, 'pool0');
  const pool = pools.informer.get(`${ns}/${name}`)!;
  const from = pool.spec.count ?? 0;
  const to = from + SCALE_BY;
  const inPool = (ns2: V1Node[]): number =>
    ns2.filter(
      (n) =>
        n.metadata?.labels?.['aksim.io/pool'] === 'pool0' && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
  const done = (ps: SimNodePool[]): boolean => {
    const p = ps.find((x) => x.metadata.name === name);
    return (
      !!p &&
      p.status?.provisioningState === 'Succeeded' &&
      (p.status.observedGeneration ?? 0) >= (p.metadata.generation ?? 0) &&
      (p.status.readyNodes ?? 0) >= to
    );
  };
  let secondsToReady = 0;
  let secondsToSucceeded = 0;
  const t0 = process.hrtime.bigint();
  await kube.patch('SimNodePool', ns, name, { spec: { count: to } });
  await Promise.race([
    Promise.all([
      nodes.until(`pool0 at ${to} Ready`, (n) => inPool(n) >= to).then(() => (secondsToReady = elapsed(t0))),
      pools.until(`pool0 scaled to ${to}`, done).then(() => (secondsToSucceeded = elapsed(t0))),
    ]),
    op.died,
  ]);
  console.log(
    `  +${SCALE_BY} on ${cluster}/pool0 (${from} -> ${to}): Nodes Ready ${secondsToReady.toFixed(2)}s, pool Succeeded ${secondsToSucceeded.toFixed(2)}s`,
  );
  return { from, to, secondsToReady: round3(secondsToReady), secondsToSucceeded: round3(secondsToSucceeded) };
}

interface World {
  ns: string;
  op: Operator;
  nodes: Watcher<V1Node>;
  machines: Watcher<MachineObj>;
  clusters: Watcher<ClusterObj>;
  pools: Watcher<SimNodePool & { metadata: { name: string } }>;
}

async function createAndWait(
  w: World,
  name: string,
  pools: number,
  perPool: number,
  count: number,
): Promise<{ secondsToReady: number | null; secondsToSucceeded: number | null; maxReady: number }> {
  const sel = (n: V1Node): boolean => n.metadata?.labels?.['aksim.io/cluster'] === name;
  let maxReady = 0;
  const readyCount = (ns: V1Node[]): number =>
    ns.filter((n) => sel(n) && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  let secondsToReady: number | null = null;
  let secondsToSucceeded: number | null = null;
  const t0 = process.hrtime.bigint();
  await kube.create('SimCluster', w.ns, clusterSpec(name, w.ns, pools, perPool));
  const ready = w.nodes
    .until(`${count} ${name} Nodes Ready`, (ns) => (maxReady = Math.max(maxReady, readyCount(ns))) >= count, READY_TIMEOUT_MS)
    .then(() => (secondsToReady = elapsed(t0)));
  const ok = w.clusters
    .until(
      `${name} Succeeded`,
      (cs) => cs.some((c) => c.metadata.name === name && c.status?.provisioningState === 'Succeeded'),
      READY_TIMEOUT_MS,
    )
    .then(() => (secondsToSucceeded = elapsed(t0)));
  await Promise.race([Promise.all([ready, ok]), w.op.died]).catch((err: unknown) => console.log(`  aksim: ${(err as Error).message}`));
  return {
    secondsToReady: secondsToReady === null ? null : round3(secondsToReady),
    secondsToSucceeded: secondsToSucceeded === null ? null : round3(secondsToSucceeded),
    maxReady,
  };
}

async function deleteCluster(w: World, name: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  await kube.delete('SimCluster', w.ns, name);
  await Promise.race([
    Promise.all([
      w.nodes.until(`${name} Nodes gone`, (n) => !n.some((x) => x.metadata?.labels?.['aksim.io/cluster'] === name)),
      w.clusters.until(`${name} gone`, (cs) => !cs.some((c) => c.metadata.name === name)),
    ]),
    w.op.died,
  ]);
  return round3(elapsed(t0));
}

/** The operator's CPU seconds and API writes, for an idle window. */
async function idleReading(op: Operator): Promise<{ at: number; cpu: number; writes: Record<string, number> }> {
  return { at: Date.now(), cpu: cpuSeconds(op.proc.pid!), writes: await apiWrites(op.metricsUrl) };
}

async function faults(w: World): Promise<Sample[]> {
  const settings = repairSettings(undefined);
  const windowRealMs = (settings.windowMs + settings.delayMs) / TIME_SCALE;
  const byPool = new Map<string, string[]>();
  for (const m of w.machines.informer.list())
    if (m.spec.clusterName === CLUSTER) byPool.set(m.spec.poolName, [...(byPool.get(m.spec.poolName) ?? []), m.metadata.name!]);
  for (const v of byPool.values()) v.sort();
  const pools = [...byPool.keys()].sort();
  const { watch, starts } = await watchRebootStarts();
  const out: Sample[] = [];
  try {
    for (let i = 0; i < FAULTS.length; i++) {
      const list = byPool.get(pools[(i + 1) % pools.length]!)!;
      const node = list[Math.floor(i / pools.length) + 3]!;
      const s = await sample(w.op, w.ns, CLUSTER, FAULTS[i]!, node, windowRealMs, {
        nodes: w.nodes,
        machines: w.machines,
        clusters: w.clusters,
        rebootStarts: starts,
      });
      out.push(s);
      console.log(
        `  ${s.fault} on ${node} (${s.ready}): NodeRebootStart ${s.msToEventTime} ms after the window end (watch ${s.msToWatchReceipt} ms); unhealthy after ${s.secondsInjectToUnhealthy}s`,
      );
    }
  } finally {
    watch.stop();
  }
  return out;
}

async function aksimSide(
  profiler: Profiler,
  track: { tracker?: ReadyTracker<V1Node>; op?: Operator },
  stamp: string,
): Promise<Record<string, unknown>> {
  const logFile = join(RESULTS, `operator-scale-${stamp}.log`);
  const op = await startOperator(logFile);
  track.op = op;
  cleanups.push(() => op.stop());
  console.log(`  operator pid ${op.proc.pid}, log ${logFile}`);
  const ns = `bench-scale-${randomBytes(3).toString('hex')}`;
  const nodes = await new Watcher<V1Node>('/api/v1/nodes', 'aksim.io/cluster').start();
  cleanups.push(async () => nodes.stop());
  if (nodes.informer.size > 0) throw new Error(`${nodes.informer.size} aksim Nodes already exist: a previous run left them`);
  await kube.core.createNamespace({ body: { metadata: { name: ns, labels: { 'aksim.io/bench': 'scale' } } } });
  const w: World = {
    ns,
    op,
    nodes,
    machines: await new Watcher<MachineObj>(crdPath('simmachines', ns)).start(),
    clusters: await new Watcher<ClusterObj>(crdPath('simclusters', ns)).start(),
    pools: await new Watcher<SimNodePool & { metadata: { name: string } }>(crdPath('simnodepools', ns)).start(),
  };
  cleanups.push(async () => {
    if (op.proc.exitCode === null) {
      for (const c of w.clusters.informer.list()) await kube.delete('SimCluster', ns, c.metadata.name!).catch(() => undefined);
      await nodes.until('cleanup: nodes gone', (n) => n.length === 0, 300_000).catch(() => undefined);
    }
    for (const x of [w.machines, w.clusters, w.pools]) x.stop();
    await forceRemove(ns, ['SimMachine', 'SimNodePool', 'SimCluster'], `aksim.io/namespace=${ns}`);
    await kube.core.deleteNamespace({ name: ns }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  });
  const out: Record<string, unknown> = {};

  // +10 on an empty cluster (one pool of one node), the baseline.
  await profiler.phase('aksim: +10 on an empty cluster');
  const small = await createAndWait(w, EMPTY, 1, 1, 1);
  if (small.secondsToSucceeded === null) throw new Error('the empty cluster never succeeded');
  const emptyScale = await scaleBy10(ns, EMPTY, nodes, w.pools, op);
  await deleteCluster(w, EMPTY);

  // N nodes.
  await profiler.phase('aksim: scale-out');
  const before = await apiWrites(op.metricsUrl);
  const tracker = new ReadyTracker(nodes.informer);
  track.tracker = tracker;
  const up = await createAndWait(w, CLUSTER, POOLS, PER_POOL, NODES);
  const byKind = writesBetween(before, await apiWrites(op.metricsUrl));
  const writes = Object.values(byKind).reduce((a, b) => a + b, 0);
  Object.assign(out, { ...up, apiWrites: writes, apiWritesPerNode: round3(writes / NODES), apiWritesByKind: byKind });
  console.log(
    `  aksim: ${NODES} Nodes Ready ${up.secondsToReady ?? 'never'}s (most Ready at once ${up.maxReady}), cluster Succeeded ${up.secondsToSucceeded ?? 'never'}s, ${writes} writes`,
  );
  if (up.secondsToReady === null || up.secondsToSucceeded === null) {
    await profiler.phase('aksim: never all Ready (60 s)');
    await sleep(60_000);
    out.operatorPeakRssMB = round3(Math.max(procStatusKB(op.proc.pid!, 'VmHWM'), op.maxRssKB) / 1024);
    return out;
  }

  // Stable, and idle in the hold's last IDLE_SECONDS.
  let idle0: Awaited<ReturnType<typeof idleReading>> | undefined;
  const repairsBefore = (w.clusters.informer.get(`${ns}/${CLUSTER}`)?.status?.autoRepair as { lastRepair?: unknown } | undefined)
    ?.lastRepair;
  const { watch: evWatch, starts } = await watchRebootStarts();
  // Events live an hour in namespace default: the watch's first list holds earlier runs' repairs.
  const earlier = new Set(starts.keys());
  const startedSince = (): number => [...starts.keys()].filter((k) => !earlier.has(k)).length;
  const held = await hold(profiler, 'aksim: hold', tracker, async (s) => {
    if (s === STABLE_SECONDS - IDLE_SECONDS) idle0 = await idleReading(op);
  });
  const idle1 = await idleReading(op);
  evWatch.stop();
  idle0 ??= idle1;
  const idleMinutes = (idle1.at - idle0.at) / 60_000;
  const idleWrites = writesBetween(idle0.writes, idle1.writes);
  const idleCount = Object.values(idleWrites).reduce((a, b) => a + b, 0);
  Object.assign(out, held, {
    idleSeconds: round3(idleMinutes * 60),
    idleWritesPerMinute: round3(idleCount / idleMinutes),
    idleWritesByKind: idleWrites,
    idleCpuPercent: round3(((idle1.cpu - idle0.cpu) / (idleMinutes * 60)) * 100),
    repairsStartedWhileStable: startedSince(),
    lastRepairChangedWhileStable:
      JSON.stringify(repairsBefore) !==
      JSON.stringify((w.clusters.informer.get(`${ns}/${CLUSTER}`)?.status?.autoRepair as { lastRepair?: unknown } | undefined)?.lastRepair),
  });
  console.log(
    `  aksim idle (${round3(idleMinutes * 60)}s): ${out.idleWritesPerMinute} writes/min, ${out.idleCpuPercent}% CPU; NodeRebootStart while stable: ${startedSince()}`,
  );

  // +10 at N.
  await profiler.phase(`aksim: +10 at ${NODES}`);
  const bigScale = await scaleBy10(ns, CLUSTER, nodes, w.pools, op);
  out.scaleBy10 = {
    empty: emptyScale,
    atScale: bigScale,
    ratio: round3(bigScale.secondsToSucceeded / emptyScale.secondsToSucceeded),
    target: TARGET.scaleRatio,
  };

  // Faults.
  await profiler.phase('aksim: faults');
  const samples = await faults(w);
  const receipt = samples.map((s) => s.msToWatchReceipt);
  out.faults = {
    samples,
    medianMsToEventTime: round3(median(samples.map((s) => s.msToEventTime))),
    maxMsToEventTime: Math.max(...samples.map((s) => s.msToEventTime)),
    medianMsToWatchReceipt: round3(median(receipt)),
    maxMsToWatchReceipt: Math.max(...receipt),
  };

  // Delete.
  await profiler.phase('aksim: delete');
  track.tracker = undefined;
  out.secondsToDeleted = await deleteCluster(w, CLUSTER);
  console.log(`  aksim: cluster deleted in ${out.secondsToDeleted}s`);
  out.operatorPeakRssMB = round3(Math.max(procStatusKB(op.proc.pid!, 'VmHWM'), op.maxRssKB) / 1024);
  out.operatorMaxSampledRssMB = round3(op.maxRssKB / 1024);
  out.operatorCpuSeconds = cpuSeconds(op.proc.pid!);
  await op.stop();
  track.op = undefined;
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const machine = await machineInfo();
  const heartbeats = heartbeatSettings(CLUSTER_NAME);
  console.log(
    `bench: scale, ${NODES} nodes (${POOLS} pools), cluster ${CLUSTER_NAME} (${JSON.stringify(heartbeats)}), load ${JSON.stringify(machine.loadAverageAtStart)}`,
  );
  const track: { tracker?: ReadyTracker<V1Node>; op?: Operator } = {};
  const pids = (): Record<string, number> => ({
    ...clusterPids(CLUSTER_NAME),
    ...(track.op?.proc.pid ? { operator: track.op.proc.pid } : {}),
  });
  const profiler = new Profiler(pids, grace(), () => track.tracker?.count, PROFILE_INTERVAL_MS);
  cleanups.push(() => profiler.phase(undefined));
  const kw = SKIP_KWOKCTL ? undefined : await kwokctlSide(profiler, track);
  const aksim = await aksimSide(profiler, track, stamp);
  await profiler.phase(undefined);
  await cleanupAll();
  const result = report(startedAt, machine, heartbeats, kw, aksim, profiler);
  const wrote = writeResult(`scale-${NODES}`, stamp, result);
  console.log(`\n${table(result)}\n\n${wrote}`);
}

function report(
  startedAt: Date,
  machine: Record<string, unknown>,
  heartbeats: Record<string, unknown>,
  kw: KwokSide | undefined,
  a: Record<string, any>,
  profiler: Profiler,
): Record<string, any> {
  const ratio = kw?.secondsToReady && a.secondsToReady ? round3(a.secondsToReady / kw.secondsToReady) : null;
  const faults = a.faults as { maxMsToWatchReceipt: number } | undefined;
  return {
    benchmark: `scale-${NODES}`,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    parameters: {
      rounds: 1,
      pools: POOLS,
      nodesPerPool: PER_POOL,
      nodes: NODES,
      timeScale: TIME_SCALE,
      simulation: { nodeBootTime: 'PT0S', nodeDeleteTime: 'PT0S' },
      autoRepair: { enabled: true, spec: 'not written (the default: Seed profile, 10 min window = 10 s at 60x)' },
      stableSeconds: STABLE_SECONDS,
      idleSeconds: IDLE_SECONDS,
      faults: FAULTS,
      heartbeats,
      operatorEntry: OPERATOR_ENTRY,
      operatorArgs: `--time-scale ${TIME_SCALE} --metrics-port 0 --lease-seconds ${LEASE_SECONDS}`,
      kwokctl: SKIP_KWOKCTL ? 'skipped' : `kwokctl --name ${CLUSTER_NAME} scale node --replicas ${NODES}`,
      notes:
        'one round; kwokctl first, then aksim on the same control plane; times from the create (or the kwokctl start) with watches; stable = all N Ready held for stableSeconds; idle = the last idleSeconds of that hold',
    },
    rounds: [{ aksim: a, kwokctl: kw }],
    aksimSecondsToReady: a.secondsToReady,
    aksimSecondsToSucceeded: a.secondsToSucceeded,
    aksimSecondsToDeleted: a.secondsToDeleted ?? null,
    kwokctlSecondsToReady: kw?.secondsToReady ?? null,
    kwokctlSecondsToDeleted: kw?.secondsToDeleted ?? null,
    ratio,
    targetRatio: TARGET.ratio,
    operatorPeakRssMB: a.operatorPeakRssMB,
    targetPeakRssMB: TARGET.peakRssMB,
    apiWritesPerNode: a.apiWritesPerNode,
    stableSeconds: a.stableSeconds ?? 0,
    minReadyAfterAllReady: a.minReadyAfterAllReady ?? null,
    kwokctlStableSeconds: kw?.stableSeconds ?? null,
    kwokctlMinReadyAfterAllReady: kw?.minReadyAfterAllReady ?? null,
    autoRepair: {
      enabled: true,
      repairsStartedWhileStable: a.repairsStartedWhileStable ?? null,
      nodesSeenNotReadyWhileStable: a.nodesSeenNotReady ?? null,
      ...(a.faults ?? {}),
      targetMs: TARGET.repairMs,
    },
    idleWritesPerMinute: a.idleWritesPerMinute ?? null,
    idleCpuPercent: a.idleCpuPercent ?? null,
    scaleBy10: a.scaleBy10 ?? null,
    pass: {
      ratio: ratio !== null && ratio <= TARGET.ratio,
      peakRss: a.operatorPeakRssMB <= TARGET.peakRssMB,
      stable: a.stableSeconds >= STABLE_SECONDS && a.minReadyAfterAllReady === NODES && a.repairsStartedWhileStable === 0,
      idleWrites: a.idleWritesPerMinute === 0,
      idleCpu: a.idleCpuPercent !== undefined && a.idleCpuPercent < TARGET.idleCpuPercent,
      scaleBy10: a.scaleBy10 ? a.scaleBy10.ratio < TARGET.scaleRatio : false,
      repair: faults ? faults.maxMsToWatchReceipt < TARGET.repairMs : false,
    },
    profile: profiler.phases,
    timeline: profiler.timeline,
  };
}

function table(r: Record<string, any>): string {
  const f = (x: number | null | undefined, d = 1): string => (x === null || x === undefined ? '-' : x.toFixed(d));
  const rows: [string, string, string][] = [
    ['', 'aksim', 'kwokctl'],
    [`${NODES} Nodes Ready (s)`, f(r.aksimSecondsToReady), f(r.kwokctlSecondsToReady)],
    ['cluster Succeeded (s)', f(r.aksimSecondsToSucceeded), '-'],
    [`stayed all Ready (s, of ${STABLE_SECONDS})`, f(r.stableSeconds), f(r.kwokctlStableSeconds)],
    ['lowest Ready after all Ready', String(r.minReadyAfterAllReady ?? '-'), String(r.kwokctlMinReadyAfterAllReady ?? '-')],
    ['all deleted (s)', f(r.aksimSecondsToDeleted), f(r.kwokctlSecondsToDeleted)],
    ['operator peak RSS (MB)', f(r.operatorPeakRssMB), '-'],
    ['idle writes / min, CPU %', `${f(r.idleWritesPerMinute)}, ${f(r.idleCpuPercent, 2)}`, '-'],
    [
      '+10 empty / at N (s)',
      r.scaleBy10 ? `${f(r.scaleBy10.empty.secondsToSucceeded, 2)} / ${f(r.scaleBy10.atScale.secondsToSucceeded, 2)}` : '-',
      '-',
    ],
    ['faults: window end -> NodeRebootStart max (ms)', f(r.autoRepair.maxMsToWatchReceipt, 0), '-'],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const lines = rows.map(([x, y, z]) => `  ${x.padEnd(w0)}  ${y.padStart(12)}  ${z.padStart(8)}`);
  lines.push(`  ratio ${f(r.ratio, 2)} (target <= ${TARGET.ratio}); pass: ${JSON.stringify(r.pass)}`);
  return lines.join('\n');
}

runMain(main);
