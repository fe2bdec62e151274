// Carries out an NGroup pass's plan: virtual nodes, container group Pods (built here, with the
// simulated registry's answer for their images), their health, then the status, written only to
// the version of the NGroup it was computed from. Remembers creates and deletes until the cache
// shows them, so the next pass neither repeats nor forgets them.
import type { V1Pod } from '@kubernetes/client-node';
import type { NGroup } from '../../src/api/generated.js';
import { containerGroupId, ngroupId } from '../../src/aci/ids.js';
import { FINALIZERS, NG } from '../../src/model/names.js';
import { isConflict, isNotFound, NotLeaderError, statusCode } from '../../src/runtime/client.js';
import type { Ctx } from '../context.js';
import { act as actShared, type Actor } from '../shared/act.js';
import type { Expectations } from '../shared/expectations.js';
import { finalizerWrite } from '../shared/plan.js';
import { actorOf } from '../shared/wiring.js';
import type { NgPlan } from './decide.js';
import { EMPTY_REGISTRY, parseRegistry, REGISTRY_CONFIGMAP, type Registry } from './images.js';
import { virtualNodeName, type Slot } from './placement.js';
import { buildPod, imagesOf, isPodStarted } from './pod.js';
import { CONTROLLER, type CgWrite, type Target } from './view.js';

/** How long an unseen create or delete is trusted before the cache is believed again. */
export const EXPECT_MS = 30_000;
/** After a call that failed without an answer from the API server (it may or may not have acted): trusted this long. */
const UNSURE_MS = 5_000;
/** API calls a pass keeps in flight at once. */
export const CALL_WIDTH = 64;

/** What the NGroup controller remembers between passes (memory only; the cache is the truth). */
export interface NgMemory {
  /** Virtual nodes this process has made sure of. */
  nodesMade: Set<string>;
  /** Per NGroup: Pods created or deleted whose watch event the cache has not shown yet. */
  creating: Expectations<Slot>;
  deleting: Expectations<true>;
  /** Pod objects (cache versions) whose health label and readiness were found or put in line. */
  healthChecked: WeakSet<V1Pod>;
}

/** The call surely did nothing: the API server refused it (not a conflict), or it was never sent (not leading). */
const refused = (err: unknown): boolean => {
  if (err instanceof NotLeaderError) return true;
  const code = statusCode(err);
  return code !== undefined && code >= 400 && code < 500;
};

/**
 * Runs the calls in order, `width` at a time, and finishes all before reporting the first
 * failure, so a failed reconcile leaves no calls running behind it (the next reconcile would not
 * know about them and could repeat them). In order and bounded, the first calls are answered (and
 * their Pods started by kwok) while later ones wait, instead of hundreds answered together.
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

/** Awaits every call before reporting the first failure. */
export async function settleAll(calls: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export class NgActor {
  private readonly actor: Actor;

  constructor(
    private readonly ctx: Ctx,
    private readonly mem: NgMemory,
  ) {
    this.actor = actorOf(ctx, CONTROLLER);
  }

  /** Carries out the plan; `current` false when the status write lost to a newer version of the NGroup. */
  async run(key: string, ng: NGroup, plan: NgPlan): Promise<{ wrote?: NGroup; current: boolean }> {
    const { ctx } = this;
    for (const body of plan.nodes) {
      const name = body.metadata!.name!;
      try {
        await ctx.kube.createNode(body);
        ctx.log.info({ node: name }, `Virtual node ${name} registered`);
      } catch (err: unknown) {
        if (!isConflict(err)) throw err;
      }
      this.mem.nodesMade.add(name);
    }
    if (plan.deleting?.status.provisioningState)
      await ctx.kube.patchStatus('NGroup', ng.metadata.namespace!, ng.metadata.name!, plan.deleting.status);
    let registry: Promise<Registry> | undefined;
    const reg = (): Promise<Registry> => (registry ??= this.registry(ng.metadata.namespace!));
    await runAll(plan.writes.map((w) => () => this.cg(key, ng, w, reg)));
    for (const p of plan.inLine) this.mem.healthChecked.add(p);
    if (plan.deleting?.done) await actShared(this.actor, { writes: [finalizerWrite('NGroup', ng, FINALIZERS.ngroup, false)], events: [] });
    await actShared(this.actor, { writes: [], events: plan.events, logs: plan.logs });
    if (!plan.status) return { current: true };
    try {
      const wrote = await ctx.kube.patchStatus<NGroup>('NGroup', ng.metadata.namespace!, ng.metadata.name!, plan.status, {
        resourceVersion: ng.metadata.resourceVersion,
      });
      return { wrote, current: true };
    } catch (err: unknown) {
      if (isConflict(err)) return { current: false };
      throw err;
    }
  }

  private async cg(key: string, ng: NGroup, w: CgWrite, reg: () => Promise<Registry>): Promise<void> {
    switch (w.do) {
      case 'create':
        return this.create(key, ng, w, await reg());
      case 'delete':
        return this.delete(key, ng.metadata.namespace!, w.name);
      case 'update':
        return this.updateInPlace(w.pod, w.target, await reg(), w.batchLabel);
      case 'health':
        return this.health(w.pod, w.unhealthy, w.ready);
    }
  }

  /** Creates one CG Pod; an existing one of that name counts as made. */
  private async create(key: string, ng: NGroup, w: Extract<CgWrite, { do: 'create' }>, registry: Registry): Promise<void> {
    const ns = ng.metadata.namespace!;
    const sub = this.ctx.settings.subscriptionId;
    const region = ng.spec.location ?? 'eastus';
    const body = buildPod({
      ngroup: ng,
      name: w.name,
      profileName: w.target.name,
      revision: w.target.revision,
      spec: w.target.spec,
      slot: w.slot,
      nodeName: virtualNodeName(region, w.slot),
      registry,
      cgId: containerGroupId(sub, ns, w.name),
      ngroupId: ngroupId(sub, ns, ng.metadata.name!),
      batchLabel: w.batchLabel,
      replaces: w.replaces,
    });
    const now = this.ctx.clock.now();
    this.mem.creating.expect(key, w.name, w.slot, now);
    try {
      await this.ctx.kube.createPod(ns, body);
    } catch (err: unknown) {
      if (isConflict(err)) return;
      if (refused(err)) this.mem.creating.forget(key, w.name);
      else if (this.mem.creating.has(key, w.name)) this.mem.creating.expect(key, w.name, w.slot, now - EXPECT_MS + UNSURE_MS);
      throw err;
    }
  }

  private async delete(key: string, ns: string, name: string): Promise<void> {
    const now = this.ctx.clock.now();
    this.mem.deleting.expect(key, name, true, now);
    try {
      await this.ctx.kube.deletePod(ns, name);
    } catch (err: unknown) {
      if (isNotFound(err)) return;
      if (refused(err)) this.mem.deleting.forget(key, name);
      else this.mem.deleting.expect(key, name, true, now - EXPECT_MS + UNSURE_MS);
      throw err;
    }
  }

  /** Updates a running CG to a profile revision where it stands: image, labels, health. */
  private async updateInPlace(p: V1Pod, t: Target, registry: Registry, batchLabel?: string): Promise<void> {
    const img = imagesOf(t.spec, registry);
    const fault = (p.metadata?.annotations?.[NG.fault] ?? '').toLowerCase() === 'unhealthy';
    const labels: Record<string, string | null> = {
      [NG.profile]: t.name,
      [NG.revision]: String(t.revision),
      [NG.unhealthy]: img.unhealthy || fault ? 'true' : null,
    };
    if (batchLabel) labels[NG.batch] = batchLabel;
    const body = {
      metadata: {
        labels,
        annotations: { [NG.images]: JSON.stringify(img.written), [NG.imageHealth]: img.unhealthy ? 'unhealthy' : 'healthy' },
      },
      spec: { containers: t.spec.containers.map((c) => ({ name: c.name, image: img.resolved[c.name] })) },
    };
    await this.ctx.kube.patchPod(p.metadata!.namespace!, p.metadata!.name!, body);
    if (isPodStarted(p)) await this.setReady(p, !(img.unhealthy || fault));
  }

  private async health(p: V1Pod, unhealthy: boolean | undefined, ready: boolean | undefined): Promise<void> {
    if (unhealthy !== undefined) {
      await this.ctx.kube
        .patchPod(p.metadata!.namespace!, p.metadata!.name!, { metadata: { labels: { [NG.unhealthy]: unhealthy ? 'true' : null } } })
        .catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
    }
    if (ready !== undefined) await this.setReady(p, ready);
    this.mem.healthChecked.add(p);
  }

  /** Sets a started Pod's Ready condition (what the CG's health signal would say). */
  private async setReady(p: V1Pod, ready: boolean): Promise<void> {
    const s = ready ? 'True' : 'False';
    const reason = ready ? undefined : 'ContainersNotReady';
    const nowIso = new Date(this.ctx.clock.now()).toISOString();
    const body = {
      status: {
        conditions: [
          { type: 'Ready', status: s, reason, lastTransitionTime: nowIso },
          { type: 'ContainersReady', status: s, reason, lastTransitionTime: nowIso },
        ],
        containerStatuses: (p.spec?.containers ?? []).map((c) => ({ name: c.name, ready })),
      },
    };
    try {
      await this.ctx.kube.patchPodStatus(p.metadata!.namespace!, p.metadata!.name!, body);
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** The simulated registry: the NGroup's namespace's ConfigMap, else the system namespace's. */
  private async registry(ns: string): Promise<Registry> {
    for (const namespace of [ns, this.ctx.settings.systemNamespace]) {
      try {
        return parseRegistry((await this.ctx.kube.core.readNamespacedConfigMap({ name: REGISTRY_CONFIGMAP, namespace })).data);
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
      }
    }
    return EMPTY_REGISTRY;
  }
}
