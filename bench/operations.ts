// Benchmark: API writes of one long-running operation — a 100-node scale-out of one pool — so
// "status writes per step stay bounded" is a number: writes to the SimOperation, to the pool's
// status and per node, from the operator's own aksim_api_writes_total counter.
// Run by `make bench` after bench/run.ts; writes bench/results/operations-latest.json.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SimNodePool, SimOperation } from '../src/api/generated.js';
import { Kube } from '../src/runtime/client.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CACHE = process.env.AKSIM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aksim');
const KUBECONFIG = process.env.KUBECONFIG ?? join(CACHE, 'kubeconfig');
const NODES = Number(process.env.BENCH_OP_NODES ?? 100);
const NS = 'bench-ops';
const kube = Kube.fromFile(KUBECONFIG);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 600_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function writes(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^aksim_api_writes_total\{verb="([^"]+)",resource="([^"]+)"\} (\d+)/gm))
    out[`${m[2]} ${m[1]}`] = Number(m[3]);
  return out;
}
const diff = (a: Record<string, number>, b: Record<string, number>): Record<string, number> =>
  Object.fromEntries(
    Object.keys(b)
      .map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)])
      .filter(([, v]) => (v as number) > 0),
  );

async function main(): Promise<void> {
  const proc = spawn(process.execPath, ['bin/aksim.js', 'operator', '--time-scale', '60', '--metrics-port', '0', '--lease-seconds', '15'], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (d: Buffer) => (log += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const url = await waitFor('operator', async () => log.includes('Caches synced') && /"metrics":"([^"]+)"/.exec(log)?.[1], 120_000);
    await kube.core.createNamespace({ body: { metadata: { name: NS } } }).catch(() => undefined);
    await kube.create('SimCluster', NS, {
      metadata: { name: 'ops', namespace: NS },
      spec: { simulation: { nodeBootTime: 'PT1M', nodeDeleteTime: 'PT0S' }, agentPoolProfiles: [{ name: 'np', mode: 'System', count: 1 }] },
    });
    await waitFor(
      'cluster',
      async () => (await kube.get<SimNodePool>('SimNodePool', NS, 'ops-np'))?.status?.provisioningState === 'Succeeded',
    );
    await sleep(1000);
    const before = await writes(url);
    const start = Date.now();
    await kube.patch('SimNodePool', NS, 'ops-np', { spec: { count: NODES + 1 } });
    const op = await waitFor('scale done', async () => {
      const ops = await kube.list<SimOperation>('SimOperation', NS, 'aksim.io/target=ops-np');
      return ops.find((o) => o.spec.type === 'Scale' && o.status?.status === 'Succeeded');
    });
    const seconds = (Date.now() - start) / 1000;
    await sleep(1500); // let the last roll-ups land
    const d = diff(before, await writes(url));
    const opWrites = d['SimOperation patch-status'] ?? 0;
    const result = {
      when: new Date().toISOString(),
      scenario: `scale one pool 1 -> ${NODES + 1} (${NODES} steps), nodeBootTime PT1M at timeScale 60`,
      seconds,
      steps: op.status?.stepsTotal,
      writes: d,
      operationStatusWrites: opWrites,
      operationStatusWritesPerStep: Math.round((opWrites / NODES) * 1000) / 1000,
      poolStatusWrites: d['SimNodePool patch-status'] ?? 0,
      writesPerNode: Math.round((Object.values(d).reduce((a, b) => a + b, 0) / NODES) * 100) / 100,
      bound: 'progress roll-ups are written at most once a second per pool and operation, whatever the node count',
    };
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/operations-latest.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await kube.delete('SimCluster', NS, 'ops').catch(() => undefined);
    await waitFor('cleanup', async () => (await kube.list('SimNodePool', NS)).length === 0, 120_000).catch(() => undefined);
    await kube.core.deleteNamespace({ name: NS }).catch(() => undefined);
    await waitFor('namespace gone', async () => !(await kube.core.readNamespace({ name: NS }).catch(() => undefined)), 120_000).catch(
      () => undefined,
    );
    proc.kill('SIGTERM');
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
