// Benchmark: the Azure SDK for JavaScript's pollers against `aksim serve`. For a 3-pool cluster
// create and a 100-node pool scale, the time `await client...createOrUpdate(...)` takes end to end
// (PUT, polling Azure-AsyncOperation, the final GET) against the operation's own duration in its
// status (endTime - startTime): a ratio near 1 means the pollers add no waiting. The SDK is used
// with its defaults (it waits 2 s before its first poll, then Retry-After).
// Run by `make bench`; alone: `make bench-sdk`. Writes bench/results/sdk-latest.json.
// Settings: BENCH_ROUNDS (default 3), BENCH_SDK_TIME_SCALES (default "60 10").
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential } from '@azure/identity';
import type { SimOperation } from '../src/api/generated.js';
import {
  cleanups,
  elapsed,
  kube,
  KUBECONFIG,
  LEASE_SECONDS,
  machineInfo,
  median,
  OPERATOR_ENTRY,
  ROOT,
  round3,
  runMain,
  sleep,
  writeResult,
} from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SCALES = (process.env.BENCH_SDK_TIME_SCALES ?? '60 10').split(/\s+/).filter(Boolean).map(Number);
const SCALE_NODES = Number(process.env.BENCH_SDK_SCALE_NODES ?? 100);
const SUB = '8ecadfc9-d1a3-4ea4-b844-0d9f87e4d7c8';
const RG = 'benchSdk';
const NS = RG.toLowerCase();

interface Proc {
  proc: ChildProcess;
  out: string;
}

function start(args: string[]): Proc {
  const p: Proc = {
    proc: spawn(process.execPath, [OPERATOR_ENTRY, ...args], {
      cwd: ROOT,
      env: { ...process.env, KUBECONFIG },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    out: '',
  };
  p.proc.stdout!.on('data', (d: Buffer) => (p.out += d.toString()));
  p.proc.stderr!.on('data', (d: Buffer) => (p.out += d.toString()));
  return p;
}

async function waitOut(p: Proc, re: RegExp, what: string): Promise<RegExpExecArray> {
  const end = Date.now() + 120_000;
  for (;;) {
    const m = re.exec(p.out);
    if (m) return m;
    if (p.proc.exitCode !== null || Date.now() > end) throw new Error(`${what}: ${p.out.slice(-2000)}`);
    await sleep(50);
  }
}

async function stop(p: Proc): Promise<void> {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.proc.once('exit', () => r()));
  p.proc.kill('SIGTERM');
  await exited;
}

/** The operation of a target's latest generation: its own duration (s). */
async function opSeconds(target: string, type: string): Promise<number> {
  const ops = await kube.list<SimOperation>('SimOperation', NS, `aksim.io/target=${target}`);
  const op = ops
    .filter((o) => o.spec.type === type && o.status?.endTime)
    .sort((a, b) => (b.status!.startTime ?? '').localeCompare(a.status!.startTime ?? ''))[0];
  if (!op?.status?.startTime || !op.status.endTime) throw new Error(`no finished ${type} operation of ${target}`);
  return (Date.parse(op.status.endTime) - Date.parse(op.status.startTime)) / 1000;
}

interface Sample {
  sdkSeconds: number;
  operationSeconds: number;
  ratio: number;
}

async function atScale(timeScale: number): Promise<Record<string, unknown>> {
  const op = start(['operator', '--time-scale', String(timeScale), '--metrics-port', '0', '--lease-seconds', LEASE_SECONDS]);
  await waitOut(op, /Caches synced/, 'operator did not sync');
  const dir = mkdtempSync(join(tmpdir(), 'aksim-bench-sdk-'));
  const serve = start(['serve', '--port', '0', '--tls-dir', dir, '--time-scale', String(timeScale)]);
  try {
    const url = (await waitOut(serve, /endpoint on (https:\/\/\S+)/, 'aksim serve did not start'))[1]!;
    const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const sp = JSON.parse(readFileSync(join(dir, 'principal.json'), 'utf8')) as {
      tenantId: string;
      clientId: string;
      clientSecret: string;
    };
    const credential = new ClientSecretCredential(sp.tenantId, sp.clientId, sp.clientSecret, {
      authorityHost: url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca },
    });
    const aks = new ContainerServiceClient(credential, SUB, { endpoint: url, tlsOptions: { ca } });
    const groups = new ResourceManagementClient(credential, SUB, { endpoint: url, tlsOptions: { ca } });
    await groups.resourceGroups.createOrUpdate(RG, { location: 'eastus' });
    const create: Sample[] = [];
    const scale: Sample[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const name = `c${round}`;
      let t = process.hrtime.bigint();
      await aks.managedClusters.createOrUpdate(RG, name, {
        location: 'eastus',
        agentPoolProfiles: [
          { name: 'system', count: 3, vmSize: 'Standard_D2s_v3', mode: 'System' },
          { name: 'user1', count: 3, vmSize: 'Standard_D4s_v3', mode: 'User' },
          { name: 'user2', count: 3, vmSize: 'Standard_D4s_v3', mode: 'User', availabilityZones: ['1', '2', '3'] },
        ],
      });
      let sdk = elapsed(t);
      let own = await opSeconds(name, 'Create');
      create.push({ sdkSeconds: round3(sdk), operationSeconds: round3(own), ratio: round3(sdk / own) });
      const pool = await aks.agentPools.get(RG, name, 'user1');
      t = process.hrtime.bigint();
      await aks.agentPools.createOrUpdate(RG, name, 'user1', { ...pool, count: 3 + SCALE_NODES });
      sdk = elapsed(t);
      own = await opSeconds(`${name}-user1`, 'Scale');
      scale.push({ sdkSeconds: round3(sdk), operationSeconds: round3(own), ratio: round3(sdk / own) });
      console.error(
        `timeScale ${timeScale} round ${round}: create ${create.at(-1)!.sdkSeconds}s/${create.at(-1)!.operationSeconds}s, scale ${scale.at(-1)!.sdkSeconds}s/${scale.at(-1)!.operationSeconds}s`,
      );
      await aks.managedClusters.delete(RG, name);
    }
    const sum = (xs: Sample[]): Record<string, number> => ({
      medianSdkSeconds: median(xs.map((x) => x.sdkSeconds)),
      medianOperationSeconds: median(xs.map((x) => x.operationSeconds)),
      medianRatio: median(xs.map((x) => x.ratio)),
    });
    return {
      timeScale,
      retryAfterSeconds: Math.max(1, Math.round(10 / timeScale)),
      create3Pools: { ...sum(create), rounds: create },
      [`scale${SCALE_NODES}Nodes`]: { ...sum(scale), rounds: scale },
    };
  } finally {
    await stop(serve);
    await stop(op);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  cleanups.push(async () => {
    await kube.core.deleteNamespace({ name: NS }).catch(() => undefined);
  });
  const runs = [];
  for (const ts of SCALES) runs.push(await atScale(ts));
  const result = {
    benchmark: 'sdk-pollers',
    description:
      "await createOrUpdate (PUT + Azure-AsyncOperation polling + final GET) of @azure/arm-containerservice against aksim serve, vs the operation's own duration; target ratio <= 1.2",
    sdk: '@azure/arm-containerservice 25.5.0 (api-version 2026-06-01), default poller options',
    machine: await machineInfo(),
    runs,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(writeResult('sdk', stamp, result));
}

runMain(main);
