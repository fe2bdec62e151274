// Benchmark (make bench-console; not part of make test): the web console with 1,000 Ready nodes. First paint: from navigation start (the
// token redirect included) until all 1,000 tiles are drawn. Update latency: from the API server's
// watch event of a Node change (seen by this test's own watch) until the page shows the tile's new
// state. Targets (issue 12): first paint < 2 s, update < 500 ms; the result records whether they
// were met (a benchmark reports numbers, it does not fail on them). Results: bench/results/console-*.json.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { machineInfo, median, startOperator, writeResult, type Operator } from './lib.js';
import { Kube } from '../src/runtime/client.js';
import { Informer } from '../src/runtime/informer.js';
import { log } from '../src/runtime/logger.js';
import { HEADER } from '../src/console/access.js';
import { browserMissing, launch, request, startServe, type Serve } from '../test/support/browser.js';
import { apply, KUBECONFIG, run, sleep, stopSharedOperator, waitFor } from '../test/support/env.js';

// Functions given to page.evaluate run in the browser: its globals, for the type checker only.
declare const document: any, window: any, MutationObserver: any, requestAnimationFrame: (fn: () => void) => number;
type Element = any;

const NODES = Number(process.env.CONSOLE_PERF_NODES ?? 1000);
/**
 * Ready nodes to wait for before measuring (default: all). kwok keeps the nodes Ready with real
 * heartbeats; on a machine too loaded for it to keep up, a lower figure still measures 1,000
 * tiles (drawing costs the same whatever a tile's state); the result records how many were Ready.
 */
const MIN_READY = Number(process.env.CONSOLE_PERF_MIN_READY ?? NODES);
const SAMPLES = 40;
const kube = Kube.fromFile(KUBECONFIG);
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;

/** 1,000 nodes in two pools over three zones; auto-repair off (kwok heartbeats lag under this load). */
const bigYaml = (ns: string): string => `
apiVersion: aksim.io/v1alpha1
kind: SimCluster
metadata: {name: big, namespace: ${ns}}
spec:
  kubernetesVersion: "1.34.4"
  simulation: {nodeBootTime: PT1M, nodeDeleteTime: PT1S}
  autoRepair: {enabled: false}
  agentPoolProfiles:
    - {name: system, mode: System, count: ${NODES / 2}, vmSize: Standard_D2s_v3, availabilityZones: ["1", "2", "3"]}
    - {name: user, mode: User, count: ${NODES / 2}, vmSize: Standard_D4s_v3, availabilityZones: ["1", "2", "3"]}
`;

/** Milliseconds from navigation start until every node's tile is on the page (and a frame has been drawn), and how many show Ready. */
async function firstPaint(page: Page, url: string): Promise<{ ms: number; ready: number }> {
  await page.goto(url);
  await page.waitForFunction((n) => document.querySelectorAll('.tile[data-node]').length >= n, NODES, { polling: 'raf', timeout: 60_000 });
  return page.evaluate(
    () =>
      new Promise<{ ms: number; ready: number }>((resolve) =>
        requestAnimationFrame(() => resolve({ ms: performance.now(), ready: document.querySelectorAll('.tile[data-state=Ready]').length })),
      ),
  );
}

describe('e2e: web console with 1,000 nodes (first paint, update latency)', function () {
  const missing = browserMissing();
  let ns: string;
  let serve: Serve;
  let nodes: Informer<V1Node> | undefined;
  let operator: Operator | undefined;
  let stopping = false;
  const startedAt = new Date();

  before(async function () {
    if (missing) {
      console.log(`    browser tests skipped: ${missing}`);
      return this.skip();
    }
    this.timeout(1_200_000);
    // The benchmarks' operator: a 15 s leader Lease survives a loaded machine (the tests' 3 s may
    // not). Restarted if something else ends it: it picks up where it stopped (status is the memory).
    await stopSharedOperator();
    const logFile = join(tmpdir(), `aksim-console-perf-operator-${process.pid}.log`);
    const supervise = async (): Promise<void> => {
      operator = await startOperator(logFile);
      operator.died.catch((err: Error) => {
        if (stopping) return;
        console.log(`    operator ended (${err.message.split('\n')[0]}); starting it again`);
        void supervise();
      });
    };
    await supervise();
    // A fixed resource group: a rerun picks up the nodes an interrupted run made.
    ns = process.env.CONSOLE_PERF_RG ?? 'console-perf';
    await run('kubectl', ['create', 'namespace', ns]);
    const r = await apply(bigYaml(ns));
    expect(r.code, r.stderr).to.equal(0);
    await waitFor(
      `${NODES} nodes, ${MIN_READY} Ready`,
      async () => {
        const c = await kube.get<{ status?: { readyNodes?: number; totalNodes?: number } }>('SimCluster', ns, 'big');
        const nodes = await kube.core.listNode({ labelSelector: `aksim.io/cluster=big,aksim.io/namespace=${ns}` });
        return nodes.items.length >= NODES && (c?.status?.readyNodes ?? 0) >= MIN_READY;
      },
      1_100_000,
      2000,
    );
    serve = await startServe();
  });

  after(async function () {
    this.timeout(600_000);
    nodes?.stop();
    await serve?.stop();
    if (ns) {
      await run('kubectl', ['delete', 'simcluster', 'big', '-n', ns, '--wait=true', '--timeout=480s']);
      await run('kubectl', ['delete', 'namespace', ns, '--wait=false']);
    }
    stopping = true;
    await operator?.stop();
  });

  it(`draws ${NODES} nodes in under 2 s and shows a Node change within 500 ms of its watch event`, async function () {
    this.timeout(600_000);
    const browser = await launch();
    try {
      // `aksim serve` has just started: its first snapshot waits for its watches to list everything.
      // Taken once here (timed, recorded), so the visits measure the page as a user opening the
      // printed URL of a running server sees it.
      const t0 = Date.now();
      const snap = await request(`${serve.base}/console/api/snapshot`, { headers: { [HEADER]: serve.token }, ca: serve.ca });
      expect(snap.status).to.equal(200);
      const serverFirstSnapshotMs = Date.now() - t0;
      const page = await browser.context.newPage();
      const hash = `#/cluster/${ns}/big`;
      // The first visit carries the token (one redirect); the next ones use the cookie.
      const visits = [await firstPaint(page, `${serve.consoleUrl}${hash}`)];
      for (let i = 0; i < 2; i++) {
        // Each later visit in a tab of its own, closed after: the update latency is measured with one page open.
        const extra = await browser.context.newPage();
        visits.push(await firstPaint(extra, `${serve.base}/console/${hash}`));
        await extra.close();
      }
      const paints = visits.map((v) => v.ms);

      // Update latency: cordon and uncordon nodes one by one; this test's own watch gives the event time.
      nodes = new Informer<V1Node>({ kube, path: '/api/v1/nodes', labelSelector: `aksim.io/cluster=big,aksim.io/namespace=${ns}`, log });
      const seenAt = new Map<string, number>();
      const want = (n: V1Node): string => `${n.metadata!.name}:${n.spec?.unschedulable ? 'Cordoned' : 'Ready'}`;
      nodes.on({
        update: (old, n) => Boolean(old.spec?.unschedulable) !== Boolean(n.spec?.unschedulable) && seenAt.set(want(n), Date.now()),
      });
      nodes.start();
      await nodes.synced;
      await page.evaluate(() => {
        const w = window as unknown as { __tileAt: Map<string, number> };
        w.__tileAt = new Map();
        new MutationObserver((ms: { type: string; target: Element }[]) => {
          const now = Date.now();
          for (const m of ms) {
            const el = m.target as Element;
            if (m.type === 'attributes' && el.classList.contains('tile'))
              w.__tileAt.set(`${el.getAttribute('data-node')}:${el.getAttribute('data-state')}`, now);
          }
        }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
      });
      // Ready, uncordoned nodes: their tiles turn Cordoned, then Ready again.
      const ready = (n: V1Node): boolean =>
        (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') && !n.spec?.unschedulable;
      const names = nodes
        .list()
        .filter(ready)
        .map((n) => n.metadata!.name!)
        .sort();
      const picks = Array.from({ length: SAMPLES / 2 }, (_, i) => names[Math.floor((i * names.length) / (SAMPLES / 2))]!);
      const fromEvent: number[] = [];
      const fromRequest: number[] = [];
      const skipped: string[] = [];
      for (const name of picks) {
        for (const unschedulable of [true, false]) {
          const key = `${name}:${unschedulable ? 'Cordoned' : 'Ready'}`;
          // Only this change counts: forget earlier sightings of the same state (kwok flips tiles too).
          seenAt.delete(key);
          await page.evaluate((k) => (window as unknown as { __tileAt: Map<string, number> }).__tileAt.delete(k), key);
          const sent = Date.now();
          await kube.patchNode(name, { spec: { unschedulable: unschedulable ? true : null } });
          const shown = await waitFor(
            `tile ${key}`,
            () => page.evaluate((k) => (window as unknown as { __tileAt: Map<string, number> }).__tileAt.get(k), key),
            10_000,
            20,
          ).catch(() => undefined);
          const event = await waitFor(`watch event ${key}`, async () => seenAt.get(key), 10_000, 20).catch(() => undefined);
          if (shown === undefined || event === undefined) {
            skipped.push(key); // the node lost its heartbeat meanwhile: its tile shows NotReady instead
            continue;
          }
          fromEvent.push(shown - event);
          fromRequest.push(shown - sent);
          await sleep(200);
        }
      }
      const result = {
        benchmark: 'console',
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        machine: await machineInfo(),
        parameters: {
          nodes: NODES,
          pools: '2 pools x 500 nodes over zones 1, 2, 3',
          browser: 'Debian chromium, headless, driven by playwright-core; viewport 1600x1000',
          firstPaint:
            'navigation start (token redirect included on the first visit) until every node has its tile, plus one animation frame; three visits, after one snapshot request has warmed the just-started server (serverFirstSnapshotMs)',
          readyTilesAtPaint: visits.map((v) => v.ready),
          update: `${SAMPLES} Node changes (cordon, uncordon) made with PATCH; latency = page MutationObserver time of the tile's new state minus this test's own watch event time (and minus the PATCH send time)`,
        },
        serverFirstSnapshotMs,
        firstPaintMs: paints.map(Math.round),
        firstPaintMedianMs: Math.round(median(paints)),
        updateLatencyMs: {
          fromWatchEvent: { median: median(fromEvent), p95: p95(fromEvent), max: Math.max(...fromEvent), samples: fromEvent },
          fromPatchSent: { median: median(fromRequest), p95: p95(fromRequest), max: Math.max(...fromRequest) },
          skipped,
        },
        targets: { firstPaintMs: 2000, updateMs: 500 },
        meetsTargets: {
          firstPaint: Math.round(median(paints)) < 2000,
          update: fromEvent.length > 0 && p95(fromEvent) < 500,
        },
      };
      console.log(
        `    server first snapshot ${serverFirstSnapshotMs} ms; first paint ${result.firstPaintMs.join(', ')} ms; update after the watch event: median ${result.updateLatencyMs.fromWatchEvent.median} ms, p95 ${result.updateLatencyMs.fromWatchEvent.p95} ms, max ${result.updateLatencyMs.fromWatchEvent.max} ms`,
      );
      console.log(`    ${writeResult('console', startedAt.toISOString().replace(/[:.]/g, '-'), result)}`);
      // What must hold for the numbers to mean anything: every tile drawn, enough samples.
      expect(fromEvent.length, 'update samples').to.be.at.least(SAMPLES / 2);
    } finally {
      await browser.close();
    }
  });
});
