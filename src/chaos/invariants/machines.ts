// Invariants on VMs and Nodes: never two machines or Nodes for one VMSS index, never more machines
// than the pool asked for (plus its surge), one Node per machine, and nothing left behind once
// something is deleted.
import type { Obj, Rec, Resource, Violation } from '../log.js';
import { isDeleting, isMark, keyOf, label, replayArrival, replayCommits, type World } from '../world.js';

const CLUSTER = 'aksim.io/cluster';
const POOL = 'aksim.io/pool';
const NAMESPACE = 'aksim.io/namespace';
const SURGE = 'aksim.io/surge';

/** The VMSS instance index in a node name (`...vmss<6 base-36 digits>`). */
export function indexOfName(name: string): number | undefined {
  const m = /vmss([0-9a-z]{1,6})$/.exec(name);
  return m ? parseInt(m[1]!, 36) : undefined;
}

/** maxSurge ("1", "33%"; default 10%) against a count: at least 1. */
export function allowedSurge(maxSurge: string | undefined, count: number): number {
  const v = (maxSurge ?? '10%').trim();
  const n = v.endsWith('%') ? Math.ceil((count * Number(v.slice(0, -1))) / 100) : Number(v);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

const poolKeyOfMachine = (m: Obj): string => `${m.metadata.namespace}/${m.spec?.clusterName}-${m.spec?.poolName}`;
const poolKeyOfNode = (n: Obj): string | undefined => {
  const ns = label(n, NAMESPACE);
  return ns ? `${ns}/${label(n, CLUSTER)}-${label(n, POOL)}` : undefined;
};

/**
 * unique-machines: within a pool, no two live machines (or Nodes) share a VMSS index.
 * machine-count: live regular machines never exceed the pool's count (the larger of its last
 * three counts, since a scale-in deletes after the spec changes), surge machines never exceed its maxSurge.
 */
export function checkMachines(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  const counts = new Map<string, number[]>(); // pool key -> last counts
  replayCommits(log, (r, _prev, w) => {
    if (r.res === 'SimNodePool' && r.type !== 'DELETED') {
      const k = keyOf(r.obj);
      const hist = counts.get(k) ?? [];
      const c = r.obj.spec?.count ?? 3;
      if (hist.at(-1) !== c) hist.push(c);
      counts.set(k, hist.slice(-3));
    }
    if (r.type === 'DELETED' || isDeleting(r.obj)) return;
    if (r.res === 'SimMachine') {
      const pk = poolKeyOfMachine(r.obj);
      const live = w.list('SimMachine').filter((m) => !isDeleting(m) && poolKeyOfMachine(m) === pk);
      const twin = live.find((m) => m.metadata.name !== r.obj.metadata.name && m.spec?.index === r.obj.spec?.index);
      if (twin)
        out.push({
          invariant: 'unique-machines',
          t: r.t,
          message: `pool ${pk}: machines ${twin.metadata.name} and ${r.obj.metadata.name} both hold VMSS index ${r.obj.spec?.index}`,
        });
      const pool = w.get('SimNodePool', pk);
      if (!pool) return;
      const regular = live.filter((m) => label(m, SURGE) !== 'true').length;
      const surge = live.length - regular;
      const allowed = Math.max(...(counts.get(pk) ?? [pool.spec?.count ?? 3]));
      if (regular > allowed)
        out.push({
          invariant: 'machine-count',
          t: r.t,
          message: `pool ${pk} has ${regular} live machines; it asked for at most ${allowed} (counts ${counts.get(pk)?.join(' -> ')})`,
        });
      const maxSurge = allowedSurge(pool.spec?.upgradeSettings?.maxSurge, pool.spec?.count ?? 3);
      if (surge > maxSurge)
        out.push({ invariant: 'machine-count', t: r.t, message: `pool ${pk} has ${surge} surge machines; maxSurge allows ${maxSurge}` });
    } else if (r.res === 'Node') {
      const pk = poolKeyOfNode(r.obj);
      const idx = indexOfName(r.obj.metadata.name);
      if (!pk || idx === undefined) return;
      const twin = w
        .list('Node')
        .find(
          (n) =>
            n.metadata.name !== r.obj.metadata.name && !isDeleting(n) && poolKeyOfNode(n) === pk && indexOfName(n.metadata.name) === idx,
        );
      if (twin)
        out.push({
          invariant: 'unique-machines',
          t: r.t,
          message: `pool ${pk}: Nodes ${twin.metadata.name} and ${r.obj.metadata.name} both hold VMSS index ${idx}`,
        });
    }
  });
  return out;
}

/**
 * node-per-machine: a Node of aksim's is only made while its SimMachine exists, and a SimMachine
 * is gone only after its Node went (judged in commit order).
 */
export function checkNodePerMachine(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  replayCommits(log, (r, prev, w) => {
    if (r.res === 'Node' && r.type === 'ADDED' && !prev) {
      const ns = label(r.obj, NAMESPACE);
      if (ns && !w.get('SimMachine', `${ns}/${r.obj.metadata.name}`) && !r.relist)
        out.push({
          invariant: 'node-per-machine',
          t: r.t,
          message: `Node ${r.obj.metadata.name} was created while its SimMachine ${ns}/${r.obj.metadata.name} did not exist`,
        });
    }
    if (r.res === 'SimMachine' && r.type === 'DELETED' && !r.relist) {
      const node = w.get('Node', r.obj.metadata.name);
      if (node && label(node, NAMESPACE) === r.obj.metadata.namespace)
        out.push({ invariant: 'node-per-machine', t: r.t, message: `SimMachine ${keyOf(r.obj)} was deleted while its Node still existed` });
    }
  });
  return out;
}

/** Real ms the garbage collector may take to remove what an owner left: not an orphan yet. */
export const GC_GRACE_MS = 10_000;
/**
 * Real ms kube-controller-manager's pod GC may take to remove a Pod bound to a Node that is gone:
 * it quarantines such a Node name for 40 s and looks every 20 s (pkg/controller/podgc), so up to
 * ~60 s; 70 s with a margin. What a drain left (it evicts what it can before the Node goes) is
 * Kubernetes' to remove, as on AKS; at the end of the run nothing may be left at all.
 */
export const POD_GC_GRACE_MS = 70_000;

/**
 * What is left over in one namespace: objects whose owner has been gone for longer than the
 * garbage collector needs. `goneSince(res, key)` says since when an owner is gone (-Infinity when
 * it was never seen).
 */
export function orphansIn(
  w: World,
  ns: string,
  now = Infinity,
  goneSince: (res: Resource, key: string) => number = () => -Infinity,
): string[] {
  const found: string[] = [];
  const gone = (res: Resource, key: string, grace = GC_GRACE_MS): boolean => !w.get(res, key) && now - goneSince(res, key) >= grace;
  for (const n of w.list('Node')) {
    if (label(n, NAMESPACE) !== ns) continue;
    if (gone('SimMachine', `${ns}/${n.metadata.name}`)) found.push(`Node ${n.metadata.name} has no SimMachine`);
  }
  for (const m of w.list('SimMachine')) {
    if (m.metadata.namespace !== ns) continue;
    if (gone('SimNodePool', poolKeyOfMachine(m))) found.push(`SimMachine ${m.metadata.name} has no SimNodePool ${poolKeyOfMachine(m)}`);
  }
  for (const p of w.list('SimNodePool')) {
    if (p.metadata.namespace !== ns) continue;
    if (gone('SimCluster', `${ns}/${p.spec?.clusterName}`))
      found.push(`SimNodePool ${p.metadata.name} has no SimCluster ${p.spec?.clusterName}`);
  }
  for (const p of w.list('Pod')) {
    if (p.metadata.namespace !== ns || isDeleting(p) || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const node = p.spec?.nodeName as string | undefined;
    if (node && gone('Node', node, POD_GC_GRACE_MS)) found.push(`Pod ${p.metadata.name} is bound to Node ${node}, which is gone`);
    const ng = label(p, 'aksim.io/ngroup');
    if (ng && gone('NGroup', `${ns}/${ng}`)) found.push(`container group ${p.metadata.name} has no NGroup ${ng}`);
  }
  for (const o of w.list('SimOperation')) {
    if (o.metadata.namespace !== ns) continue;
    const res: Resource = o.spec?.targetKind === 'SimCluster' ? 'SimCluster' : 'SimNodePool';
    if (gone(res, `${ns}/${o.spec?.targetName}`))
      found.push(`SimOperation ${o.metadata.name} has no ${o.spec?.targetKind} ${o.spec?.targetName}`);
  }
  return found;
}

/**
 * no-orphans: when a round has converged, nothing in its namespace is left without its owner;
 * at the end of the run (every scenario's resource group deleted), nothing of them is left at all.
 */
export function checkOrphans(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  const namespaces = new Set<string>();
  const goneAt = new Map<string, number>();
  replayArrival(log, (r, w) => {
    if (r.kind === 'watch') {
      const k = `${r.res}|${keyOf(r.obj)}`;
      if (r.type === 'DELETED') goneAt.set(k, r.t);
      else goneAt.delete(k);
    }
    if (!isMark(r)) return;
    if (r.namespace) namespaces.add(r.namespace);
    if ((r.what === 'converged' || r.what === 'scenario-end') && r.namespace) {
      for (const f of orphansIn(w, r.namespace, r.t, (res, key) => goneAt.get(`${res}|${key}`) ?? -Infinity))
        out.push({ invariant: 'no-orphans', t: r.t, message: `${r.scenario}: ${f}` });
    }
    if (r.what === 'end') {
      for (const ns of namespaces) {
        const left = [
          ...w
            .list('Node')
            .filter((n) => label(n, NAMESPACE) === ns)
            .map((n) => `Node ${n.metadata.name}`),
          ...(['SimCluster', 'SimNodePool', 'SimMachine', 'NGroup', 'Pod'] as const).flatMap((res) =>
            w
              .list(res)
              .filter((o) => o.metadata.namespace === ns)
              .map((o) => `${res} ${keyOf(o)}`),
          ),
        ];
        for (const l of left)
          out.push({ invariant: 'no-orphans', t: r.t, message: `after deleting resource group ${ns}: ${l} is still there` });
      }
    }
  });
  return out;
}
