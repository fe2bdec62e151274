// Pure: one NGroup pass's view (the NGroup, its container group Pods and the profiles they run,
// from the caches) and the plan the pass builds on it: the next status in `st`, the container
// group writes, events, and when to look again. The planners (rolling.ts, scale.ts, health.ts)
// add to the plan; act.ts carries it out.
import type { ContainerGroupProfile, ContainerGroupProfileSpec, NGroup, NGroupStatus } from '../../src/api/generated.js';
import type { V1Pod } from '@kubernetes/client-node';
import { ngroupId, profileId, profileRefOf } from '../../src/aci/ids.js';
import { specAtRevision } from '../../src/aci/profile.js';
import { NG } from '../../src/model/names.js';
import type { Note } from '../shared/plan.js';
import { isPodReady } from '../shared/ready.js';
import type { CgInfo } from './batches.js';
import { placeNew, slotsFor, type Slot } from './placement.js';
import { isPodStarted, wantsUnhealthy } from './pod.js';

export const CONTROLLER = 'aksim.io/ngroup';

/** A profile revision resolved to its spec. */
export interface Target {
  name: string;
  namespace: string;
  id: string;
  revision: number;
  spec: ContainerGroupProfileSpec;
}

export type Ru = NonNullable<NGroupStatus['latestRollingUpdate']>;

/** What a pass asks of container groups; act.ts carries these out. */
export type CgWrite =
  | { do: 'create'; target: Target; slot: Slot; name: string; batchLabel?: string; replaces?: string }
  | { do: 'delete'; name: string }
  /** Updates a running CG to a revision where it stands: image, labels, health (and readiness once started). */
  | { do: 'update'; pod: V1Pod; target: Target; batchLabel?: string }
  /** Puts a CG's unhealthy label (unhealthy set) and readiness (ready set) in line with its health inputs. */
  | { do: 'health'; pod: V1Pod; unhealthy?: boolean; ready?: boolean };

export interface NgView {
  ng: NGroup;
  /** The NGroup's Pods, from the cache. */
  pods: V1Pod[];
  /** A container group profile from the cache. */
  profile(namespace: string, name: string): ContainerGroupProfile | undefined;
  subscriptionId: string;
  nowMs: number;
  nowIso: string;
  timeScale: number;
  /** Creates and deletes sent earlier whose watch events the cache has not shown yet. */
  creating: Map<string, Slot>;
  deleting: Set<string>;
  /** Started Pods whose health was not confirmed in line since the cache last changed them. */
  unchecked: V1Pod[];
  /** Real ms of this process's last status write of the NGroup. */
  lastWriteMs?: number;
  /** Names for new container groups (random GUIDs; a counter in tests). */
  newName(prefix: string): string;
}

export class Pass {
  readonly ng: NGroup;
  readonly ns: string;
  readonly name: string;
  readonly nowMs: number;
  readonly nowIso: string;
  /** The next status; starts as a deep copy of the current one. */
  readonly st: NGroupStatus;
  /** Pods not being deleted. */
  readonly live: V1Pod[];
  /** The plan so far. */
  readonly writes: CgWrite[] = [];
  readonly events: Note[] = [];
  readonly logs: { fields: object; msg: string }[] = [];
  requeueMs: number | undefined;
  /** What a pass asks of each CG, worked out once (a pass looks at every CG several times). */
  private readonly facts = new Map<V1Pod, { ready: boolean; started: boolean; sick: boolean }>();
  private readonly infos = new Map<string, CgInfo[]>();
  private readonly byName: Map<string, V1Pod>;
  /** CGs this pass creates, with the ones sent earlier and not yet in the cache. */
  private readonly planned: Map<string, Slot>;

  constructor(readonly v: NgView) {
    this.ng = v.ng;
    this.ns = v.ng.metadata.namespace!;
    this.name = v.ng.metadata.name!;
    this.nowMs = v.nowMs;
    this.nowIso = v.nowIso;
    this.st = structuredClone(v.ng.status ?? {});
    this.byName = new Map(v.pods.map((p) => [p.metadata!.name!, p]));
    this.planned = new Map(v.creating);
    this.live = v.pods.filter((p) => !p.metadata?.deletionTimestamp && !v.deleting.has(p.metadata!.name!));
  }

  private factsOf(p: V1Pod): { ready: boolean; started: boolean; sick: boolean } {
    let f = this.facts.get(p);
    if (!f) this.facts.set(p, (f = { ready: isPodReady(p), started: isPodStarted(p), sick: wantsUnhealthy(p) }));
    return f;
  }

  /** The CG's Ready condition (its health). */
  ready(p: V1Pod): boolean {
    return this.factsOf(p).ready;
  }

  /** A started CG whose readiness does not yet show its health inputs: wait before judging it. */
  settling(p: V1Pod): boolean {
    const f = this.factsOf(p);
    return f.started && f.ready === f.sick;
  }

  /** Health inputs of a CG: whether it should be unhealthy, and whether it has started. */
  health(p: V1Pod): { started: boolean; sick: boolean; ready: boolean } {
    return this.factsOf(p);
  }

  /** Slots of CGs created but not yet in the cache (this pass's creates included). */
  get unseenCreates(): Slot[] {
    return [...this.planned].filter(([n]) => !this.byName.has(n)).map(([, s]) => s);
  }

  /** A create of this CG was sent (or planned) and the cache does not show it yet: do not send it again. */
  expectsCreate(name: string): boolean {
    return this.planned.has(name) && !this.byName.has(name);
  }

  /** A delete of this CG was sent and the cache does not show it yet: do not send it again. */
  expectsDelete(name: string): boolean {
    return this.v.deleting.has(name);
  }

  get id(): string {
    return ngroupId(this.v.subscriptionId, this.ns, this.name);
  }

  requeue(ms: number): void {
    this.requeueMs = Math.max(1, Math.min(this.requeueMs ?? Infinity, ms));
  }

  pod(name: string): V1Pod | undefined {
    return this.byName.get(name);
  }

  emit(type: 'Normal' | 'Warning', reason: string, note: string): void {
    this.events.push({
      regarding: { apiVersion: 'aksim.io/v1alpha1', kind: 'NGroup', metadata: this.ng.metadata },
      type,
      reason,
      note,
      controller: CONTROLLER,
    });
  }

  /** Adds writes to the plan; planned creates count as unseen creates from now on. */
  plan(writes: CgWrite[]): void {
    for (const w of writes) {
      if (w.do === 'create' && !this.byName.has(w.name)) this.planned.set(w.name, w.slot);
      this.writes.push(w);
    }
  }

  /** A profile reference resolved to the spec of its revision; undefined when missing. */
  lookup(ref: { name: string; namespace: string; revision?: number }): Target | undefined {
    const cgp = this.v.profile(ref.namespace, ref.name);
    const r = cgp && specAtRevision(cgp, ref.revision);
    if (!r) return undefined;
    return {
      name: ref.name,
      namespace: ref.namespace,
      id: profileId(this.v.subscriptionId, ref.namespace, ref.name),
      revision: r.revision,
      spec: r.spec,
    };
  }

  /** What spec.containerGroupProfiles asks for, or why it cannot be used (pending: not recorded yet). */
  resolveTarget(): { target: Target } | { reason: string; message: string; pending?: boolean } {
    const ref = this.ng.spec.containerGroupProfiles?.[0];
    if (!ref) return { reason: 'NoContainerGroupProfile', message: 'spec.containerGroupProfiles names no container group profile' };
    const where = profileRefOf(ref.resource.id, this.ns);
    if (!where)
      return {
        reason: 'InvalidContainerGroupProfileId',
        message: `${ref.resource.id} is not a containerGroupProfiles resource id or name`,
      };
    const cgp = this.v.profile(where.namespace, where.name);
    if (!cgp)
      return {
        reason: 'ContainerGroupProfileNotFound',
        message: `container group profile ${where.name} not found in resource group ${where.namespace}`,
      };
    const t = this.lookup({ ...where, revision: ref.revision });
    if (t) return { target: t };
    const known = (cgp.status?.revisions ?? []).length > 0;
    if (ref.revision !== undefined && known)
      return { reason: 'RevisionNotFound', message: `container group profile ${where.name} has no revision ${ref.revision}` };
    return { reason: 'ProfilePending', message: `waiting for container group profile ${where.name} to record its revision`, pending: true };
  }

  get slots(): Slot[] {
    return slotsFor(this.ng.spec.zones, this.ng.spec.placementProfile?.faultDomainCount);
  }

  get region(): string {
    return this.ng.spec.location ?? 'eastus';
  }

  slotOf(p: V1Pod): Slot {
    const l = p.metadata?.labels ?? {};
    const z = l[NG.zone] ?? 'none';
    return { zone: z === 'none' ? '' : z, faultDomain: Number(l[NG.faultDomain] ?? 0) };
  }

  newName(): string {
    return this.v.newName(this.ng.spec.elasticProfile?.containerGroupNamingPolicy?.guidNamingPolicy?.prefix ?? '');
  }

  /** The live CGs as the batch planner sees them, against a target revision (the same array for the whole pass: do not change it). */
  cgInfos(t: { name: string; revision: number }): CgInfo[] {
    const key = `${t.name}|${t.revision}`;
    let out = this.infos.get(key);
    if (!out) {
      const revision = String(t.revision);
      out = this.live.map((p) => {
        const l = p.metadata?.labels ?? {};
        const s = this.slotOf(p);
        return {
          name: p.metadata!.name!,
          zone: s.zone,
          faultDomain: s.faultDomain,
          healthy: this.ready(p),
          updated: l[NG.profile] === t.name && l[NG.revision] === revision,
        };
      });
      this.infos.set(key, out);
    }
    return out;
  }

  /** Slots for n new CGs given the live ones. */
  placeNew(n: number): Slot[] {
    return placeNew([...this.live.map((p) => this.slotOf(p)), ...this.unseenCreates], n, this.slots);
  }
}
