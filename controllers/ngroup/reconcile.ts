// NGroup and ContainerGroupProfile reconciler. Keys `ns/name` are NGroups; `cgp|ns/name` are
// profiles (whose reconcile records revisions). An NGroup pass: virtual nodes, CG health, cancel
// request, profile change (Manual: record; Rolling: start an update or refuse it), one rolling
// update step, scale, Manual-mode CG updates, then one status write (changes of counts only: at
// most one a second), made only from a cache that has seen this process's previous write.
import { PatchStrategy, setHeaderOptions, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import type { ContainerGroupProfile, NGroup } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { profileId, profileRefOf } from '../../src/aci/ids.js';
import { recordRevision } from '../../src/aci/profile.js';
import { isConflict } from '../../src/runtime/client.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { setCondition, type Condition } from '../../src/runtime/conditions.js';
import { Informer } from '../../src/runtime/informer.js';
import { splitKey, type ControllerDef, type Ctx } from '../context.js';
import { addFinalizer, hasFinalizer, removeFinalizer, writeStatus } from '../shared/objects.js';
import { EXPECT_MS, Pass, runAll, type NgCaches } from './pass.js';
import { Expectations } from '../shared/expectations.js';
import { mergePatch } from './patch.js';
import { NG } from './pod.js';
import { handleCancel, handleTargetChange, replaceInFlight, stepRollingUpdate, type Refusal } from './rolling.js';
import { manualUpdate, scale } from './scale.js';
import { countsOnly, ngroupStatus } from './status.js';

export const FINALIZER = 'aksim.io/ngroup';
const PROFILE_KEY = 'cgp|';
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** How long a cache that has not shown this process's last status write is waited for (real ms). */
const STALE_WAIT_MS = 10_000;
/** Count-only status changes are written at most this often per NGroup (real ms). */
const ROLLUP_MS = 1000;
/** Real ms before a pass whose status write met a conflict looks again. */
export const CONFLICT_RETRY_MS = 500;

const cachesOf = new WeakMap<Ctx, NgCaches>();

function makeCaches(ctx: Ctx): NgCaches {
  const crd = (plural: string): string => `/apis/${GROUP}/${VERSION}/${plural}`;
  const ngroups = new Informer<NGroup>({ kube: ctx.kube, path: crd('ngroups'), log: ctx.log });
  ngroups.addIndex('profile', (n) =>
    (n.spec.containerGroupProfiles ?? []).flatMap((r) => {
      const ref = profileRefOf(r.resource.id, n.metadata.namespace!);
      return ref ? [`${ref.namespace}/${ref.name}`] : [];
    }),
  );
  const profiles = new Informer<ContainerGroupProfile>({ kube: ctx.kube, path: crd('containergroupprofiles'), log: ctx.log });
  const pods = new Informer<V1Pod>({ kube: ctx.kube, path: '/api/v1/pods', labelSelector: NG.ngroup, log: ctx.log });
  pods.addIndex('ngroup', (p) => [`${p.metadata?.namespace}/${p.metadata?.labels?.[NG.ngroup]}`]);
  return { ngroups, profiles, pods, nodesMade: new Set(), creating: new Expectations(EXPECT_MS), deleting: new Expectations(EXPECT_MS), healthChecked: new WeakSet() };
}

export const ngroupController: ControllerDef = {
  name: 'ngroup',
  caches(ctx) {
    const c = makeCaches(ctx);
    cachesOf.set(ctx, c);
    return [c.ngroups, c.profiles, c.pods] as unknown as Informer<KubernetesObject>[];
  },
  reconciler: (ctx) => new NGroupReconciler(ctx, cachesOf.get(ctx)!),
  watch(ctx, enqueue) {
    const c = cachesOf.get(ctx)!;
    const ng = (n: NGroup): void => enqueue(`${n.metadata.namespace}/${n.metadata.name}`);
    c.ngroups.on({ add: ng, update: (_o, n) => ng(n), delete: ng });
    const cgp = (p: ContainerGroupProfile): void => {
      enqueue(`${PROFILE_KEY}${p.metadata.namespace}/${p.metadata.name}`);
      for (const n of c.ngroups.byIndex('profile', `${p.metadata.namespace}/${p.metadata.name}`)) ng(n);
    };
    c.profiles.on({ add: cgp, update: (_o, p) => cgp(p), delete: cgp });
    const pod = (p: V1Pod): void => enqueue(`${p.metadata?.namespace}/${p.metadata?.labels?.[NG.ngroup]}`);
    c.pods.on({ add: pod, update: (_o, p) => pod(p), delete: pod });
  },
};

class NGroupReconciler implements Reconciler {
  readonly name = 'ngroup';
  /**
   * Per NGroup: the resourceVersion of the object the last status write was computed from. While
   * the cache still shows that version it has not seen the write yet, and a pass over it would
   * redo the last step (e.g. record the same batch again with new replacement names). The write's
   * own watch event brings the key back.
   */
  private readonly wroteFrom = new Map<string, { rv: string; atMs: number }>();
  /** Per NGroup: when this process last wrote its status (real ms), to space out count-only roll-ups. */
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly ctx: Ctx,
    private readonly c: NgCaches,
  ) {}

  async reconcile(key: string): Promise<Result> {
    if (key.startsWith(PROFILE_KEY)) return this.profile(key.slice(PROFILE_KEY.length));
    const ng = this.c.ngroups.get(key);
    if (!ng) {
      this.wroteFrom.delete(key);
      this.lastWrite.delete(key);
      return;
    }
    const w = this.wroteFrom.get(key);
    const waited = w ? this.ctx.clock.now() - w.atMs : 0;
    if (w?.rv === ng.metadata.resourceVersion && waited < STALE_WAIT_MS) return { requeueAfterMs: STALE_WAIT_MS - waited };
    const pods = this.c.pods.byIndex('ngroup', key);
    if (ng.metadata.deletionTimestamp) return this.finalize(ng, pods);
    if (!hasFinalizer(ng, FINALIZER)) {
      await addFinalizer(this.ctx.kube, 'NGroup', ng, FINALIZER);
      return;
    }
    const p = new Pass(this.ctx, this.c, ng, pods);
    await p.ensureNodes();
    await p.syncHealth();
    handleCancel(p);
    const resolved = p.resolveTarget();
    let refusal: Refusal | undefined;
    if ('target' in resolved) refusal = handleTargetChange(p, resolved.target);
    await stepRollingUpdate(p);
    const applied = p.st.profile ? p.lookup({ name: p.st.profile.name!, namespace: p.st.profile.namespace!, revision: p.st.profile.revision }) : undefined;
    if (!replaceInFlight(p)) await scale(p, applied);
    await manualUpdate(p, applied);
    const problem = refusal ?? ('target' in resolved || resolved.pending ? undefined : resolved);
    const next = ngroupStatus(p, problem);
    const prevReady = (ng.status?.conditions as Condition[] | undefined)?.find((x) => x.type === 'Ready');
    if (problem && !(prevReady?.reason === problem.reason && prevReady.observedGeneration === ng.metadata.generation)) p.emit('Warning', problem.reason, problem.message);
    const patch = mergePatch(ng.status ?? {}, next);
    if (Object.keys(patch).length > 0) {
      const wait = (this.lastWrite.get(key) ?? -Infinity) + ROLLUP_MS - p.nowMs;
      if (wait > 0 && countsOnly(ng.status, next)) p.requeue(wait);
      else if (await this.writeStatus(key, ng, patch)) this.lastWrite.set(key, p.nowMs);
      // Refused (409): look again soon, from the newer version if the cache has it by then. The
      // newer version's watch event usually brings the key back first, but a pass must never
      // depend on an event coming (a cut watch, or a conflict with no newer version behind it).
      else return { requeueAfterMs: CONFLICT_RETRY_MS };
    }
    if (p.requeueMs !== undefined) return { requeueAfterMs: p.requeueMs };
  }

  /**
   * The status merge patch, on condition that the NGroup is still the version it was computed
   * from. False when it is not (409).
   */
  private async writeStatus(key: string, ng: NGroup, patch: Record<string, unknown>): Promise<boolean> {
    this.ctx.kube.wrote('patch-status', 'NGroup');
    const rv = ng.metadata.resourceVersion;
    let written: NGroup;
    try {
      written = (await this.ctx.kube.custom.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace: ng.metadata.namespace!, plural: 'ngroups', name: ng.metadata.name!, body: { metadata: { resourceVersion: rv }, status: patch } },
        MERGE_PATCH,
      )) as NGroup;
    } catch (err: unknown) {
      if (isConflict(err)) return false;
      throw err;
    }
    // Only a write that made a new version has a watch event coming.
    if (rv !== undefined && written.metadata?.resourceVersion !== rv) this.wroteFrom.set(key, { rv, atMs: this.ctx.clock.now() });
    return true;
  }

  /** Records a new revision when the profile's spec changed. */
  private async profile(key: string): Promise<Result> {
    const cgp = this.c.profiles.get(key);
    if (!cgp) return;
    const [ns, name] = splitKey(key);
    const nowIso = new Date(this.ctx.clock.now()).toISOString();
    const rec = recordRevision(cgp.status, cgp.spec, nowIso);
    const revision = rec?.revision ?? cgp.status?.revision ?? 0;
    const conditions = setCondition(cgp.status?.conditions as Condition[] | undefined, { type: 'Ready', status: 'True', reason: 'RevisionRecorded', message: `revision ${revision} is current`, observedGeneration: cgp.metadata.generation }, nowIso);
    const status = { id: profileId(this.ctx.settings.subscriptionId, ns, name), revision, observedGeneration: cgp.metadata.generation, conditions, ...(rec ? { revisions: rec.revisions } : {}) };
    await writeStatus(this.ctx.kube, 'ContainerGroupProfile', cgp, status);
    if (rec) {
      this.ctx.events.emit({ apiVersion: `${GROUP}/${VERSION}`, kind: 'ContainerGroupProfile', metadata: cgp.metadata }, { type: 'Normal', reason: 'RevisionCreated', note: `Container group profile ${name} revision ${rec.revision} recorded`, controller: 'aksim.io/ngroup' });
    }
  }

  /** Deleting: every CG goes, then the finalizer. */
  private async finalize(ng: NGroup, pods: V1Pod[]): Promise<Result> {
    if (ng.status?.provisioningState !== 'Deleting') await this.ctx.kube.patchStatus('NGroup', ng.metadata.namespace!, ng.metadata.name!, { provisioningState: 'Deleting' });
    const p = new Pass(this.ctx, this.c, ng, pods);
    if (pods.length > 0) {
      await runAll(p.live.map((x) => () => p.deleteCg(x.metadata!.name!)));
      return { requeueAfterMs: 2000 };
    }
    await removeFinalizer(this.ctx.kube, 'NGroup', ng as unknown as KubernetesObject, FINALIZER);
  }
}
