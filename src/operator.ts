// The operator process: caches, controllers, leader election, metrics/health, graceful shutdown.
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import type { V1ConfigMap, V1Node, V1Pod } from '@kubernetes/client-node';
import type {
  ContainerGroupProfile,
  NGroup,
  NodePoolSnapshot,
  ScheduledEvent,
  SimCluster,
  SimMachine,
  SimNodePool,
  SimOperation,
} from './api/generated.js';
import { GROUP, PLURALS, VERSION } from './api/generated.js';
import { profileRefOf } from './aci/ids.js';
import { CATALOG_CONFIGMAP } from './azure/images.js';
import fetch from 'node-fetch';
import { configMapSettings, envSettings, LEADER_LEASE, parseSettings, TIME_SCALE_ANNOTATION, type Settings } from './config.js';
import { Kube, statusCode } from './runtime/client.js';
import { RealClock, realSleep } from './runtime/clock.js';
import { Controller } from './runtime/controller.js';
import { EventRecorder } from './runtime/events.js';
import { Informer, type InformerMetrics } from './runtime/informer.js';
import { LeaderElector } from './runtime/leader.js';
import { log } from './runtime/logger.js';
import {
  apiRequests,
  apiWrites,
  cacheLists,
  isLeader,
  queueAdds,
  queueDepth,
  queueRetries,
  reconcileSeconds,
  reconcileTotal,
  serveMetrics,
  watchStarts,
} from './runtime/metrics.js';
import type { Logger } from './runtime/logger.js';
import { LABELS, NG } from './model/names.js';
// The one import from controllers/: this is where the operator is put together.
import { CONTROLLERS } from '../controllers/registry.js';
import { allCaches, type Caches, type Ctx } from '../controllers/context.js';

export interface OperatorOptions {
  kubeconfig?: string;
  /** Raw flag values; they win over env and the ConfigMap. */
  flags?: Partial<Record<keyof Settings, string | number | boolean | undefined>>;
}

export async function runOperator(opts: OperatorOptions): Promise<void> {
  const kube = Kube.fromFile(opts.kubeconfig);
  kube.onWrite = (verb, resource) => apiWrites.inc({ verb, resource });
  kube.onRequest = (verb, resource, code) => apiRequests.inc({ verb, resource, code: String(code) });
  const early = parseSettings([envSettings(), opts.flags ?? {}]);
  const settings = parseSettings([
    await whenReachable('read the aksim-config ConfigMap', () => configMapSettings(kube, early.systemNamespace)),
    envSettings(),
    opts.flags ?? {},
  ]);
  const clock = new RealClock(settings.timeScale, {
    onError: (err) => log.error({ err }, 'Scheduled callback failed'),
    offsetMs: settings.debugClockOffsetMs,
  });
  log.info({ settings }, 'Starting aksim operator');

  let ready = false;
  let stopping = false;
  const jump = settings.debugClock
    ? (ms: number): number => {
        clock.jump(ms);
        log.warn({ jumpMs: ms, offsetMs: clock.offsetMs }, 'Debug: simulation clock jumped forward');
        return clock.offsetMs;
      }
    : undefined;
  const server: Server = await serveMetrics(
    settings.metricsPort,
    settings.metricsHost,
    { live: () => !stopping, ready: () => ready },
    jump,
  );

  const addr = server.address();
  const metricsUrl = `http://${settings.metricsHost}:${typeof addr === 'object' && addr ? addr.port : settings.metricsPort}`;
  log.info({ metrics: metricsUrl }, 'Serving /metrics, /healthz and /readyz');
  const elector = new LeaderElector({
    kube,
    namespace: settings.systemNamespace,
    name: LEADER_LEASE,
    identity: `${hostname()}-${process.pid}`,
    leaseSeconds: settings.leaseSeconds,
    renewSeconds: Math.max(1, Math.floor(settings.leaseSeconds / 5)),
    annotations: { [TIME_SCALE_ANNOTATION]: String(settings.timeScale) },
    log,
  });
  const controllers: Controller[] = [];
  const caches = makeCaches(kube, settings, log, {
    listed: (path) => cacheLists.inc({ path }),
    watched: (path, why) => watchStarts.inc({ path, why }),
  });
  const informers = allCaches(caches);

  const shutdown = async (signal: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    ready = false;
    log.info({ signal }, 'Shutting down');
    for (const inf of informers) inf.stop();
    await Promise.race([Promise.all(controllers.map((c) => c.stop())), realSleep(10_000)]);
    await elector.release();
    isLeader.set(0);
    clock.close();
    server.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await whenReachable("check aksim's CRDs", () => checkCrds(kube));
  await whenReachable('make sure of the system namespace', () => ensureNamespace(kube, settings.systemNamespace));
  if (settings.leaderElection) {
    log.info({ lease: `${settings.systemNamespace}/${LEADER_LEASE}` }, 'Waiting to become leader');
    await elector.acquire(() => void shutdown('lost-leadership', 1));
    // No write once the lease may have passed to another replica (renewals failing, a paused process).
    kube.fence = () => elector.fence();
  }
  isLeader.set(1);

  const ctx: Ctx = { ...caches, kube, clock, events: new EventRecorder(kube, clock, log), log, settings };
  for (const def of CONTROLLERS) {
    const c = new Controller({
      reconciler: def.reconciler(ctx),
      clock,
      workers: settings.workers,
      log: log.child({ controller: def.name }),
      onResult: (name, outcome, seconds) => {
        reconcileTotal.inc({ controller: name, outcome });
        reconcileSeconds.observe({ controller: name }, seconds);
      },
      queue: {
        metrics: {
          depth: (q, n) => queueDepth.set({ queue: q }, n),
          adds: (q) => queueAdds.inc({ queue: q }),
          retries: (q) => queueRetries.inc({ queue: q }),
        },
      },
    });
    const coalesce = def.coalesceMs;
    def.watch(ctx, coalesce ? (key) => c.enqueueAfter(key, coalesce) : (key) => c.enqueue(key));
    controllers.push(c);
  }
  for (const inf of informers) inf.start();
  await Promise.all(informers.map((inf) => inf.synced));
  for (const c of controllers) c.start();
  ready = true;
  log.info({ controllers: CONTROLLERS.map((d) => d.name) }, 'Caches synced; controllers running');
}

/**
 * Every cache the controllers read, in one typed registry (controllers/context.ts says what each
 * holds and how it is indexed). The operator starts them all and waits for their sync before any
 * controller runs; controller tests build the same registry.
 */
export function makeCaches(kube: Kube, settings: Settings, log: Logger, metrics?: InformerMetrics): Caches {
  const crd = (plural: string): string => `/apis/${GROUP}/${VERSION}/${plural}`;
  const clusters = new Informer<SimCluster>({ kube, path: crd('simclusters'), log, metrics });
  const pools = new Informer<SimNodePool>({ kube, path: crd('simnodepools'), log, metrics });
  pools.addIndex('cluster', (p) => [`${p.metadata.namespace}/${p.spec.clusterName}`]);
  const machines = new Informer<SimMachine>({ kube, path: crd('simmachines'), log, metrics });
  machines.addIndex('pool', (m) => [`${m.metadata.namespace}/${m.spec.clusterName}/${m.spec.poolName}`]);
  machines.addIndex('cluster', (m) => [`${m.metadata.namespace}/${m.spec.clusterName}`]);
  const nodes = new Informer<V1Node>({ kube, path: '/api/v1/nodes', labelSelector: LABELS.cluster, log, metrics });
  const operations = new Informer<SimOperation>({ kube, path: crd('simoperations'), log, metrics });
  operations.addIndex('target', (o) => [`${o.metadata.namespace}/${o.spec.targetKind}/${o.spec.targetName}`]);
  const snapshots = new Informer<NodePoolSnapshot>({ kube, path: crd('nodepoolsnapshots'), log, metrics });
  // By name (field selector), so RBAC can grant list/watch on that one ConfigMap only.
  const catalogPath = `/api/v1/namespaces/${settings.systemNamespace}/configmaps?fieldSelector=metadata.name%3D${CATALOG_CONFIGMAP}`;
  const catalogMaps = new Informer<V1ConfigMap>({ kube, path: catalogPath, log, metrics });
  const ngroups = new Informer<NGroup>({ kube, path: crd('ngroups'), log, metrics });
  ngroups.addIndex('profile', (n) =>
    (n.spec.containerGroupProfiles ?? []).flatMap((r) => {
      const ref = profileRefOf(r.resource.id, n.metadata.namespace!);
      return ref ? [`${ref.namespace}/${ref.name}`] : [];
    }),
  );
  const profiles = new Informer<ContainerGroupProfile>({ kube, path: crd('containergroupprofiles'), log, metrics });
  const cgPods = new Informer<V1Pod>({ kube, path: '/api/v1/pods', labelSelector: NG.ngroup, log, metrics });
  cgPods.addIndex('ngroup', (p) => [`${p.metadata?.namespace}/${p.metadata?.labels?.[NG.ngroup]}`]);
  const scheduledEvents = new Informer<ScheduledEvent>({ kube, path: crd('scheduledevents'), log, metrics });
  scheduledEvents.addIndex('node', (e) => e.spec.nodes.map((n) => `${e.metadata.namespace}/${n}`));
  return { clusters, pools, machines, nodes, operations, snapshots, catalogMaps, ngroups, profiles, cgPods, scheduledEvents };
}

/**
 * Runs a start-up call until the API server answers it: a restarting API server (no connection,
 * 5xx, 429) is waited out, with a growing pause, instead of ending the process. Any other answer
 * (a 4xx: missing CRDs, no permission) fails at once.
 */
export async function whenReachable<T>(what: string, fn: () => Promise<T>, firstPauseMs = 500): Promise<T> {
  for (let pause = firstPauseMs; ; pause = Math.min(pause * 2, 10_000)) {
    try {
      return await fn();
    } catch (err: unknown) {
      const code = statusCode(err);
      if (code !== undefined && code < 500 && code !== 429) throw err;
      log.warn({ err, what, retryInMs: pause }, 'The API server did not answer at start-up; trying again');
      await realSleep(pause);
    }
  }
}

/** Fails fast, with the fix in the message, when the cluster lacks one of aksim's CRDs. */
async function checkCrds(kube: Kube): Promise<void> {
  const url = `${kube.kc.getCurrentCluster()!.server}/apis/${GROUP}/${VERSION}`;
  const init = await kube.kc.applyToFetchOptions({});
  const res = await fetch(url, init as never);
  if (res.status >= 500 || res.status === 429) throw Object.assign(new Error(`GET ${url}: HTTP ${res.status}`), { code: res.status });
  const served = res.status === 200 ? ((await res.json()) as { resources: { name: string }[] }).resources.map((r) => r.name) : [];
  const missing = Object.values(PLURALS).filter((p) => !served.includes(p));
  if (missing.length > 0) {
    throw Object.assign(
      new Error(
        `the cluster does not serve ${missing.map((p) => `${p}.${GROUP}`).join(', ')}: install the CRDs first (make install, or kubectl apply -f crds/)`,
      ),
      { code: 404 },
    );
  }
}

async function ensureNamespace(kube: Kube, name: string): Promise<void> {
  try {
    await kube.core.readNamespace({ name });
  } catch {
    try {
      await kube.core.createNamespace({ body: { metadata: { name } } });
    } catch (err: unknown) {
      log.warn({ err, namespace: name }, 'Could not create the system namespace');
    }
  }
}
