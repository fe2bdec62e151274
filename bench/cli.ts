// Benchmark: how long the `aksim` CLI takes to start and answer, against kubectl on the same
// cluster (issue 14: `aksim --version` < 0.3 s, `aksim aks show` < 0.6 s, median). Each command
// is a whole process, timed from spawn to exit, run in turn (A B C A B C ...) so load drifts
// hit them alike. Run by `make bench` and `make bench-cli`; writes bench/results/cli-latest.json.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SimCluster } from '../src/api/generated.js';
import { cleanups, elapsed, kube, KUBECONFIG, machineInfo, median, ROOT, round3, run, runMain, startOperator, writeResult } from './lib.js';

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 10);
const RG = 'bench-cli';
const CLUSTER = 'cli';
const TARGETS = { version: 0.3, show: 0.6 };
/** The aksim to time, e.g. another checkout's bin/aksim.js for a before/after comparison. */
const AKSIM = resolve(ROOT, process.env.BENCH_CLI_ENTRY ?? 'bin/aksim.js');

interface Sample {
  wall: number;
  /** User + system CPU seconds of the process and what it waited for (10 ms resolution). */
  cpu?: number;
}
interface Command {
  key: string;
  label: string;
  cmd: string;
  args: string[];
  /** Throws when the command's answer is wrong: a fast wrong answer is no result. */
  check: (stdout: string) => void;
}

/** CPU seconds of this process's reaped children (Linux: cutime + cstime in /proc/self/stat). */
function childCpu(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // fields 16 and 17 of proc(5), USER_HZ 100
  } catch {
    return undefined;
  }
}

/** One whole-process run: spawn to exit, output drained as it comes. */
function timed(c: Command): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const cpu0 = childCpu();
    const start = process.hrtime.bigint();
    const p = spawn(c.cmd, c.args, { cwd: ROOT, env: { ...process.env, KUBECONFIG }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const wall = elapsed(start);
      const cpu1 = childCpu();
      if (code !== 0) return reject(new Error(`${c.label} exited ${code}: ${stderr.trim()}`));
      try {
        c.check(stdout);
      } catch (err: unknown) {
        return reject(
          new Error(`${c.label} answered wrongly: ${err instanceof Error ? err.message : String(err)}\n${stdout.slice(0, 500)}`),
        );
      }
      resolve({ wall, cpu: cpu0 === undefined || cpu1 === undefined ? undefined : round3(cpu1 - cpu0) });
    });
  });
}

const stats = (xs: number[]): { min: number; median: number; max: number } => ({
  min: round3(Math.min(...xs)),
  median: round3(median(xs)),
  max: round3(Math.max(...xs)),
});

/** What bin/aksim.js runs (the same choice it makes). */
function entry(): string {
  if (process.env.AKSIM_DEV) return 'src/main.ts (tsx, AKSIM_DEV=1)';
  const root = dirname(dirname(AKSIM));
  return ['dist/cli/main.js', 'dist/src/main.js'].find((f) => existsSync(join(root, f))) ?? 'src/main.ts (tsx)';
}

async function aksim(...args: string[]): Promise<string> {
  const r = await run(AKSIM, args);
  if (r.code !== 0) throw new Error(`aksim ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** The commit of the checkout whose aksim is timed (it may not be this one). */
async function aksimCommit(): Promise<string | undefined> {
  const r = await run('git', ['-C', dirname(dirname(AKSIM)), 'rev-parse', '--short', 'HEAD']).catch(() => undefined);
  return r?.code === 0 ? r.stdout.trim() : undefined;
}

async function main(): Promise<void> {
  if (!entry().startsWith('dist/cli'))
    console.error(`bench: bin/aksim.js runs ${entry()}, not the bundle; run make build first for the shipped numbers`);
  const machine = await machineInfo();

  // A real SimCluster, made through the CLI and the operator; the operator stays up (idle) while
  // the commands are timed, as it does for a user.
  const op = await startOperator(join(ROOT, `bench/results/operator-cli-${Date.now()}.log`));
  cleanups.push(() => op.stop());
  await aksim('group', 'create', '-n', RG);
  cleanups.push(async () => {
    await run(AKSIM, ['group', 'delete', '-n', RG, '-y']);
  });
  if (!(await kube.get<SimCluster>('SimCluster', RG, CLUSTER))) await aksim('aks', 'create', '-g', RG, '-n', CLUSTER, '--node-count', '1');
  cleanups.push(async () => {
    await run(AKSIM, ['aks', 'delete', '-g', RG, '-n', CLUSTER, '-y']);
  });

  const commands: Command[] = [
    { key: 'node', label: 'node -e "" (Node.js start-up, the floor)', cmd: process.execPath, args: ['-e', ''], check: () => {} },
    {
      key: 'version',
      label: 'aksim --version',
      cmd: AKSIM,
      args: ['--version'],
      check: (out) => {
        if (!/^\d+\.\d+\.\d+$/.test(out.trim())) throw new Error('no version printed');
      },
    },
    {
      key: 'show',
      label: `aksim aks show -g ${RG} -n ${CLUSTER}`,
      cmd: AKSIM,
      args: ['aks', 'show', '-g', RG, '-n', CLUSTER],
      check: (out) => {
        const c = JSON.parse(out) as { name?: string; provisioningState?: string };
        if (c.name !== CLUSTER || c.provisioningState !== 'Succeeded')
          throw new Error(`name ${c.name}, provisioningState ${c.provisioningState}`);
      },
    },
    {
      key: 'kubectl',
      label: `kubectl get simclusters -n ${RG}`,
      cmd: 'kubectl',
      args: ['get', 'simclusters', '-n', RG],
      check: (out) => {
        if (!new RegExp(`^${CLUSTER}\\s`, 'm').test(out)) throw new Error(`no row for ${CLUSTER}`);
      },
    },
  ];

  for (const c of commands) await timed(c); // one warm-up each (disk cache), not counted
  const samples: Record<string, Sample[]> = Object.fromEntries(commands.map((c) => [c.key, []]));
  for (let i = 0; i < RUNS; i++) for (const c of commands) samples[c.key]!.push(await timed(c));

  const results = Object.fromEntries(
    commands.map((c) => {
      const s = samples[c.key]!;
      const cpu = s.map((x) => x.cpu).filter((x): x is number => x !== undefined);
      return [
        c.key,
        { command: c.label, runs: s.length, wallSeconds: stats(s.map((x) => x.wall)), cpuSeconds: cpu.length ? stats(cpu) : undefined },
      ];
    }),
  );
  const med = (k: string): number => (results[k] as { wallSeconds: { median: number } }).wallSeconds.median;
  const result = {
    benchmark: 'cli',
    machine,
    parameters: {
      runs: RUNS,
      aksim: AKSIM,
      aksimCommit: await aksimCommit(),
      entry: entry(),
      resourceGroup: RG,
      cluster: CLUSTER,
      operatorRunning: true,
    },
    commands: results,
    targets: { versionSeconds: TARGETS.version, showSeconds: TARGETS.show },
    pass: { version: med('version') < TARGETS.version, show: med('show') < TARGETS.show },
  };
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  console.log(`\nCLI start-up, ${RUNS} runs each, ${AKSIM} -> ${entry()} (wall s: min / median / max; cpu s median)`);
  for (const c of commands) {
    const r = results[c.key] as { wallSeconds: { min: number; median: number; max: number }; cpuSeconds?: { median: number } };
    console.log(
      `  ${c.label.padEnd(44)} ${r.wallSeconds.min.toFixed(3)} / ${r.wallSeconds.median.toFixed(3)} / ${r.wallSeconds.max.toFixed(3)}   cpu ${r.cpuSeconds?.median.toFixed(2) ?? '-'}`,
    );
  }
  console.log(
    `  targets: --version < ${TARGETS.version} s: ${result.pass.version ? 'PASS' : 'miss'}; aks show < ${TARGETS.show} s: ${result.pass.show ? 'PASS' : 'miss'}`,
  );
  console.log(writeResult('cli', stamp, result));
}

runMain(main);
