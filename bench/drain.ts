// The autodrain benchmark (`make bench`): aksim draining a node with 100 pods (autodrain of a
// Redeploy scheduled event: cordon, taint, eviction API) against `kubectl drain` of an identical
// node of the same pool with the same 100 pods, in the same run. Writes
// bench/results/drain-<time>.json and drain-latest.json. Target: aksim / kubectl <= 1.0.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject, V1Node, V1Pod } from '@kubernetes/client-node';
import type { ScheduledEvent, SimMachine } from '../src/api/generated.js';
import { isNotFound } from '../src/runtime/client.js';
import {
  apiWrites,
  cleanups,
  crdPath,
  elapsed,
  type EventObj,
  forceRemove,
  kube,
  KUBECONFIG,
  LEASE_SECONDS,
  machineInfo,
  median,
  type Operator,
  OPERATOR_ENTRY,
  RESULTS,
  round3,
  run,
  runMain,
  sleep,
  startOperator,
  TIME_SCALE,
  Watcher,
  writeResult,
  writesBetween,
} from './lib.js';

const KUBECTL = process.env.BENCH_KUBECTL ?? 'kubectl';

const PODS = Number(process.env.BENCH_DRAIN_PODS ?? 100);
/** Rounds of the pair; the order alternates (aksim first in odd rounds) so neither side always runs on a warmer system. */
const ROUNDS = Number(process.env.BENCH_DRAIN_ROUNDS ?? 3);
const TARGET_RATIO = 1.0;
const KUBECTL_ARGS = ['--ignore-daemonsets', '--delete-emptydir-data', '--force'];
const NAME = 'drain';
/**
 * After the rounds: both nodes get the pods again behind a PodDisruptionBudget that allows no
 * eviction (minAvailable = all), and each side drains for this long; the result is how many
 * eviction requests each sends while blocked (aksim: its aksim_api_writes_total; kubectl: its
 * "will retry" lines). 0 skips it.
 */
const BLOCKED_SECONDS = Number(process.env.BENCH_DRAIN_BLOCKED_SECONDS ?? 10);

const CLUSTER = 'drain';

// ---------------------------------------------------------------------------------------------
// Helpers (the same shape as bench/run.ts)

// ---------------------------------------------------------------------------------------------
// The run

type MachineObj = SimMachine & KubernetesObject;
type SevObj = ScheduledEvent & KubernetesObject;

interface AksimSide {
  node: string;
  /** ScheduledEvent create -> all the node's pods deleted (the headline number). */
  secondsToPodsGone: number;
  /** ScheduledEvent create -> the first pod evicted, and every pod evicted (deleting or gone), seen by the watch. */
  secondsToFirstEviction: number;
  secondsToAllEvicted: number;
  /** ScheduledEvent create -> status.nodes[].drain Drained (the operator saw the node empty). */
  secondsToDrained: number;
  /** ScheduledEvent create -> NodeDrainStart eventTime (schedule, cordon, taint). */
  secondsToDrainStart: number;
  /** As the operator records it: NodeDrainEnd eventTime - status.drainStartTime. */
  operatorDrainSeconds: number;
  /** The operator's API writes from the trigger to Drained (aksim_api_writes_total), by verb and resource. */
  operatorWrites: Record<string, number>;
}
interface KubectlSide {
  node: string;
  /** `kubectl drain` start -> all the node's pods deleted. */
  secondsToPodsGone: number;
  /** `kubectl drain` start -> the first pod evicted, and every pod evicted (deleting or gone). */
  secondsToFirstEviction: number;
  secondsToAllEvicted: number;
  /** `kubectl drain` start -> exit 0 (kubectl's own "drained"). */
  secondsToExit: number;
}
interface Round {
  order: string;
  aksim: AksimSide;
  kubectl: KubectlSide;
}

const podReady = (p: V1Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const onNode =
  (node: string) =>
  (ps: V1Pod[]): V1Pod[] =>
    ps.filter((p) => p.spec?.nodeName === node);
/** Every pod of the node evicted: deleting (deletionTimestamp) or gone. */
const allEvicted =
  (node: string) =>
  (ps: V1Pod[]): boolean =>
    onNode(node)(ps).every((p) => p.metadata?.deletionTimestamp);
const firstEvicted =
  (node: string) =>
  (ps: V1Pod[]): boolean =>
    onNode(node)(ps).length < PODS || onNode(node)(ps).some((p) => p.metadata?.deletionTimestamp);

/** The same bare pod on either node (no controller, so `kubectl drain` needs --force; no PDB). */
function pod(ns: string, node: string, side: string, round: number, i: number): V1Pod {
  return {
    metadata: { name: `${side.toLowerCase()}-r${round}-${i}`, namespace: ns, labels: { app: 'drain-bench', side, round: String(round) } },
    spec: {
      nodeName: node,
      containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '1m', memory: '1Mi' } } }],
    },
  };
}

async function createPods(ns: string, node: string, side: string, round: number): Promise<void> {
  const todo = Array.from({ length: PODS }, (_, i) => i);
  const worker = async (): Promise<void> => {
    for (let i = todo.shift(); i !== undefined; i = todo.shift())
      await kube.core.createNamespacedPod({ namespace: ns, body: pod(ns, node, side, round, i) });
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  console.log(
    `bench: ${NAME}, ${PODS} pods per node, ${ROUNDS} round(s), aksim autodrain vs ${KUBECTL} drain ${KUBECTL_ARGS.join(' ')}; KUBECONFIG=${KUBECONFIG}`,
  );
  const machine = await machineInfo();
  const kv = await run(KUBECTL, ['version', '--client', '-o', 'json']);
  let kubectlVersion = 'unknown';
  try {
    kubectlVersion = (JSON.parse(kv.stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? kubectlVersion;
  } catch {
    // keep "unknown"
  }

  const logFile = join(RESULTS, `operator-drain-${stamp}.log`);
  const op = await startOperator(logFile);
  cleanups.push(() => op.stop());
  console.log(`  operator pid ${op.proc.pid}, log ${logFile}`);

  const ns = `bench-drain-${randomBytes(3).toString('hex')}`;
  const nodeWatch = await new Watcher<V1Node>('/api/v1/nodes', `aksim.io/cluster=${CLUSTER}`).start();
  cleanups.push(async () => nodeWatch.stop());
  if (nodeWatch.informer.size > 0)
    throw new Error(`${nodeWatch.informer.size} Nodes with aksim.io/cluster=${CLUSTER} already exist: a previous run left them`);
  await kube.core.createNamespace({ body: { metadata: { name: ns, labels: { 'aksim.io/bench': 'drain' } } } });
  let clusterMayExist = false;
  // Runs before the operator stops (cleanups run last-in first-out): the operator tears the cluster down.
  cleanups.push(async () => {
    await kube.core.deleteCollectionNamespacedPod({ namespace: ns, gracePeriodSeconds: 0 }).catch(() => undefined);
    for (const e of await kube.list<SevObj>('ScheduledEvent', ns).catch(() => [] as SevObj[]))
      await kube.delete('ScheduledEvent', ns, e.metadata.name!).catch(() => undefined);
    if (clusterMayExist && op.proc.exitCode === null) {
      await kube.delete('SimCluster', ns, CLUSTER).catch(() => undefined);
      await nodeWatch.until('cleanup: nodes gone', (n) => n.length === 0, 120_000).catch(() => undefined);
    }
    await forceRemove(ns, ['SimMachine', 'SimNodePool', 'SimCluster'], `aksim.io/cluster=${CLUSTER},aksim.io/namespace=${ns}`);
    for (const e of await kube.list<SevObj>('ScheduledEvent', ns).catch(() => [] as SevObj[]))
      await kube.patch('ScheduledEvent', ns, e.metadata.name!, { metadata: { finalizers: null } }).catch(() => undefined);
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
  const sevWatch = await new Watcher<SevObj>(crdPath('scheduledevents', ns)).start();
  cleanups.push(async () => sevWatch.stop());
  const podWatch = await new Watcher<V1Pod>(`/api/v1/namespaces/${ns}/pods`).start();
  cleanups.push(async () => podWatch.stop());
  const drainEnds = new Map<string, number>();
  const eventWatch = new Watcher<EventObj>('/apis/events.k8s.io/v1/namespaces/default/events');
  eventWatch.informer.on({
    add: (e) => {
      if (e.reportingController === 'aksim.io/scheduled-events' && (e.reason === 'NodeDrainStart' || e.reason === 'NodeDrainEnd'))
        drainEnds.set(`${e.reason}/${e.regarding?.name}/${e.metadata?.name}`, Date.parse(e.eventTime ?? ''));
    },
  });
  await eventWatch.start();
  cleanups.push(async () => eventWatch.stop());

  // Two nodes of one pool: same VM size, labels, kwok stages.
  clusterMayExist = true;
  await kube.create('SimCluster', ns, {
    metadata: { name: CLUSTER, namespace: ns },
    spec: {
      location: 'eastus',
      agentPoolProfiles: [{ name: 'np', mode: 'System', count: 2, vmSize: 'Standard_D4s_v3' }],
      simulation: { nodeBootTime: 'PT0S', nodeDeleteTime: 'PT0S' },
      autoDrain: { profile: 'Seed' },
    },
  });
  await Promise.race([
    Promise.all([
      nodeWatch.until(
        '2 Nodes Ready',
        (ns2) => ns2.length === 2 && ns2.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
      ),
      machineWatch.until('2 machines provisioned', (ms) => ms.length === 2 && ms.every((m) => m.status?.provisionedTime)),
    ]),
    op.died,
  ]);
  const [nodeA, nodeB] = nodeWatch.informer
    .list()
    .map((n) => n.metadata!.name!)
    .sort() as [string, string];
  const capacity = nodeWatch.informer.get(nodeA)?.status?.allocatable?.pods;
  console.log(`  nodes: aksim drains ${nodeA}, kubectl drains ${nodeB} (allocatable pods ${capacity})`);

  const rounds: Round[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    await Promise.all([createPods(ns, nodeA, 'A', r), createPods(ns, nodeB, 'B', r)]);
    await Promise.race([
      podWatch.until(
        `${PODS} pods Ready on each node`,
        (ps) => onNode(nodeA)(ps).filter(podReady).length === PODS && onNode(nodeB)(ps).filter(podReady).length === PODS,
      ),
      op.died,
    ]);
    await sleep(1000); // let the pod-ready writes settle before timing
    const aksimFirst = r % 2 === 1;
    let a: AksimSide;
    let k: KubectlSide;
    if (aksimFirst) {
      a = await aksimDrain(op, ns, nodeA, r, nodeWatch, podWatch, sevWatch, drainEnds);
      k = await kubectlDrain(nodeB, podWatch, join(RESULTS, `kubectl-drain-${stamp}-r${r}.log`));
    } else {
      k = await kubectlDrain(nodeB, podWatch, join(RESULTS, `kubectl-drain-${stamp}-r${r}.log`));
      a = await aksimDrain(op, ns, nodeA, r, nodeWatch, podWatch, sevWatch, drainEnds);
    }
    rounds.push({ order: aksimFirst ? 'aksim, kubectl' : 'kubectl, aksim', aksim: a, kubectl: k });
    console.log(
      `  round ${r} (${rounds.at(-1)!.order}): aksim first/all evicted ${a.secondsToFirstEviction.toFixed(3)}/${a.secondsToAllEvicted.toFixed(3)}s, pods gone ${a.secondsToPodsGone.toFixed(3)}s, Drained ${a.secondsToDrained.toFixed(3)}s, operator drain ${a.operatorDrainSeconds.toFixed(3)}s; kubectl first/all evicted ${k.secondsToFirstEviction.toFixed(3)}/${k.secondsToAllEvicted.toFixed(3)}s, pods gone ${k.secondsToPodsGone.toFixed(3)}s, exit ${k.secondsToExit.toFixed(3)}s`,
    );
  }

  const blocked =
    BLOCKED_SECONDS > 0
      ? await blockedDrain(op, ns, nodeA, nodeB, nodeWatch, podWatch, sevWatch, join(RESULTS, `kubectl-drain-${stamp}-blocked.log`))
      : undefined;
  if (blocked)
    console.log(
      `  blocked by a budget for ${BLOCKED_SECONDS}s: aksim ${blocked.aksimEvictionRequests} eviction requests, kubectl ${blocked.kubectlEvictionRequests}`,
    );

  const med = (f: (r: Round) => number): number => round3(median(rounds.map(f)));
  const aksimSeconds = med((r) => r.aksim.secondsToPodsGone);
  const kubectlSeconds = med((r) => r.kubectl.secondsToPodsGone);
  const ratio = round3(aksimSeconds / kubectlSeconds);
  const aksimDrained = med((r) => r.aksim.secondsToDrained);
  const kubectlExit = med((r) => r.kubectl.secondsToExit);
  const result = {
    benchmark: NAME,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { ...machine, kubectlVersion },
    parameters: {
      podsPerNode: PODS,
      rounds: ROUNDS,
      nodes: { aksim: nodeA, kubectl: nodeB, pool: 'np (System, Standard_D4s_v3)', allocatablePods: capacity },
      pod: 'bare Pod, spec.nodeName pinned, one pause container, no volumes, default 30 s grace period; made Ready and deleted by kwok (pod-ready / pod-delete stages)',
      podDisruptionBudget:
        'none (with bare pods a budget can never allow the last evictions: nothing replaces them; PDB handling is covered by test/e2e/autodrain.test.ts)',
      aksimTrigger:
        'ScheduledEvent Redeploy on the node, spec.notBefore 1 h ahead, autoDrain profile Seed (Redeploy: CordonAndDrain): cordon, taint, eviction API; canceled after the measurement (uncordons)',
      kubectl: `${KUBECTL} drain <node> ${KUBECTL_ARGS.join(' ')}`,
      timeScale: TIME_SCALE,
      operatorEntry: OPERATOR_ENTRY,
      operatorSource: process.env.AKSIM_DEV ? 'TypeScript source (AKSIM_DEV=1)' : 'dist/ when built, else source',
      operatorArgs: `--time-scale ${TIME_SCALE} --metrics-port 0 --lease-seconds ${LEASE_SECONDS}`,
      notes:
        "times are medians over rounds, from the trigger (ScheduledEvent create / kubectl start) to the last of the node's pods deleted, seen by a watch; the order of the two sides alternates per round",
    },
    rounds,
    aksimSecondsToPodsGone: aksimSeconds,
    kubectlSecondsToPodsGone: kubectlSeconds,
    ratio,
    aksimSecondsToDrained: aksimDrained,
    aksimOperatorDrainSeconds: med((r) => r.aksim.operatorDrainSeconds),
    blockedByBudget: blocked,
    kubectlSecondsToExit: kubectlExit,
    ratioDrainedToExit: round3(aksimDrained / kubectlExit),
    targetRatio: TARGET_RATIO,
    pass: { ratio: ratio <= TARGET_RATIO },
  };
  const wrote = writeResult(NAME, stamp, result);
  console.log(`
                              aksim   kubectl
  pods gone (s)          ${aksimSeconds.toFixed(3).padStart(9)} ${kubectlSeconds.toFixed(3).padStart(9)}
  drained / exit (s)     ${aksimDrained.toFixed(3).padStart(9)} ${kubectlExit.toFixed(3).padStart(9)}
  ratio aksim/kubectl ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}): ${result.pass.ratio ? 'PASS' : 'MISS'}; drained/exit ${result.ratioDrainedToExit.toFixed(2)}

${wrote}`);
}

async function aksimDrain(
  op: Operator,
  ns: string,
  node: string,
  round: number,
  nodeWatch: Watcher<V1Node>,
  podWatch: Watcher<V1Pod>,
  sevWatch: Watcher<SevObj>,
  events: Map<string, number>,
): Promise<AksimSide> {
  const name = `bench-redeploy-r${round}`;
  const before = await apiWrites(op.metricsUrl);
  const t0Wall = Date.now();
  const t0 = process.hrtime.bigint();
  let secondsToPodsGone = 0;
  let secondsToDrained = 0;
  let secondsToFirstEviction = 0;
  let secondsToAllEvicted = 0;
  const first = podWatch.until(`first eviction on ${node}`, firstEvicted(node)).then(() => (secondsToFirstEviction = elapsed(t0)));
  const evicted = podWatch.until(`all evicted on ${node}`, allEvicted(node)).then(() => (secondsToAllEvicted = elapsed(t0)));
  const gone = podWatch
    .until(`pods gone from ${node}`, (ps) => onNode(node)(ps).length === 0)
    .then(() => (secondsToPodsGone = elapsed(t0)));
  const drained = sevWatch
    .until(`${name} Drained`, (es) => es.some((e) => e.metadata.name === name && e.status?.nodes?.[0]?.drain === 'Drained'))
    .then(() => (secondsToDrained = elapsed(t0)));
  await kube.create('ScheduledEvent', ns, {
    metadata: { name, namespace: ns },
    spec: {
      eventType: 'Redeploy',
      nodes: [node],
      eventSource: 'Platform',
      eventId: randomUUID().toUpperCase(),
      notBefore: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  await Promise.race([Promise.all([gone, drained, first, evicted]), op.died]);
  const sev = sevWatch.informer.get(`${ns}/${name}`)!;
  const drainStart = Date.parse(sev.status?.drainStartTime ?? '');
  const find = (reason: string): number => {
    const xs = [...events.entries()].filter(([k, t]) => k.startsWith(`${reason}/${node}/`) && t >= t0Wall).map(([, t]) => t);
    return xs.length ? Math.min(...xs) : NaN;
  };
  // The NodeDrainEnd Event is posted fire-and-forget after the status write: give it a moment.
  for (let i = 0; i < 100 && Number.isNaN(find('NodeDrainEnd')); i++) await sleep(50);
  const after = await apiWrites(op.metricsUrl);
  const operatorWrites = writesBetween(before, after);
  // Cancel: the operator uncordons and untaints what it cordoned.
  await kube.delete('ScheduledEvent', ns, name);
  await Promise.race([
    Promise.all([
      sevWatch.until(`${name} gone`, (es) => !es.some((e) => e.metadata.name === name)),
      nodeWatch.until(`${node} uncordoned`, () => {
        const n = nodeWatch.informer.get(node);
        return !n?.spec?.unschedulable && !(n?.spec?.taints ?? []).some((t) => t.key.startsWith('remediator.'));
      }),
    ]),
    op.died,
  ]);
  return {
    node,
    secondsToPodsGone: round3(secondsToPodsGone),
    secondsToFirstEviction: round3(secondsToFirstEviction),
    secondsToAllEvicted: round3(secondsToAllEvicted),
    secondsToDrained: round3(secondsToDrained),
    secondsToDrainStart: round3((find('NodeDrainStart') - t0Wall) / 1000),
    operatorDrainSeconds: round3((find('NodeDrainEnd') - drainStart) / 1000),
    operatorWrites,
  };
}

interface Blocked {
  seconds: number;
  pods: number;
  budget: string;
  aksimEvictionRequests: number;
  aksimEvictionRequestsPerSecond: number;
  aksimEventWrites: number;
  kubectlEvictionRequests: number;
  kubectlEvictionRequestsPerSecond: number;
}

/** Both sides drain a node whose pods a budget protects entirely, for BLOCKED_SECONDS; counts the eviction requests. */
async function blockedDrain(
  op: Operator,
  ns: string,
  nodeA: string,
  nodeB: string,
  nodeWatch: Watcher<V1Node>,
  podWatch: Watcher<V1Pod>,
  sevWatch: Watcher<SevObj>,
  logFile: string,
): Promise<Blocked> {
  const round = 0;
  await Promise.all([createPods(ns, nodeA, 'A', round), createPods(ns, nodeB, 'B', round)]);
  for (const side of ['A', 'B']) {
    await kube.policy.createNamespacedPodDisruptionBudget({
      namespace: ns,
      body: {
        metadata: { name: `all-${side.toLowerCase()}`, namespace: ns },
        spec: { minAvailable: PODS, selector: { matchLabels: { app: 'drain-bench', side } } },
      },
    });
  }
  await Promise.race([
    podWatch.until(
      `${PODS} pods Ready on each node`,
      (ps) => onNode(nodeA)(ps).filter(podReady).length === PODS && onNode(nodeB)(ps).filter(podReady).length === PODS,
    ),
    op.died,
  ]);
  for (const side of ['a', 'b']) {
    const end = Date.now() + 120_000;
    while ((await kube.policy.readNamespacedPodDisruptionBudget({ namespace: ns, name: `all-${side}` })).status?.currentHealthy !== PODS) {
      if (Date.now() > end) throw new Error(`PDB all-${side} did not count ${PODS} healthy pods`);
      await sleep(200);
    }
  }
  const name = 'bench-redeploy-blocked';
  const before = await apiWrites(op.metricsUrl);
  await kube.create('ScheduledEvent', ns, {
    metadata: { name, namespace: ns },
    spec: {
      eventType: 'Redeploy',
      nodes: [nodeA],
      eventSource: 'Platform',
      eventId: randomUUID().toUpperCase(),
      notBefore: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  await Promise.race([sleep(BLOCKED_SECONDS * 1000), op.died]);
  const after = await apiWrites(op.metricsUrl);
  await kube.delete('ScheduledEvent', ns, name);
  await Promise.race([sevWatch.until(`${name} gone`, (es) => !es.some((e) => e.metadata.name === name)), op.died]);
  await nodeWatch.until(`${nodeA} uncordoned`, () => !nodeWatch.informer.get(nodeA)?.spec?.unschedulable);

  // Stopped after BLOCKED_SECONDS (its --timeout does not stop goroutines waiting on its client-side rate limit).
  const r = await run(KUBECTL, ['drain', nodeB, ...KUBECTL_ARGS], { killAfterMs: BLOCKED_SECONDS * 1000 });
  writeFileSync(
    logFile,
    `$ ${KUBECTL} drain ${nodeB} ${KUBECTL_ARGS.join(' ')} (stopped after ${BLOCKED_SECONDS}s; exit ${r.code})\n${r.stdout}${r.stderr}`,
  );
  const u = await run(KUBECTL, ['uncordon', nodeB]);
  if (u.code !== 0) throw new Error(`kubectl uncordon ${nodeB} failed: ${u.stderr}`);
  // Every refused attempt prints one "will retry" line; the first attempts are among them.
  const kubectlRequests = (r.stderr.match(/error when evicting pods.*will retry/g) ?? []).length;

  for (const side of ['a', 'b']) await kube.policy.deleteNamespacedPodDisruptionBudget({ namespace: ns, name: `all-${side}` });
  await kube.core.deleteCollectionNamespacedPod({ namespace: ns, gracePeriodSeconds: 0 });
  await podWatch.until('blocked pods gone', (ps) => ps.length === 0);
  const aksimRequests = (after['create Eviction'] ?? 0) - (before['create Eviction'] ?? 0);
  return {
    seconds: BLOCKED_SECONDS,
    pods: PODS,
    budget: `minAvailable ${PODS} over each node's ${PODS} pods (no eviction allowed)`,
    aksimEvictionRequests: aksimRequests,
    aksimEvictionRequestsPerSecond: round3(aksimRequests / BLOCKED_SECONDS),
    aksimEventWrites: (after['create Event'] ?? 0) - (before['create Event'] ?? 0),
    kubectlEvictionRequests: kubectlRequests,
    kubectlEvictionRequestsPerSecond: round3(kubectlRequests / BLOCKED_SECONDS),
  };
}

async function kubectlDrain(node: string, podWatch: Watcher<V1Pod>, logFile: string): Promise<KubectlSide> {
  const t0 = process.hrtime.bigint();
  let secondsToPodsGone = 0;
  let secondsToFirstEviction = 0;
  let secondsToAllEvicted = 0;
  const first = podWatch.until(`first eviction on ${node}`, firstEvicted(node)).then(() => (secondsToFirstEviction = elapsed(t0)));
  const evicted = podWatch.until(`all evicted on ${node}`, allEvicted(node)).then(() => (secondsToAllEvicted = elapsed(t0)));
  const gone = podWatch
    .until(`pods gone from ${node}`, (ps) => onNode(node)(ps).length === 0)
    .then(() => (secondsToPodsGone = elapsed(t0)));
  const r = await run(KUBECTL, ['drain', node, ...KUBECTL_ARGS]);
  const secondsToExit = elapsed(t0);
  writeFileSync(logFile, `$ ${KUBECTL} drain ${node} ${KUBECTL_ARGS.join(' ')}\n${r.stdout}${r.stderr}`);
  if (r.code !== 0) throw new Error(`kubectl drain ${node} failed (${r.code}): ${r.stderr.slice(-2000)}`);
  await Promise.all([gone, first, evicted]);
  const u = await run(KUBECTL, ['uncordon', node]);
  if (u.code !== 0) throw new Error(`kubectl uncordon ${node} failed: ${u.stderr}`);
  return {
    node,
    secondsToPodsGone: round3(secondsToPodsGone),
    secondsToFirstEviction: round3(secondsToFirstEviction),
    secondsToAllEvicted: round3(secondsToAllEvicted),
    secondsToExit: round3(secondsToExit),
  };
}

runMain(main);
