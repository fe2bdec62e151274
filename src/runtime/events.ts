// Records events.k8s.io/v1 Events on objects, in words a user understands. Repeats of the same
// event on the same object within ten minutes update one Event's series instead of making more.
import { V1MicroTime, type KubernetesObject } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import type { Clock } from './clock.js';
import { isConflict, type Kube } from './client.js';
import type { Logger } from './logger.js';

export type EventType = 'Normal' | 'Warning';

export interface EventInput {
  type: EventType;
  reason: string;
  note: string;
  /** What was done, e.g. Scale, Drain, Reboot. Defaults to reason. */
  action?: string;
  /** Reporting controller, e.g. aksim.io/nodepool or aks-auto-repair. */
  controller?: string;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstMs: number;
}

const SERIES_WINDOW_MS = 10 * 60_000;
const MAX_SEEN = 10_000;

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly instance = hostname();

  constructor(
    private readonly kube: Kube,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly defaultController = 'aksim.io/operator',
  ) {}

  /** Fire and forget: an event that fails to post must never fail a reconcile. */
  emit(obj: KubernetesObject, e: EventInput): void {
    this.record(obj, e).catch((err: unknown) => this.log.warn({ err, reason: e.reason }, 'Could not record event'));
  }

  /**
   * Posts the event under a name the caller derives from what happened (not from when), awaited:
   * posting it again after a restart finds it there (409) and adds nothing, so an event that must
   * appear exactly once can be posted before the state it reports is written.
   */
  async recordOnce(obj: KubernetesObject, e: EventInput, name: string): Promise<void> {
    try {
      await this.create(
        obj,
        e,
        name
          .toLowerCase()
          .replace(/[^a-z0-9.-]/g, '-')
          .slice(0, 253),
      );
    } catch (err: unknown) {
      if (!isConflict(err)) throw err;
    }
  }

  async record(obj: KubernetesObject, e: EventInput): Promise<void> {
    const md = obj.metadata ?? {};
    const namespace = md.namespace || 'default';
    const controller = e.controller ?? this.defaultController;
    const key = `${md.uid}/${e.type}/${e.reason}/${e.note}/${controller}`;
    const now = this.clock.now();
    const prev = this.seen.get(key);
    if (prev && now - prev.firstMs < SERIES_WINDOW_MS) {
      prev.count++;
      try {
        await this.kube.patchEvent(prev.namespace, prev.name, [
          { op: 'replace', path: '/series', value: { count: prev.count, lastObservedTime: new V1MicroTime(now) } },
        ]);
        return;
      } catch {
        this.seen.delete(key); // gone or unreadable: fall through to a fresh Event
      }
    }
    const name = `${md.name}.${now.toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
    await this.create(obj, e, name);
    if (this.seen.size >= MAX_SEEN) this.seen.clear();
    this.seen.set(key, { name, namespace, count: 1, firstMs: now });
  }

  private async create(obj: KubernetesObject, e: EventInput, name: string): Promise<void> {
    const md = obj.metadata ?? {};
    const namespace = md.namespace || 'default';
    const controller = e.controller ?? this.defaultController;
    await this.kube.createEvent(namespace, {
      metadata: { name, namespace },
      eventTime: new V1MicroTime(this.clock.now()),
      reportingController: controller,
      reportingInstance: `${controller.split('/').pop()}-${this.instance}`.slice(0, 128),
      action: e.action ?? e.reason,
      reason: e.reason,
      note: e.note.slice(0, 1024),
      type: e.type,
      regarding: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: md.name,
        namespace: md.namespace,
        uid: md.uid,
        resourceVersion: md.resourceVersion,
      },
    });
  }
}
