// The names aksim gives and reads on objects: labels, finalizers, annotations, and the cache
// keys built from them. Part of the domain floor (src/model/): no I/O, imports nothing above.

/** Labels aksim puts on the objects it makes. */
export const LABELS = {
  cluster: 'aksim.io/cluster',
  pool: 'aksim.io/pool',
  namespace: 'aksim.io/namespace',
  /** kwok keeps a node's heartbeat going unless this is "stopped" (see scripts/cluster.sh). */
  kubelet: 'aksim.io/kubelet',
  /** A machine a rolling upgrade adds for maxSurge; it goes once the upgrade is done. */
  surge: 'aksim.io/surge',
  /** The AKS node label the node image shows in. */
  nodeImage: 'kubernetes.azure.com/node-image-version',
  /** The kwok Stage label that holds a node NotReady (manifests/kwok/). */
  notReady: 'node-not-ready.stage.kwok.x-k8s.io',
} as const;

export const FINALIZERS = {
  cluster: 'aksim.io/cluster',
  pool: 'aksim.io/nodepool',
  machine: 'aksim.io/machine',
  ngroup: 'aksim.io/ngroup',
  scheduledEvent: 'aksim.io/scheduled-event',
} as const;

/**
 * The abort request: an annotation naming the operation to cancel, written by `aksim aks
 * operation-abort`, the REST abort endpoint, or a kubectl user; the controllers act on it.
 */
export const ABORT_ANNOTATION = 'aksim.io/abort-operation';

/** Labels and annotations aksim puts on container group Pods and reads on NGroups. */
export const NG = {
  /** Pod label: the NGroup's name (the Pod cache selects on it). */
  ngroup: 'aksim.io/ngroup',
  profile: 'aksim.io/cg-profile',
  revision: 'aksim.io/cg-profile-revision',
  zone: 'aksim.io/cg-zone',
  faultDomain: 'aksim.io/cg-fault-domain',
  /** Pod label read by the kwok Stage aksim-pod-running-unready. */
  unhealthy: 'aksim.io/unhealthy',
  /** Pod label `<update id>.<batch index>` on CGs a rolling update made or changed. */
  batch: 'aksim.io/rolling-update-batch',
  /** Pod annotations. */
  cgId: 'aksim.io/container-group-id',
  ngroupId: 'aksim.io/ngroup-id',
  images: 'aksim.io/profile-images',
  imageHealth: 'aksim.io/image-health',
  replaces: 'aksim.io/replaces',
  /** Pod annotation a user sets to make one CG unhealthy (value Unhealthy); remove to heal it. */
  fault: 'aksim.io/fault',
  /** NGroup annotations: requests. */
  cancel: 'aksim.io/cancel-rolling-update',
  manualUpdate: 'aksim.io/update-container-groups',
} as const;

/** The SimNodePool object of an agent pool: `<cluster>-<pool>`. */
export const poolObjectName = (cluster: string, pool: string): string => `${cluster}-${pool}`;

/** Cache keys: `<namespace>/<name>` of objects, and the index keys of pools and machines. */
export const objectKey = (ns: string, name: string): string => `${ns}/${name}`;
export const keyOf = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace}/${o.metadata?.name}`;
export const clusterKeyOf = (ns: string, cluster: string): string => `${ns}/${cluster}`;
export const poolKeyOf = (ns: string, cluster: string, pool: string): string => `${ns}/${cluster}/${pool}`;

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** Who AKS says repairs a node (the user), and the source of its Node events (seed 001). */
export const REMEDIATOR_USER = 'aks-remediator';
export const REPORTING_CONTROLLER = 'aks-auto-repair';
