// A control-plane profile over time, for finding where load comes from (bench/README.md, "scale"):
// every PROFILE_INTERVAL seconds, the API server's requests per second by verb and resource with
// mean latencies, kwok's Lease renewal lag, Ready Nodes, and the CPU of each cluster process (and
// of PROFILE_PIDS, e.g. "operator=1234"). Prints one block per interval and, with PROFILE_OUT, writes
// every sample as JSON lines. Reads only.
//   node_modules/.bin/tsx bench/profile.ts            # until Ctrl-C
//   PROFILE_SECONDS=120 PROFILE_INTERVAL=10 node_modules/.bin/tsx bench/profile.ts
import { appendFileSync } from 'node:fs';
import type { V1Node } from '@kubernetes/client-node';
import { sleep, Watcher } from './lib.js';
import { apiRates, apiSnapshot, clusterPids, cpuPercent, cpuReading, leaseLag } from './probe.js';

const INTERVAL = Number(process.env.PROFILE_INTERVAL ?? 10);
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 0);
const GRACE = Number(
  process.env.PROFILE_GRACE_SECONDS ??
    (process.env.AKSIM_NODE_GRACE_PERIOD_MS ? Number(process.env.AKSIM_NODE_GRACE_PERIOD_MS) / 1000 : 20),
);
const OUT = process.env.PROFILE_OUT;
const CLUSTER = process.env.AKSIM_CLUSTER_NAME ?? 'aksim';

const isReady = (n: V1Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function main(): Promise<void> {
  const extra = Object.fromEntries(
    (process.env.PROFILE_PIDS ?? '')
      .split(',')
      .filter(Boolean)
      .map((x) => x.split('='))
      .map(([k, v]) => [k!, Number(v)]),
  );
  const pids = { ...clusterPids(CLUSTER), ...extra };
  const nodes = await new Watcher<V1Node>('/api/v1/nodes').start();
  const t0 = Date.now();
  let api = await apiSnapshot();
  let cpu = cpuReading(pids);
  for (;;) {
    await sleep(INTERVAL * 1000);
    const [api2, lag] = await Promise.all([apiSnapshot(), leaseLag(GRACE)]);
    const cpu2 = cpuReading(pids);
    const all = nodes.informer.list();
    const sample = {
      t: Math.round((Date.now() - t0) / 1000),
      nodes: all.length,
      ready: all.filter(isReady).length,
      lease: lag,
      cpu: cpuPercent(cpu, cpu2),
      api: apiRates(api, api2, 12),
    };
    api = api2;
    cpu = cpu2;
    if (OUT) appendFileSync(OUT, `${JSON.stringify(sample)}\n`);
    const cpuLine = Object.entries(sample.cpu)
      .map(([k, v]) => `${k} ${v.toFixed(0)}%`)
      .join(', ');
    console.log(
      `t=${sample.t}s nodes ${sample.nodes} Ready ${sample.ready} | lease lag p50 ${lag.p50}s p99 ${lag.p99}s max ${lag.max}s, ${lag.overGrace} over ${GRACE}s | api ${sample.api.total}/s (writes ${sample.api.writes}/s, 409 ${sample.api.conflicts}/s)\n  cpu: ${cpuLine}`,
    );
    for (const [k, v] of Object.entries(sample.api.perSecond)) {
      const key = k.split(' ').slice(0, 2).join(' ');
      console.log(
        `  ${v.toFixed(1).padStart(7)}/s  ${k.padEnd(44)} ${sample.api.meanMs[key] !== undefined ? `${sample.api.meanMs[key]!.toFixed(1)} ms` : ''}`,
      );
    }
    if (SECONDS && Date.now() - t0 >= SECONDS * 1000) break;
  }
  nodes.stop();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
