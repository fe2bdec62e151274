// The auto-repair benchmark (`make bench`): with a 500-node SimCluster, real time from the moment
// a node's unhealthy window ends (the remediator's own rule: controllers/remediation) to the
// NodeRebootStart Event, over sequential faults on different nodes. Writes
// bench/results/repair-<time>.json and repair-latest.json. Target: under 1 s.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import type { SimCluster } from '../src/api/generated.js';
import { isNotFound } from '../src/runtime/client.js';
import { repairSettings } from '../controllers/remediation/decide.js';
import { type ClusterObj, type MachineObj, readyOf, sample, type Sample, watchRebootStarts } from './faults.js';
import {
  cleanups,
  crdPath,
  forceRemove,
  kube,
  KUBECONFIG,
  LEASE_SECONDS,
  machineInfo,
  median,
  OPERATOR_ENTRY,
  RESULTS,
  runMain,
  sleep,
  startOperator,
  TIME_SCALE,
  Watcher,
  writeResult,
} from './lib.js';

const NODES = Number(process.env.BENCH_REPAIR_NODES ?? 500);
const NODES_PER_POOL = Math.min(NODES, Number(process.env.BENCH_REPAIR_NODES_PER_POOL ?? 50));
const POOLS = Math.ceil(NODES / NODES_PER_POOL);
/** Samples per fault type, each on a node of another pool, one after the other. */
const SAMPLES = Number(process.env.BENCH_REPAIR_SAMPLES ?? 5);
/** KubeletStopped: "no status" (Unknown, window from the controller manager's transition); ContainerRuntimeDown: NotReady. */
const FAULTS = (process.env.BENCH_REPAIR_FAULTS ?? 'KubeletStopped,ContainerRuntimeDown').split(',').filter(Boolean);
/** spec.autoRepair of the bench cluster: the seed defaults, written out so the result file says what ran. */
const AUTO_REPAIR = {
  enabled: true,
  unhealthyWindow: 'PT10M',
  repairDelay: 'PT0S',
  minNodes: 2,
  maxConcurrentRepairs: 1,
  readyTimeout: 'PT5M',
  retries: 1,
};
const TARGET_MS = 1000;

const CLUSTER = 'repair';

const round1 = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  console.log(
    `bench: repair, ${POOLS}x${NODES_PER_POOL} nodes, faults ${FAULTS.join(', ')}, ${SAMPLES} sample(s) each; KUBECONFIG=${KUBECONFIG}`,
  );
  const machine = await machineInfo();
  const settings = repairSettings(AUTO_REPAIR as SimCluster['spec']['autoRepair']);
  const windowRealMs = (settings.windowMs + settings.delayMs) / TIME_SCALE;

  const logFile = join(RESULTS, `operator-repair-${stamp}.log`);
  const op = await startOperator(logFile);
  cleanups.push(() => op.stop());
  console.log(`  operator pid ${op.proc.pid}, log ${logFile}`);

  const ns = `bench-repair-${randomBytes(3).toString('hex')}`;
  const nodeWatch = await new Watcher<V1Node>('/api/v1/nodes', `aksim.io/cluster=${CLUSTER}`).start();
  cleanups.push(async () => nodeWatch.stop());
  if (nodeWatch.informer.size > 0)
    throw new Error(`${nodeWatch.informer.size} Nodes with aksim.io/cluster=${CLUSTER} already exist: a previous run left them`);
  await kube.core.createNamespace({ body: { metadata: { name: ns, labels: { 'aksim.io/bench': 'repair' } } } });
  let clusterMayExist = false;
  // Runs before the operator stops (cleanups run last-in first-out): the operator tears the cluster down.
  cleanups.push(async () => {
    if (clusterMayExist && op.proc.exitCode === null) {
      await kube.delete('SimCluster', ns, CLUSTER).catch(() => undefined);
      await nodeWatch.until('cleanup: nodes gone', (n) => n.length === 0, 240_000).catch(() => undefined);
    }
    await forceRemove(ns, ['SimMachine', 'SimNodePool', 'SimCluster'], `aksim.io/cluster=${CLUSTER},aksim.io/namespace=${ns}`);
    await kube.core.deleteNamespace({ name: ns }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    const end = Date.now() + 120_000;
    while (
      Date.now() < end &&
      (await kube.core.readNamespace({ name: ns }).then(
        () => true,
        () => false,
      ))
    )
      await sleep(500);
  });
  const machineWatch = await new Watcher<MachineObj>(crdPath('simmachines', ns)).start();
  cleanups.push(async () => machineWatch.stop());
  const clusterWatch = await new Watcher<ClusterObj>(crdPath('simclusters', ns)).start();
  cleanups.push(async () => clusterWatch.stop());

  // Events on Nodes live in "default"; the receipt time is taken in the watch callback.
  const { watch: eventWatch, starts: rebootStarts } = await watchRebootStarts();
  cleanups.push(async () => eventWatch.stop());

  // The cluster, all Nodes Ready and every machine registered healthy (the remediator skips the others).
  const t0 = Date.now();
  clusterMayExist = true;
  await kube.create('SimCluster', ns, {
    metadata: { name: CLUSTER, namespace: ns },
    spec: {
      location: 'eastus',
      agentPoolProfiles: Array.from({ length: POOLS }, (_, i) => ({
        name: `pool${i}`,
        mode: i === 0 ? 'System' : 'User',
        count: Math.min(NODES_PER_POOL, NODES - i * NODES_PER_POOL),
        vmSize: 'Standard_D2s_v3',
      })),
      simulation: { nodeBootTime: 'PT0S', nodeDeleteTime: 'PT0S' },
      autoRepair: AUTO_REPAIR,
    },
  });
  await Promise.race([
    Promise.all([
      nodeWatch.until(`${NODES} Nodes Ready`, (ns2) => ns2.length >= NODES && ns2.every((n) => readyOf(n) === 'True')),
      machineWatch.until(`${NODES} machines provisioned`, (ms) => ms.length >= NODES && ms.every((m) => m.status?.provisionedTime)),
    ]),
    op.died,
  ]);
  console.log(`  ${NODES} nodes Ready and provisioned in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

  const byPool = new Map<string, string[]>();
  for (const m of machineWatch.informer.list()) byPool.set(m.spec.poolName, [...(byPool.get(m.spec.poolName) ?? []), m.metadata.name!]);
  for (const v of byPool.values()) v.sort();
  const pools = [...byPool.keys()].sort();

  const samples: Sample[] = [];
  let n = 0;
  for (const fault of FAULTS) {
    for (let i = 0; i < SAMPLES; i++, n++) {
      const pool = pools[n % pools.length]!;
      const list = byPool.get(pool)!;
      const node = list[(Math.floor(n / pools.length) + 1) % list.length]!;
      samples.push(
        await sample(op, ns, CLUSTER, fault, node, windowRealMs, {
          nodes: nodeWatch,
          machines: machineWatch,
          clusters: clusterWatch,
          rebootStarts,
        }),
      );
      const s = samples.at(-1)!;
      console.log(
        `  ${fault} on ${node} (${s.ready}): NodeRebootStart ${s.msToEventTime} ms after the window end (watch receipt ${s.msToWatchReceipt} ms); unhealthy after ${s.secondsInjectToUnhealthy}s; Ready again ${s.secondsRebootToReady}s after`,
      );
    }
  }

  const eventMs = samples.map((s) => s.msToEventTime);
  const receiptMs = samples.map((s) => s.msToWatchReceipt);
  const perFault = Object.fromEntries(
    FAULTS.map((f) => {
      const xs = samples.filter((s) => s.fault === f);
      return [
        f,
        {
          medianMsToEventTime: round1(median(xs.map((s) => s.msToEventTime))),
          maxMsToEventTime: Math.max(...xs.map((s) => s.msToEventTime)),
          medianMsToWatchReceipt: round1(median(xs.map((s) => s.msToWatchReceipt))),
          maxMsToWatchReceipt: Math.max(...xs.map((s) => s.msToWatchReceipt)),
        },
      ];
    }),
  );
  const result = {
    benchmark: 'repair',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    parameters: {
      nodes: NODES,
      pools: POOLS,
      nodesPerPool: NODES_PER_POOL,
      timeScale: TIME_SCALE,
      simulation: { nodeBootTime: 'PT0S', nodeDeleteTime: 'PT0S' },
      autoRepair: AUTO_REPAIR,
      windowRealMs,
      faults: FAULTS,
      samplesPerFault: SAMPLES,
      operatorEntry: OPERATOR_ENTRY,
      operatorSource: process.env.AKSIM_DEV ? 'TypeScript source (AKSIM_DEV=1)' : 'dist/ when built, else source',
      operatorArgs: `--time-scale ${TIME_SCALE} --metrics-port 0 --lease-seconds ${LEASE_SECONDS}`,
      notes:
        'window end = unhealthySince (controllers/remediation/reconcile.ts: Node Ready lastTransitionTime for Unknown; the later of it and the SimMachine NodeReady transition for False) + (unhealthyWindow + repairDelay) / timeScale; latency = NodeRebootStart eventTime (operator clock) and the bench watch receipt minus that; one repair at a time, samples sequential on nodes of different pools',
    },
    samples,
    medianMsToEventTime: round1(median(eventMs)),
    maxMsToEventTime: Math.max(...eventMs),
    medianMsToWatchReceipt: round1(median(receiptMs)),
    maxMsToWatchReceipt: Math.max(...receiptMs),
    perFault,
    targetMs: TARGET_MS,
    pass: { median: median(receiptMs) < TARGET_MS, max: Math.max(...receiptMs) < TARGET_MS },
  };
  const wrote = writeResult('repair', stamp, result);
  const mark = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
  console.log(`
  window end -> NodeRebootStart, ${samples.length} samples on ${NODES} nodes
    eventTime:     median ${result.medianMsToEventTime} ms, max ${result.maxMsToEventTime} ms
    watch receipt: median ${result.medianMsToWatchReceipt} ms, max ${result.maxMsToWatchReceipt} ms
  target < ${TARGET_MS} ms (watch receipt): median ${mark(result.pass.median)}, max ${mark(result.pass.max)}

${wrote}`);
}

runMain(main);
