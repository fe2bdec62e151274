// The chaos run's results: the JSON written to bench/results/chaos-*.json and the summary table
// (faults per kind, invariants checked, violations with their replay command, time to settle
// after each fault: median and p95).
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { Violation } from './log.js';
import type { FaultKind } from './schedule.js';
import type { FuzzResult } from './fuzz.js';

export interface FaultRecord {
  scenario: string;
  round: number;
  kind: FaultKind;
  planned: string;
  detail: string;
  action: string;
  injectedAt: number;
  endedAt: number;
  actionEndedAt?: number;
  /** Real ms from the end of the fault and of the round's action until everything had settled again. */
  convergedMs?: number;
  /** Real ms from the fault's end alone (longer when the action itself waited out the fault). */
  sinceFaultEndMs?: number;
  skipped?: string;
}

export interface RunFacts {
  seed: number;
  profile: string;
  replay: string;
  started: number;
  ended: number;
  timeScale: number;
  errorRate: number;
  logDir: string;
  records: number;
  invariants: string[];
  violations: Violation[];
  unjudged: Violation[];
  /** Re-lists of the recorder's watches (after kube-apiserver restarts). */
  gaps: number;
  faults: FaultRecord[];
  scenarios: { name: string; namespace: string; rounds: number; faults: number; aborted?: string }[];
  injected: { 429: number; 500: number; 409: number; after: number; writes: number };
  /** Actions a surface refused (not judged: nothing was asked). */
  actionErrors: { scenario: string; round: number; error: string }[];
  operatorStarts: number;
  componentsRevived: string[];
  surfaceRetries: number;
  recorderRestarts: number;
  fuzz: FuzzResult[];
  /** The profile's least real seconds between kube-apiserver restarts, and the waits (ms) before rounds that kept it. */
  restartSpacing: { minS: number; waitsMs: number[] };
}

export interface Stats {
  count: number;
  medianS: number;
  p95S: number;
  maxS: number;
}

export interface ChaosResult {
  benchmark: 'chaos';
  seed: number;
  profile: string;
  replay: string;
  startedAt: string;
  durationS: number;
  timeScale: number;
  machine: { cpus: number; memGB: number; kernel: string; loadAvg1m: number };
  logDir: string;
  logRecords: number;
  faultsByKind: Record<string, { injected: number; skipped: number; settle: Stats }>;
  scenarios: RunFacts['scenarios'];
  invariantsChecked: string[];
  violations: { invariant: string; at: string; message: string; seed: number; replay: string }[];
  /** Findings of order-based checkers inside a gap of the record: neither counted nor dismissed. */
  unjudged: { invariant: string; at: string; message: string }[];
  recordGaps: number;
  settle: Stats;
  /** Settles of rounds not within RESTART_SHADOW_MS after a kube-apiserver restart (to read the goal by; it is judged on `settle`). */
  settleAwayFromRestarts: Stats;
  /** Rounds that took longer than the p95 goal, with how long before their fault's end kube-apiserver last came back. */
  slowSettles: SlowSettle[];
  goal: { violations: number; p95UnderS: number; met: boolean };
  writeErrorsInjected: RunFacts['injected'] & { baseRate: number };
  actionErrors: RunFacts['actionErrors'];
  operatorStarts: number;
  /** Control-plane components that exited (kube-controller-manager, kube-scheduler) and were started again. */
  componentsRevived: string[];
  surfaceRetries: number;
  recorderRestarts: number;
  fuzz: FuzzResult[];
  /** kube-apiserver restarts kept at least minS apart: how many rounds waited for it, and how long in all. */
  restartSpacing: { minS: number; waits: number; waitedS: number };
  faults: FaultRecord[];
}

/** Nearest-rank percentile of seconds. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function stats(ms: number[]): Stats {
  const s = ms.map((x) => x / 1000);
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { count: s.length, medianS: r(percentile(s, 50)), p95S: r(percentile(s, 95)), maxS: r(s.length ? Math.max(...s) : 0) };
}

export const P95_GOAL_S = 10;
/**
 * Real ms after a kube-apiserver restart during which the cluster's own controllers may still be
 * catching up: client-go reflectors back off 0.8 s doubling to 30 s (with up to 100% jitter) while
 * their watches keep failing, and reset only after 2 minutes without a failure. With restarts less
 * than 2 minutes apart, kube-controller-manager and kube-scheduler may see nothing for 30-60 s
 * after one (no replacement Pod made, a cordon not seen by the scheduler).
 */
export const RESTART_SHADOW_MS = 120_000;

export interface SlowSettle {
  scenario: string;
  round: number;
  kind: FaultKind;
  settleS: number;
  /** Seconds from the end of the last kube-apiserver restart to this fault's end (undefined: none before). */
  afterApiserverRestartS?: number;
}

/** Seconds from the last kube-apiserver restart's end to each fault's end. */
function sinceRestart(faults: FaultRecord[], x: FaultRecord): number | undefined {
  const ends = faults.filter((f) => f.kind === 'apiserver-restart' && !f.skipped && f.endedAt <= x.endedAt).map((f) => f.endedAt);
  return ends.length ? Math.round((x.endedAt - Math.max(...ends)) / 100) / 10 : undefined;
}

/** The rounds slower than the p95 goal, slowest first. */
export function slowSettles(faults: FaultRecord[]): SlowSettle[] {
  return faults
    .filter((x) => !x.skipped && x.convergedMs !== undefined && x.convergedMs > P95_GOAL_S * 1000)
    .sort((a, b) => b.convergedMs! - a.convergedMs!)
    .map((x) => ({
      scenario: x.scenario,
      round: x.round,
      kind: x.kind,
      settleS: Math.round(x.convergedMs! / 100) / 10,
      afterApiserverRestartS: sinceRestart(faults, x),
    }));
}

/** Settles of the rounds whose fault ended more than RESTART_SHADOW_MS after the last kube-apiserver restart. */
export function settleAwayFromRestarts(faults: FaultRecord[]): Stats {
  return stats(
    faults
      .filter((x) => !x.skipped && x.convergedMs !== undefined)
      .filter((x) => {
        const since = sinceRestart(faults, x);
        return since === undefined || since * 1000 > RESTART_SHADOW_MS;
      })
      .map((x) => x.convergedMs!),
  );
}

export function summarize(f: RunFacts): ChaosResult {
  const byKind: ChaosResult['faultsByKind'] = {};
  for (const x of f.faults) {
    const k = (byKind[x.kind] ??= { injected: 0, skipped: 0, settle: stats([]) });
    if (x.skipped) k.skipped++;
    else k.injected++;
  }
  for (const [kind, k] of Object.entries(byKind))
    k.settle = stats(f.faults.filter((x) => x.kind === kind && !x.skipped && x.convergedMs !== undefined).map((x) => x.convergedMs!));
  const settle = stats(f.faults.filter((x) => !x.skipped && x.convergedMs !== undefined).map((x) => x.convergedMs!));
  return {
    benchmark: 'chaos',
    seed: f.seed,
    profile: f.profile,
    replay: f.replay,
    startedAt: new Date(f.started).toISOString(),
    durationS: Math.round((f.ended - f.started) / 1000),
    timeScale: f.timeScale,
    machine: {
      cpus: cpus().length,
      memGB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      loadAvg1m: Math.round(loadavg()[0]! * 100) / 100,
    },
    logDir: f.logDir,
    logRecords: f.records,
    faultsByKind: byKind,
    scenarios: f.scenarios,
    invariantsChecked: [...new Set(f.invariants)],
    violations: f.violations.map((v) => ({
      invariant: v.invariant,
      at: new Date(v.t).toISOString(),
      message: v.message,
      seed: f.seed,
      replay: f.replay,
    })),
    unjudged: f.unjudged.map((v) => ({ invariant: v.invariant, at: new Date(v.t).toISOString(), message: v.message })),
    recordGaps: f.gaps,
    settle,
    settleAwayFromRestarts: settleAwayFromRestarts(f.faults),
    slowSettles: slowSettles(f.faults),
    goal: { violations: f.violations.length, p95UnderS: P95_GOAL_S, met: f.violations.length === 0 && settle.p95S < P95_GOAL_S },
    writeErrorsInjected: { ...f.injected, baseRate: f.errorRate },
    actionErrors: f.actionErrors,
    operatorStarts: f.operatorStarts,
    componentsRevived: f.componentsRevived,
    surfaceRetries: f.surfaceRetries,
    recorderRestarts: f.recorderRestarts,
    fuzz: f.fuzz,
    restartSpacing: {
      minS: f.restartSpacing.minS,
      waits: f.restartSpacing.waitsMs.length,
      waitedS: Math.round(f.restartSpacing.waitsMs.reduce((a, b) => a + b, 0) / 100) / 10,
    },
    faults: f.faults,
  };
}

/** The summary table (Markdown) printed at the end of a run. */
export function table(r: ChaosResult): string {
  const lines: string[] = [];
  lines.push(`chaos run: seed ${r.seed}, profile ${r.profile}, ${r.durationS} s, timeScale ${r.timeScale}, ${r.machine.cpus} cores`);
  lines.push('');
  lines.push('| fault | injected | skipped | settled after: median | p95 | max |');
  lines.push('|---|---|---|---|---|---|');
  for (const [k, v] of Object.entries(r.faultsByKind))
    lines.push(`| ${k} | ${v.injected} | ${v.skipped} | ${v.settle.medianS} s | ${v.settle.p95S} s | ${v.settle.maxS} s |`);
  const injected = Object.values(r.faultsByKind).reduce((n, v) => n + v.injected, 0);
  lines.push(`| **all** | **${injected}** | | **${r.settle.medianS} s** | **${r.settle.p95S} s** | ${r.settle.maxS} s |`);
  lines.push('');
  lines.push(
    `faults per scenario: ${r.scenarios.map((s) => `${s.name} ${s.faults}${s.aborted ? ` (stopped: ${s.aborted})` : ''}`).join(', ')}`,
  );
  const w = r.writeErrorsInjected;
  lines.push(
    `write errors injected: ${w[429]} x 429, ${w[500]} x 500 (${w.after} after the write went through), ${w[409]} x 409 of ${w.writes} operator writes (base rate ${w.baseRate}, plus bursts)`,
  );
  for (const e of r.actionErrors) lines.push(`action refused (round not judged): ${e.scenario} round ${e.round + 1}: ${e.error}`);
  const restarts = r.faultsByKind['apiserver-restart'];
  if (restarts?.injected)
    lines.push(
      `kube-apiserver restarts: ${restarts.injected}, at least ${r.restartSpacing.minS} s apart (${r.restartSpacing.waits} rounds waited ${r.restartSpacing.waitedS} s in all for it)`,
    );
  if (r.componentsRevived.length)
    lines.push(`control-plane components that exited and were started again: ${r.componentsRevived.join(', ')}`);
  for (const f of r.fuzz)
    lines.push(
      `fuzz ${f.surface}: ${f.runs} runs, ${f.accepted} accepted, ${f.refused} refused with a message, ${f.problems.length} problems`,
    );
  lines.push(`invariants checked (${r.invariantsChecked.length}): ${r.invariantsChecked.join(', ')}`);
  if (r.recordGaps)
    lines.push(
      `record gaps (watches re-listed after kube-apiserver restarts): ${r.recordGaps}; order-based findings inside them, not judged: ${r.unjudged.length}`,
    );
  if (r.slowSettles.length) {
    const near = r.slowSettles.filter(
      (x) => x.afterApiserverRestartS !== undefined && x.afterApiserverRestartS * 1000 <= RESTART_SHADOW_MS,
    );
    lines.push(
      `settles over ${P95_GOAL_S} s: ${r.slowSettles.length}, ${near.length} of them within ${RESTART_SHADOW_MS / 1000} s of a kube-apiserver restart; ` +
        `settle p95 of the rounds away from restarts: ${r.settleAwayFromRestarts.p95S} s (${r.settleAwayFromRestarts.count} rounds)`,
    );
    for (const x of r.slowSettles)
      lines.push(
        `  - ${x.scenario} round ${x.round + 1} (${x.kind}): ${x.settleS} s${x.afterApiserverRestartS === undefined ? '' : `, ${x.afterApiserverRestartS} s after a kube-apiserver restart`}`,
      );
  }
  lines.push(`violations: ${r.violations.length}`);
  for (const v of r.violations) lines.push(`  - ${v.invariant} at ${v.at}: ${v.message}\n    replay: ${v.replay}`);
  lines.push(`goal (0 violations, p95 < ${r.goal.p95UnderS} s): ${r.goal.met ? 'met' : 'NOT met'}`);
  return lines.join('\n');
}
