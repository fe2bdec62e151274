// What every controller gets: the client, the clock, events, settings and every cache, in one
// typed registry that src/operator.ts builds and starts before any controller runs.
import type { KubernetesObject, V1ConfigMap, V1Node, V1Pod } from '@kubernetes/client-node';
import type {
  ContainerGroupProfile,
  NGroup,
  NodePoolSnapshot,
  ScheduledEvent,
  SimCluster,
  SimMachine,
  SimNodePool,
  SimOperation,
} from '../src/api/generated.js';
import type { Settings } from '../src/config.js';
import type { Kube } from '../src/runtime/client.js';
import type { Clock } from '../src/runtime/clock.js';
import type { Reconciler } from '../src/runtime/controller.js';
import type { EventRecorder } from '../src/runtime/events.js';
import type { Informer } from '../src/runtime/informer.js';
import type { Logger } from '../src/runtime/logger.js';

/** Every watch-driven cache the controllers read; the comment names each cache's indexes. */
export interface Caches {
  /** Index none. */
  clusters: Informer<SimCluster & { apiVersion?: string; kind?: string }>;
  /** Index 'cluster': <namespace>/<cluster>. */
  pools: Informer<SimNodePool>;
  /** Indexes 'pool': <namespace>/<cluster>/<pool>, and 'cluster': <namespace>/<cluster>. */
  machines: Informer<SimMachine>;
  /** Nodes labelled aksim.io/cluster (the machines' Nodes). */
  nodes: Informer<V1Node>;
  /** Index 'target': <namespace>/<targetKind>/<targetName>. */
  operations: Informer<SimOperation>;
  snapshots: Informer<NodePoolSnapshot>;
  /** The node image catalog ConfigMap aksim-node-images in the system namespace (one object at most). */
  catalogMaps: Informer<V1ConfigMap>;
  /** Index 'profile': <namespace>/<profile> of each profile an NGroup names. */
  ngroups: Informer<NGroup>;
  profiles: Informer<ContainerGroupProfile>;
  /** Container group Pods (label aksim.io/ngroup); index 'ngroup': <namespace>/<ngroup>. */
  cgPods: Informer<V1Pod>;
  /** Index 'node': <namespace>/<node> of each node an event names. */
  scheduledEvents: Informer<ScheduledEvent>;
}

export interface Ctx extends Caches {
  kube: Kube;
  clock: Clock;
  events: EventRecorder;
  log: Logger;
  settings: Settings;
}

export interface ControllerDef {
  name: string;
  /** Makes the reconciler. */
  reconciler(ctx: Ctx): Reconciler;
  /** Wires cache events to keys of this controller's queue. */
  watch(ctx: Ctx, enqueue: (key: string) => void): void;
  /**
   * Real ms over which cache events for one key coalesce into one reconcile (the first event
   * schedules it, later ones join it). For reconcilers that look at a whole cluster per key and
   * run on deadlines anyway; their own requeues stay exact.
   */
  coalesceMs?: number;
}

/** Every cache in the registry, for starting and stopping them together. */
export function allCaches(c: Caches): Informer<KubernetesObject>[] {
  return Object.values(c) as Informer<KubernetesObject>[];
}
