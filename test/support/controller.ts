// Controller tests: the operator's real caches and reconcilers on the test cluster's API server,
// with a fake clock the test steps, and no operator process. A test calls reconcile(key) itself,
// waits for the caches to show what it wrote, and asserts on the objects.
import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { parseSettings, type Settings } from '../../src/config.js';
import { makeCaches } from '../../src/operator.js';
import { Kube, isNotFound, type Kind } from '../../src/runtime/client.js';
import { FakeClock } from '../../src/runtime/clock.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import { EventRecorder } from '../../src/runtime/events.js';
import { allCaches, type ControllerDef, type Ctx } from '../../controllers/context.js';
import { KUBECONFIG } from './env.js';

export interface ControllerEnv {
  ctx: Ctx;
  clock: FakeClock;
  kube: Kube;
  /** A namespace (resource group) of its own, removed by stop(). */
  ns: string;
  reconciler(def: ControllerDef): Reconciler;
  stop(): Promise<void>;
}

const silent = pino({ level: process.env.AKSIM_LOG_LEVEL ?? 'silent' });

/** Starts every cache of the registry against the test cluster; the clock starts at the real now. */
export async function controllerEnv(prefix: string, opts: { timeScale?: number } = {}): Promise<ControllerEnv> {
  const kube = Kube.fromFile(KUBECONFIG);
  const settings: Settings = parseSettings([{ timeScale: opts.timeScale ?? 60, leaderElection: false }]);
  const clock = new FakeClock(Date.now(), settings.timeScale);
  const ns = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kube.core.createNamespace({ body: { metadata: { name: ns } } });
  const caches = makeCaches(kube, settings, silent);
  const informers = allCaches(caches);
  for (const inf of informers) inf.start();
  await Promise.all(informers.map((inf) => inf.synced));
  const ctx: Ctx = { ...caches, kube, clock, events: new EventRecorder(kube, clock, silent), log: silent, settings };
  return {
    ctx,
    clock,
    kube,
    ns,
    reconciler: (def) => def.reconciler(ctx),
    async stop() {
      for (const inf of informers) inf.stop();
      await cleanUp(kube, ns);
    },
  };
}

/** Polls until fn returns a value (real time: the caches follow the API server's watch). */
export async function eventually<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reconciles key until done(), letting the caches catch up between passes; returns the last result. */
export async function reconcileUntil(r: Reconciler, key: string, what: string, done: () => boolean, maxPasses = 20): Promise<Result> {
  let result: Result;
  for (let i = 0; i < maxPasses; i++) {
    result = await r.reconcile(key);
    if (await settles(done)) return result;
  }
  throw new Error(`${r.name}: ${key} did not reach "${what}" in ${maxPasses} passes`);
}

/** True once done() holds, waiting up to a moment for the caches (false when it does not come). */
async function settles(done: () => boolean, ms = 400): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (done()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Creates an aksim object; returns it as the API server stored it. */
export async function create<T extends KubernetesObject>(kube: Kube, kind: Kind, ns: string, body: T): Promise<T> {
  return kube.create(kind, ns, body);
}

/** Events.k8s.io Events in the namespace with this reason (posting is fire-and-forget: waits a moment). */
export async function eventReasons(kube: Kube, ns: string): Promise<string[]> {
  await new Promise((r) => setTimeout(r, 100));
  return (await kube.eventsApi.listNamespacedEvent({ namespace: ns })).items.map((e) => e.reason ?? '');
}

/** Removes what a test made: finalizers of aksim objects (no operator runs to release them), their Nodes, the namespace. */
async function cleanUp(kube: Kube, ns: string): Promise<void> {
  const kinds: Kind[] = ['ScheduledEvent', 'SimMachine', 'SimNodePool', 'SimCluster', 'NGroup', 'NodePoolSnapshot'];
  for (const kind of kinds) {
    for (const o of await kube.list<KubernetesObject>(kind, ns)) {
      await kube.patch(kind, ns, o.metadata!.name!, { metadata: { finalizers: null } }).catch(ignoreNotFound);
    }
  }
  const nodes = await kube.core.listNode({ labelSelector: `aksim.io/namespace=${ns}` });
  for (const n of nodes.items) await kube.deleteNode(n.metadata!.name!);
  await kube.core.deleteNamespace({ name: ns }).catch(ignoreNotFound);
}

const ignoreNotFound = (err: unknown): void => {
  if (!isNotFound(err)) throw err;
};
