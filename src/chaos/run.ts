// The chaos run: starts the recorder, the fault proxy, two operator replicas and the REST service;
// runs each scenario's rounds (an action, a fault from the seeded schedule at a random moment,
// then waits for everything to settle again), the fuzz pass, deletes everything, and checks the
// invariants on the recorded log.
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { apiserverReady, inject, type FaultEnv } from './faults.js';
import { embeddedClusterDir, reviveComponents } from './apiserver.js';
import { runFuzz, type FuzzResult } from './fuzz.js';
import { INVARIANTS, judge } from './invariants/index.js';
import type { MarkRec, Rec, Violation } from './log.js';
import { FaultProxy } from './proxy.js';
import { Rng, newSeed } from './random.js';
import { Recorder, streams } from './recorder.js';
import { Replicas } from './replicas.js';
import { describeFault, FAULT_KINDS, planFaults, type FaultKind } from './schedule.js';
import type { Ctx, Scenario } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';
import { Surfaces } from './surfaces.js';
import { PROFILES, type ProfileName } from './profiles.js';
import { summarize, type ChaosResult, type FaultRecord } from './report.js';
import type { World } from './world.js';

export interface ChaosOptions {
  profile: ProfileName;
  seed?: number;
  /** Only these scenarios (names). */
  scenarios?: string[];
  rounds?: number;
  kinds?: FaultKind[];
  /** Share of operator writes answered with an injected error outside bursts. */
  errorRate?: number;
  timeScale?: number;
  kubeconfig?: string;
  fuzzRuns?: number;
  systemNamespace?: string;
  print?: (line: string) => void;
}

export const PREFIX = 'chaos-';
const LEASE_SECONDS = 3;
const CONVERGE_TIMEOUT_MS = 120_000;

/** bin/aksim.js of this installation (from src/chaos or dist/src/chaos). */
export function entryPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) if (existsSync(join(dir, 'bin', 'aksim.js'))) return join(dir, 'bin', 'aksim.js');
  throw new Error('bin/aksim.js not found above ' + fileURLToPath(import.meta.url));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const print = o.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const profile = PROFILES[o.profile];
  const seed = o.seed ?? newSeed();
  const timeScale = o.timeScale ?? 60;
  const systemNamespace = o.systemNamespace ?? 'aksim-system';
  const kinds = o.kinds ?? [...FAULT_KINDS];
  const rounds = o.rounds ?? profile.rounds;
  const kubeconfig = o.kubeconfig ?? process.env.KUBECONFIG;
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  const clusterDir = embeddedClusterDir(kc.getCurrentCluster()!.server);
  const started = Date.now();
  const runId = `${seed}-${new Date(started).toISOString().replace(/[:.]/g, '-')}`;
  const dir = join(tmpdir(), `aksim-chaos-${runId}`);
  mkdirSync(dir, { recursive: true });
  const replay = `aksim chaos --profile ${o.profile} --seed ${seed}${o.scenarios ? ` --scenarios ${o.scenarios.join(',')}` : ''}${o.rounds ? ` --rounds ${o.rounds}` : ''}`;
  print(`chaos: seed ${seed} (replay: ${replay}); profile ${o.profile}; logs in ${dir}`);

  const env = { ...process.env, KUBECONFIG: kubeconfig ?? '' };
  const surfaces = new Surfaces(entryPath(), env);
  await preflight(surfaces, kc, systemNamespace);
  const subscriptionId = await subscriptionOf(surfaces);

  const logStream = createWriteStream(join(dir, 'log.jsonl'));
  const recorder = new Recorder(kc, (r) => logStream.write(JSON.stringify(r) + '\n'));
  const mark = (m: Omit<MarkRec, 'kind' | 't'>): MarkRec => {
    const r: MarkRec = { kind: 'mark', t: Date.now(), ...m };
    recorder.add(r);
    return r;
  };
  const harnessViolations: Violation[] = [];
  let supervisor: NodeJS.Timeout | undefined;
  const revived: string[] = [];
  let clockOffsetMs = 0;
  const proxy = new FaultProxy(kc, (w) => recorder.add(w));
  proxy.baseErrorRate = o.errorRate ?? profile.errorRate;
  const replicas = new Replicas({
    entry: entryPath(),
    dir,
    timeScale,
    leaseSeconds: LEASE_SECONDS,
    systemNamespace,
    clockOffsetMs: () => clockOffsetMs,
    onNote: (detail) => {
      print(`  ! ${detail}`);
      mark({ what: 'round', data: { note: detail } });
    },
    onCrash: (_slot, detail) => {
      print(`  ! ${detail}`);
      harnessViolations.push({ invariant: 'operator-never-crashes', t: Date.now(), message: detail });
    },
  });
  const faults: FaultRecord[] = [];
  const actionErrors: { scenario: string; round: number; error: string }[] = [];
  const fuzz: FuzzResult[] = [];
  const scenarioSummaries: { name: string; namespace: string; rounds: number; faults: number; aborted?: string }[] = [];
  try {
    // Like a kubelet for the embedded control plane: components that exit (e.g. losing their own
    // leader lease while kube-apiserver restarts) are started again.
    if (clusterDir) {
      supervisor = setInterval(() => {
        try {
          for (const name of reviveComponents(clusterDir)) {
            revived.push(name);
            mark({ what: 'round', data: { note: `control-plane component ${name} had exited: started again` } });
          }
        } catch {
          // a kwok.yaml being rewritten: look again next time
        }
      }, 2000);
    }
    await recorder.start(streams(PREFIX, systemNamespace, started));
    await proxy.init();
    for (const name of ['a', 'b']) replicas.add(name, await proxy.listen(() => replicas.identityOf(name)));
    for (const s of replicas.slots) replicas.start(s.name);
    await waitUntil('an operator replica to lead', () => replicas.anyReady(), 120_000);
    await surfaces.startRest();
    const leader = (): string | undefined => {
      const l = recorder.world.get('Lease', `${systemNamespace}/aksim-operator`);
      const s = l?.spec;
      if (!s?.holderIdentity || Date.parse(s.renewTime) + (s.leaseDurationSeconds ?? 15) * 1000 < Date.now()) return undefined;
      return s.holderIdentity as string;
    };
    const faultEnv: FaultEnv = { replicas, proxy, kc, timeScale, clusterDir, leader, addClockOffset: (ms) => (clockOffsetMs += ms) };
    const leading = (): string | undefined => (replicas.slotOf(leader()) ? undefined : 'no live operator replica holds the leader lease');

    const chosen = SCENARIOS(profile).filter((s) => (o.scenarios ? o.scenarios.includes(s.name) : profile.scenarios.includes(s.name)));
    if (o.scenarios)
      for (const n of o.scenarios)
        if (!chosen.some((s) => s.name === n))
          throw new Error(
            `unknown scenario ${n}; one of ${SCENARIOS(profile)
              .map((s) => s.name)
              .join(', ')}`,
          );
    for (const sc of chosen) {
      const ns = `${PREFIX}${sc.name}-${seed.toString(36)}`;
      const ctx = makeCtx(sc, ns, seed, timeScale, subscriptionId, recorder.world, surfaces, recorder, mark, () => clockOffsetMs);
      const plan = planFaults(seed, sc.name, { rounds, maxDelayMs: sc.windowMs, kinds, offset: chosen.indexOf(sc) * rounds });
      print(`scenario ${sc.name}: ${sc.what}`);
      mark({ what: 'scenario-start', scenario: sc.name, namespace: ns });
      const summary = { name: sc.name, namespace: ns, rounds: 0, faults: 0 } as (typeof scenarioSummaries)[number];
      scenarioSummaries.push(summary);
      try {
        await sc.setup(ctx);
        for (let i = 0; i < plan.length; i++) {
          const f = plan[i]!;
          const t0 = Date.now();
          const action = sc.action(ctx, i).then(
            (d) => ({ d, at: Date.now() }),
            (err: unknown) => ({ err: err as Error, at: Date.now() }),
          );
          await sleep(f.delayMs);
          mark({ what: 'fault', scenario: sc.name, namespace: ns, data: { round: i, kind: f.kind, plan: describeFault(f, timeScale) } });
          const out = await inject(f, faultEnv);
          mark({
            what: 'fault-end',
            scenario: sc.name,
            namespace: ns,
            data: { round: i, kind: f.kind, detail: out.detail, skipped: out.skipped },
          });
          const a = await action;
          const desc = 'd' in a ? a.d : `action failed: ${a.err.message}`;
          mark({ what: 'round', scenario: sc.name, namespace: ns, data: { round: i, action: desc } });
          const rec: FaultRecord = {
            scenario: sc.name,
            round: i,
            kind: f.kind,
            planned: describeFault(f, timeScale),
            detail: out.detail,
            action: desc,
            injectedAt: t0 + f.delayMs,
            endedAt: out.endedAt,
            actionEndedAt: a.at,
            skipped: out.skipped,
          };
          faults.push(rec);
          summary.rounds++;
          if (!out.skipped) summary.faults++;
          if ('err' in a) {
            // The round asked for nothing it can be judged on (a refusal the harness did not
            // expect): reported, not waited for.
            actionErrors.push({ scenario: sc.name, round: i, error: a.err.message });
            print(`  round ${i + 1}/${plan.length}: ${desc}; ${f.kind}: ${out.detail}`);
            continue;
          }
          const settled = await waitSettled(() => firstOf2(sc.settled(ctx), leading()), recorder, CONVERGE_TIMEOUT_MS);
          if (settled.ok) {
            // From when both the fault and the action were over: an action blocked by the fault
            // (a CLI call retrying while kube-apiserver restarts) asks for its work only then.
            rec.convergedMs = Date.now() - Math.max(out.endedAt, a.at);
            rec.sinceFaultEndMs = Date.now() - out.endedAt;
            print(
              `  round ${i + 1}/${plan.length}: ${desc}; ${f.kind}${out.skipped ? ` (skipped: ${out.skipped})` : ''}: ${out.detail}; settled ${(rec.convergedMs / 1000).toFixed(1)} s after`,
            );
            mark({ what: 'converged', scenario: sc.name, namespace: ns, data: { round: i, ms: rec.convergedMs } });
          } else {
            mark({ what: 'not-converged', scenario: sc.name, namespace: ns, data: { round: i, pending: settled.pending } });
            harnessViolations.push({
              invariant: 'converges',
              t: Date.now(),
              message: `${sc.name} round ${i + 1} (${f.kind}): not settled ${CONVERGE_TIMEOUT_MS / 1000} s after the fault: ${settled.pending}`,
            });
            print(`  round ${i + 1}: NOT settled after ${CONVERGE_TIMEOUT_MS / 1000} s: ${settled.pending}`);
            summary.aborted = `round ${i + 1} did not settle`;
            break;
          }
        }
        if (!summary.aborted && sc.finish) {
          await sc.finish(ctx);
          const s = await waitSettled(() => firstOf2(sc.settled(ctx), leading()), recorder, CONVERGE_TIMEOUT_MS);
          if (!s.ok)
            harnessViolations.push({
              invariant: 'converges',
              t: Date.now(),
              message: `${sc.name}: not settled after its final steps: ${s.pending}`,
            });
        }
      } catch (err: unknown) {
        summary.aborted = (err as Error).message;
        print(`  scenario ${sc.name} stopped: ${(err as Error).message}`);
      }
      mark({ what: 'scenario-end', scenario: sc.name, namespace: ns });
      await deleteGroup(surfaces, ns);
    }

    const fuzzRuns = o.fuzzRuns ?? profile.fuzzRuns;
    if (fuzzRuns > 0) {
      const ns = `${PREFIX}fuzz-${seed.toString(36)}`;
      mark({ what: 'scenario-start', scenario: 'fuzz', namespace: ns });
      print(`fuzz: ${fuzzRuns} CR specs with kubectl and ${fuzzRuns} ARM bodies to the REST service`);
      fuzz.push(
        ...(await runFuzz({
          seed,
          runs: fuzzRuns,
          ns,
          surfaces,
          world: recorder.world,
          subscriptionId,
          alive: () => replicas.crashes,
          print,
        })),
      );
      mark({ what: 'scenario-end', scenario: 'fuzz', namespace: ns });
      await deleteGroup(surfaces, ns);
    }
    await waitUntil(
      'every resource group of the run to be gone',
      async () =>
        !(await surfaces.kubectl(['get', 'namespaces', '-o', 'name']))
          .split('\n')
          .some((l) => l.startsWith(`namespace/${PREFIX}`) && l.endsWith(seed.toString(36))),
      300_000,
    ).catch((err: unknown) => print(`  ! ${(err as Error).message}`));
    await sleep(2000);
    mark({ what: 'end' });
  } finally {
    clearInterval(supervisor);
    await replicas.stop();
    await surfaces.stop();
    await proxy.close();
    recorder.stop();
    await new Promise<void>((r) => logStream.end(() => r()));
  }

  const log: Rec[] = recorder.records;
  const judged = judge(log);
  const violations = [...judged.violations, ...harnessViolations].sort((a, b) => a.t - b.t);
  for (const f of fuzz) for (const p of f.problems) violations.push({ invariant: 'fuzz', t: Date.now(), message: p });
  return summarize({
    seed,
    profile: o.profile,
    replay,
    started,
    ended: Date.now(),
    timeScale,
    errorRate: proxy.baseErrorRate,
    logDir: dir,
    records: log.length,
    invariants: INVARIANTS.flatMap((i) => i.names),
    violations,
    unjudged: judged.unjudged,
    gaps: log.filter((r) => r.kind === 'mark' && r.what === 'gap').length,
    faults,
    scenarios: scenarioSummaries,
    injected: { ...proxy.injected, writes: proxy.writes },
    actionErrors,
    operatorStarts: replicas.starts,
    componentsRevived: revived,
    surfaceRetries: surfaces.retries,
    recorderRestarts: recorder.restarts,
    fuzz,
  });
}

function firstOf2(a: string | undefined, b: string | undefined): string | undefined {
  return a ?? b;
}

function makeCtx(
  sc: Scenario,
  ns: string,
  seed: number,
  timeScale: number,
  subscriptionId: string,
  world: World,
  s: Surfaces,
  recorder: Recorder,
  mark: (m: Omit<MarkRec, 'kind' | 't'>) => MarkRec,
  clockOffsetMs: () => number,
): Ctx {
  return {
    clockOffsetMs,
    ns,
    rng: new Rng(seed, `actions/${sc.name}`),
    timeScale,
    subscriptionId,
    world,
    s,
    async waitFor(what, check, timeoutMs = CONVERGE_TIMEOUT_MS) {
      const r = await waitSettled(() => check(world), recorder, timeoutMs);
      if (!r.ok) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}: ${r.pending}`);
    },
    note(msg, data) {
      mark({ what: 'round', scenario: sc.name, namespace: ns, data: { note: msg, ...data } });
    },
    sleep,
  };
}

/** Waits until check() says nothing is pending, looking after every record and every 250 ms. */
function waitSettled(
  check: () => string | undefined,
  recorder: Recorder,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; pending: string }> {
  return new Promise((resolve) => {
    let done = false;
    let last = check();
    if (last === undefined) return resolve({ ok: true });
    const finish = (r: { ok: true } | { ok: false; pending: string }): void => {
      if (done) return;
      done = true;
      clearInterval(iv);
      clearTimeout(to);
      resolve(r);
    };
    const look = (): boolean => {
      if (done) return true;
      last = check();
      if (last === undefined) finish({ ok: true });
      return done;
    };
    recorder.onRecord(look);
    const iv = setInterval(look, 250);
    const to = setTimeout(() => finish({ ok: false, pending: last ?? '' }), timeoutMs);
  });
}

async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

/** Refuses to start on a cluster without aksim's CRDs or with another aksim operator leading. */
async function preflight(s: Surfaces, kc: KubeConfig, systemNamespace: string): Promise<void> {
  if (!(await apiserverReady(kc))) throw new Error(`the API server at ${kc.getCurrentCluster()?.server} is not ready`);
  const crds = await s.kubectlRaw(['get', 'crd', 'simclusters.aksim.io', 'ngroups.aksim.io', '-o', 'name']);
  if (crds.code !== 0)
    throw new Error("the cluster does not serve aksim's CRDs: install them first (make install, or kubectl apply -f crds/)");
  const lease = await s.kubectlRaw(['get', 'lease', 'aksim-operator', '-n', systemNamespace, '-o', 'json']);
  if (lease.code === 0) {
    const spec = JSON.parse(lease.stdout).spec ?? {};
    const live = spec.holderIdentity && Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? 15) * 1000 > Date.now();
    if (live)
      throw new Error(
        `another aksim operator (${spec.holderIdentity}) holds the leader Lease ${systemNamespace}/aksim-operator: stop it first (make demo-down, or scale its Deployment to 0); the chaos run starts its own two replicas`,
      );
  }
}

async function subscriptionOf(s: Surfaces): Promise<string> {
  return JSON.parse(await s.aksim(['account', 'show', '-o', 'json'])).id as string;
}

/** Deletes a resource group like `az group delete` (clusters, NGroups, snapshots, then the namespace). */
async function deleteGroup(s: Surfaces, ns: string): Promise<void> {
  await s.kubectlRaw([
    'delete',
    'simclusters,ngroups,scheduledevents,nodepoolsnapshots,containergroupprofiles',
    '--all',
    '-n',
    ns,
    '--wait=true',
    '--timeout=180s',
  ]);
  await s.kubectlRaw(['delete', 'namespace', ns, '--wait=false']);
}
