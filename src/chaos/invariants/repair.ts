// Invariants on node auto-repair, judged from the Node events of aks-auto-repair, the Nodes and
// the machine requests of aks-remediator: no more repairs at once per cluster than its setting,
// no repair started on a cluster under its minimum size, and each step's Start and End/Error
// events exactly once per attempt (and one Start per action the remediator asked a VM for).
import type { Obj, Rec, Violation } from '../log.js';
import { isDeleting, isReady, replayCommits } from '../world.js';
import { EventCounter, type Occurrence } from './events.js';

const CONTROLLER = 'aks-auto-repair';
const REMEDIATOR = 'aks-remediator';
const REQUESTS = { Reboot: 'rebootRequests', Reimage: 'reimageRequests', Redeploy: 'redeployRequests' } as const;
type Step = keyof typeof REQUESTS;

interface Instance {
  node: string;
  cluster: string;
  starts: Map<string, number>;
  ends: Map<string, number>;
  /** The node turned Ready (the repair is over once its last step's End arrived). */
  readySeen: boolean;
}

const parse = (o: Occurrence): { step: Step; phase: 'Start' | 'End' | 'Error'; attempt: number } | undefined => {
  const m = /^Node(Reboot|Reimage|Redeploy)(Start|End|Error)$/.exec(o.reason);
  if (!m) return undefined;
  const attempt = Number(/\(attempt (\d+)\)/.exec(o.note)?.[1] ?? 0);
  return { step: m[1] as Step, phase: m[2] as 'Start' | 'End' | 'Error', attempt };
};

export function checkRepairs(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  const events = new EventCounter();
  const open = new Map<string, Instance>();
  /** Node name -> its machine (namespace, cluster). */
  const machineOf = new Map<string, Obj>();
  const asked = new Map<string, number>();
  const started = new Map<string, number>();
  const lastAttempt = new Map<string, { step: Step; attempt: number }>();

  const unended = (i: Instance): string[] => [...i.starts].filter(([k, n]) => (i.ends.get(k) ?? 0) < n).map(([k]) => k);
  const close = (i: Instance, t: number, why: string, strict: boolean): void => {
    open.delete(i.node);
    if (!strict) return;
    for (const k of unended(i))
      out.push({
        invariant: 'repair-events-once',
        t,
        message: `repair of ${i.node} ended (${why}) but step ${k} has no End or Error event`,
      });
  };

  replayCommits(log, (r, prev, w) => {
    if (r.res === 'SimMachine') {
      machineOf.set(r.obj.metadata.name, r.obj);
      const inst = open.get(r.obj.metadata.name);
      if (inst && (r.type === 'DELETED' || isDeleting(r.obj))) close(inst, r.t, 'VM deleted', false);
      if (r.type === 'MODIFIED' && prev && r.obj.spec?.lastRequestedBy === REMEDIATOR) {
        for (const [step, field] of Object.entries(REQUESTS)) {
          if ((r.obj.spec?.[field] ?? 0) > (prev.spec?.[field] ?? 0))
            asked.set(`${r.obj.metadata.name}/${step}`, (asked.get(`${r.obj.metadata.name}/${step}`) ?? 0) + 1);
        }
      }
      return;
    }
    if (r.res === 'Node' && r.type !== 'DELETED' && isReady(r.obj)) {
      const inst = open.get(r.obj.metadata.name);
      if (!inst) return;
      inst.readySeen = true;
      if (unended(inst).length === 0) close(inst, r.t, 'node Ready', true);
      return;
    }
    for (const o of events.take(r)) {
      if (o.controller !== CONTROLLER || o.regardingKind !== 'Node') continue;
      const node = o.regardingName;
      if (o.reason === 'NodeAutoRepairFailed') {
        const inst = open.get(node);
        if (inst) close(inst, o.t, 'given up', true);
        continue;
      }
      const ev = parse(o);
      if (!ev) continue;
      const m = machineOf.get(node);
      if (!m) continue; // a node of another run or cluster
      const ns = m.metadata.namespace ?? '';
      const cluster = `${ns}/${m.spec?.clusterName ?? '?'}`;
      let inst = open.get(node);
      if (ev.phase === 'Start') {
        started.set(`${node}/${ev.step}`, (started.get(`${node}/${ev.step}`) ?? 0) + 1);
        if (inst?.readySeen) {
          close(inst, o.t, 'node Ready', true);
          inst = undefined;
        }
        if (!inst) {
          const c = w.get('SimCluster', cluster);
          const max = c?.spec?.autoRepair?.maxConcurrentRepairs ?? 1;
          const minNodes = c?.spec?.autoRepair?.minNodes ?? 2;
          const others = [...open.values()].filter((i) => i.cluster === cluster && !i.readySeen);
          if (others.length + 1 > max)
            out.push({
              invariant: 'repair-concurrency',
              t: o.t,
              message: `cluster ${cluster}: repair of ${node} started while ${others.map((i) => i.node).join(', ')} ${others.length === 1 ? 'was' : 'were'} being repaired (maxConcurrentRepairs ${max})`,
            });
          const size = w
            .list('SimMachine')
            .filter((x) => x.metadata.namespace === ns && x.spec?.clusterName === m.spec?.clusterName && !isDeleting(x)).length;
          if (size < minNodes)
            out.push({
              invariant: 'repair-min-size',
              t: o.t,
              message: `cluster ${cluster}: repair of ${node} started with ${size} nodes; minNodes is ${minNodes}`,
            });
          inst = { node, cluster, starts: new Map(), ends: new Map(), readySeen: false };
          open.set(node, inst);
        }
        const k = `attempt ${ev.attempt} ${ev.step}`;
        const n = (inst.starts.get(k) ?? 0) + 1;
        inst.starts.set(k, n);
        if (n > 1)
          out.push({ invariant: 'repair-events-once', t: o.t, message: `repair of ${node}: ${o.reason} posted ${n} times for ${k}` });
        lastAttempt.set(node, { step: ev.step, attempt: ev.attempt });
      } else {
        const la = lastAttempt.get(node);
        const k = `attempt ${la?.attempt ?? '?'} ${ev.step}`;
        if (!inst || !inst.starts.has(k)) {
          out.push({
            invariant: 'repair-events-once',
            t: o.t,
            message: `${o.reason} on ${node} without a ${ev.step} Start event in a running repair`,
          });
          continue;
        }
        const n = (inst.ends.get(k) ?? 0) + 1;
        inst.ends.set(k, n);
        if (n > 1)
          out.push({ invariant: 'repair-events-once', t: o.t, message: `repair of ${node}: End/Error posted ${n} times for ${k}` });
        if (inst.readySeen && unended(inst).length === 0) close(inst, o.t, 'node Ready', true);
      }
    }
  });
  for (const [k, n] of asked) {
    const s = started.get(k) ?? 0;
    if (s < n) {
      const [node, step] = k.split('/');
      out.push({
        invariant: 'repair-events-once',
        t: log.at(-1)?.t ?? 0,
        message: `${REMEDIATOR} asked VM ${node} for ${n} ${step}(s) but Node${step}Start was posted ${s} time(s)`,
      });
    }
  }
  return out;
}
