// What every controller gets: the client, the clock, events, settings and the shared caches.
import type { KubernetesObject, V1Node } from '@kubernetes/client-node';
import type { SimCluster, SimMachine, SimNodePool, SimOperation } from '../src/api/generated.js';
import type { Settings } from '../src/config.js';
import type { Kube } from '../src/runtime/client.js';
import type { Clock } from '../src/runtime/clock.js';
import type { Reconciler } from '../src/runtime/controller.js';
import type { EventRecorder } from '../src/runtime/events.js';
import type { Informer } from '../src/runtime/informer.js';
import type { Logger } from '../src/runtime/logger.js';

export interface Caches {
  clusters: Informer<SimCluster & { apiVersion?: string; kind?: string }>;
  pools: Informer<SimNodePool>;
  machines: Informer<SimMachine>;
  nodes: Informer<V1Node>;
  /** Indexed by 'target': <namespace>/<targetKind>/<targetName>. */
  operations: Informer<SimOperation>;
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
  /**
   * Optional: makes the extra caches this controller needs (beyond Caches) and keeps them for its
   * reconciler. The operator starts them and waits for their sync before any controller runs.
   */
  caches?(ctx: Ctx): Informer<KubernetesObject>[];
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

/** Labels aksim puts on the objects it makes. */
export const LABELS = {
  cluster: 'aksim.io/cluster',
  pool: 'aksim.io/pool',
  namespace: 'aksim.io/namespace',
  /** kwok keeps a node's heartbeat going unless this is "stopped" (see scripts/cluster.sh). */
  kubelet: 'aksim.io/kubelet',
} as const;

export const FINALIZERS = {
  cluster: 'aksim.io/cluster',
  pool: 'aksim.io/nodepool',
  machine: 'aksim.io/machine',
} as const;

/** Cache index keys. */
export const poolKeyOf = (ns: string, cluster: string, pool: string): string => `${ns}/${cluster}/${pool}`;
export const clusterKeyOf = (ns: string, cluster: string): string => `${ns}/${cluster}`;

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
