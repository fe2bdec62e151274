// The chaos run: starts the recorder, the fault proxy, two operator replicas and the REST service;
// runs each scenario's rounds (an action, a fault from the seeded schedule at a random moment,
// then waits for everything to settle again), the fuzz pass, deletes everything, and checks the
// invariants on the recorded log.
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
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
import { describeFault, FAULT_KINDS, planFaults, RESTART_SPACING_MS, restartWait, type Fault, type FaultKind } from './schedule.js';
import type { Ctx, Scenario } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';
import { Surfaces } from './surfaces.js';
import { PROFILES, type Profile, type ProfileName } from './profiles.js';
import { summarize, type ChaosResult, type FaultRecord, type RunFacts } from './report.js';
import type { World } from './world.js';
import { wallNow, realSleep } from '../runtime/clock.js';

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

/** Runs the chaos run end to end and returns its results. */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const settings = await prepare(o);
  const run = new ChaosRun(settings);
  await run.execute();
  return run.report();
}

/** What a run is started with: the options resolved against the profile, the cluster and the surfaces. */
interface Settings {
  o: ChaosOptions;
  print: (line: string) => void;
  profile: Profile;
  seed: number;
  timeScale: number;
  systemNamespace: string;
  kinds: FaultKind[];
  rounds: number;
  kc: KubeConfig;
  clusterDir: string | undefined;
  started: number;
  dir: string;
  replay: string;
  surfaces: Surfaces;
  subscriptionId: string;
}

type ScenarioSummary = RunFacts['scenarios'][number];
type ActionOutcome = { d: string; at: number } | { err: Error; at: number };

/** Resolves the options, makes the log directory, prints the seed and checks the cluster can be used. */
async function prepare(o: ChaosOptions): Promise<Settings> {
  const print = o.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const profile = PROFILES[o.profile];
  const seed = o.seed ?? newSeed();
  const systemNamespace = o.systemNamespace ?? 'aksim-system';
  const kubeconfig = o.kubeconfig ?? process.env.KUBECONFIG;
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  const clusterDir = embeddedClusterDir(kc.getCurrentCluster()!.server, process.env, kc.getCurrentContext());
  const started = wallNow();
  const runId = `${seed}-${new Date(started).toISOString().replace(/[:.]/g, '-')}`;
  const dir = join(tmpdir(), `aksim-chaos-${runId}`);
  mkdirSync(dir, { recursive: true });
  const replay = `aksim chaos --profile ${o.profile} --seed ${seed}${o.scenarios ? ` --scenarios ${o.scenarios.join(',')}` : ''}${o.rounds ? ` --rounds ${o.rounds}` : ''}`;
  print(`chaos: seed ${seed} (replay: ${replay}); profile ${o.profile}; logs in ${dir}`);

  const env = { ...process.env, KUBECONFIG: kubeconfig ?? '' };
  const surfaces = new Surfaces(entryPath(), env);
  await preflight(surfaces, kc, systemNamespace);
  const subscriptionId = await subscriptionOf(surfaces);
  return {
    o,
    print,
    profile,
    seed,
    timeScale: o.timeScale ?? 60,
    systemNamespace,
    kinds: o.kinds ?? [...FAULT_KINDS],
    rounds: o.rounds ?? profile.rounds,
    kc,
    clusterDir,
    started,
    dir,
    replay,
    surfaces,
    subscriptionId,
  };
}

/** One chaos run: its recorder, fault proxy and replicas, and what it found so far. */
class ChaosRun {
  private readonly logStream: WriteStream;
  private readonly recorder: Recorder;
  private readonly proxy: FaultProxy;
  private readonly replicas: Replicas;
  private readonly harnessViolations: Violation[] = [];
  private supervisor: NodeJS.Timeout | undefined;
  private readonly revived: string[] = [];
  private clockOffsetMs = 0;
  /** When kube-apiserver last came back from an injected restart, and the waits that kept restarts apart. */
  private lastRestartEnd: number | undefined;
  private readonly spacingWaits: number[] = [];
  private readonly faults: FaultRecord[] = [];
  private readonly actionErrors: { scenario: string; round: number; error: string }[] = [];
  private readonly fuzz: FuzzResult[] = [];
  private readonly scenarioSummaries: ScenarioSummary[] = [];
  private faultEnv!: FaultEnv;

  constructor(private readonly s: Settings) {
    this.logStream = createWriteStream(join(s.dir, 'log.jsonl'));
    this.recorder = new Recorder(s.kc, (r) => this.logStream.write(JSON.stringify(r) + '\n'));
    this.proxy = new FaultProxy(s.kc, (w) => this.recorder.add(w));
    this.proxy.baseErrorRate = s.o.errorRate ?? s.profile.errorRate;
    this.replicas = new Replicas({
      entry: entryPath(),
      dir: s.dir,
      timeScale: s.timeScale,
      leaseSeconds: LEASE_SECONDS,
      systemNamespace: s.systemNamespace,
      clockOffsetMs: () => this.clockOffsetMs,
      onNote: (detail) => {
        s.print(`  ! ${detail}`);
        this.mark({ what: 'round', data: { note: detail } });
      },
      onCrash: (_slot, detail) => {
        s.print(`  ! ${detail}`);
        this.harnessViolations.push({ invariant: 'operator-never-crashes', t: wallNow(), message: detail });
      },
    });
  }

  /** Adds a mark to the recorded log. */
  private readonly mark = (m: Omit<MarkRec, 'kind' | 't'>): MarkRec => {
    const r: MarkRec = { kind: 'mark', t: wallNow(), ...m };
    this.recorder.add(r);
    return r;
  };

  /** Starts everything, runs the scenarios and the fuzz pass, deletes what the run made, and stops. */
  async execute(): Promise<void> {
    try {
      await this.start();
      const chosen = this.chosenScenarios();
      for (const sc of chosen) await this.runScenario(sc, chosen.indexOf(sc));
      await this.runFuzzPass();
      await this.waitGroupsGone();
      await realSleep(2000);
      this.mark({ what: 'end' });
    } finally {
      await this.stop();
    }
  }

  /** Starts the control-plane supervisor, the recorder, the proxy, both replicas and the REST service. */
  private async start(): Promise<void> {
    this.superviseControlPlane();
    await this.recorder.start(streams(PREFIX, this.s.systemNamespace, this.s.started));
    await this.proxy.init();
    for (const name of ['a', 'b']) this.replicas.add(name, await this.proxy.listen(() => this.replicas.identityOf(name)));
    for (const slot of this.replicas.slots) this.replicas.start(slot.name);
    await waitUntil('an operator replica to lead', () => this.replicas.anyReady(), 120_000);
    await this.s.surfaces.startRest();
    this.faultEnv = {
      replicas: this.replicas,
      proxy: this.proxy,
      kc: this.s.kc,
      timeScale: this.s.timeScale,
      clusterDir: this.s.clusterDir,
      leader: this.leader,
      addClockOffset: (ms) => (this.clockOffsetMs += ms),
    };
  }

  /**
   * Like a kubelet for the embedded control plane: components that exit (e.g. losing their own
   * leader lease while kube-apiserver restarts) are started again.
   */
  private superviseControlPlane(): void {
    const clusterDir = this.s.clusterDir;
    if (!clusterDir) return;
    this.supervisor = setInterval(() => {
      try {
        for (const name of reviveComponents(clusterDir)) {
          this.revived.push(name);
          this.mark({ what: 'round', data: { note: `control-plane component ${name} had exited: started again` } });
        }
      } catch {
        // a kwok.yaml being rewritten: look again next time
      }
    }, 2000);
  }

  /** The replica holding an unexpired leader Lease, as the recorder saw it. */
  private readonly leader = (): string | undefined => {
    const l = this.recorder.world.get('Lease', `${this.s.systemNamespace}/aksim-operator`);
    const spec = l?.spec;
    if (!spec?.holderIdentity || Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? 15) * 1000 < wallNow()) return undefined;
    return spec.holderIdentity as string;
  };

  /** What is pending if no live replica leads. */
  private leading(): string | undefined {
    return this.replicas.slotOf(this.leader()) ? undefined : 'no live operator replica holds the leader lease';
  }

  /** The scenarios asked for (or the profile's), refusing unknown names. */
  private chosenScenarios(): Scenario[] {
    const { o, profile } = this.s;
    const chosen = SCENARIOS(profile).filter((sc) => (o.scenarios ? o.scenarios.includes(sc.name) : profile.scenarios.includes(sc.name)));
    if (o.scenarios)
      for (const n of o.scenarios)
        if (!chosen.some((sc) => sc.name === n))
          throw new Error(
            `unknown scenario ${n}; one of ${SCENARIOS(profile)
              .map((sc) => sc.name)
              .join(', ')}`,
          );
    return chosen;
  }

  /** One scenario in its own resource group: setup, its rounds, its final steps, then the group deleted. */
  private async runScenario(sc: Scenario, index: number): Promise<void> {
    const { seed, timeScale, subscriptionId, surfaces, rounds, kinds, print } = this.s;
    const ns = `${PREFIX}${sc.name}-${seed.toString(36)}`;
    const ctx = makeCtx(
      sc,
      ns,
      seed,
      timeScale,
      subscriptionId,
      this.recorder.world,
      surfaces,
      this.recorder,
      this.mark,
      () => this.clockOffsetMs,
    );
    const plan = planFaults(seed, sc.name, { rounds, maxDelayMs: sc.windowMs, kinds, offset: index * rounds });
    print(`scenario ${sc.name}: ${sc.what}`);
    this.mark({ what: 'scenario-start', scenario: sc.name, namespace: ns });
    const summary: ScenarioSummary = { name: sc.name, namespace: ns, rounds: 0, faults: 0 };
    this.scenarioSummaries.push(summary);
    try {
      await sc.setup(ctx);
      for (let i = 0; i < plan.length; i++) if (!(await this.runRound(sc, ctx, plan, i, summary))) break;
      if (!summary.aborted && sc.finish) await this.finishScenario(sc, ctx);
    } catch (err: unknown) {
      summary.aborted = (err as Error).message;
      print(`  scenario ${sc.name} stopped: ${(err as Error).message}`);
    }
    this.mark({ what: 'scenario-end', scenario: sc.name, namespace: ns });
    await deleteGroup(surfaces, ns);
  }

  /** One round: the scenario's action, the planned fault at its moment, then a wait until all has settled. False: stop the scenario. */
  private async runRound(sc: Scenario, ctx: Ctx, plan: Fault[], i: number, summary: ScenarioSummary): Promise<boolean> {
    const { timeScale, print } = this.s;
    const ns = ctx.ns;
    const f = plan[i]!;
    await this.spaceRestart(sc, ns, f);
    const t0 = wallNow();
    const action: Promise<ActionOutcome> = sc.action(ctx, i).then(
      (d) => ({ d, at: wallNow() }),
      (err: unknown) => ({ err: err as Error, at: wallNow() }),
    );
    await realSleep(f.delayMs);
    this.mark({ what: 'fault', scenario: sc.name, namespace: ns, data: { round: i, kind: f.kind, plan: describeFault(f, timeScale) } });
    const out = await inject(f, this.faultEnv);
    if (f.kind === 'apiserver-restart' && !out.skipped) this.lastRestartEnd = out.endedAt;
    this.mark({
      what: 'fault-end',
      scenario: sc.name,
      namespace: ns,
      data: { round: i, kind: f.kind, detail: out.detail, skipped: out.skipped },
    });
    const a = await action;
    const desc = 'd' in a ? a.d : `action failed: ${a.err.message}`;
    this.mark({ what: 'round', scenario: sc.name, namespace: ns, data: { round: i, action: desc } });
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
    this.faults.push(rec);
    summary.rounds++;
    if (!out.skipped) summary.faults++;
    if ('err' in a) {
      // The round asked for nothing it can be judged on (a refusal the harness did not
      // expect): reported, not waited for.
      this.actionErrors.push({ scenario: sc.name, round: i, error: a.err.message });
      print(`  round ${i + 1}/${plan.length}: ${desc}; ${f.kind}: ${out.detail}`);
      return true;
    }
    return this.settleRound(sc, ctx, rec, plan.length, summary);
  }

  /** Before a round whose fault restarts kube-apiserver: waits until it strikes at least the profile's spacing after the last restart. */
  private async spaceRestart(sc: Scenario, ns: string, f: Fault): Promise<void> {
    if (f.kind !== 'apiserver-restart' || this.lastRestartEnd === undefined) return;
    const waitMs = restartWait(this.lastRestartEnd, wallNow(), f.delayMs, RESTART_SPACING_MS);
    if (waitMs <= 0) return;
    this.mark({ what: 'restart-spacing', scenario: sc.name, namespace: ns, data: { waitMs } });
    this.spacingWaits.push(waitMs);
    await realSleep(waitMs);
  }

  /** Waits for the round's resource group to settle and records how long it took; false if it did not. */
  private async settleRound(sc: Scenario, ctx: Ctx, rec: FaultRecord, planLength: number, summary: ScenarioSummary): Promise<boolean> {
    const { print } = this.s;
    const ns = ctx.ns;
    const i = rec.round;
    const settled = await waitSettled(() => firstOf2(sc.settled(ctx), this.leading()), this.recorder, CONVERGE_TIMEOUT_MS);
    if (settled.ok) {
      // From when both the fault and the action were over: an action blocked by the fault
      // (a CLI call retrying while kube-apiserver restarts) asks for its work only then.
      rec.convergedMs = wallNow() - Math.max(rec.endedAt, rec.actionEndedAt!);
      rec.sinceFaultEndMs = wallNow() - rec.endedAt;
      print(
        `  round ${i + 1}/${planLength}: ${rec.action}; ${rec.kind}${rec.skipped ? ` (skipped: ${rec.skipped})` : ''}: ${rec.detail}; settled ${(rec.convergedMs / 1000).toFixed(1)} s after`,
      );
      this.mark({ what: 'converged', scenario: sc.name, namespace: ns, data: { round: i, ms: rec.convergedMs } });
      return true;
    }
    this.mark({ what: 'not-converged', scenario: sc.name, namespace: ns, data: { round: i, pending: settled.pending } });
    this.harnessViolations.push({
      invariant: 'converges',
      t: wallNow(),
      message: `${sc.name} round ${i + 1} (${rec.kind}): not settled ${CONVERGE_TIMEOUT_MS / 1000} s after the fault: ${settled.pending}`,
    });
    print(`  round ${i + 1}: NOT settled after ${CONVERGE_TIMEOUT_MS / 1000} s: ${settled.pending}`);
    summary.aborted = `round ${i + 1} did not settle`;
    return false;
  }

  /** The scenario's final steps (no fault), then a wait until they have settled. */
  private async finishScenario(sc: Scenario, ctx: Ctx): Promise<void> {
    await sc.finish!(ctx);
    const settled = await waitSettled(() => firstOf2(sc.settled(ctx), this.leading()), this.recorder, CONVERGE_TIMEOUT_MS);
    if (!settled.ok)
      this.harnessViolations.push({
        invariant: 'converges',
        t: wallNow(),
        message: `${sc.name}: not settled after its final steps: ${settled.pending}`,
      });
  }

  /** The fuzz pass in its own resource group (skipped when the profile asks for no runs). */
  private async runFuzzPass(): Promise<void> {
    const { o, profile, seed, surfaces, subscriptionId, print } = this.s;
    const fuzzRuns = o.fuzzRuns ?? profile.fuzzRuns;
    if (fuzzRuns <= 0) return;
    const ns = `${PREFIX}fuzz-${seed.toString(36)}`;
    this.mark({ what: 'scenario-start', scenario: 'fuzz', namespace: ns });
    print(`fuzz: ${fuzzRuns} CR specs with kubectl and ${fuzzRuns} ARM bodies to the REST service`);
    this.fuzz.push(
      ...(await runFuzz({
        seed,
        runs: fuzzRuns,
        ns,
        surfaces,
        world: this.recorder.world,
        subscriptionId,
        alive: () => this.replicas.crashes,
        print,
      })),
    );
    this.mark({ what: 'scenario-end', scenario: 'fuzz', namespace: ns });
    await deleteGroup(surfaces, ns);
  }

  /** Waits (up to 5 min) until every resource group of the run is gone; a timeout is printed, not thrown. */
  private async waitGroupsGone(): Promise<void> {
    const { surfaces, seed, print } = this.s;
    await waitUntil(
      'every resource group of the run to be gone',
      async () =>
        !(await surfaces.kubectl(['get', 'namespaces', '-o', 'name']))
          .split('\n')
          .some((l) => l.startsWith(`namespace/${PREFIX}`) && l.endsWith(seed.toString(36))),
      300_000,
    ).catch((err: unknown) => print(`  ! ${(err as Error).message}`));
  }

  /** Stops the supervisor, the replicas, the surfaces, the proxy and the recorder, and closes the log. */
  private async stop(): Promise<void> {
    clearInterval(this.supervisor);
    await this.replicas.stop();
    await this.s.surfaces.stop();
    await this.proxy.close();
    this.recorder.stop();
    await new Promise<void>((r) => this.logStream.end(() => r()));
  }

  /** Judges the recorded log and sums the run up. */
  report(): ChaosResult {
    const s = this.s;
    const log: Rec[] = this.recorder.records;
    const judged = judge(log);
    const violations = [...judged.violations, ...this.harnessViolations].sort((a, b) => a.t - b.t);
    for (const f of this.fuzz) for (const p of f.problems) violations.push({ invariant: 'fuzz', t: wallNow(), message: p });
    return summarize({
      seed: s.seed,
      profile: s.o.profile,
      replay: s.replay,
      started: s.started,
      ended: wallNow(),
      timeScale: s.timeScale,
      errorRate: this.proxy.baseErrorRate,
      logDir: s.dir,
      records: log.length,
      invariants: INVARIANTS.flatMap((i) => i.names),
      violations,
      unjudged: judged.unjudged,
      gaps: log.filter((r) => r.kind === 'mark' && r.what === 'gap').length,
      faults: this.faults,
      scenarios: this.scenarioSummaries,
      injected: { ...this.proxy.injected, writes: this.proxy.writes },
      actionErrors: this.actionErrors,
      operatorStarts: this.replicas.starts,
      componentsRevived: this.revived,
      surfaceRetries: this.s.surfaces.retries,
      recorderRestarts: this.recorder.restarts,
      fuzz: this.fuzz,
      restartSpacing: { minS: RESTART_SPACING_MS / 1000, waitsMs: this.spacingWaits },
    });
  }
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
    sleep: realSleep,
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
  const end = wallNow() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (wallNow() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await realSleep(250);
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
    const live = spec.holderIdentity && Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? 15) * 1000 > wallNow();
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
