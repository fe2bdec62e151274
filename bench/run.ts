// The foundation benchmark (`make bench`): time for aksim to bring up a 10x50-node SimCluster
// against kwokctl scaling 500 plain nodes on the same control plane, the operator's peak RSS and
// its API writes per node. Writes bench/results/foundation-<time>.json and foundation-latest.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, homedir, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject, V1Node } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { SimCluster } from '../src/api/generated.js';
import { GROUP, VERSION } from '../src/api/generated.js';
import { isNotFound, Kube } from '../src/runtime/client.js';
import { Informer } from '../src/runtime/informer.js';

const ROOT = new URL('..', import.meta.url).pathname;
const RESULTS = join(ROOT, 'bench/results');
const CACHE = process.env.AKSIM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aksim');
const KWOK_VERSION = process.env.KWOK_VERSION ?? '0.8.0';
const KWOKCTL = join(CACHE, 'bin', `kwok-v${KWOK_VERSION}`, 'kwokctl');
const KWOK_ENV = { ...process.env, KWOK_WORKDIR: process.env.KWOK_WORKDIR ?? join(CACHE, 'kwok') };
const CLUSTER_NAME = process.env.AKSIM_CLUSTER_NAME ?? 'aksim';
const KUBECONFIG = process.env.KUBECONFIG ?? join(CACHE, 'kubeconfig');
/** The operator's entry script; point it at compiled output (e.g. dist/src/main.js) to compare. */
const OPERATOR_ENTRY = process.env.BENCH_OPERATOR_ENTRY ?? 'bin/aksim.js';
/** Extra Node.js flags for the operator process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const OPERATOR_NODE_ARGS = (process.env.BENCH_OPERATOR_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

const POOLS = Number(process.env.BENCH_POOLS ?? 10);
const NODES_PER_POOL = Number(process.env.BENCH_NODES_PER_POOL ?? 50);
const NODES = POOLS * NODES_PER_POOL;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const TIME_SCALE = 60;
/**
 * The operator's leader Lease. 3 s (what the e2e tests use) makes the operator quit mid-run on this
 * 2-core machine: its renewals overlap under load and the loser's 409 reads as a lost lease
 * (src/runtime/leader.ts). 15 s is the operator's own default; the Lease is not what is measured.
 */
const LEASE_SECONDS = process.env.BENCH_LEASE_SECONDS ?? '15';
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 900) * 1000;
const TARGET_RATIO = 1.5;
const TARGET_RSS_MB = 250;
/** kwokctl puts this label on the nodes it scales. */
const KWOK_SELECTOR = 'kwok.x-k8s.io/kwokctl-scale=node';

const quiet = pino({ level: 'error', base: undefined });
const kube = Kube.fromFile(KUBECONFIG);

interface AksimRound {
  secondsToReady: number;
  secondsToSucceeded: number;
  secondsToDeleted: number;
  operatorPeakRssMB: number;
  operatorMaxSampledRssMB: number;
  apiWrites: number;
  apiWritesPerNode: number;
  apiWritesByKind: Record<string, number>;
}
interface KwokRound {
  secondsToReady: number;
  secondsCommand: number;
  secondsToDeleted: number;
}
interface Round {
  aksim: AksimRound;
  kwokctl: KwokRound;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const elapsed = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...env, KUBECONFIG }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function kwokctl(...args: string[]): Promise<void> {
  const r = await run(KWOKCTL, ['--name', CLUSTER_NAME, ...args], KWOK_ENV);
  if (r.code !== 0) throw new Error(`kwokctl ${args.join(' ')} failed (${r.code}): ${r.stderr.slice(-2000)}`);
}

const isReady = (n: V1Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * A watch over a collection: resolves `until(pred)` on the first cache event after which pred
 * holds, so the wait costs one watch stream instead of repeated lists.
 */
class Watcher<T extends KubernetesObject> {
  readonly informer: Informer<T>;
  private waiters: { pred: (objs: T[]) => boolean; resolve: () => void }[] = [];

  constructor(path: string, labelSelector?: string) {
    this.informer = new Informer<T>({ kube, path, labelSelector, log: quiet });
    const check = (): void => this.check();
    this.informer.on({ add: check, update: check, delete: check });
  }

  async start(): Promise<this> {
    this.informer.start();
    await this.informer.synced;
    return this;
  }

  stop(): void {
    this.informer.stop();
    this.waiters = [];
  }

  until(what: string, pred: (objs: T[]) => boolean, timeoutMs = TIMEOUT_MS): Promise<void> {
    if (pred(this.informer.list())) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what} (cache holds ${this.informer.size})`));
      }, timeoutMs);
      const waiter = {
        pred,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  private check(): void {
    if (this.waiters.length === 0) return;
    const objs = this.informer.list();
    for (const w of [...this.waiters]) {
      if (w.pred(objs)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }
}

const allReady = (n: number) => (nodes: V1Node[]): boolean => nodes.length >= n && nodes.filter(isReady).length >= n;

// ---------------------------------------------------------------------------------------------
// The operator process

interface Operator {
  proc: ChildProcess;
  metricsUrl: string;
  logFile: string;
  maxRssKB: number;
  /** Rejects when the operator exits on its own (e.g. it lost its leader Lease): fail fast, do not wait out a timeout. */
  died: Promise<never>;
  stop(): Promise<void>;
}

function procStatusKB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function startOperator(logFile: string): Promise<Operator> {
  const args = [...OPERATOR_NODE_ARGS, OPERATOR_ENTRY, 'operator', '--time-scale', String(TIME_SCALE), '--metrics-port', '0', '--lease-seconds', LEASE_SECONDS];
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, KUBECONFIG }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(logFile);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let stopping = false;
  let metricsUrl = '';
  let synced = false;
  let tail: string[] = [];
  let buf = '';
  const onData = (d: Buffer): void => {
    out.write(d);
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      tail = [...tail.slice(-9), line];
      const m = /"metrics":"(http:\/\/[^"]+)"/.exec(line);
      if (m) metricsUrl = m[1]!;
      if (line.includes('Caches synced')) synced = true;
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const died = new Promise<never>((_, reject) =>
    proc.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`operator exited (${code ?? signal}) during the run:\n${tail.join('\n')}\nlog: ${logFile}`));
    }),
  );
  died.catch(() => undefined); // handled where it is raced
  const op: Operator = {
    proc,
    logFile,
    maxRssKB: 0,
    died,
    get metricsUrl() {
      return metricsUrl;
    },
    async stop() {
      stopping = true;
      clearInterval(sampler);
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      out.end();
    },
  };
  const sampler = setInterval(() => {
    op.maxRssKB = Math.max(op.maxRssKB, procStatusKB(proc.pid!, 'VmRSS'));
  }, 250);
  const deadline = Date.now() + 120_000;
  while (!synced) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      await op.stop();
      throw new Error(`operator exited (${proc.exitCode ?? proc.signalCode}) before its caches synced:\n${tail.join('\n')}`);
    }
    if (Date.now() > deadline) {
      await op.stop();
      throw new Error(`operator did not log "Caches synced" within 120s; log: ${logFile}`);
    }
    await sleep(50);
  }
  if (!metricsUrl) throw new Error(`operator logged no metrics URL; log: ${logFile}`);
  return op;
}

/** aksim_api_writes_total by "verb resource" label pair, and the sum. */
async function apiWrites(metricsUrl: string): Promise<{ total: number; byKind: Record<string, number> }> {
  const res = await fetch(`${metricsUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${metricsUrl}/metrics: HTTP ${res.status}`);
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const line of (await res.text()).split('\n')) {
    const m = /^aksim_api_writes_total\{([^}]*)\}\s+([0-9.eE+-]+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const v = Number(m[2]);
    byKind[`${labels.verb} ${labels.resource}`] = v;
    total += v;
  }
  return { total, byKind };
}

// ---------------------------------------------------------------------------------------------
// Cleanup, shared by success and failure

const cleanups: (() => Promise<void>)[] = [];

async function cleanupAll(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (err: unknown) {
      console.error(`bench: cleanup step failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

const crd = (plural: string, ns: string): string => `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${plural}`;

/** Last resort when the operator could not finish a deletion: drop aksim's finalizers so the namespace can go. */
async function forceRemove(ns: string, clusterName: string): Promise<void> {
  for (const kind of ['SimMachine', 'SimNodePool', 'SimCluster'] as const) {
    const items = await kube.list<KubernetesObject>(kind, ns).catch(() => []);
    for (const o of items) {
      if (!o.metadata?.finalizers?.length) continue;
      await kube.patch(kind, ns, o.metadata.name!, { metadata: { finalizers: null } }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
  }
  const nodes = await kube.core.listNode({ labelSelector: `aksim.io/cluster=${clusterName}` });
  await Promise.all(nodes.items.map((n) => kube.core.deleteNode({ name: n.metadata!.name! }).catch(() => undefined)));
}

// ---------------------------------------------------------------------------------------------
// The two runs

function simCluster(name: string, ns: string): SimCluster {
  return {
    metadata: { name, namespace: ns },
    spec: {
      location: 'eastus',
      agentPoolProfiles: Array.from({ length: POOLS }, (_, i) => ({
        name: `pool${i}`,
        mode: i === 0 ? 'System' : 'User',
        count: NODES_PER_POOL,
        vmSize: 'Standard_D2s_v3',
      })),
      simulation: { nodeBootTime: 'PT0S', nodeDeleteTime: 'PT0S' },
      // This measures provisioning. On a loaded machine kwok's heartbeats for 1000 nodes can lag
      // past the node-monitor grace period, and auto-repair (a 10 s window at 60x) would then
      // reboot nodes mid-run: repairs are measured by bench/repair.ts.
      autoRepair: { enabled: false },
    },
  } as SimCluster;
}

async function aksimRun(roundNo: number, stamp: string): Promise<AksimRound> {
  const ns = `bench-${randomBytes(3).toString('hex')}`;
  const name = 'bench';
  const logFile = join(RESULTS, `operator-${stamp}-r${roundNo}.log`);
  const op = await startOperator(logFile);
  let opStopped = false;
  cleanups.push(async () => {
    if (!opStopped) await op.stop();
  });
  console.log(`  operator pid ${op.proc.pid}, metrics ${op.metricsUrl}, log ${logFile}`);

  const nodeWatch = await new Watcher<V1Node>('/api/v1/nodes', `aksim.io/cluster=${name}`).start();
  cleanups.push(async () => nodeWatch.stop());
  if (nodeWatch.informer.size > 0) throw new Error(`${nodeWatch.informer.size} Nodes with aksim.io/cluster=${name} already exist: a previous run left them`);

  await kube.core.createNamespace({ body: { metadata: { name: ns, labels: { 'aksim.io/bench': 'foundation' } } } });
  let clusterMayExist = false;
  cleanups.push(async () => {
    if (clusterMayExist && op.proc.exitCode === null) {
      // The operator is still up: let it tear the cluster down properly.
      await kube.delete('SimCluster', ns, name);
      await nodeWatch.until('cleanup: nodes gone', (n) => n.length === 0, 180_000).catch(() => undefined);
    }
    await forceRemove(ns, name);
    await kube.core.deleteNamespace({ name: ns }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  });
  const clusterWatch = await new Watcher<SimCluster & KubernetesObject>(crd('simclusters', ns)).start();
  cleanups.push(async () => clusterWatch.stop());

  const before = await apiWrites(op.metricsUrl);
  const succeeded = clusterWatch.until('SimCluster Succeeded', (cs) => cs.some((c) => c.metadata.name === name && c.status?.provisioningState === 'Succeeded'));
  const ready = nodeWatch.until(`${NODES} aksim Nodes Ready`, allReady(NODES));
  const t0 = process.hrtime.bigint();
  clusterMayExist = true;
  await kube.create('SimCluster', ns, simCluster(name, ns));
  let secondsToReady = 0;
  let secondsToSucceeded = 0;
  await Promise.race([Promise.all([ready.then(() => (secondsToReady = elapsed(t0))), succeeded.then(() => (secondsToSucceeded = elapsed(t0)))]), op.died]);
  const after = await apiWrites(op.metricsUrl);
  const byKind: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byKind)) if (v - (before.byKind[k] ?? 0) > 0) byKind[k] = v - (before.byKind[k] ?? 0);
  const writes = after.total - before.total;
  console.log(`  aksim: ${NODES} Nodes Ready in ${secondsToReady.toFixed(2)}s, cluster Succeeded in ${secondsToSucceeded.toFixed(2)}s, ${writes} API writes`);

  const td = process.hrtime.bigint();
  await kube.delete('SimCluster', ns, name);
  await Promise.race([Promise.all([nodeWatch.until('aksim Nodes deleted', (n) => n.length === 0), clusterWatch.until('SimCluster deleted', (cs) => cs.length === 0)]), op.died]);
  const secondsToDeleted = elapsed(td);
  clusterMayExist = false;
  console.log(`  aksim: cluster and its Nodes deleted in ${secondsToDeleted.toFixed(2)}s`);

  const hwmKB = procStatusKB(op.proc.pid!, 'VmHWM');
  op.maxRssKB = Math.max(op.maxRssKB, procStatusKB(op.proc.pid!, 'VmRSS'));
  await op.stop(); // so it takes no CPU from the peer run
  opStopped = true;
  return {
    secondsToReady: round3(secondsToReady),
    secondsToSucceeded: round3(secondsToSucceeded),
    secondsToDeleted: round3(secondsToDeleted),
    operatorPeakRssMB: round3(Math.max(hwmKB, op.maxRssKB) / 1024),
    operatorMaxSampledRssMB: round3(op.maxRssKB / 1024),
    apiWrites: writes,
    apiWritesPerNode: round3(writes / NODES),
    apiWritesByKind: byKind,
  };
}

async function kwokctlRun(): Promise<KwokRound> {
  const nodeWatch = await new Watcher<V1Node>('/api/v1/nodes', KWOK_SELECTOR).start();
  cleanups.push(async () => nodeWatch.stop());
  if (nodeWatch.informer.size > 0) {
    console.log(`  kwokctl: ${nodeWatch.informer.size} leftover nodes; scaling to 0 first`);
    await kwokctl('scale', 'node', '--replicas', '0');
    await nodeWatch.until('leftover kwokctl nodes gone', (n) => n.length === 0);
  }
  let scaled = false;
  cleanups.push(async () => {
    if (scaled) await kwokctl('scale', 'node', '--replicas', '0');
  });

  const ready = nodeWatch.until(`${NODES} kwokctl Nodes Ready`, allReady(NODES));
  const t0 = process.hrtime.bigint();
  scaled = true;
  let secondsCommand = 0;
  let secondsToReady = 0;
  await Promise.all([kwokctl('scale', 'node', '--replicas', String(NODES)).then(() => (secondsCommand = elapsed(t0))), ready.then(() => (secondsToReady = elapsed(t0)))]);
  console.log(`  kwokctl: ${NODES} Nodes Ready in ${secondsToReady.toFixed(2)}s (command returned after ${secondsCommand.toFixed(2)}s)`);

  const td = process.hrtime.bigint();
  await kwokctl('scale', 'node', '--replicas', '0');
  await nodeWatch.until('kwokctl Nodes deleted', (n) => n.length === 0);
  const secondsToDeleted = elapsed(td);
  scaled = false;
  console.log(`  kwokctl: Nodes deleted in ${secondsToDeleted.toFixed(2)}s`);
  return { secondsToReady: round3(secondsToReady), secondsCommand: round3(secondsCommand), secondsToDeleted: round3(secondsToDeleted) };
}

// ---------------------------------------------------------------------------------------------
// Report

async function machineInfo(): Promise<Record<string, unknown>> {
  const kv = await run('kubectl', ['version', '-o', 'json']);
  let kubeVersion = 'unknown';
  try {
    kubeVersion = (JSON.parse(kv.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion ?? kubeVersion;
  } catch {
    // kubectl printed no JSON; keep "unknown"
  }
  const commit = await run('git', ['rev-parse', '--short', 'HEAD']).catch(() => undefined);
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGB: round3(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    kubeVersion,
    kwokVersion: KWOK_VERSION,
    gitCommit: commit?.code === 0 ? commit.stdout.trim() : undefined,
  };
}

function table(r: Record<string, any>): string {
  const rows: [string, string, string][] = [
    ['', 'aksim', 'kwokctl'],
    [`${NODES} Nodes Ready (s)`, r.aksimSecondsToReady.toFixed(2), r.kwokctlSecondsToReady.toFixed(2)],
    ['all deleted (s)', r.aksimSecondsToDeleted.toFixed(2), r.kwokctlSecondsToDeleted.toFixed(2)],
    ['cluster Succeeded (s)', r.aksimSecondsToSucceeded.toFixed(2), '-'],
    ['operator peak RSS (MB)', r.operatorPeakRssMB.toFixed(1), '-'],
    ['API writes per node', r.apiWritesPerNode.toFixed(2), '-'],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const lines = rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padStart(7)}`);
  const mark = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
  lines.push(`  ratio aksim/kwokctl ${r.ratio.toFixed(2)} (target <= ${TARGET_RATIO}): ${mark(r.pass.ratio)}`);
  lines.push(`  operator peak RSS ${r.operatorPeakRssMB.toFixed(1)} MB (target <= ${TARGET_RSS_MB}): ${mark(r.pass.peakRss)}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  console.log(`bench: foundation, ${ROUNDS} round(s) of ${POOLS}x${NODES_PER_POOL} aksim nodes vs kwokctl ${NODES} nodes; cluster ${CLUSTER_NAME}, KUBECONFIG=${KUBECONFIG}`);
  const machine = await machineInfo();
  const rounds: Round[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    console.log(`round ${i}/${ROUNDS}`);
    const aksim = await aksimRun(i, stamp);
    await cleanupAll();
    const kw = await kwokctlRun();
    await cleanupAll();
    rounds.push({ aksim, kwokctl: kw });
  }
  const aksimSecondsToReady = round3(median(rounds.map((r) => r.aksim.secondsToReady)));
  const kwokctlSecondsToReady = round3(median(rounds.map((r) => r.kwokctl.secondsToReady)));
  const ratio = round3(aksimSecondsToReady / kwokctlSecondsToReady);
  const operatorPeakRssMB = round3(Math.max(...rounds.map((r) => r.aksim.operatorPeakRssMB)));
  const result = {
    benchmark: 'foundation',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    parameters: {
      rounds: ROUNDS,
      pools: POOLS,
      nodesPerPool: NODES_PER_POOL,
      nodes: NODES,
      timeScale: TIME_SCALE,
      simulation: { nodeBootTime: 'PT0S', nodeDeleteTime: 'PT0S' },
      autoRepair: { enabled: false },
      operatorEntry: OPERATOR_ENTRY,
      operatorNodeArgs: OPERATOR_NODE_ARGS.join(' '),
      operatorWorkers: process.env.AKSIM_WORKERS ?? 'default',
      operatorArgs: `--time-scale ${TIME_SCALE} --metrics-port 0 --lease-seconds ${LEASE_SECONDS}`,
      kwokctl: `kwokctl --name ${CLUSTER_NAME} scale node --replicas ${NODES}`,
      notes: 'times are medians over rounds, measured with watches from the create (or the kwokctl start); peak RSS is the max VmHWM over rounds',
    },
    rounds,
    aksimSecondsToReady,
    aksimSecondsToSucceeded: round3(median(rounds.map((r) => r.aksim.secondsToSucceeded))),
    aksimSecondsToDeleted: round3(median(rounds.map((r) => r.aksim.secondsToDeleted))),
    kwokctlSecondsToReady,
    kwokctlSecondsToDeleted: round3(median(rounds.map((r) => r.kwokctl.secondsToDeleted))),
    ratio,
    targetRatio: TARGET_RATIO,
    operatorPeakRssMB,
    targetPeakRssMB: TARGET_RSS_MB,
    apiWritesPerNode: round3(median(rounds.map((r) => r.aksim.apiWritesPerNode))),
    pass: { ratio: ratio <= TARGET_RATIO, peakRss: operatorPeakRssMB <= TARGET_RSS_MB },
  };
  const body = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(join(RESULTS, `foundation-${stamp}.json`), body);
  writeFileSync(join(RESULTS, 'foundation-latest.json'), body);
  console.log(`\n${table(result)}\n\nwrote bench/results/foundation-${stamp}.json and foundation-latest.json`);
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`bench: ${sig}; cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main().then(
  async () => {
    await cleanupAll();
    process.exit(0);
  },
  async (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanupAll();
    process.exit(1);
  },
);
