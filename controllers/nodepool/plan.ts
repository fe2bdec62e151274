// Pure: the next step of a node pool operation. Scales toward the target count, and rolls an
// upgrade with maxSurge: surge machines at the new version first, then at most `surge` old
// machines reimaged at a time (each cordoned and drained by its machine), then the surge removed.
import type { V1Node } from '@kubernetes/client-node';
import type { SimMachine } from '../../src/api/generated.js';
import { LABELS } from '../../src/model/names.js';
import { parseNodeIndex } from '../../src/model/naming.js';
import { planScale } from './scale.js';
import { isBootedUnrecorded, isMachineReady } from './status.js';

export interface PlanMachine {
  name: string;
  index: number;
  zone: string;
  deleting: boolean;
  ready: boolean;
  surge: boolean;
  /** Wanted software (spec). */
  wantVersion: string;
  wantImage: string;
  /** Installed software (status); undefined until the VM first boots. */
  haveVersion?: string;
  haveImage?: string;
}

/** The plan's view of a machine; `node`: its Node from the node cache. */
export function toPlanMachine(m: SimMachine, node?: V1Node): PlanMachine {
  const booted = isBootedUnrecorded(m, node);
  return {
    name: m.metadata.name!,
    index: m.spec.index ?? parseNodeIndex(m.metadata.name!) ?? 0,
    zone: m.spec.zone ?? '',
    deleting: Boolean(m.metadata.deletionTimestamp),
    // A stopped VM (az aks stop) is where it should be: a settings update of a stopped pool finishes.
    ready: isMachineReady(m) || booted || m.status?.powerState === 'Stopped',
    surge: m.metadata.labels?.[LABELS.surge] === 'true',
    wantVersion: m.spec.orchestratorVersion,
    wantImage: m.spec.nodeImageVersion,
    haveVersion: m.status?.orchestratorVersion ?? (booted ? m.spec.orchestratorVersion : undefined),
    haveImage: m.status?.nodeImageVersion ?? (booted ? m.spec.nodeImageVersion : undefined),
  };
}

export interface PoolTarget {
  count: number;
  version: string;
  image: string;
}

export interface PoolPlan {
  create: { index: number; zone: string; surge: boolean }[];
  remove: string[];
  /** Machines to move to the target version/image (their machine controller reimages them). */
  upgrade: string[];
  /** Units of work left: nodes to add, remove or upgrade. */
  pending: number;
  done: boolean;
}

const wantsTarget = (m: PlanMachine, t: PoolTarget): boolean => m.wantVersion === t.version && m.wantImage === t.image;
const atTarget = (m: PlanMachine, t: PoolTarget): boolean =>
  wantsTarget(m, t) && m.haveVersion === t.version && m.haveImage === t.image && m.ready;

/** Resolves maxSurge ("1", "33%") against the target count; at least 1. AKS default: 10%. */
export function surgeCount(maxSurge: string | undefined, count: number): number {
  const v = (maxSurge ?? '10%').trim();
  const n = v.endsWith('%') ? Math.ceil((count * Number(v.slice(0, -1))) / 100) : Number(v);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

/** Units of work left; an operation's stepsTotal is this at its start, its stepsDone total - this. */
export function pendingUnits(machines: PlanMachine[], t: PoolTarget): number {
  const regular = machines.filter((m) => !m.surge);
  const readyAtTarget = regular.filter((m) => !m.deleting && atTarget(m, t)).length;
  return Math.max(0, t.count - readyAtTarget) + Math.max(0, regular.length - t.count);
}

export function planPool(input: { machines: PlanMachine[]; target: PoolTarget; zones: string[]; maxSurge?: string }): PoolPlan {
  const { machines, target: t, zones } = input;
  const live = machines.filter((m) => !m.deleting);
  const regular = live.filter((m) => !m.surge);
  const surges = live.filter((m) => m.surge);
  const plan: PoolPlan = { create: [], remove: [], upgrade: [], pending: pendingUnits(machines, t), done: false };

  // Count first: new machines come at the target version; surge machines don't count.
  const scale = planScale({
    machines: machines.map((m) => ({ name: m.name, index: m.index, zone: m.zone, deleting: m.deleting || m.surge, ready: m.ready })),
    desired: t.count,
    zones,
  });
  plan.create.push(...scale.create.map((c) => ({ ...c, surge: false })));
  plan.remove.push(...scale.remove);
  const removing = new Set(scale.remove);

  const stale = regular.filter((m) => !removing.has(m.name) && !wantsTarget(m, t)).sort((a, b) => a.index - b.index);
  if (stale.length > 0) {
    const surge = surgeCount(input.maxSurge, t.count);
    const taken = new Set([...machines.map((m) => m.index), ...plan.create.map((c) => c.index)]);
    for (let i = 0, made = surges.length; made < surge; i++) {
      if (taken.has(i)) continue;
      taken.add(i);
      plan.create.push({ index: i, zone: zones.length ? zones[i % zones.length]! : '', surge: true });
      made++;
    }
    // Surge nodes must be up before old ones are drained: that is what keeps capacity.
    const surgeReady = surges.length >= surge && surges.every((m) => m.ready && wantsTarget(m, t));
    if (surgeReady) {
      const inflight = regular.filter((m) => wantsTarget(m, t) && !atTarget(m, t) && m.haveVersion !== undefined).length;
      plan.upgrade = stale.slice(0, Math.max(0, surge - inflight)).map((m) => m.name);
    }
    return plan;
  }
  const upgrading = regular.some((m) => !atTarget(m, t));
  // The surge goes once every regular node runs the target.
  if (!upgrading) plan.remove.push(...surges.map((m) => m.name));
  plan.done =
    plan.create.length === 0 &&
    plan.remove.length === 0 &&
    !upgrading &&
    surges.length === 0 &&
    machines.every((m) => !m.deleting) &&
    regular.length === t.count;
  return plan;
}
