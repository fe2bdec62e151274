// The NGroups benchmark (`make bench`, issue 6): a replace rolling update of an NGroup of 1000
// container groups (3 zones x 2 fault domains, pauseTimeBetweenBatches PT0S) against a Deployment
// rollout of 1000 replicas (maxSurge 20%, maxUnavailable 0) on the same control plane in the same
// run, both on the same simulated ACI virtual nodes. Writes bench/results/ngroups-<time>.json and
// ngroups-latest.json. BENCH_CG_COUNT (default 1000) sets both sizes for quick runs.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import {
  AppsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1Deployment,
  type V1Node,
  type V1Pod,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import nodeFetch from 'node-fetch';
import type { ContainerGroupProfile, NGroup } from '../src/api/generated.js';
import { isNotFound } from '../src/runtime/client.js';
import { Informer } from '../src/runtime/informer.js';
import {
  CACHE,
  cleanupAll,
  cleanups,
  crdPath,
  elapsed,
  forceRemove,
  kube,
  KUBECONFIG,
  LEASE_SECONDS,
  machineInfo,
  median,
  OPERATOR_ENTRY,
  OPERATOR_NODE_ARGS,
  procStatusKB,
  quiet,
  RESULTS,
  round3,
  runMain,
  sleep,
  startOperator,
  TIME_SCALE,
  TIMEOUT_MS,
  writeResult,
} from './lib.js';

const KWOK_WORKDIR = process.env.KWOK_WORKDIR ?? join(CACHE, 'kwok');
const CLUSTER_NAME = process.env.AKSIM_CLUSTER_NAME ?? 'aksim';
/** The operator's entry script; point it at compiled output (e.g. dist/src/main.js) to compare. */
/** Extra node flags for the operator, e.g. `--cpu-prof --cpu-prof-dir=bench/results/prof`. */

const COUNT = Number(process.env.BENCH_CG_COUNT ?? 1000);
/** As bench/run.ts: 3 s leases make the operator quit under load on this machine. */
const TARGET_RATIO = 1.0;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);

const REGION = 'eastus';
const ZONES = ['1', '2', '3'];
const FAULT_DOMAINS = 2;
/** The documented defaults (docs/ngroups.md), written out, and no pause between batches. */
const ROLLING = {
  maxBatchPercent: 20,
  maxUnhealthyPercent: 20,
  maxUnhealthyUpdatedPercent: 20,
  pauseTimeBetweenBatches: 'PT0S',
  inPlaceUpdate: false,
};
const SURGE = { maxSurge: '20%', maxUnavailable: 0 };
const IMAGE = (v: number): string => `mcr.microsoft.com/azuredocs/aci-helloworld:v${v}`;
/** What each CG and each Deployment Pod asks for (the profile's requests, as buildPod writes them). */
const REQUESTS = { cpu: 1, memoryInGB: 1.5 };
const VK_TAINT_KEY = 'virtual-kubelet.io/provider';

const apps = kube.kc.makeApiClient(AppsV1Api);

// ---------------------------------------------------------------------------------------------
// Small helpers

const isPodReady = (p: V1Pod): boolean => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const isNodeReady = (n: V1Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * A watch over a collection that keeps a count per class of object (e.g. "revision 2, Ready"),
 * updated per event in O(1), and resolves `until(pred)` on the first event after which pred holds.
 * The bench shares 2 cores with what it measures: it must not list the cache on every event.
 */
class Tally<T extends KubernetesObject> {
  readonly informer: Informer<T>;
  private readonly classOf = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  private waiters: { pred: (t: Tally<T>) => boolean; resolve: () => void }[] = [];
  /** Called after every event with the new object (undefined on delete). */
  onEvent: ((obj: T | undefined, old: T | undefined) => void) | undefined;

  constructor(
    path: string,
    private readonly classify: (o: T) => string,
    labelSelector?: string,
  ) {
    this.informer = new Informer<T>({ kube, path, labelSelector, log: quiet });
    const key = (o: T): string => `${o.metadata?.namespace}/${o.metadata?.name}`;
    const set = (o: T, old?: T): void => {
      this.move(key(o), this.classify(o));
      this.onEvent?.(o, old);
      this.check();
    };
    this.informer.on({
      add: (o) => set(o),
      update: (old, o) => set(o, old),
      delete: (o) => {
        this.move(key(o), undefined);
        this.onEvent?.(undefined, o);
        this.check();
      },
    });
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

  /** Objects now in class c (or, with a predicate over class names, in any matching class). */
  count(c: string | ((cls: string) => boolean)): number {
    if (typeof c === 'string') return this.counts.get(c) ?? 0;
    let n = 0;
    for (const [k, v] of this.counts) if (c(k)) n += v;
    return n;
  }

  get size(): number {
    return this.classOf.size;
  }

  until(what: string, pred: (t: Tally<T>) => boolean, timeoutMs = TIMEOUT_MS): Promise<void> {
    if (pred(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what} (${JSON.stringify(Object.fromEntries(this.counts))})`));
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

  private move(key: string, cls: string | undefined): void {
    const prev = this.classOf.get(key);
    if (prev === cls) return;
    if (prev !== undefined) this.counts.set(prev, (this.counts.get(prev) ?? 1) - 1);
    if (cls === undefined) this.classOf.delete(key);
    else {
      this.classOf.set(key, cls);
      this.counts.set(cls, (this.counts.get(cls) ?? 0) + 1);
    }
  }

  private check(): void {
    if (this.waiters.length === 0) return;
    for (const w of [...this.waiters]) {
      if (w.pred(this)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }
}

/** Pod class: `<version>|<ready|unready>|<live|deleting>`. */
const podClass = (version: string, p: V1Pod): string =>
  `${version}|${isPodReady(p) ? 'ready' : 'unready'}|${p.metadata?.deletionTimestamp ? 'deleting' : 'live'}`;
const liveReady = (version: string): string => `${version}|ready|live`;

// ---------------------------------------------------------------------------------------------
// Processes: the operator, and CPU time of the control plane's components

/** utime + stime of a process in seconds (clock ticks of 1/100 s), or undefined when it is gone. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

interface OperatorCounters {
  /** aksim_api_writes_total, summed and by "verb resource". */
  total: number;
  byKind: Record<string, number>;
  /** The ngroup controller's reconciles by outcome, and their summed duration in seconds. */
  reconciles: Record<string, number>;
  reconcileSeconds: number;
}

async function operatorWrites(metricsUrl: string): Promise<OperatorCounters> {
  const res = await fetch(`${metricsUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${metricsUrl}/metrics: HTTP ${res.status}`);
  const out: OperatorCounters = { total: 0, byKind: {}, reconciles: {}, reconcileSeconds: 0 };
  for (const line of (await res.text()).split('\n')) {
    const m = /^(aksim_api_writes_total|aksim_reconcile_total|aksim_reconcile_duration_seconds_sum)\{([^}]*)\}\s+([0-9.eE+-]+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const v = Number(m[3]);
    if (m[1] === 'aksim_api_writes_total') {
      out.byKind[`${labels.verb} ${labels.resource}`] = v;
      out.total += v;
    } else if (labels.controller !== 'ngroup') continue;
    else if (m[1] === 'aksim_reconcile_total') out.reconciles[labels.outcome ?? '?'] = v;
    else out.reconcileSeconds = v;
  }
  return out;
}

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY', 'DELETECOLLECTION']);

/**
 * The API server's own count of write requests (all clients) by "verb resource[/subresource]";
 * answers other than 2xx are counted under "<verb> <resource> <code>" (e.g. kwok's DELETEs of Pods
 * that a grace-period-0 delete already removed come back 404).
 */
async function apiserverWrites(): Promise<Record<string, number>> {
  const url = `${kube.kc.getCurrentCluster()!.server}/metrics`;
  const init = await kube.kc.applyToFetchOptions({});
  const res = await nodeFetch(url, init as never);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const out: Record<string, number> = {};
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const m = /^apiserver_request_total\{([^}]*)\}\s+([0-9.eE+-]+)/.exec(line);
    if (!m) continue;
    const l = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (!WRITE_VERBS.has(l.verb ?? '')) continue;
    const code = l.code ?? '';
    const k = `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ''}${code.startsWith('2') ? '' : ` ${code}`}`;
    out[k] = (out[k] ?? 0) + Number(m[2]);
  }
  return out;
}

/** The control plane's processes as kwokctl runs them (binary runtime): pid and metrics port. */
interface Component {
  name: string;
  pid: number | undefined;
  port: number | undefined;
}

function components(): Component[] {
  const dir = join(KWOK_WORKDIR, 'clusters', CLUSTER_NAME);
  let cfg = '';
  try {
    cfg = readFileSync(join(dir, 'kwok.yaml'), 'utf8');
  } catch {
    return [];
  }
  return ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller'].map((name) => {
    const pidFile = join(dir, 'pids', `${name}.pid`);
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) || undefined : undefined;
    // Each component's block in kwok.yaml has `name: <name>` after its args; its secure port is an arg.
    const block = cfg.split(/\n- args:\n/).find((b) => new RegExp(`\\n  name: ${name}\\n`).test(b)) ?? '';
    const port = Number(/--secure-port=(\d+)/.exec(block)?.[1]) || undefined;
    return { name, pid, port };
  });
}

const cpuOf = (cs: Component[]): Record<string, number | undefined> => Object.fromEntries(cs.map((c) => [c.name, cpuSeconds(c.pid)]));

function cpuDiff(a: Record<string, number | undefined>, b: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) if (v !== undefined && a[k] !== undefined) out[k] = round3(v - a[k]);
  return out;
}

/** A component's client-side write requests (rest_client_requests_total by method) from its /metrics. */
function restClientWrites(port: number | undefined): Promise<number | undefined> {
  if (!port) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', rejectUnauthorized: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(undefined);
        let n = 0;
        for (const m of body.matchAll(/^rest_client_requests_total\{([^}]*)\}\s+([0-9.eE+-]+)/gm)) {
          const method = /method="([A-Z]+)"/.exec(m[1]!)?.[1] ?? '';
          if (WRITE_VERBS.has(method)) n += Number(m[2]);
        }
        resolve(n);
      });
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function peerClientWrites(cs: Component[]): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {};
  for (const c of cs) if (c.name === 'kube-controller-manager' || c.name === 'kube-scheduler') out[c.name] = await restClientWrites(c.port);
  return out;
}

function diff(a: Record<string, number | undefined>, b: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) {
    const d = (v ?? 0) - (a[k] ?? 0);
    if (v !== undefined && d > 0) out[k] = d;
  }
  return out;
}
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
/** Writes the API server carried out: the 2xx answers (keys without a status code). */
const accepted = (r: Record<string, number>): number => sum(Object.fromEntries(Object.entries(r).filter(([k]) => !/ \d{3}$/.test(k))));
const refusedCount = (r: Record<string, number>): number => sum(r) - accepted(r);

// ---------------------------------------------------------------------------------------------
// Cleanup, shared by success and failure

async function deleteNamespaceAndWait(ns: string, timeoutMs = 300_000): Promise<boolean> {
  await kube.core.deleteNamespace({ name: ns }).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const gone = await kube.core.readNamespace({ name: ns }).then(
      () => false,
      (err: unknown) => isNotFound(err),
    );
    if (gone) return true;
    await sleep(500);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// aksim: an NGroup's replace rolling update

interface BatchTiming {
  index: number;
  pair: string;
  members: number;
  /** Seconds from the profile change: the batch recorded, its CGs running (pause starts), the batch completed. */
  recordedAt: number;
  runningAt?: number;
  completedAt?: number;
  /** As the bench's own Pod watch saw them: the batch's first new CG, all of them, all of them Ready. */
  firstCgSeenAt?: number;
  allCgsSeenAt?: number;
  allCgsReadyAt?: number;
}

interface AksimResult {
  secondsToCreate: number;
  secondsToSucceeded: number;
  secondsToAllReady: number;
  secondsToOldGone: number;
  batches: BatchTiming[];
  totalBatches: number;
  operatorPeakRssMB: number;
  operatorMaxSampledRssMB: number;
  operatorCpuSeconds: number;
  apiWrites: number;
  apiWritesPerCg: number;
  apiWritesByKind: Record<string, number>;
  /** ngroup reconciles during the update by outcome, and the seconds they took in all. */
  reconciles: Record<string, number>;
  reconcileSeconds: number;
  createApiWrites: number;
  /** Writes the API server carried out during the update (all clients), those it refused (404, 409...), by kind. */
  apiserverWrites: number;
  apiserverRefused: number;
  apiserverWritesByKind: Record<string, number>;
  componentCpuSeconds: Record<string, number>;
}

function profile(ns: string, version: number): ContainerGroupProfile {
  return {
    metadata: { name: 'bench-cgp', namespace: ns },
    spec: {
      location: REGION,
      osType: 'Linux',
      restartPolicy: 'Always',
      containers: [{ name: 'web', image: IMAGE(version), ports: [{ port: 80, protocol: 'TCP' }], resources: { requests: REQUESTS } }],
    },
  } as ContainerGroupProfile;
}

function ngroup(ns: string): NGroup {
  return {
    metadata: { name: 'bench-ng', namespace: ns },
    spec: {
      location: REGION,
      zones: ZONES,
      placementProfile: { faultDomainCount: FAULT_DOMAINS },
      elasticProfile: {
        desiredCount: COUNT,
        maintainDesiredCount: true,
        containerGroupNamingPolicy: { guidNamingPolicy: { prefix: 'cg-' } },
      },
      containerGroupProfiles: [{ resource: { id: 'bench-cgp' } }],
      updateProfile: { updateMode: 'Rolling', rollingUpdateProfile: ROLLING },
    },
  } as NGroup;
}

async function aksimRun(stamp: string, roundNo: number, comps: Component[]): Promise<AksimResult> {
  const ns = `bench-ng-${randomBytes(3).toString('hex')}`;
  const logFile = join(RESULTS, `operator-ngroups-${stamp}-r${roundNo}.log`);
  const op = await startOperator(logFile);
  let opStopped = false;
  cleanups.push(async () => {
    if (!opStopped) await op.stop();
  });
  console.log(`  operator pid ${op.proc.pid}, metrics ${op.metricsUrl}, log ${logFile}`);

  await kube.core.createNamespace({ body: { metadata: { name: ns, labels: { 'aksim.io/bench': 'ngroups' } } } });
  cleanups.push(async () => {
    // The operator is still up (it is stopped by the step pushed before this one): the NGroup goes
    // first, so the operator deletes its CGs instead of racing the namespace controller.
    if (op.proc.exitCode === null) {
      await kube.delete('NGroup', ns, 'bench-ng');
      const end = Date.now() + 180_000;
      while (Date.now() < end && (await kube.get('NGroup', ns, 'bench-ng'))) await sleep(500);
    }
    if (op.proc.exitCode !== null || !(await deleteNamespaceAndWait(ns, 180_000))) {
      await forceRemove(ns, ['NGroup']);
      await deleteNamespaceAndWait(ns, 120_000);
    }
  });

  const pods = await new Tally<V1Pod>(
    `/api/v1/namespaces/${ns}/pods`,
    (p) => podClass(p.metadata?.labels?.['aksim.io/cg-profile-revision'] ?? '?', p),
    'aksim.io/ngroup=bench-ng',
  ).start();
  cleanups.push(async () => pods.stop());
  const ngs = await new Tally<NGroup & KubernetesObject>(
    crdPath('ngroups', ns),
    (n) => `${n.status?.provisioningState}|${n.status?.latestRollingUpdate?.id ?? 0}|${n.status?.latestRollingUpdate?.state ?? '-'}`,
  ).start();
  cleanups.push(async () => ngs.stop());

  // Create: N CGs Ready on revision 1 (not the headline; recorded for scale).
  const w0 = await operatorWrites(op.metricsUrl);
  const tc = process.hrtime.bigint();
  await kube.create('ContainerGroupProfile', ns, profile(ns, 1));
  await kube.create('NGroup', ns, ngroup(ns));
  await Promise.race([
    Promise.all([
      pods.until(`${COUNT} CGs Ready on revision 1`, (t) => t.count(liveReady('1')) >= COUNT),
      ngs.until('NGroup Succeeded', (t) => t.count('Succeeded|0|-') === 1),
    ]),
    op.died,
  ]);
  const secondsToCreate = elapsed(tc);
  const w1 = await operatorWrites(op.metricsUrl);
  console.log(`  aksim: ${COUNT} CGs Ready on revision 1 in ${secondsToCreate.toFixed(2)}s (${w1.total - w0.total} operator writes)`);
  await sleep(2000); // let the last status writes and kwok's pod updates land before the clock starts

  // The update: a new image in the profile makes revision 2; the NGroup (Rolling, no pinned revision) follows.
  const batches: BatchTiming[] = [];
  let t0 = process.hrtime.bigint();
  ngs.onEvent = (n) => {
    const ru = n?.status?.latestRollingUpdate;
    if (!ru || ru.id !== 1) return;
    const at = round3(elapsed(t0));
    const b = ru.currentBatch;
    const last = batches.at(-1);
    if (last && last.completedAt === undefined && (ru.batchesCompleted ?? 0) > last.index) last.completedAt = at;
    if (!b) return;
    let cur = batches.find((x) => x.index === b.index);
    if (!cur)
      batches.push(
        (cur = { index: b.index ?? batches.length, pair: b.faultDomain ?? '?', members: b.members?.length ?? 0, recordedAt: at }),
      );
    if (b.phase === 'Pausing' && cur.runningAt === undefined) cur.runningAt = at;
  };
  const seen = new Map<string, { seen: Set<string>; ready: Set<string> }>();
  pods.onEvent = (p) => {
    const label = p?.metadata?.labels?.['aksim.io/rolling-update-batch'];
    if (!p || !label?.startsWith('1.')) return;
    const index = Number(label.slice(2));
    let s = seen.get(label);
    if (!s) seen.set(label, (s = { seen: new Set(), ready: new Set() }));
    s.seen.add(p.metadata!.name!);
    if (isPodReady(p)) s.ready.add(p.metadata!.name!);
    const b = batches.find((x) => x.index === index);
    if (!b) return;
    const at = round3(elapsed(t0));
    b.firstCgSeenAt ??= at;
    if (b.allCgsSeenAt === undefined && s.seen.size >= b.members) b.allCgsSeenAt = at;
    if (b.allCgsReadyAt === undefined && s.ready.size >= b.members) b.allCgsReadyAt = at;
  };
  const before = await operatorWrites(op.metricsUrl);
  const apiBefore = await apiserverWrites();
  const cpuBefore = { ...cpuOf(comps), operator: cpuSeconds(op.proc.pid) };
  const succeeded = ngs.until('rolling update 1 Succeeded', (t) => t.count('Succeeded|1|Succeeded') === 1);
  const failed = ngs
    .until('rolling update 1 failed', (t) => t.count((c) => c.endsWith('|1|Failed') || c.endsWith('|1|Cancelled')) > 0)
    .then(() => {
      throw new Error('rolling update 1 ended Failed or Cancelled');
    });
  failed.catch(() => undefined);
  const allReady = pods.until(`${COUNT} CGs Ready on revision 2`, (t) => t.count(liveReady('2')) >= COUNT);
  const oldGone = pods.until('revision 1 CGs gone', (t) => t.count((c) => c.startsWith('1|')) === 0);
  let secondsToSucceeded = 0;
  let secondsToAllReady = 0;
  let secondsToOldGone = 0;
  t0 = process.hrtime.bigint();
  await kube.patch('ContainerGroupProfile', ns, 'bench-cgp', { spec: { containers: profile(ns, 2).spec.containers } });
  await Promise.race([
    Promise.all([
      succeeded.then(() => (secondsToSucceeded = elapsed(t0))),
      allReady.then(() => (secondsToAllReady = elapsed(t0))),
      oldGone.then(() => (secondsToOldGone = elapsed(t0))),
    ]),
    failed,
    op.died,
  ]);
  const cpuAfter = { ...cpuOf(comps), operator: cpuSeconds(op.proc.pid) };
  await sleep(1000); // the last writes of the final reconcile
  const after = await operatorWrites(op.metricsUrl);
  const apiAfter = await apiserverWrites();
  ngs.onEvent = undefined;
  pods.onEvent = undefined;
  const ng = ngs.informer.list()[0];
  const byKind = diff(before.byKind, after.byKind);
  const writes = after.total - before.total;
  const apiByKind = diff(apiBefore, apiAfter);
  const cpu = cpuDiff(cpuBefore, cpuAfter);
  console.log(
    `  aksim: update Succeeded in ${secondsToSucceeded.toFixed(2)}s, ${COUNT} CGs Ready on revision 2 in ${secondsToAllReady.toFixed(2)}s, ` +
      `old CGs gone in ${secondsToOldGone.toFixed(2)}s; ${batches.length} batches, ${writes} operator writes, operator CPU ${cpu.operator ?? '?'}s`,
  );

  const hwmKB = procStatusKB(op.proc.pid!, 'VmHWM');
  op.maxRssKB = Math.max(op.maxRssKB, procStatusKB(op.proc.pid!, 'VmRSS'));
  // Clean up now, while the operator runs (it deletes the CGs), so the peer starts on an empty cluster.
  console.log('  aksim: deleting the namespace');
  await cleanupAll();
  opStopped = true;
  const { operator: operatorCpu, ...componentCpu } = cpu;
  return {
    secondsToCreate: round3(secondsToCreate),
    secondsToSucceeded: round3(secondsToSucceeded),
    secondsToAllReady: round3(secondsToAllReady),
    secondsToOldGone: round3(secondsToOldGone),
    batches,
    totalBatches: ng?.status?.latestRollingUpdate?.totalBatches ?? batches.length,
    operatorPeakRssMB: round3(Math.max(hwmKB, op.maxRssKB) / 1024),
    operatorMaxSampledRssMB: round3(op.maxRssKB / 1024),
    operatorCpuSeconds: operatorCpu ?? 0,
    apiWrites: writes,
    apiWritesPerCg: round3(writes / COUNT),
    apiWritesByKind: byKind,
    reconciles: diff(before.reconciles, after.reconciles),
    reconcileSeconds: round3(after.reconcileSeconds - before.reconcileSeconds),
    createApiWrites: w1.total - w0.total,
    apiserverWrites: accepted(apiByKind),
    apiserverRefused: refusedCount(apiByKind),
    apiserverWritesByKind: apiByKind,
    componentCpuSeconds: componentCpu,
  };
}

// ---------------------------------------------------------------------------------------------
// The peer: a Deployment rollout on the same virtual nodes

interface RsStep {
  at: number;
  newReplicas: number;
  oldReplicas: number;
}

interface DeploymentResult {
  secondsToCreate: number;
  secondsToComplete: number;
  secondsToOldGone: number;
  steps: RsStep[];
  peerClientWrites: Record<string, number>;
  apiserverWrites: number;
  apiserverRefused: number;
  apiserverWritesByKind: Record<string, number>;
  componentCpuSeconds: Record<string, number>;
}

function deployment(ns: string, version: number): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench-deploy', namespace: ns },
    spec: {
      replicas: COUNT,
      selector: { matchLabels: { app: 'bench-deploy' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: SURGE },
      template: {
        metadata: { labels: { app: 'bench-deploy' } },
        spec: {
          // The simulated ACI virtual nodes the NGroup ran on (made by the operator), as CGs use them.
          nodeSelector: { 'aksim.io/aci-virtual-node': 'true', 'topology.kubernetes.io/region': REGION },
          tolerations: [{ key: VK_TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' }],
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: 'web',
              image: IMAGE(version),
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { requests: { cpu: String(REQUESTS.cpu), memory: `${REQUESTS.memoryInGB}Gi` } },
            },
          ],
        },
      },
    },
  };
}

/** Rollout complete, as `kubectl rollout status` sees it, with every count at COUNT. */
function rolloutComplete(d: V1Deployment | undefined): boolean {
  const s = d?.status;
  if (!d || !s) return false;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    s.updatedReplicas === COUNT &&
    s.readyReplicas === COUNT &&
    s.availableReplicas === COUNT &&
    s.replicas === COUNT &&
    !s.unavailableReplicas
  );
}

async function deploymentRun(comps: Component[]): Promise<DeploymentResult> {
  const ns = `bench-deploy-${randomBytes(3).toString('hex')}`;
  const nodes = await kube.core.listNode({ labelSelector: `aksim.io/aci-virtual-node=true,topology.kubernetes.io/region=${REGION}` });
  const ready = nodes.items.filter(isNodeReady).length;
  if (ready < ZONES.length * FAULT_DOMAINS) throw new Error(`only ${ready} Ready ACI virtual nodes in ${REGION}; the aksim run makes them`);

  await kube.core.createNamespace({ body: { metadata: { name: ns, labels: { 'aksim.io/bench': 'ngroups' } } } });
  cleanups.push(async () => {
    await deleteNamespaceAndWait(ns, 300_000);
  });
  const pods = await new Tally<V1Pod>(
    `/api/v1/namespaces/${ns}/pods`,
    (p) => podClass(p.spec?.containers[0]?.image === IMAGE(2) ? '2' : '1', p),
    'app=bench-deploy',
  ).start();
  cleanups.push(async () => pods.stop());
  const deps = await new Tally<V1Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments`, (d) =>
    rolloutComplete(d) ? `complete|${d.metadata?.generation}` : 'progressing',
  ).start();
  cleanups.push(async () => deps.stop());
  const rss = await new Tally<V1ReplicaSet>(
    `/apis/apps/v1/namespaces/${ns}/replicasets`,
    (r) => `${r.spec?.template?.spec?.containers[0]?.image}|${r.spec?.replicas}`,
  ).start();
  cleanups.push(async () => rss.stop());

  const tc = process.hrtime.bigint();
  await apps.createNamespacedDeployment({ namespace: ns, body: deployment(ns, 1) });
  await deps.until(`Deployment ${COUNT} available`, (t) => t.count('complete|1') === 1);
  await pods.until(`${COUNT} Pods Ready`, (t) => t.count(liveReady('1')) >= COUNT);
  const secondsToCreate = elapsed(tc);
  console.log(`  Deployment: ${COUNT} replicas available in ${secondsToCreate.toFixed(2)}s`);
  await sleep(2000);

  const steps: RsStep[] = [];
  let t0 = process.hrtime.bigint();
  const replicasOf = (): { newReplicas: number; oldReplicas: number } => {
    let n = 0;
    let o = 0;
    for (const r of rss.informer.list()) {
      if (r.spec?.template?.spec?.containers[0]?.image === IMAGE(2)) n += r.spec.replicas ?? 0;
      else o += r.spec?.replicas ?? 0;
    }
    return { newReplicas: n, oldReplicas: o };
  };
  rss.onEvent = () => {
    const r = replicasOf();
    const last = steps.at(-1);
    if (!last || last.newReplicas !== r.newReplicas || last.oldReplicas !== r.oldReplicas) steps.push({ at: round3(elapsed(t0)), ...r });
  };
  const apiBefore = await apiserverWrites();
  const peerBefore = await peerClientWrites(comps);
  const cpuBefore = cpuOf(comps);
  const complete = deps.until('rollout complete', (t) => t.count('complete|2') === 1);
  const oldGone = pods.until('old Pods gone', (t) => t.count((c) => c.startsWith('1|')) === 0);
  let secondsToComplete = 0;
  let secondsToOldGone = 0;
  t0 = process.hrtime.bigint();
  await apps.patchNamespacedDeployment(
    { namespace: ns, name: 'bench-deploy', body: { spec: { template: { spec: { containers: [{ name: 'web', image: IMAGE(2) }] } } } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  await Promise.all([complete.then(() => (secondsToComplete = elapsed(t0))), oldGone.then(() => (secondsToOldGone = elapsed(t0)))]);
  const cpuAfter = cpuOf(comps);
  await sleep(1000);
  const apiAfter = await apiserverWrites();
  const peerAfter = await peerClientWrites(comps);
  rss.onEvent = undefined;
  const apiByKind = diff(apiBefore, apiAfter);
  console.log(
    `  Deployment: rollout complete in ${secondsToComplete.toFixed(2)}s, old Pods gone in ${secondsToOldGone.toFixed(2)}s; ${steps.length} ReplicaSet steps`,
  );
  console.log('  Deployment: deleting the namespace');
  await cleanupAll();
  return {
    secondsToCreate: round3(secondsToCreate),
    secondsToComplete: round3(secondsToComplete),
    secondsToOldGone: round3(secondsToOldGone),
    steps,
    peerClientWrites: diff(peerBefore, peerAfter),
    apiserverWrites: accepted(apiByKind),
    apiserverRefused: refusedCount(apiByKind),
    apiserverWritesByKind: apiByKind,
    componentCpuSeconds: cpuDiff(cpuBefore, cpuAfter),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

interface Round {
  aksim: AksimResult;
  deployment: DeploymentResult;
  ratio: number;
}

function table(r: { rounds: Round[]; aksimSeconds: number; deploymentSeconds: number; ratio: number; pass: { ratio: boolean } }): string {
  const med = (f: (x: Round) => number): number => round3(median(r.rounds.map(f)));
  const rows: [string, string, string][] = [
    ['', 'aksim NGroup', 'Deployment'],
    ['update done (s) [headline]', r.aksimSeconds.toFixed(2), r.deploymentSeconds.toFixed(2)],
    [`${COUNT} Ready on the new version (s)`, med((x) => x.aksim.secondsToAllReady).toFixed(2), r.deploymentSeconds.toFixed(2)],
    ['old ones gone (s)', med((x) => x.aksim.secondsToOldGone).toFixed(2), med((x) => x.deployment.secondsToOldGone).toFixed(2)],
    [`create ${COUNT} (s)`, med((x) => x.aksim.secondsToCreate).toFixed(2), med((x) => x.deployment.secondsToCreate).toFixed(2)],
    ['batches / ReplicaSet steps', String(med((x) => x.aksim.batches.length)), String(med((x) => x.deployment.steps.length))],
    ['API server writes in the update', String(med((x) => x.aksim.apiserverWrites)), String(med((x) => x.deployment.apiserverWrites))],
    [
      'controller writes (aksim / kcm+scheduler)',
      String(med((x) => x.aksim.apiWrites)),
      String(med((x) => sum(x.deployment.peerClientWrites))),
    ],
    ['operator peak RSS (MB)', Math.max(...r.rounds.map((x) => x.aksim.operatorPeakRssMB)).toFixed(1), '-'],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const lines = rows.map(([x, y, z]) => `  ${x.padEnd(w0)}  ${y.padStart(w1)}  ${z.padStart(10)}`);
  if (r.rounds.length > 1)
    lines.push(`  (medians of ${r.rounds.length} rounds; ratios per round: ${r.rounds.map((x) => x.ratio.toFixed(2)).join(', ')})`);
  lines.push(`  ratio aksim/Deployment ${r.ratio.toFixed(2)} (target <= ${TARGET_RATIO}): ${r.pass.ratio ? 'PASS' : 'MISS'}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!Number.isInteger(COUNT) || COUNT < ZONES.length * FAULT_DOMAINS)
    throw new Error(`BENCH_CG_COUNT must be an integer >= ${ZONES.length * FAULT_DOMAINS}`);
  mkdirSync(RESULTS, { recursive: true });
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  console.log(
    `bench: ngroups, ${ROUNDS} round(s) of a replace update of ${COUNT} CGs vs a Deployment rollout of ${COUNT} replicas; cluster ${CLUSTER_NAME}, KUBECONFIG=${KUBECONFIG}`,
  );
  const machine = await machineInfo();
  const comps = components();
  const rounds: Round[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    console.log(`round ${i}/${ROUNDS}: aksim NGroup`);
    const aksim = await aksimRun(stamp, i, comps);
    console.log(`round ${i}/${ROUNDS}: Deployment`);
    const deployment = await deploymentRun(comps);
    rounds.push({ aksim, deployment, ratio: round3(aksim.secondsToSucceeded / deployment.secondsToComplete) });
  }
  const aksimSeconds = round3(median(rounds.map((r) => r.aksim.secondsToSucceeded)));
  const deploymentSeconds = round3(median(rounds.map((r) => r.deployment.secondsToComplete)));
  const ratio = round3(aksimSeconds / deploymentSeconds);
  const result = {
    benchmark: 'ngroups',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    parameters: {
      rounds: ROUNDS,
      count: COUNT,
      timeScale: TIME_SCALE,
      ngroup: {
        region: REGION,
        zones: ZONES,
        faultDomainCount: FAULT_DOMAINS,
        updateMode: 'Rolling',
        rollingUpdateProfile: ROLLING,
        maintainDesiredCount: true,
      },
      profileChange: `containers[web].image ${IMAGE(1)} -> ${IMAGE(2)} (ContainerGroupProfile revision 1 -> 2; the NGroup names the profile without a revision)`,
      deployment: {
        replicas: COUNT,
        strategy: { type: 'RollingUpdate', rollingUpdate: SURGE },
        templateChange: `image ${IMAGE(1)} -> ${IMAGE(2)}`,
        minReadySeconds: 0,
        terminationGracePeriodSeconds: 0,
      },
      placement:
        'both on the same 6 simulated ACI virtual nodes (aci-vk-eastus-<zone>-fd<k>, kept Ready by kwok): CGs are bound by the operator (spec.nodeName), Deployment Pods go through kube-scheduler (nodeSelector aksim.io/aci-virtual-node=true + the virtual-kubelet toleration); each round runs the NGroup first (its operator makes the nodes), deletes it, stops the operator, then runs the Deployment',
      requests: REQUESTS,
      operatorEntry: OPERATOR_ENTRY,
      operatorNodeArgs: OPERATOR_NODE_ARGS,
      operatorWorkers: process.env.AKSIM_WORKERS ?? 'default',
      operatorArgs: `--time-scale ${TIME_SCALE} --metrics-port 0 --lease-seconds ${LEASE_SECONDS}`,
      peerLimits:
        'kube-controller-manager and kube-scheduler run with --kube-api-qps=5000 --kube-api-burst=10000 (kwokctl disableQPSLimits); kwok-controller with its default podPlayStageParallelism 4, which both sides share; nothing changed for the bench',
      notes:
        'times are measured with watches from the profile (Deployment template) patch; headline: latestRollingUpdate Succeeded against the rollout complete (observedGeneration current, updated = ready = available = replicas = count); with several rounds the headline times are medians and ratio = median / median. CPU seconds are utime+stime of each process during the update.',
    },
    rounds,
    aksimSeconds,
    deploymentSeconds,
    ratio,
    targetRatio: TARGET_RATIO,
    operatorPeakRssMB: Math.max(...rounds.map((r) => r.aksim.operatorPeakRssMB)),
    pass: { ratio: ratio <= TARGET_RATIO },
  };
  const wrote = writeResult('ngroups', stamp, result);
  console.log(`\n${table(result)}\n\n${wrote}`);
}

runMain(main);
