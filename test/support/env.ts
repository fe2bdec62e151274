// e2e support: kubectl, the aksim CLI and operator processes against the test cluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const KUBECONFIG =
  process.env.KUBECONFIG ??
  join(process.env.AKSIM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aksim'), 'kubeconfig');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, KUBECONFIG, ...opts.env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(opts.input ?? '');
  });
}

/** kubectl that must succeed; returns stdout. */
export async function kubectl(...args: string[]): Promise<string> {
  const r = await run('kubectl', args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

export async function kubectlJson<T = any>(...args: string[]): Promise<T> {
  return JSON.parse(await kubectl(...args, '-o', 'json')) as T;
}

export async function apply(yaml: string): Promise<Run> {
  return run('kubectl', ['apply', '-f', '-'], { input: yaml });
}

/** Polls fn until it returns a truthy value; fails with the last value seen. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err: unknown) {
      if ((err as { fatal?: boolean }).fatal) throw err;
      last = err;
    }
    if (Date.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A fresh namespace (resource group) per suite, removed afterwards. */
export async function freshNamespace(prefix: string): Promise<string> {
  const ns = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kubectl('create', 'namespace', ns);
  return ns;
}

export async function deleteNamespace(ns: string): Promise<void> {
  await run('kubectl', ['delete', 'simclusters,simnodepools', '--all', '-n', ns, '--wait=true', '--timeout=60s']);
  await run('kubectl', ['delete', 'namespace', ns, '--wait=false']);
}

export interface OperatorProcess {
  proc: ChildProcess;
  logs: string[];
  metricsUrl: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `aksim operator` and resolves once its caches are synced (or once it waits for leadership). */
export async function startOperator(
  opts: { timeScale?: number; waitUntil?: 'synced' | 'started'; alongside?: boolean } = {},
): Promise<OperatorProcess> {
  // One operator at a time unless a test asks for a second one (leader election): a process left
  // behind by a failed test would otherwise hold the leader Lease for every later suite.
  if (!opts.alongside) await stopAllOperators();
  const args = ['bin/aksim.js', 'operator', '--time-scale', String(opts.timeScale ?? 60), '--metrics-port', '0', '--lease-seconds', '3'];
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG, AKSIM_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let metricsUrl = '';
  let buf = '';
  const onData = (d: Buffer): void => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      logs.push(line);
      const m = /"metrics":"([^"]+)"/.exec(line);
      if (m) metricsUrl = m[1]!;
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  const marker = opts.waitUntil === 'started' ? 'Serving /metrics' : 'Caches synced';
  await waitFor(
    `operator: ${marker}`,
    async () => {
      if (proc.exitCode !== null)
        throw Object.assign(new Error(`operator exited ${proc.exitCode}: ${logs.slice(-5).join('\n')}`), { fatal: true });
      return logs.some((l) => l.includes(marker));
    },
    120_000,
    100,
  );
  return {
    proc,
    logs,
    get metricsUrl() {
      return metricsUrl;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

const live = new Set<ChildProcess>();

/** Stops every operator this process started (e.g. before a test that runs its own replicas). */
export async function stopAllOperators(): Promise<void> {
  shared = undefined;
  await Promise.all(
    [...live].map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          p.once('exit', () => resolve());
          p.kill('SIGTERM');
          setTimeout(() => p.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
}
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

let shared: Promise<OperatorProcess> | undefined;
/** One operator for the suites that just need one running. */
export function sharedOperator(): Promise<OperatorProcess> {
  shared ??= startOperator();
  return shared;
}
export async function stopSharedOperator(): Promise<void> {
  if (!shared) return;
  const pending = shared;
  shared = undefined;
  const op = await pending.catch(() => undefined);
  await op?.stop();
}
