// `aksim chaos`: the seeded chaos run against the cluster in KUBECONFIG (loaded only when asked
// for, so the CLI's start stays fast), and `aksim chaos check <log>` to judge a recorded log again.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { checkAll } from './invariants/index.js';
import { readLog } from './log.js';
import { PROFILES, ALL_SCENARIOS, type ProfileName } from './profiles.js';
import { table, type ChaosResult } from './report.js';
import { entryPath, runChaos } from './run.js';
import { FAULT_KINDS, type FaultKind } from './schedule.js';

/** Where results go by default: bench/results of this checkout, else the current directory. */
function defaultOut(): string {
  const repo = dirname(dirname(entryPath()));
  return existsSync(join(repo, 'bench')) ? join(repo, 'bench', 'results') : process.cwd();
}

export function writeResult(r: ChaosResult, out: string): string {
  mkdirSync(out, { recursive: true });
  const file = join(out, `chaos-${r.profile}-${r.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function chaosCommand(): Command {
  const c = new Command('chaos')
    .description(
      'seeded chaos run: kills, restarts, cut watches, API errors and clock jumps while scenarios run; invariants checked from a recorded watch log',
    )
    .addOption(
      new Option('--profile <name>', 'default (every scenario, 20 faults each) or ci (a few minutes)')
        .choices(Object.keys(PROFILES))
        .default('default'),
    )
    .option('--seed <n>', 'seed of the fault schedule (printed at start; the same seed gives the same schedule)')
    .option('--scenarios <names>', `only these scenarios, comma-separated (${ALL_SCENARIOS.join(', ')})`, list)
    .option('--rounds <n>', "rounds (faults) per scenario, instead of the profile's")
    .option('--faults <kinds>', `only these fault kinds (${FAULT_KINDS.join(', ')})`, list)
    .option('--error-rate <share>', "share of the operator's writes answered 429/500/409 outside bursts (0-1)")
    .option('--time-scale <n>', 'operator time scale', '60')
    .option('--fuzz-runs <n>', "fuzz inputs per surface, instead of the profile's")
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: KUBECONFIG)')
    .option('--out <dir>', 'where the results JSON goes (default: bench/results of this checkout)')
    .action(async (o: Record<string, any>) => {
      const num = (v: unknown, what: string, min = 0, max = Infinity): number | undefined => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${what} must be a number from ${min} to ${max}, got ${v}`);
        return n;
      };
      const kinds = o.faults as string[] | undefined;
      for (const k of kinds ?? [])
        if (!FAULT_KINDS.includes(k as FaultKind)) throw new Error(`unknown fault kind ${k}; one of ${FAULT_KINDS.join(', ')}`);
      const r = await runChaos({
        profile: o.profile as ProfileName,
        seed: num(o.seed, 'seed', 0, 2 ** 31),
        scenarios: o.scenarios,
        rounds: num(o.rounds, 'rounds', 1, 1000),
        kinds: kinds as FaultKind[] | undefined,
        errorRate: num(o.errorRate, 'error-rate', 0, 1),
        timeScale: num(o.timeScale, 'time-scale', 1, 10_000),
        fuzzRuns: num(o.fuzzRuns, 'fuzz-runs', 0, 10_000),
        kubeconfig: o.kubeconfig,
      });
      const file = writeResult(r, o.out ?? defaultOut());
      process.stdout.write(`\n${table(r)}\nresults: ${file}\n`);
      if (r.violations.length > 0) process.exitCode = 1;
    });
  c.command('check')
    .description('judge a recorded chaos log (log.jsonl of a run) again')
    .argument('<log>', 'path of log.jsonl')
    .action(async (path: string) => {
      const v = checkAll(await readLog(path));
      for (const x of v) process.stdout.write(`${x.invariant} at ${new Date(x.t).toISOString()}: ${x.message}\n`);
      process.stdout.write(`${v.length} violations\n`);
      if (v.length > 0) process.exitCode = 1;
    });
  return c;
}
