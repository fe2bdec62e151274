// The watch recorder: the harness's own watches (straight to the API server, not through the fault
// proxy) on everything the invariants look at. Each event goes into the log (slimmed; Node
// heartbeats dropped) and into a live World the scenarios' convergence checks read. A watch that
// breaks resumes from its last resourceVersion; only when the API server has compacted that away
// (410) does it re-list and write the differences as records marked `relist`.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import { slim, type Obj, type Rec, type Resource, type WatchRec } from './log.js';
import { keyOf, World } from './world.js';
import { wallNow, realSleep } from '../runtime/clock.js';

export interface Stream {
  res: Resource;
  path: string;
  fieldSelector?: string;
  /** Keep only the objects of interest (e.g. the run's namespaces). */
  keep?(o: any): boolean;
}

const CRD = (plural: string): string => `/apis/aksim.io/v1alpha1/${plural}`;

/** The streams of a run whose resource groups all start with `prefix`, started at `since` (real ms). */
export function streams(prefix: string, systemNamespace: string, since: number): Stream[] {
  const inRun = (o: any): boolean => String(o.metadata?.namespace ?? '').startsWith(prefix);
  const aksimEvent = (e: any): boolean => {
    const c = String(e.reportingController ?? '');
    if (!(c.startsWith('aksim') || c.startsWith('aks-'))) return false;
    // Node events live in `default`: those of earlier runs (and other users) are not this run's.
    if (Date.parse(e.metadata?.creationTimestamp ?? '') < since - 1000) return false;
    return e.regarding?.kind === 'Node' || String(e.regarding?.namespace ?? e.metadata?.namespace ?? '').startsWith(prefix);
  };
  const runNode = (n: any): boolean =>
    String(n.metadata?.labels?.['aksim.io/namespace'] ?? '').startsWith(prefix) || String(n.metadata?.name ?? '').startsWith('aci-vk-');
  return [
    { res: 'SimCluster', path: CRD('simclusters'), keep: inRun },
    { res: 'SimNodePool', path: CRD('simnodepools'), keep: inRun },
    { res: 'SimMachine', path: CRD('simmachines'), keep: inRun },
    { res: 'SimOperation', path: CRD('simoperations'), keep: inRun },
    { res: 'NGroup', path: CRD('ngroups'), keep: inRun },
    { res: 'ScheduledEvent', path: CRD('scheduledevents'), keep: inRun },
    { res: 'NodePoolSnapshot', path: CRD('nodepoolsnapshots'), keep: inRun },
    { res: 'Node', path: '/api/v1/nodes', keep: runNode },
    { res: 'Pod', path: '/api/v1/pods', keep: inRun },
    { res: 'PodDisruptionBudget', path: '/apis/policy/v1/poddisruptionbudgets', keep: inRun },
    { res: 'Event', path: '/apis/events.k8s.io/v1/events', keep: aksimEvent },
    {
      res: 'Lease',
      path: `/apis/coordination.k8s.io/v1/namespaces/${systemNamespace}/leases`,
      fieldSelector: 'metadata.name=aksim-operator',
    },
  ];
}

/** An object as the log compares it: without its resourceVersion (what changed, not that it was written). */
const sameContent = (a: Obj, b: Obj): boolean =>
  JSON.stringify({ ...a, metadata: { ...a.metadata, resourceVersion: '' } }) ===
  JSON.stringify({ ...b, metadata: { ...b.metadata, resourceVersion: '' } });

export class Recorder {
  readonly world = new World();
  readonly records: Rec[] = [];
  private readonly aborts = new Set<AbortController>();
  private stopped = false;
  private listeners: (() => void)[] = [];
  /** Watch restarts (breaks the recorder itself saw), for the report. */
  restarts = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly sink: (r: Rec) => void = () => {},
  ) {}

  /** Starts every stream; resolves once each has listed. */
  async start(list: Stream[]): Promise<void> {
    await Promise.all(
      list.map(
        (s) =>
          new Promise<void>((resolve) => {
            void this.loop(s, resolve);
          }),
      ),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.aborts) a.abort();
  }

  /** Adds a harness record (a mark) to the log. */
  add(r: Rec): void {
    this.records.push(r);
    this.sink(r);
    for (const l of this.listeners) l();
  }

  /** Calls fn after every new record until it returns true. */
  onRecord(fn: () => boolean): void {
    const l = (): void => {
      if (fn()) this.listeners = this.listeners.filter((x) => x !== l);
    };
    this.listeners.push(l);
  }

  private emit(s: Stream, type: WatchRec['type'], raw: any, rv: number, relist = false): void {
    const obj = slim(s.res, raw);
    const prev = this.world.get(s.res, keyOf(obj));
    if (type === 'MODIFIED' && prev && sameContent(prev, obj)) {
      this.world.apply({ kind: 'watch', t: wallNow(), rv, res: s.res, type, obj });
      return;
    }
    const r: WatchRec = { kind: 'watch', t: wallNow(), rv, res: s.res, type, obj, ...(relist ? { relist: true } : {}) };
    this.world.apply(r);
    this.add(r);
  }

  private async list(s: Stream): Promise<string> {
    const url = new URL(this.kc.getCurrentCluster()!.server + s.path);
    if (s.fieldSelector) url.searchParams.set('fieldSelector', s.fieldSelector);
    const init = await this.kc.applyToFetchOptions({});
    const res = await fetch(url.toString(), init as never);
    if (res.status !== 200) throw Object.assign(new Error(`list ${s.path}: HTTP ${res.status}`), { statusCode: res.status });
    const body = (await res.json()) as { items: any[]; metadata: { resourceVersion: string } };
    const rv = Number(body.metadata.resourceVersion);
    const seen = new Set<string>();
    for (const item of body.items) {
      if (s.keep && !s.keep(item)) continue;
      const obj = slim(s.res, item);
      seen.add(keyOf(obj));
      const prev = this.world.get(s.res, keyOf(obj));
      if (!prev || prev.metadata.resourceVersion !== obj.metadata.resourceVersion)
        this.emit(s, prev ? 'MODIFIED' : 'ADDED', item, Number(item.metadata.resourceVersion), true);
    }
    for (const o of this.world.list(s.res)) if (!seen.has(keyOf(o))) this.emit(s, 'DELETED', o, rv, true);
    return body.metadata.resourceVersion;
  }

  private async loop(s: Stream, listed: () => void): Promise<void> {
    let rv = '';
    let failures = 0;
    let first = true;
    let lastSeen = wallNow();
    while (!this.stopped) {
      try {
        if (!rv) {
          // A watch that could not resume (410 after kube-apiserver restarted): what changed in
          // between is known only as a difference, not in its order. The log says so.
          const from = lastSeen;
          rv = await this.list(s);
          if (!first) this.add({ kind: 'mark', t: wallNow(), what: 'gap', data: { res: s.res, from } });
          first = false;
          listed();
        }
        rv = await this.watch(s, rv, () => (lastSeen = wallNow()));
        failures = 0;
      } catch (err: unknown) {
        if (this.stopped) return;
        const code = (err as { statusCode?: number; code?: number }).statusCode ?? (err as { code?: number }).code;
        if (code === 410) rv = '';
        this.restarts++;
        failures++;
        await realSleep(Math.min(2000, 100 * 2 ** Math.min(failures, 4)));
      }
    }
  }

  /** One watch from rv; resolves with the last resourceVersion seen when the server ends it. */
  private watch(s: Stream, from: string, seen: () => void): Promise<string> {
    let rv = from;
    return new Promise((resolve, reject) => {
      let failed: unknown;
      const params: Record<string, string | number | boolean> = { resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 120 };
      if (s.fieldSelector) params.fieldSelector = s.fieldSelector;
      new Watch(this.kc)
        .watch(
          s.path,
          params,
          (type: string, obj: any) => {
            if (type === 'ERROR') {
              failed = Object.assign(new Error(`watch ${s.path}: ${JSON.stringify(obj)}`), { statusCode: obj?.code });
              return;
            }
            const next = obj?.metadata?.resourceVersion;
            if (next) rv = next;
            seen();
            if (type === 'BOOKMARK') return;
            const known = this.world.get(s.res, keyOf(slim(s.res, obj)));
            if (s.keep && !s.keep(obj)) {
              // Left the set of interest (e.g. a label changed): gone as far as the log goes.
              if (known) this.emit(s, 'DELETED', obj, Number(next));
              return;
            }
            this.emit(
              s,
              type === 'DELETED' ? 'DELETED' : known ? 'MODIFIED' : type === 'MODIFIED' ? 'ADDED' : (type as WatchRec['type']),
              obj,
              Number(next),
            );
          },
          (err: unknown) => {
            for (const a of this.aborts) if (a.signal.aborted) this.aborts.delete(a);
            if (err && !this.stopped) reject(err);
            else if (failed) reject(failed);
            else resolve(rv);
          },
        )
        .then((ctrl) => {
          this.aborts.add(ctrl);
          ctrl.signal.addEventListener('abort', () => this.aborts.delete(ctrl));
          if (this.stopped) ctrl.abort();
        })
        .catch(reject);
    });
  }
}
