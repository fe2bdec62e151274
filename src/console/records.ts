// The records the console's live feed sends to browsers: compact views of the API objects, one
// per key, shared by the server (src/console/view.ts makes them) and the page (web/console/).
// Types only: the page imports this file too.

export type NodeState = 'Ready' | 'NotReady' | 'Cordoned' | 'Draining' | 'Rebooting' | 'Reimaging' | 'Redeploying' | 'Deleting' | 'Booting';
export const NODE_STATES: readonly NodeState[] = [
  'Ready',
  'NotReady',
  'Cordoned',
  'Draining',
  'Rebooting',
  'Reimaging',
  'Redeploying',
  'Deleting',
  'Booting',
];

export interface CurrentOp {
  /** Operation GUID. */
  id: string;
  /** SimOperation object name. */
  name: string;
  type: string;
  state: string;
}

export interface AutoRepairView {
  message?: string;
  unhealthyNodes: number;
  repairs: { node: string; attempt: number; step: string; phase: string; stepStartTime?: string; deadline?: string; done: string[] }[];
  queue: { node: string; since?: string; reason: string }[];
  failed: { node: string; time?: string; message?: string }[];
  lastRepair?: { node?: string; result?: string; steps?: string[]; endTime?: string };
}

export interface ClusterRec {
  key: string;
  ns: string;
  name: string;
  location: string;
  version: string;
  state: string;
  readyNodes: number;
  totalNodes: number;
  deleting: boolean;
  op?: CurrentOp;
  autoRepair: AutoRepairView;
}

export interface PoolRec {
  /** namespace/object name (cluster-pool). */
  key: string;
  ns: string;
  cluster: string;
  name: string;
  mode: string;
  count: number;
  wanted: number;
  readyNodes: number;
  zones: string[];
  vmSize: string;
  version: string;
  image: string;
  priority: string;
  state: string;
  op?: CurrentOp;
}

export interface NodeRec {
  /** Node (VM) name. */
  key: string;
  ns: string;
  cluster: string;
  pool: string;
  zone: string;
  faultDomain: number;
  state: NodeState;
  /** The Node's Ready condition: True, False, Unknown ('' when there is no Node). */
  ready: string;
  cordoned: boolean;
  image: string;
  version: string;
  vmSize: string;
  faults: string[];
  /** The running machine action and who asked for it, e.g. "Reboot by aks-remediator". */
  action?: string;
  /** One line on why the tile has its state. */
  detail: string;
}

export interface OpRec {
  /** namespace/SimOperation name. */
  key: string;
  ns: string;
  targetKind: 'SimCluster' | 'SimNodePool';
  /** namespace/object name of the cluster or pool (PoolRec.key / ClusterRec.key). */
  target: string;
  id: string;
  type: string;
  status: string;
  percent: number;
  stepsDone: number;
  stepsTotal: number;
  start?: string;
  end?: string;
  error?: string;
}

export interface SchedEventRec {
  key: string;
  ns: string;
  name: string;
  id: string;
  type: string;
  status: string;
  /** Effective NotBefore (real time), '' when the event has started or has none yet. */
  notBefore: string;
  approved: boolean;
  source: string;
  description: string;
  nodes: string[];
  /** Autodrain action: None or CordonAndDrain. */
  action: string;
  drain: { node: string; cordoned: boolean; drain: string; done: boolean }[];
  startTime?: string;
}

export interface RollingUpdateView {
  id: number;
  state: string;
  inPlace: boolean;
  batchesCompleted: number;
  totalBatches: number;
  succeeded: number;
  failed: number;
  pending: number;
  start?: string;
  end?: string;
  lastAction?: string;
  error?: { code?: string; message?: string };
  batch?: { index: number; phase: string; members: string[]; replacements: string[]; faultDomain: string; pauseUntil?: string };
}

export interface NGroupRec {
  key: string;
  ns: string;
  name: string;
  state: string;
  desired: number;
  count: number;
  healthy: number;
  unhealthy: number;
  updated: number;
  zones: string[];
  faultDomains: number;
  profile: string;
  revision: number;
  mode: string;
  gates: { maxBatchPercent?: number; maxUnhealthyPercent?: number; maxUnhealthyUpdatedPercent?: number; pause?: string; inPlace: boolean };
  rollingUpdate?: RollingUpdateView;
  /** Why the NGroup is not Ready, when it is not (e.g. an update in progress, a missing profile). */
  message?: string;
  /** Set when the NGroup is stalled (condition Stalled): the error. */
  stalled?: string;
}

export type CgHealth = 'Healthy' | 'Unhealthy' | 'Starting' | 'Terminating';

export interface CgRec {
  key: string;
  ns: string;
  ngroup: string;
  name: string;
  zone: string;
  faultDomain: string;
  /** The container group profile and its revision the CG runs. */
  profile: string;
  revision: number;
  health: CgHealth;
  /** `<update id>.<batch index>` of the rolling-update batch that made or changed it. */
  batch?: string;
}

export type TimelineKind = 'Unhealthy' | 'Reboot' | 'Reimage' | 'Redeploy' | 'Failed' | 'Skipped';

export interface TimelineEntry {
  id: string;
  node: string;
  kind: TimelineKind;
  start: string;
  end?: string;
  /** Running, Succeeded, StillNotReady, Failed, TimedOut... */
  result?: string;
  text: string;
}

/** The auto-repair timeline of one cluster, newest first. */
export interface TimelineRec {
  /** namespace/cluster (ClusterRec.key). */
  key: string;
  entries: TimelineEntry[];
}

export interface Records {
  cluster: ClusterRec;
  pool: PoolRec;
  node: NodeRec;
  op: OpRec;
  sevent: SchedEventRec;
  ngroup: NGroupRec;
  cg: CgRec;
  timeline: TimelineRec;
}
export type RecordKind = keyof Records;
export const RECORD_KINDS: readonly RecordKind[] = ['cluster', 'pool', 'node', 'op', 'sevent', 'ngroup', 'cg', 'timeline'];

/** One change: the record's new value, or null when it went. */
export interface Delta {
  t: RecordKind;
  k: string;
  v: Records[RecordKind] | null;
}

/** The first message on a stream: every record, and the server's clock (real ms). */
export interface Snapshot {
  serverTime: number;
  records: { [K in RecordKind]: Records[K][] };
  /** Choices the page offers, from the lists the CLI checks against. */
  meta?: { faultTypes: string[]; eventTypes: string[] };
}

/** Actions the page can ask for (POST /console/api/actions/<name>). */
export const ACTIONS = ['abort', 'scale', 'fault-inject', 'fault-clear', 'event-schedule', 'event-approve', 'ngroup-cancel'] as const;
export type ActionName = (typeof ACTIONS)[number];
