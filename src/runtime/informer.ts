// A watch-driven cache of one resource type: list once, then watch from the list's
// resourceVersion with bookmarks; re-list only on 410 Gone; restart with backoff on errors.
// client-node's ListWatch stops for good on any watch error and sets no watch timeout, which
// leaves half-open connections hanging; this keeps its Watch but owns the loop.
import { Watch, type KubernetesObject } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import type { Kube } from './client.js';
import type { Logger } from './logger.js';
import { realSleep } from './clock.js';

export interface Handlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions {
  kube: Kube;
  /** Collection path, e.g. /api/v1/nodes or /apis/aksim.io/v1alpha1/simmachines. */
  path: string;
  labelSelector?: string;
  /** e.g. reportingController=aks-auto-repair (events of one controller). */
  fieldSelector?: string;
  log: Logger;
  /** Watches are closed by the server after this many seconds (jittered) and resumed without a list. */
  watchTimeoutSeconds?: number;
  /**
   * Hears each full list (at start and after 410 Gone) and each watch started: first, resumed after
   * the server closed it, after 410, after an error.
   */
  metrics?: InformerMetrics;
}

export type WatchStart = 'first' | 'resumed' | 'gone' | 'error';
export interface InformerMetrics {
  listed(path: string): void;
  watched(path: string, why: WatchStart): void;
}

type Index<T> = { fn: (obj: T) => string[]; map: Map<string, Set<string>> };

export const keyOf = (o: KubernetesObject): string =>
  o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? '');

export class Informer<T extends KubernetesObject> {
  private readonly store = new Map<string, T>();
  private readonly handlers: Handlers<T>[] = [];
  private readonly indexes = new Map<string, Index<T>>();
  private resourceVersion = '';
  private stopped = false;
  private abort: AbortController | undefined;
  private failures = 0;
  private syncedResolve!: () => void;
  readonly synced: Promise<void> = new Promise((r) => (this.syncedResolve = r));
  hasSynced = false;

  constructor(private readonly opts: InformerOptions) {}

  on(h: Handlers<T>): void {
    this.handlers.push(h);
  }

  /** Adds an index (e.g. machines by pool); call before start. */
  addIndex(name: string, fn: (obj: T) => string[]): void {
    this.indexes.set(name, { fn, map: new Map() });
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.map.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.store.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  get size(): number {
    return this.store.size;
  }

  start(): void {
    this.stopped = false;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async loop(): Promise<void> {
    let why: WatchStart = 'first';
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) {
          this.opts.metrics?.listed(this.opts.path);
          await this.relist();
        }
        this.opts.metrics?.watched(this.opts.path, why);
        why = 'resumed';
        await this.watchOnce();
        this.failures = 0;
      } catch (err: unknown) {
        if (this.stopped) return;
        const code = (err as { statusCode?: number; code?: number }).statusCode ?? (err as { code?: number }).code;
        if (code === 410) {
          this.resourceVersion = '';
          why = 'gone';
          continue;
        }
        why = 'error';
        this.failures++;
        const delay = Math.min(30_000, 200 * 2 ** Math.min(this.failures, 8));
        this.opts.log.warn({ err, path: this.opts.path, delayMs: delay }, 'Watch failed; restarting after backoff');
        await realSleep(delay); // network backoff is real time, not simulated time
      }
    }
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let cont = '';
    let rv = '';
    do {
      const url = new URL(this.opts.kube.kc.getCurrentCluster()!.server + this.opts.path);
      url.searchParams.set('limit', '500');
      if (cont) url.searchParams.set('continue', cont);
      if (this.opts.labelSelector) url.searchParams.set('labelSelector', this.opts.labelSelector);
      if (this.opts.fieldSelector) url.searchParams.set('fieldSelector', this.opts.fieldSelector);
      const init = await this.opts.kube.kc.applyToFetchOptions({});
      const res = await fetch(url.toString(), init as never);
      if (res.status !== 200) throw Object.assign(new Error(`list ${this.opts.path}: HTTP ${res.status}`), { statusCode: res.status });
      const body = (await res.json()) as { items: T[]; metadata: { resourceVersion?: string; continue?: string } };
      for (const item of body.items) fresh.set(keyOf(item), item);
      cont = body.metadata.continue ?? '';
      rv = body.metadata.resourceVersion ?? '';
    } while (cont);
    for (const [k, old] of this.store) if (!fresh.has(k)) this.remove(k, old);
    for (const obj of fresh.values()) this.upsert(obj);
    this.resourceVersion = rv;
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.syncedResolve();
    }
  }

  private watchOnce(): Promise<void> {
    return new Promise((resolve, reject) => {
      const base = this.opts.watchTimeoutSeconds ?? 300;
      const params: Record<string, string | boolean | number> = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: Math.round(base + Math.random() * base),
      };
      if (this.opts.labelSelector) params.labelSelector = this.opts.labelSelector;
      if (this.opts.fieldSelector) params.fieldSelector = this.opts.fieldSelector;
      let failed: unknown;
      new Watch(this.opts.kube.kc)
        .watch(
          this.opts.path,
          params,
          (type: string, obj: T & { code?: number }) => {
            if (type === 'ERROR') {
              failed = Object.assign(new Error(`watch ${this.opts.path}: ${JSON.stringify(obj)}`), { statusCode: obj.code });
              return;
            }
            if (type === 'ADDED' || type === 'MODIFIED') this.upsert(obj);
            else if (type === 'DELETED') this.remove(keyOf(obj), obj);
            const rv = obj.metadata?.resourceVersion;
            if (rv) this.resourceVersion = rv;
          },
          (err: unknown) => {
            if (err && !this.stopped) reject(err);
            else if (failed) reject(failed);
            else resolve();
          },
        )
        .then((ctrl) => {
          this.abort = ctrl;
          if (this.stopped) ctrl.abort();
        })
        .catch(reject);
    });
  }

  private upsert(obj: T): void {
    // managedFields are the largest part of most objects and no controller reads them.
    if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
    const key = keyOf(obj);
    const old = this.store.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    this.store.set(key, obj);
    this.reindex(key, old, obj);
    for (const h of this.handlers) {
      if (old) h.update?.(old, obj);
      else h.add?.(obj);
    }
  }

  private remove(key: string, obj: T): void {
    const old = this.store.get(key);
    if (!old) return;
    this.store.delete(key);
    this.reindex(key, old, undefined);
    for (const h of this.handlers) h.delete?.(old ?? obj);
  }

  private reindex(key: string, oldObj: T | undefined, newObj: T | undefined): void {
    for (const idx of this.indexes.values()) {
      if (oldObj) for (const v of idx.fn(oldObj)) idx.map.get(v)?.delete(key);
      if (newObj)
        for (const v of idx.fn(newObj)) {
          let s = idx.map.get(v);
          if (!s) idx.map.set(v, (s = new Set()));
          s.add(key);
        }
    }
  }
}
