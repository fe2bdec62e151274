// Restarts the kube-apiserver of an embedded (kwokctl, binary runtime) cluster: the process named in
// the cluster's pid file is killed and started again with the binary, arguments and working
// directory kwokctl recorded for it in the cluster's kwok.yaml, its pid written back (so
// `kwokctl delete cluster` still stops it); and, like a kubelet, starts again any control-plane
// component that exited. Other clusters have no restart: the fault is skipped.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { realSleep } from '../runtime/clock.js';

interface Component {
  name: string;
  binary: string;
  args?: string[];
  workDir?: string;
  envs?: { name: string; value: string }[];
  ports?: { name?: string; port: number }[];
}

/**
 * The kwokctl cluster directory whose kube-apiserver serves `server` (matched by its loopback
 * port, so a run never restarts another cluster's API server), if there is one. A directory left
 * by a stopped cluster may name the same port (kwokctl reuses free ports): the one named by the
 * kubeconfig's context (`kwok-<name>`) wins, else the one whose kube-apiserver is running.
 */
export function embeddedClusterDir(server: string, env: NodeJS.ProcessEnv = process.env, context?: string): string | undefined {
  const url = new URL(server);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) return undefined;
  const cache = env.AKSIM_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aksim');
  const root = join(env.KWOK_WORKDIR ?? join(cache, 'kwok'), 'clusters');
  if (!existsSync(root)) return undefined;
  const matches: string[] = [];
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (!existsSync(join(dir, 'kwok.yaml'))) continue;
    try {
      const ports = (apiserverComponent(dir).ports ?? []).map((p) => String(p.port));
      if (ports.includes(url.port)) matches.push(dir);
    } catch {
      // not a cluster directory we understand
    }
  }
  const named = context?.startsWith('kwok-') ? join(root, context.slice('kwok-'.length)) : undefined;
  return matches.find((d) => d === named) ?? matches.find((d) => alive(pidOf(d, apiserverComponent(d))));
}

/** The components (processes) kwokctl recorded for a cluster. */
export function components(clusterDir: string): Component[] {
  for (const doc of parseAllDocuments(readFileSync(join(clusterDir, 'kwok.yaml'), 'utf8'))) {
    const d = doc.toJSON() as { components?: Component[] } | null;
    if (d?.components?.length) return d.components;
  }
  throw new Error(`no components in ${clusterDir}/kwok.yaml`);
}

/** The kube-apiserver component as kwokctl recorded it. */
export function apiserverComponent(clusterDir: string): Component {
  const c = components(clusterDir).find((x) => x.name === 'kube-apiserver');
  if (!c) throw new Error(`no kube-apiserver component in ${clusterDir}/kwok.yaml`);
  return c;
}

function alive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const pidFileOf = (clusterDir: string, c: Component): string => join(c.workDir ?? clusterDir, 'pids', `${c.name}.pid`);

function pidOf(clusterDir: string, c: Component): number {
  try {
    return Number(readFileSync(pidFileOf(clusterDir, c), 'utf8').trim());
  } catch {
    return 0;
  }
}

/** Starts a component as kwokctl does (detached, log appended, pid file written). */
function start(clusterDir: string, c: Component): number {
  const workDir = c.workDir ?? clusterDir;
  const log = openSync(join(workDir, 'logs', `${c.name}.log`), 'a');
  const env = { ...process.env, ...Object.fromEntries((c.envs ?? []).map((e) => [e.name, e.value])) };
  const p = spawn(c.binary, c.args ?? [], { cwd: workDir, detached: true, stdio: ['ignore', log, log], env });
  // A binary that cannot be started also emits 'error': the throw below reports it.
  p.on('error', () => undefined);
  closeSync(log);
  if (!p.pid) throw new Error(`could not start ${c.binary}`);
  p.unref();
  writeFileSync(pidFileOf(clusterDir, c), String(p.pid));
  return p.pid;
}

/** A restart is under way: reviveComponents must not start the same process meanwhile. */
let restarting = false;

/** Kills kube-apiserver (SIGKILL) and starts it again; resolves once the new process runs. */
export async function restartApiserver(clusterDir: string): Promise<number> {
  const c = apiserverComponent(clusterDir);
  restarting = true;
  try {
    const old = pidOf(clusterDir, c);
    if (old > 0 && alive(old)) {
      process.kill(old, 'SIGKILL');
      for (let i = 0; i < 100 && alive(old); i++) await realSleep(50);
    }
    return start(clusterDir, c);
  } finally {
    restarting = false;
  }
}

/**
 * Starts again every component whose process is gone, as a node's kubelet restarts its static
 * pods: kube-controller-manager and kube-scheduler exit when they cannot renew their own leader
 * lease while kube-apiserver is away. Returns the names started.
 */
export function reviveComponents(clusterDir: string): string[] {
  const out: string[] = [];
  if (restarting) return out;
  for (const c of components(clusterDir)) {
    const pid = pidOf(clusterDir, c);
    if (pid > 0 && alive(pid)) continue;
    start(clusterDir, c);
    out.push(c.name);
  }
  return out;
}
