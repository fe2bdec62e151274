// What the benchmarks share: settings from the environment, a watch that resolves when a
// predicate holds, the operator process (log, metrics URL, peak RSS, fail-fast on exit), and the
// machine description written into every results file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { GROUP, VERSION } from '../src/api/generated.js';
import { isNotFound, Kube, type Kind } from '../src/runtime/client.js';
import { Informer } from '../src/runtime/informer.js';

export const ROOT = new URL('..', import.meta.url).pathname;
export const RESULTS = join(ROOT, 'bench/results');
export const CACHE = process.env.AKSIM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aksim');
export const KUBECONFIG = process.env.KUBECONFIG ?? join(CACHE, 'kubeconfig');
export const KWOK_VERSION = process.env.KWOK_VERSION ?? '0.8.0';
export const OPERATOR_ENTRY = process.env.BENCH_OPERATOR_ENTRY ?? 'bin/aksim.js';
/** Extra Node.js flags for the operator process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
export const OPERATOR_NODE_ARGS = (process.env.BENCH_OPERATOR_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
export const LEASE_SECONDS = process.env.BENCH_LEASE_SECONDS ?? '15';
export const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 900) * 1000;
export const TIME_SCALE = 60;

export const CLUSTER_NAME = process.env.AKSIM_CLUSTER_NAME ?? 'aksim';
const KWOKCTL = join(CACHE, 'bin', `kwok-v${KWOK_VERSION}`, 'kwokctl');
const KWOK_ENV = { ...process.env, KWOK_WORKDIR: process.env.KWOK_WORKDIR ?? join(CACHE, 'kwok') };

export const quiet = pino({ level: 'error', base: undefined });
export const kube = Kube.fromFile(KUBECONFIG);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const elapsed = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;
export const round3 = (x: number): number => Math.round(x * 1000) / 1000;
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs a command with the bench's KUBECONFIG; `killAfterMs` stops it (SIGTERM) if it runs longer. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; killAfterMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...(opts.env ?? process.env), KUBECONFIG }, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = opts.killAfterMs === undefined ? undefined : setTimeout(() => p.kill('SIGTERM'), opts.killAfterMs);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Runs kwokctl on the bench's cluster (`kwokctl --name $AKSIM_CLUSTER_NAME ...`, KWOK_WORKDIR as scripts/cluster.sh). */
export async function kwokctl(...args: string[]): Promise<void> {
  const r = await run(KWOKCTL, ['--name', CLUSTER_NAME, ...args], { env: KWOK_ENV });
  if (r.code !== 0) throw new Error(`kwokctl ${args.join(' ')} failed (${r.code}): ${r.stderr.slice(-2000)}`);
}

/** A watch over a collection: until(pred) resolves on the first cache event after which pred holds. */
export class Watcher<T extends KubernetesObject> {
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

export interface Operator {
  proc: ChildProcess;
  metricsUrl: string;
  logFile: string;
  maxRssKB: number;
  /** Rejects when the operator exits on its own (e.g. it lost its leader Lease): fail fast, do not wait out a timeout. */
  died: Promise<never>;
  stop(): Promise<void>;
}

export function procStatusKB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Starts `aksim operator` (log to logFile) and resolves once its caches are synced. */
export async function startOperator(logFile: string): Promise<Operator> {
  const args = [
    ...OPERATOR_NODE_ARGS,
    OPERATOR_ENTRY,
    'operator',
    '--time-scale',
    String(TIME_SCALE),
    '--metrics-port',
    '0',
    '--lease-seconds',
    LEASE_SECONDS,
  ];
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

/** The machine, the control plane and the code a result was measured on. */
export async function machineInfo(): Promise<Record<string, unknown>> {
  const kv = await run('kubectl', ['version', '-o', 'json']);
  let kubeVersion = 'unknown';
  try {
    kubeVersion = (JSON.parse(kv.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion ?? kubeVersion;
  } catch {
    // kubectl printed no JSON; keep "unknown"
  }
  const commit = await run('git', ['rev-parse', '--short', 'HEAD']).catch(() => undefined);
  const dirty = await run('git', ['status', '--porcelain', '--', 'controllers', 'src']).catch(() => undefined);
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGB: round3(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map(round3),
    kernel: release(),
    node: process.version,
    kubeVersion,
    kwokVersion: KWOK_VERSION,
    gitCommit: commit?.code === 0 ? commit.stdout.trim() : undefined,
    gitTreeDirty: dirty?.code === 0 ? dirty.stdout.trim().length > 0 : undefined,
  };
}

export const crdPath = (plural: string, ns: string): string => `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${plural}`;

/** Cleanup steps, run last-in first-out on success, failure and Ctrl-C. */
export const cleanups: (() => Promise<void>)[] = [];

export async function cleanupAll(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (err: unknown) {
      console.error(`bench: cleanup step failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Last resort when the operator could not finish a deletion: drop the finalizers of these kinds, and delete Nodes left behind. */
export async function forceRemove(ns: string, kinds: readonly Kind[], nodeSelector?: string): Promise<void> {
  for (const kind of kinds) {
    const items = await kube.list<KubernetesObject>(kind, ns).catch(() => []);
    for (const o of items) {
      if (!o.metadata?.finalizers?.length) continue;
      await kube.patch(kind, ns, o.metadata.name!, { metadata: { finalizers: null } }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
  }
  if (!nodeSelector) return;
  const nodes = await kube.core.listNode({ labelSelector: nodeSelector });
  await Promise.all(nodes.items.map((n) => kube.core.deleteNode({ name: n.metadata!.name! }).catch(() => undefined)));
}

/** Writes bench/results/<name>-<stamp>.json and <name>-latest.json; returns what to print. */
export function writeResult(name: string, stamp: string, result: object): string {
  const body = `${JSON.stringify(result, null, 2)}\n`;
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${name}-${stamp}.json`), body);
  writeFileSync(join(RESULTS, `${name}-latest.json`), body);
  return `wrote bench/results/${name}-${stamp}.json and ${name}-latest.json`;
}

/** Runs a benchmark's main, cleaning up on success, failure and SIGINT/SIGTERM, and exits. */
export function runMain(main: () => Promise<void>): void {
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
}

/** The operator's aksim_api_writes_total by "verb resource". */
export async function apiWrites(metricsUrl: string): Promise<Record<string, number>> {
  const res = await fetch(`${metricsUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${metricsUrl}/metrics: HTTP ${res.status}`);
  const out: Record<string, number> = {};
  for (const m of (await res.text()).matchAll(/^aksim_api_writes_total\{([^}]*)\}\s+([0-9.eE+-]+)/gm)) {
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    out[`${labels.verb} ${labels.resource}`] = Number(m[2]);
  }
  return out;
}

/** The counters that grew between two apiWrites() readings, by how much. */
export function writesBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)])
      .filter(([, v]) => (v as number) > 0),
  );
}

/** An events.k8s.io Event as the benchmarks watch it. */
export interface EventObj extends KubernetesObject {
  reason?: string;
  eventTime?: string;
  reportingController?: string;
  regarding?: { name?: string };
}
