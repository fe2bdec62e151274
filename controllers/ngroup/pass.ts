// One reconcile of one NGroup: reads the caches once, acts on Pods and virtual Nodes, and builds
// the next status in `st` (written once, at the end, by reconcile.ts).
import { randomUUID } from 'node:crypto';
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import type { ContainerGroupProfile, ContainerGroupProfileSpec, NGroup, NGroupStatus } from '../../src/api/generated.js';
import { Expectations } from '../shared/expectations.js';
import { containerGroupId, ngroupId, profileId, profileRefOf } from '../../src/aci/ids.js';
import { specAtRevision } from '../../src/aci/profile.js';
import { isConflict, isNotFound, NotLeaderError, statusCode } from '../../src/runtime/client.js';
import type { Informer } from '../../src/runtime/informer.js';
import type { Ctx } from '../context.js';
import type { CgInfo } from './batches.js';
import { EMPTY_REGISTRY, parseRegistry, REGISTRY_CONFIGMAP, type Registry } from './images.js';
import { virtualNode } from './nodes.js';
import { placeNew, slotsFor, virtualNodeName, type Slot } from './placement.js';
import { isPodReady } from '../shared/ready.js';
import { buildPod, imagesOf, isPodStarted, NG, wantsUnhealthy } from './pod.js';

export interface NgCaches {
  ngroups: Informer<NGroup>;
  profiles: Informer<ContainerGroupProfile>;
  pods: Informer<V1Pod>;
  /** Virtual nodes this process has made sure of. */
  nodesMade: Set<string>;
  /** Per NGroup: Pods created or deleted whose watch event the cache has not shown yet. */
  creating: Expectations<Slot>;
  deleting: Expectations<true>;
  /** Pod objects (cache versions) whose health label and readiness were found in line or put in line. */
  healthChecked: WeakSet<V1Pod>;
}

/** How long an unseen create or delete is trusted before the cache is believed again. */
export const EXPECT_MS = 30_000;
/** After a call that failed without an answer from the API server (it may or may not have acted): trusted this long. */
const UNSURE_MS = 5_000;

/** The call surely did nothing: the API server refused it (not a conflict), or it was never sent (not leading). */
const refused = (err: unknown): boolean => {
  if (err instanceof NotLeaderError) return true;
  const code = statusCode(err);
  return code !== undefined && code >= 400 && code < 500;
};

/**
 * Awaits every call before reporting the first failure, so a failed reconcile leaves no calls
 * running behind it (the next reconcile would not know about them and could repeat them).
 */
export async function settleAll(calls: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** API calls a pass keeps in flight at once. */
export const CALL_WIDTH = 64;

/**
 * Runs the calls in order, `width` at a time, and like settleAll finishes all before reporting the
 * first failure. In order and bounded, the first calls are answered (and their Pods started by
 * kwok) while later ones wait, instead of hundreds answered together at the end.
 */
export async function runAll(calls: (() => Promise<unknown>)[], width = CALL_WIDTH): Promise<void> {
  const failures: unknown[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, calls.length) }, async () => {
      while (next < calls.length) {
        const call = calls[next++]!;
        await call().catch((err: unknown) => failures.push(err));
      }
    }),
  );
  if (failures.length > 0) throw failures[0];
}

/** A profile revision resolved to its spec. */
export interface Target {
  name: string;
  namespace: string;
  id: string;
  revision: number;
  spec: ContainerGroupProfileSpec;
}

export type Ru = NonNullable<NGroupStatus['latestRollingUpdate']>;

const SMP = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

export class Pass {
  readonly ns: string;
  readonly name: string;
  readonly nowMs: number;
  readonly nowIso: string;
  /** The next status; starts as a deep copy of the current one. */
  readonly st: NGroupStatus;
  /** Pods not being deleted. */
  live: V1Pod[];
  requeueMs: number | undefined;
  private reg: Registry | undefined;

  constructor(
    readonly ctx: Ctx,
    readonly c: NgCaches,
    readonly ng: NGroup,
    readonly pods: V1Pod[],
  ) {
    this.ns = ng.metadata.namespace!;
    this.name = ng.metadata.name!;
    this.nowMs = ctx.clock.now();
    this.nowIso = new Date(this.nowMs).toISOString();
    this.st = structuredClone(ng.status ?? {});
    this.key = `${this.ns}/${this.name}`;
    c.creating.pending(this.key, (n) => Boolean(this.pod(n)), this.nowMs);
    c.deleting.pending(this.key, (n) => {
      const p = this.pod(n);
      return !p || Boolean(p.metadata?.deletionTimestamp);
    }, this.nowMs);
    this.live = pods.filter((p) => !p.metadata?.deletionTimestamp && !c.deleting.has(this.key, p.metadata!.name!));
  }

  private readonly key: string;
  /** What a pass asks of each CG, worked out once per pass (a pass looks at every CG several times). */
  private readonly facts = new Map<V1Pod, { ready: boolean; started: boolean; sick: boolean }>();
  private readonly infos = new Map<string, CgInfo[]>();

  private factsOf(p: V1Pod): { ready: boolean; started: boolean; sick: boolean } {
    let f = this.facts.get(p);
    if (!f) this.facts.set(p, (f = { ready: isPodReady(p), started: isPodStarted(p), sick: wantsUnhealthy(p) }));
    return f;
  }

  /** The CG's Ready condition (its health). */
  ready(p: V1Pod): boolean {
    return this.factsOf(p).ready;
  }

  /** Slots of CGs created but not yet in the cache. */
  get unseenCreates(): Slot[] {
    return this.c.creating.pending(this.key, () => false, this.nowMs);
  }

  /**
   * A create of this CG was sent and the cache does not show it yet: do not send it again. The
   * pass comes back when that expectation runs out (a call that failed without an answer is
   * trusted only a few seconds), since no watch event may ever come for it.
   */
  expectsCreate(name: string): boolean {
    return this.expecting(this.c.creating, name);
  }

  /** A delete of this CG was sent and the cache does not show it yet: do not send it again (and come back, as above). */
  expectsDelete(name: string): boolean {
    return this.expecting(this.c.deleting, name);
  }

  private expecting(e: Expectations<unknown>, name: string): boolean {
    const until = e.expiresAt(this.key, name);
    if (until === undefined) return false;
    this.requeue(until - this.nowMs + 1);
    return true;
  }

  get id(): string {
    return ngroupId(this.ctx.settings.subscriptionId, this.ns, this.name);
  }

  requeue(ms: number): void {
    this.requeueMs = Math.max(1, Math.min(this.requeueMs ?? Infinity, ms));
  }

  pod(name: string): V1Pod | undefined {
    return this.c.pods.get(`${this.ns}/${name}`);
  }

  emit(type: 'Normal' | 'Warning', reason: string, note: string): void {
    this.ctx.events.emit({ apiVersion: 'aksim.io/v1alpha1', kind: 'NGroup', metadata: this.ng.metadata }, { type, reason, note, controller: 'aksim.io/ngroup' });
  }

  /** A profile reference resolved to the spec of its revision; undefined when missing. */
  lookup(ref: { name: string; namespace: string; revision?: number }): Target | undefined {
    const cgp = this.c.profiles.get(`${ref.namespace}/${ref.name}`);
    const r = cgp && specAtRevision(cgp, ref.revision);
    if (!r) return undefined;
    return { name: ref.name, namespace: ref.namespace, id: profileId(this.ctx.settings.subscriptionId, ref.namespace, ref.name), revision: r.revision, spec: r.spec };
  }

  /** What spec.containerGroupProfiles asks for, or why it cannot be used (pending: not recorded yet). */
  resolveTarget(): { target: Target } | { reason: string; message: string; pending?: boolean } {
    const ref = this.ng.spec.containerGroupProfiles?.[0];
    if (!ref) return { reason: 'NoContainerGroupProfile', message: 'spec.containerGroupProfiles names no container group profile' };
    const where = profileRefOf(ref.resource.id, this.ns);
    if (!where) return { reason: 'InvalidContainerGroupProfileId', message: `${ref.resource.id} is not a containerGroupProfiles resource id or name` };
    const cgp = this.c.profiles.get(`${where.namespace}/${where.name}`);
    if (!cgp) return { reason: 'ContainerGroupProfileNotFound', message: `container group profile ${where.name} not found in resource group ${where.namespace}` };
    const t = this.lookup({ ...where, revision: ref.revision });
    if (t) return { target: t };
    const known = (cgp.status?.revisions ?? []).length > 0;
    if (ref.revision !== undefined && known) return { reason: 'RevisionNotFound', message: `container group profile ${where.name} has no revision ${ref.revision}` };
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

  async ensureNodes(): Promise<void> {
    for (const s of this.slots) {
      const name = virtualNodeName(this.region, s);
      if (this.c.nodesMade.has(name)) continue;
      try {
        this.ctx.kube.wrote('create', 'Node');
        await this.ctx.kube.core.createNode({ body: virtualNode(this.region, s) });
        this.ctx.log.info({ node: name }, `Virtual node ${name} registered`);
      } catch (err: unknown) {
        if (!isConflict(err)) throw err;
      }
      this.c.nodesMade.add(name);
    }
  }

  async registry(): Promise<Registry> {
    if (this.reg) return this.reg;
    for (const namespace of [this.ns, this.ctx.settings.systemNamespace]) {
      try {
        const cm = await this.ctx.kube.core.readNamespacedConfigMap({ name: REGISTRY_CONFIGMAP, namespace });
        return (this.reg = parseRegistry(cm.data));
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
      }
    }
    return (this.reg = EMPTY_REGISTRY);
  }

  newName(): string {
    const prefix = this.ng.spec.elasticProfile?.containerGroupNamingPolicy?.guidNamingPolicy?.prefix ?? '';
    return `${prefix}${randomUUID()}`.toLowerCase();
  }

  /** Creates one CG Pod; an existing one of that name counts as made. */
  async createCg(t: Target, slot: Slot, name = this.newName(), extra: { batchLabel?: string; replaces?: string } = {}): Promise<string> {
    const sub = this.ctx.settings.subscriptionId;
    const body = buildPod({
      ngroup: this.ng,
      name,
      profileName: t.name,
      revision: t.revision,
      spec: t.spec,
      slot,
      nodeName: virtualNodeName(this.region, slot),
      registry: await this.registry(),
      cgId: containerGroupId(sub, this.ns, name),
      ngroupId: this.id,
      ...extra,
    });
    if (!this.pod(name)) this.c.creating.expect(this.key, name, slot, this.nowMs);
    try {
      this.ctx.kube.wrote('create', 'Pod');
      await this.ctx.kube.core.createNamespacedPod({ namespace: this.ns, body });
    } catch (err: unknown) {
      if (isConflict(err)) return name;
      if (refused(err)) this.c.creating.forget(this.key, name);
      else if (this.c.creating.has(this.key, name)) this.c.creating.expect(this.key, name, slot, this.nowMs - EXPECT_MS + UNSURE_MS);
      throw err;
    }
    return name;
  }

  async deleteCg(name: string): Promise<void> {
    this.c.deleting.expect(this.key, name, true, this.nowMs);
    try {
      this.ctx.kube.wrote('delete', 'Pod');
      await this.ctx.kube.core.deleteNamespacedPod({ name, namespace: this.ns, gracePeriodSeconds: 0 });
    } catch (err: unknown) {
      if (isNotFound(err)) return;
      if (refused(err)) this.c.deleting.forget(this.key, name);
      else this.c.deleting.expect(this.key, name, true, this.nowMs - EXPECT_MS + UNSURE_MS);
      throw err;
    }
  }

  /** Updates a running CG to a profile revision where it stands: image, labels, health. */
  async updateInPlace(p: V1Pod, t: Target, batchLabel?: string): Promise<void> {
    const img = imagesOf(t.spec, await this.registry());
    const fault = (p.metadata?.annotations?.[NG.fault] ?? '').toLowerCase() === 'unhealthy';
    const labels: Record<string, string | null> = { [NG.profile]: t.name, [NG.revision]: String(t.revision), [NG.unhealthy]: img.unhealthy || fault ? 'true' : null };
    if (batchLabel) labels[NG.batch] = batchLabel;
    const body = {
      metadata: { labels, annotations: { [NG.images]: JSON.stringify(img.written), [NG.imageHealth]: img.unhealthy ? 'unhealthy' : 'healthy' } },
      spec: { containers: t.spec.containers.map((c) => ({ name: c.name, image: img.resolved[c.name] })) },
    };
    this.ctx.kube.wrote('patch', 'Pod');
    await this.ctx.kube.core.patchNamespacedPod({ name: p.metadata!.name!, namespace: this.ns, body }, SMP);
    if (isPodStarted(p)) await this.setReady(p, !(img.unhealthy || fault));
  }

  /** Sets a started Pod's Ready condition (what the CG's health signal would say). */
  async setReady(p: V1Pod, ready: boolean): Promise<void> {
    const s = ready ? 'True' : 'False';
    const reason = ready ? undefined : 'ContainersNotReady';
    const body = {
      status: {
        conditions: [
          { type: 'Ready', status: s, reason, lastTransitionTime: this.nowIso },
          { type: 'ContainersReady', status: s, reason, lastTransitionTime: this.nowIso },
        ],
        containerStatuses: (p.spec?.containers ?? []).map((c) => ({ name: c.name, ready })),
      },
    };
    try {
      this.ctx.kube.wrote('patch-status', 'Pod');
      await this.ctx.kube.core.patchNamespacedPodStatus({ name: p.metadata!.name!, namespace: this.ns, body }, SMP);
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Keeps each started CG's readiness and unhealthy label in line with its image and injected fault. */
  async syncHealth(): Promise<void> {
    // A cache object already checked (and fixed, if it needed it) is not looked at again: the
    // decision depends on the Pod alone, and a fix shows as a new object once the watch has it.
    const checked = this.c.healthChecked;
    const calls: Promise<void>[] = [];
    for (const p of this.live) {
      if (checked.has(p)) continue;
      const { ready, started, sick } = this.factsOf(p);
      const relabel = sick !== (p.metadata?.labels?.[NG.unhealthy] === 'true');
      const reready = started && ready === sick;
      if (!relabel && !reready) {
        checked.add(p);
        continue;
      }
      calls.push(
        (async () => {
          if (relabel) {
            this.ctx.kube.wrote('patch', 'Pod');
            await this.ctx.kube.core.patchNamespacedPod({ name: p.metadata!.name!, namespace: this.ns, body: { metadata: { labels: { [NG.unhealthy]: sick ? 'true' : null } } } }, SMP).catch((err: unknown) => {
              if (!isNotFound(err)) throw err;
            });
          }
          if (reready) await this.setReady(p, !sick);
          checked.add(p);
        })(),
      );
    }
    await settleAll(calls);
  }

  /** A started CG whose readiness does not yet show its health inputs: wait before judging it. */
  settling(p: V1Pod): boolean {
    const f = this.factsOf(p);
    return f.started && f.ready === f.sick;
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
        return { name: p.metadata!.name!, zone: s.zone, faultDomain: s.faultDomain, healthy: this.ready(p), updated: l[NG.profile] === t.name && l[NG.revision] === revision };
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
