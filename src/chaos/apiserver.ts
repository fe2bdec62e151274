// Restarts the kube-apiserver of an embedded (kwokctl, binary runtime) cluster: the process named in
// the cluster's pid file is killed and started again with the binary, arguments and working
// directory kwokctl recorded for it in the cluster's kwok.yaml, its pid written back (so
// `kwokctl delete cluster` still stops it). Other clusters have no restart: the fault is skipped.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

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
 * port, so a run never restarts another cluster's API server), if there is one.
 */
export function embeddedClusterDir(server: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = new URL(server);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) return undefined;
  const cache = env.AKSIM_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aksim');
  const root = join(env.KWOK_WORKDIR ?? join(cache, 'kwok'), 'clusters');
  if (!existsSync(root)) return undefined;
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (!existsSync(join(dir, 'kwok.yaml'))) continue;
    try {
      const ports = (apiserverComponent(dir).ports ?? []).map((p) => String(p.port));
      if (ports.includes(url.port)) return dir;
    } catch {
      // not a cluster directory we understand
    }
  }
  return undefined;
}

/** The kube-apiserver component as kwokctl recorded it. */
export function apiserverComponent(clusterDir: string): Component {
  for (const doc of parseAllDocuments(readFileSync(join(clusterDir, 'kwok.yaml'), 'utf8'))) {
    const d = doc.toJSON() as { components?: Component[] } | null;
    const c = d?.components?.find((x) => x.name === 'kube-apiserver');
    if (c) return c;
  }
  throw new Error(`no kube-apiserver component in ${clusterDir}/kwok.yaml`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills kube-apiserver (SIGKILL) and starts it again; resolves once the new process runs. */
export async function restartApiserver(clusterDir: string): Promise<number> {
  const c = apiserverComponent(clusterDir);
  const workDir = c.workDir ?? clusterDir;
  const pidFile = join(workDir, 'pids', 'kube-apiserver.pid');
  const old = Number(readFileSync(pidFile, 'utf8').trim());
  if (old > 0 && alive(old)) {
    process.kill(old, 'SIGKILL');
    for (let i = 0; i < 100 && alive(old); i++) await new Promise((r) => setTimeout(r, 50));
  }
  const log = openSync(join(workDir, 'logs', 'kube-apiserver.log'), 'a');
  const env = { ...process.env, ...Object.fromEntries((c.envs ?? []).map((e) => [e.name, e.value])) };
  const p = spawn(c.binary, c.args ?? [], { cwd: workDir, detached: true, stdio: ['ignore', log, log], env });
  closeSync(log);
  if (!p.pid) throw new Error(`could not start ${c.binary}`);
  p.unref();
  writeFileSync(pidFile, String(p.pid));
  return p.pid;
}
