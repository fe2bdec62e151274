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
  goal: { violations: number; p95UnderS: number; met: boolean };
  writeErrorsInjected: RunFacts['injected'] & { baseRate: number };
  actionErrors: RunFacts['actionErrors'];
  operatorStarts: number;
  /** Control-plane components that exited (kube-controller-manager, kube-scheduler) and were started again. */
  componentsRevived: string[];
  surfaceRetries: number;
  recorderRestarts: number;
  fuzz: FuzzResult[];
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
    goal: { violations: f.violations.length, p95UnderS: P95_GOAL_S, met: f.violations.length === 0 && settle.p95S < P95_GOAL_S },
    writeErrorsInjected: { ...f.injected, baseRate: f.errorRate },
    actionErrors: f.actionErrors,
    operatorStarts: f.operatorStarts,
    componentsRevived: f.componentsRevived,
    surfaceRetries: f.surfaceRetries,
    recorderRestarts: f.recorderRestarts,
    fuzz: f.fuzz,
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
  lines.push(`violations: ${r.violations.length}`);
  for (const v of r.violations) lines.push(`  - ${v.invariant} at ${v.at}: ${v.message}\n    replay: ${v.replay}`);
  lines.push(`goal (0 violations, p95 < ${r.goal.p95UnderS} s): ${r.goal.met ? 'met' : 'NOT met'}`);
  return lines.join('\n');
}
