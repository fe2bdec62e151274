// The chaos run's record of what happened: every watch event the API server sent (slimmed), every
// write an operator replica sent through the fault proxy, and the harness's own marks (faults,
// rounds, convergence). The invariant checkers read only this.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export type Resource =
  | 'SimCluster'
  | 'SimNodePool'
  | 'SimMachine'
  | 'SimOperation'
  | 'Node'
  | 'Pod'
  | 'PodDisruptionBudget'
  | 'Event'
  | 'Lease'
  | 'NGroup'
  | 'ScheduledEvent'
  | 'NodePoolSnapshot';

/** A slimmed object: metadata, spec, status, and an Event's own top-level fields. */
export interface Obj {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    creationTimestamp?: string;
    finalizers?: string[];
  };
  spec?: any;
  status?: any;
  [field: string]: unknown;
}

export interface WatchRec {
  kind: 'watch';
  /** Real ms when the recorder received it. */
  t: number;
  /** The object's resourceVersion (etcd revision: one order across resources of one API server). */
  rv: number;
  res: Resource;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: Obj;
  /** Made up from a re-list after a watch could not resume (transitions in between were not seen). */
  relist?: boolean;
}

export interface WriteRec {
  kind: 'write';
  /** Real ms when the proxy sent it on (or refused it). */
  t: number;
  /** Operator replica identity (<host>-<pid>) that sent it. */
  replica: string;
  method: string;
  path: string;
  /** The API server's answer; 0: sent but no answer (connection lost); -1: never sent (no connection). */
  status: number;
  /** An error the proxy made up: before forwarding (not applied) or after (applied, answer lost). */
  injected?: 'before' | 'after';
  /** A write of the leader Lease that went through: what it said (renewals are seen even in a gap of the watch record). */
  lease?: { name: string; holder: string; renewTime: string; durationS: number };
}

export type MarkWhat =
  | 'scenario-start'
  | 'scenario-end'
  | 'round'
  | 'fault'
  | 'fault-end'
  | 'converged'
  | 'not-converged'
  /** A watch of the recorder could not resume (410): changes from data.from until now were seen only as a re-list. */
  | 'gap'
  /** The round waited data.waitMs before its action to keep kube-apiserver restarts apart. */
  | 'restart-spacing'
  | 'end';

export interface MarkRec {
  kind: 'mark';
  t: number;
  what: MarkWhat;
  scenario?: string;
  /** The namespace (resource group) the scenario works in. */
  namespace?: string;
  data?: Record<string, unknown>;
}

export type Rec = WatchRec | WriteRec | MarkRec;

export interface Violation {
  invariant: string;
  /** Real ms of the record that showed it. */
  t: number;
  message: string;
}

const HEARTBEAT_FIELDS = new Set(['lastHeartbeatTime', 'lastProbeTime']);

/** Node and Pod status parts worth keeping: conditions (without heartbeats), phase, node info. */
function slimStatus(res: Resource, status: any): any {
  if (!status || typeof status !== 'object') return status;
  if (res === 'Node') {
    return {
      conditions: (status.conditions ?? []).map((c: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(c).filter(([k]) => !HEARTBEAT_FIELDS.has(k))),
      ),
      nodeInfo: status.nodeInfo ? { kubeletVersion: status.nodeInfo.kubeletVersion } : undefined,
    };
  }
  if (res === 'Pod')
    return {
      phase: status.phase,
      conditions: (status.conditions ?? []).map((c: Record<string, unknown>) => ({ type: c.type, status: c.status })),
    };
  return status;
}

/** What the log keeps of an object (managedFields, heartbeats and Node images dropped). */
export function slim(res: Resource, o: any): Obj {
  const md = o.metadata ?? {};
  const out: Obj = {
    metadata: {
      name: md.name,
      namespace: md.namespace,
      uid: md.uid,
      resourceVersion: md.resourceVersion,
      generation: md.generation,
      labels: md.labels,
      annotations: md.annotations,
      deletionTimestamp: md.deletionTimestamp,
      creationTimestamp: md.creationTimestamp,
      finalizers: md.finalizers,
    },
  };
  if (o.spec !== undefined) out.spec = res === 'Pod' ? { nodeName: o.spec.nodeName } : o.spec;
  if (o.status !== undefined) out.status = slimStatus(res, o.status);
  if (res === 'Event') {
    for (const k of ['reason', 'note', 'type', 'regarding', 'series', 'reportingController', 'eventTime', 'action'])
      if (o[k] !== undefined) out[k] = o[k];
  }
  return JSON.parse(JSON.stringify(out)) as Obj;
}

export async function readLog(path: string): Promise<Rec[]> {
  const out: Rec[] = [];
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) out.push(JSON.parse(line) as Rec);
  return out;
}
