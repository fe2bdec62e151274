// What the scale benchmark (and `bench/profile.ts`) watches on the control plane: the API server's
// own request counters and latencies by verb and resource, kwok's node Lease renewal lag, and the
// CPU of each process (from /proc). Reads only; nothing here changes the cluster.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fetch from 'node-fetch';
import { CACHE, kube, round3 } from './lib.js';

// ---------------------------------------------------------------------------------------------
// The API server's metrics

/** Cumulative request counters and latency sums, keyed "VERB resource[/subresource] code". */
export interface ApiSnapshot {
  at: number;
  requests: Map<string, number>;
  /** Keyed "VERB resource[/subresource]": [sum of seconds, count]. */
  latency: Map<string, [number, number]>;
}

const labelsOf = (s: string): Record<string, string> => Object.fromEntries([...s.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
const resourceOf = (l: Record<string, string>): string =>
  l.resource ? `${l.resource}${l.subresource ? `/${l.subresource}` : ''}` : l.subresource || '-';

/** One reading of `apiserver_request_total` and `apiserver_request_duration_seconds` (GET /metrics). */
export async function apiSnapshot(): Promise<ApiSnapshot> {
  const server = kube.kc.getCurrentCluster()!.server;
  const init = await kube.kc.applyToFetchOptions({});
  const res = await fetch(`${server}/metrics`, init as never);
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  const body = await res.text();
  const requests = new Map<string, number>();
  const latency = new Map<string, [number, number]>();
  for (const line of body.split('\n')) {
    if (line.startsWith('apiserver_request_total{')) {
      const i = line.lastIndexOf('}');
      const l = labelsOf(line.slice(24, i));
      const k = `${l.verb} ${resourceOf(l)} ${l.code}`;
      requests.set(k, (requests.get(k) ?? 0) + Number(line.slice(i + 1)));
    } else if (line.startsWith('apiserver_request_duration_seconds_sum{') || line.startsWith('apiserver_request_duration_seconds_count{')) {
      const isSum = line.startsWith('apiserver_request_duration_seconds_sum{');
      const i = line.lastIndexOf('}');
      const l = labelsOf(line.slice(line.indexOf('{') + 1, i));
      const k = `${l.verb} ${resourceOf(l)}`;
      const v = latency.get(k) ?? [0, 0];
      v[isSum ? 0 : 1] += Number(line.slice(i + 1));
      latency.set(k, v);
    }
  }
  return { at: Date.now(), requests, latency };
}

export interface ApiRates {
  seconds: number;
  /** Requests per second by "VERB resource code", highest first (WATCH counts the watch's start). */
  perSecond: Record<string, number>;
  /** Mean latency (ms) by "VERB resource" of the requests that finished in the interval (WATCH excluded: it lasts). */
  meanMs: Record<string, number>;
  /** All requests per second, and the writes among them (POST, PUT, PATCH, DELETE). */
  total: number;
  writes: number;
  /** Requests answered 409 (conflicts) per second. */
  conflicts: number;
}

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY', 'CREATE', 'UPDATE', 'DELETECOLLECTION']);

/** Rates between two snapshots; `top` keeps the busiest keys. */
export function apiRates(a: ApiSnapshot, b: ApiSnapshot, top = 15): ApiRates {
  const seconds = (b.at - a.at) / 1000;
  const perKey: [string, number][] = [];
  let total = 0;
  let writes = 0;
  let conflicts = 0;
  for (const [k, v] of b.requests) {
    const d = v - (a.requests.get(k) ?? 0);
    if (d <= 0) continue;
    perKey.push([k, d / seconds]);
    total += d;
    if (WRITE_VERBS.has(k.split(' ')[0]!)) writes += d;
    if (k.endsWith(' 409')) conflicts += d;
  }
  perKey.sort((x, y) => y[1] - x[1]);
  const meanMs: [string, number, number][] = [];
  for (const [k, [s, c]] of b.latency) {
    if (k.startsWith('WATCH')) continue;
    const [s0, c0] = a.latency.get(k) ?? [0, 0];
    if (c - c0 > 0) meanMs.push([k, ((s - s0) / (c - c0)) * 1000, c - c0]);
  }
  meanMs.sort((x, y) => y[2] - x[2]);
  return {
    seconds: round3(seconds),
    perSecond: Object.fromEntries(perKey.slice(0, top).map(([k, v]) => [k, round3(v)])),
    meanMs: Object.fromEntries(meanMs.slice(0, top).map(([k, v]) => [k, round3(v)])),
    total: round3(total / seconds),
    writes: round3(writes / seconds),
    conflicts: round3(conflicts / seconds),
  };
}

// ---------------------------------------------------------------------------------------------
// kwok's node Leases

export interface LeaseLag {
  leases: number;
  /** Seconds since each Lease's renewTime: median, 99th percentile, max. */
  p50: number;
  p99: number;
  max: number;
  /** Leases older than the grace period (the controller manager marks their Node Unknown). */
  overGrace: number;
}

/** How far behind kwok's Lease renewals are, over the Leases of the Nodes `names` keeps (all when undefined). */
export async function leaseLag(graceSeconds: number, keep?: (name: string) => boolean): Promise<LeaseLag> {
  const now = Date.now();
  const lags: number[] = [];
  let cont: string | undefined;
  do {
    const page = await kube.coordination.listNamespacedLease({ namespace: 'kube-node-lease', limit: 2000, _continue: cont });
    for (const l of page.items) {
      if (keep && !keep(l.metadata!.name!)) continue;
      const t = l.spec?.renewTime ? new Date(l.spec.renewTime as unknown as string).getTime() : NaN;
      if (!Number.isNaN(t)) lags.push(Math.max(0, (now - t) / 1000));
    }
    cont = page.metadata?._continue || undefined;
  } while (cont);
  lags.sort((a, b) => a - b);
  const at = (q: number): number => (lags.length ? lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]! : 0);
  return {
    leases: lags.length,
    p50: round3(at(0.5)),
    p99: round3(at(0.99)),
    max: round3(lags.at(-1) ?? 0),
    overGrace: lags.filter((x) => x > graceSeconds).length,
  };
}

// ---------------------------------------------------------------------------------------------
// CPU per process

const TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds (0 when it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** The pids of the kwokctl cluster's components (etcd, kube-apiserver, ...), from its pid files. */
export function clusterPids(cluster: string): Record<string, number> {
  const dir = join(process.env.KWOK_WORKDIR ?? join(CACHE, 'kwok'), 'clusters', cluster, 'pids');
  const out: Record<string, number> = {};
  for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller']) {
    try {
      out[c] = Number(readFileSync(join(dir, `${c}.pid`), 'utf8').trim());
    } catch {
      // not running
    }
  }
  return out;
}

/** CPU seconds of each named process now; diff two readings with cpuPercent. */
export function cpuReading(pids: Record<string, number>): { at: number; seconds: Record<string, number> } {
  return { at: Date.now(), seconds: Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)])) };
}

/** Percent of one core each process used between two readings. */
export function cpuPercent(a: ReturnType<typeof cpuReading>, b: ReturnType<typeof cpuReading>): Record<string, number> {
  const s = (b.at - a.at) / 1000;
  return Object.fromEntries(Object.entries(b.seconds).map(([k, v]) => [k, round3(((v - (a.seconds[k] ?? 0)) / s) * 100)]));
}

// ---------------------------------------------------------------------------------------------
// The cluster's heartbeat settings, read from the running processes

function argsOf(pid: number | undefined): string[] {
  if (!pid) return [];
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

const flag = (args: string[], name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/** What decides how Nodes stay Ready: kwok's Lease duration, the controller manager's grace and monitor periods, API server flags. */
export function heartbeatSettings(cluster: string): Record<string, string | number | undefined> {
  const pids = clusterPids(cluster);
  const kwok = argsOf(pids['kwok-controller']);
  const kcm = argsOf(pids['kube-controller-manager']);
  const api = argsOf(pids['kube-apiserver']);
  let leaseParallelism: string | undefined;
  const cfg = flag(kwok, 'config');
  if (cfg) {
    try {
      leaseParallelism = /nodeLeaseParallelism:\s*(\d+)/.exec(readFileSync(cfg, 'utf8'))?.[1];
    } catch {
      // no config file
    }
  }
  // Go durations: "20s", "2m0s", "1m30s", "500ms".
  const seconds = (d: string | undefined): number | undefined => {
    const parts = d && /^(\d+(?:\.\d+)?(?:ms|h|m|s))+$/.test(d) ? [...d.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)] : [];
    if (parts.length === 0) return undefined;
    return parts.reduce((t, m) => t + Number(m[1]) * ({ ms: 0.001, s: 1, m: 60, h: 3600 } as Record<string, number>)[m[2]!]!, 0);
  };
  return {
    profile: process.env.AKSIM_CLUSTER_PROFILE ?? 'default',
    nodeLeaseDurationSeconds: Number(flag(kwok, 'node-lease-duration-seconds') ?? 0) || undefined,
    nodeLeaseParallelism: Number(leaseParallelism ?? 4),
    nodeMonitorGracePeriodSeconds: seconds(flag(kcm, 'node-monitor-grace-period')) ?? 50,
    nodeMonitorPeriodSeconds: seconds(flag(kcm, 'node-monitor-period')) ?? 5,
    apiserverMaxRequestsInflight: flag(api, 'max-requests-inflight'),
    apiserverMaxMutatingRequestsInflight: flag(api, 'max-mutating-requests-inflight'),
    apiserverWatchCacheSizes: flag(api, 'watch-cache-sizes'),
    apiserverDefaultWatchCacheSize: flag(api, 'default-watch-cache-size'),
    etcdQuotaBackendBytes: flag(argsOf(pids.etcd), 'quota-backend-bytes'),
  };
}

// ---------------------------------------------------------------------------------------------
// Phases: API rates and CPU between a phase's start and end, Lease lag sampled during it

export interface PhaseProfile {
  phase: string;
  seconds: number;
  api: ApiRates;
  cpuPercent: Record<string, number>;
  /** The worst Lease lag seen in the phase (max over samples of p99 and max), and the most Leases over the grace period at once. */
  leaseLagP99: number;
  leaseLagMax: number;
  leasesOverGrace: number;
}

export interface TimelineSample {
  t: number;
  phase: string;
  nodesReady?: number;
  leaseP50: number;
  leaseP99: number;
  leaseMax: number;
  overGrace: number;
  apiPerSecond: number;
  apiWritesPerSecond: number;
  api409PerSecond: number;
  cpuPercent: Record<string, number>;
  top: Record<string, number>;
}

/** Samples the control plane every intervalMs while phases run; phase(name) ends the running phase and starts the next. */
export class Profiler {
  readonly phases: PhaseProfile[] = [];
  readonly timeline: TimelineSample[] = [];
  private readonly t0 = Date.now();
  private current: { name: string; api: ApiSnapshot; cpu: ReturnType<typeof cpuReading>; lags: LeaseLag[] } | undefined;
  private last: { api: ApiSnapshot; cpu: ReturnType<typeof cpuReading> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly pids: () => Record<string, number>,
    private readonly graceSeconds: number,
    private readonly readyCount: () => number | undefined,
    private readonly intervalMs = 10_000,
  ) {}

  async phase(name: string | undefined): Promise<void> {
    const [api, cpu] = [await apiSnapshot(), cpuReading(this.pids())];
    if (this.current) this.close(api, cpu);
    this.current = name === undefined ? undefined : { name, api, cpu, lags: [] };
    this.last = { api, cpu };
    if (!this.timer && name !== undefined) this.timer = setInterval(() => void this.sample(), this.intervalMs);
    if (name === undefined && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private close(api: ApiSnapshot, cpu: ReturnType<typeof cpuReading>): void {
    const c = this.current!;
    const lags = c.lags;
    this.phases.push({
      phase: c.name,
      seconds: round3((api.at - c.api.at) / 1000),
      api: apiRates(c.api, api, 15),
      cpuPercent: cpuPercent(c.cpu, cpu),
      leaseLagP99: Math.max(0, ...lags.map((l) => l.p99)),
      leaseLagMax: Math.max(0, ...lags.map((l) => l.max)),
      leasesOverGrace: Math.max(0, ...lags.map((l) => l.overGrace)),
    });
  }

  private async sample(): Promise<void> {
    if (this.busy || !this.current || !this.last) return;
    this.busy = true;
    try {
      const [api, lag] = await Promise.all([apiSnapshot(), leaseLag(this.graceSeconds)]);
      const cpu = cpuReading(this.pids());
      if (!this.current) return;
      this.current.lags.push(lag);
      const r = apiRates(this.last.api, api, 6);
      this.timeline.push({
        t: Math.round((Date.now() - this.t0) / 1000),
        phase: this.current.name,
        nodesReady: this.readyCount(),
        leaseP50: lag.p50,
        leaseP99: lag.p99,
        leaseMax: lag.max,
        overGrace: lag.overGrace,
        apiPerSecond: r.total,
        apiWritesPerSecond: r.writes,
        api409PerSecond: r.conflicts,
        cpuPercent: cpuPercent(this.last.cpu, cpu),
        top: r.perSecond,
      });
      this.last = { api, cpu };
    } catch (err: unknown) {
      console.error(`profile: sample failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.busy = false;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Ready Nodes over time

/** Counts the Ready Nodes of a watch and, once armed, the lowest count and every Node seen not Ready. */
export class ReadyTracker<T extends { metadata?: { name?: string }; status?: { conditions?: { type: string; status: string }[] } }> {
  private readonly ready = new Set<string>();
  armedAt: number | undefined;
  minReady = Infinity;
  firstDropAt: number | undefined;
  readonly seenNotReady = new Set<string>();

  constructor(informer: { on(h: { add?(o: T): void; update?(a: T, b: T): void; delete?(o: T): void }): void; list(): T[] }) {
    for (const n of informer.list()) this.set(n);
    informer.on({ add: (n) => this.set(n), update: (_o, n) => this.set(n), delete: (n) => this.set(n, true) });
  }

  get count(): number {
    return this.ready.size;
  }

  /** From now on, drops count (call once all are Ready). */
  arm(): void {
    this.armedAt = Date.now();
    this.minReady = this.ready.size;
    this.firstDropAt = undefined;
    this.seenNotReady.clear();
  }

  disarm(): void {
    this.armedAt = undefined;
  }

  private set(n: T, gone = false): void {
    const name = n.metadata?.name ?? '';
    const ok = !gone && (n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
    if (ok) this.ready.add(name);
    else this.ready.delete(name);
    if (this.armedAt === undefined) return;
    if (!ok && !gone) {
      this.seenNotReady.add(name);
      this.firstDropAt ??= Date.now();
    }
    this.minReady = Math.min(this.minReady, this.ready.size);
  }
}
