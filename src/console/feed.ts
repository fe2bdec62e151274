// The console's live feed: one watch per kind (src/runtime/informer.ts), shared by every browser.
// Informer events only mark records dirty; a short coalescing flush recomputes them (pure
// builders in view.ts / timeline.ts), keeps those whose JSON changed, and sends the deltas to
// every subscriber. Nothing polls: a heartbeat of Node status that changes no tile sends nothing.
import type { EventsV1Event, KubernetesObject, V1Node, V1Pod } from '@kubernetes/client-node';
import type { NGroup, ScheduledEvent, SimCluster, SimMachine, SimNodePool, SimOperation } from '../api/generated.js';
import { GROUP, VERSION } from '../api/generated.js';
import { LABELS, NG, REPORTING_CONTROLLER } from '../model/names.js';
import type { Kube } from '../runtime/client.js';
import { realTimeout, wallNow } from '../runtime/clock.js';
import { Informer, keyOf } from '../runtime/informer.js';
import type { Logger } from '../runtime/logger.js';
import { RECORD_KINDS, type Delta, type RecordKind, type Records, type Snapshot } from './records.js';
import { buildTimeline, RepairMemory, type RepairEvent } from './timeline.js';
import { cgRec, clusterRec, drainBySchedEvents, eventTime, ngroupRec, nodeRec, opRec, poolRec, schedEventRec } from './view.js';

/** How long changes are gathered before they are sent: bursts (a 1,000-node scale) become few messages. */
const FLUSH_MS = 25;

type Listener = (deltas: Delta[]) => void;
const crd = (plural: string): string => `/apis/${GROUP}/${VERSION}/${plural}`;

export class ConsoleFeed {
  readonly clusters: Informer<SimCluster>;
  readonly pools: Informer<SimNodePool>;
  readonly machines: Informer<SimMachine>;
  readonly nodes: Informer<V1Node>;
  readonly operations: Informer<SimOperation>;
  readonly schedEvents: Informer<ScheduledEvent>;
  readonly ngroups: Informer<NGroup>;
  readonly pods: Informer<V1Pod>;
  readonly events: Informer<EventsV1Event>;
  private readonly all: Informer<KubernetesObject>[];
  private readonly sent = new Map<RecordKind, Map<string, string>>();
  private readonly values = new Map<RecordKind, Map<string, Records[RecordKind]>>();
  private readonly dirty = new Map<RecordKind, Set<string>>();
  private readonly listeners = new Set<Listener>();
  private readonly memory = new RepairMemory();
  private cancelFlush: (() => void) | undefined;
  readonly synced: Promise<void>;

  constructor(
    kube: Kube,
    private readonly log: Logger,
  ) {
    const inf = <T extends KubernetesObject>(path: string, extra: { labelSelector?: string; fieldSelector?: string } = {}): Informer<T> =>
      new Informer<T>({ kube, path, log, ...extra });
    this.clusters = inf(crd('simclusters'));
    this.pools = inf(crd('simnodepools'));
    this.machines = inf(crd('simmachines'));
    this.nodes = inf('/api/v1/nodes', { labelSelector: LABELS.cluster });
    this.operations = inf(crd('simoperations'));
    this.schedEvents = inf(crd('scheduledevents'));
    this.ngroups = inf(crd('ngroups'));
    this.pods = inf('/api/v1/pods', { labelSelector: NG.ngroup });
    // Node events are recorded in "default" (Nodes have no namespace); only the remediator's matter here.
    this.events = inf('/apis/events.k8s.io/v1/namespaces/default/events', { fieldSelector: `reportingController=${REPORTING_CONTROLLER}` });
    this.machines.addIndex('name', (m) => [m.metadata.name!]);
    this.machines.addIndex('cluster', (m) => [`${m.metadata.namespace}/${m.spec.clusterName}`]);
    this.schedEvents.addIndex('node', (e) => e.spec.nodes);
    this.events.addIndex('node', (e) => (e.regarding?.name ? [e.regarding.name] : []));
    this.all = [
      this.clusters,
      this.pools,
      this.machines,
      this.nodes,
      this.operations,
      this.schedEvents,
      this.ngroups,
      this.pods,
      this.events,
    ] as unknown as Informer<KubernetesObject>[];
    for (const k of RECORD_KINDS) {
      this.sent.set(k, new Map());
      this.values.set(k, new Map());
      this.dirty.set(k, new Set());
    }
    this.wire();
    this.synced = Promise.all(this.all.map((i) => i.synced)).then(() => undefined);
  }

  start(): void {
    for (const i of this.all) i.start();
  }

  stop(): void {
    for (const i of this.all) i.stop();
    this.cancelFlush?.();
  }

  /** Every record now (flushes pending changes first, so the snapshot and later deltas line up). */
  snapshot(): Snapshot {
    this.flush();
    const records = {} as Snapshot['records'];
    for (const k of RECORD_KINDS) (records as Record<string, unknown[]>)[k] = [...this.values.get(k)!.values()];
    return { serverTime: wallNow(), records };
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  // ---- observe: informer events mark records dirty

  private mark(kind: RecordKind, key: string): void {
    this.dirty.get(kind)!.add(key);
    this.cancelFlush ??= realTimeout(FLUSH_MS, () => {
      this.cancelFlush = undefined;
      this.flush();
    });
  }

  private wire(): void {
    const on = <T extends KubernetesObject>(inf: Informer<T>, fn: (o: T, gone: boolean) => void): void =>
      inf.on({ add: (o) => fn(o, false), update: (old, o) => (fn(old, false), fn(o, false)), delete: (o) => fn(o, true) });
    // The timeline is rebuilt only when what it is made of changed: skips, windows, repair events.
    on(this.clusters, (c, gone) => {
      const k = keyOf(c);
      this.mark('cluster', k);
      if (gone) this.memory.forgetCluster(k);
      if (gone || !this.sent.get('timeline')!.has(k) || this.memory.observeCluster(c, new Date(wallNow()).toISOString()))
        this.mark('timeline', k);
    });
    on(this.pools, (p) => this.mark('pool', keyOf(p)));
    on(this.machines, (m, gone) => {
      this.mark('node', m.metadata.name!);
      if (gone ? this.memory.forgetMachine(m) : this.memory.observeMachine(m))
        this.mark('timeline', `${m.metadata.namespace}/${m.spec.clusterName}`);
    });
    on(this.nodes, (n) => this.mark('node', n.metadata!.name!));
    on(this.operations, (o) => this.mark('op', keyOf(o)));
    on(this.schedEvents, (e) => {
      this.mark('sevent', keyOf(e));
      for (const n of e.spec.nodes) this.mark('node', n);
    });
    on(this.ngroups, (g) => this.mark('ngroup', keyOf(g)));
    on(this.pods, (p) => this.mark('cg', keyOf(p)));
    on(this.events, (e) => {
      const ck = this.clusterOfNode(e.regarding?.name ?? '');
      if (ck) this.mark('timeline', ck);
    });
  }

  private clusterOfNode(node: string): string | undefined {
    const m = this.machines.byIndex('name', node)[0];
    if (m) return `${m.metadata.namespace}/${m.spec.clusterName}`;
    const l = this.nodes.get(node)?.metadata?.labels;
    return l?.[LABELS.namespace] && l[LABELS.cluster] ? `${l[LABELS.namespace]}/${l[LABELS.cluster]}` : undefined;
  }

  // ---- decide: the record each dirty key stands for now (undefined: it went)

  private build(kind: RecordKind, key: string): Records[RecordKind] | undefined {
    switch (kind) {
      case 'cluster': {
        const c = this.clusters.get(key);
        return c && clusterRec(c);
      }
      case 'pool': {
        const p = this.pools.get(key);
        return p && poolRec(p);
      }
      case 'node': {
        const m = this.machines.byIndex('name', key)[0];
        const n = this.nodes.get(key);
        if (!m && !n) return undefined;
        return nodeRec(key, m, n, drainBySchedEvents(key, this.schedEvents.byIndex('node', key)));
      }
      case 'op': {
        const o = this.operations.get(key);
        return o && opRec(o);
      }
      case 'sevent': {
        const e = this.schedEvents.get(key);
        return e && schedEventRec(e);
      }
      case 'ngroup': {
        const g = this.ngroups.get(key);
        return g && ngroupRec(g);
      }
      case 'cg': {
        const p = this.pods.get(key);
        return p && cgRec(p);
      }
      case 'timeline': {
        if (!this.clusters.get(key)) return undefined;
        const events: RepairEvent[] = [];
        const nodes = new Set(this.machines.byIndex('cluster', key).map((m) => m.metadata.name!));
        for (const w of this.memory.windowsOf(key)) nodes.add(w.node);
        for (const node of nodes) {
          for (const e of this.events.byIndex('node', node))
            events.push({ node, reason: e.reason ?? '', note: e.note ?? '', time: eventTime(e) });
        }
        return { key, entries: buildTimeline(events, this.memory.windowsOf(key), this.memory.skipsOf(key)) };
      }
    }
  }

  // ---- act: send what changed

  private flush(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    const deltas: Delta[] = [];
    for (const kind of RECORD_KINDS) {
      const keys = this.dirty.get(kind)!;
      if (keys.size === 0) continue;
      const sent = this.sent.get(kind)!;
      const values = this.values.get(kind)!;
      for (const k of keys) {
        const rec = this.build(kind, k);
        if (!rec) {
          if (sent.delete(k)) {
            values.delete(k);
            deltas.push({ t: kind, k, v: null });
          }
          continue;
        }
        const json = JSON.stringify(rec);
        if (sent.get(k) === json) continue;
        sent.set(k, json);
        values.set(k, rec);
        deltas.push({ t: kind, k, v: rec });
      }
      keys.clear();
    }
    if (deltas.length === 0) return;
    for (const fn of this.listeners) {
      try {
        fn(deltas);
      } catch (err: unknown) {
        this.log.warn({ err }, 'Console subscriber failed');
      }
    }
  }
}
