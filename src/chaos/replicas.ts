// The operator replicas of a chaos run: two `aksim operator` processes with leader election, each
// talking to the API server through its own fault-proxy listener. A replica that exits on its
// own is restarted (as a Deployment would); an exit that is neither a kill by the harness nor a
// lost lease counts as a crash. Clock jumps go to every live replica and to the ones started later.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface ReplicaOptions {
  /** Path of bin/aksim.js. */
  entry: string;
  dir: string;
  timeScale: number;
  leaseSeconds: number;
  systemNamespace: string;
  /** Real ms the simulation clock is ahead (grows with every clock jump). */
  clockOffsetMs: () => number;
  onCrash: (slot: string, detail: string) => void;
  onNote: (detail: string) => void;
}

interface Slot {
  name: string;
  port: number;
  kubeconfig: string;
  proc?: ChildProcess;
  identity: string;
  metricsUrl?: string;
  /** Set by the harness before it kills: the exit that follows is expected. */
  killing: boolean;
  lostLease: boolean;
  restartTimer?: NodeJS.Timeout;
  log: WriteStream;
  tail: string[];
  crashLoop: number;
}

/** A kubeconfig that reaches the API server only through the proxy listener on `port`. */
export function proxyKubeconfig(port: number): string {
  return `apiVersion: v1
kind: Config
clusters: [{name: chaos-proxy, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: chaos, user: {}}]
contexts: [{name: chaos, context: {cluster: chaos-proxy, user: chaos}}]
current-context: chaos
`;
}

export class Replicas {
  readonly slots: Slot[] = [];
  crashes = 0;
  starts = 0;
  private closing = false;

  constructor(private readonly o: ReplicaOptions) {}

  /** Registers a slot listening on a proxy port. */
  add(name: string, port: number): void {
    const kubeconfig = join(this.o.dir, `kubeconfig-${name}`);
    writeFileSync(kubeconfig, proxyKubeconfig(port));
    this.slots.push({
      name,
      port,
      kubeconfig,
      identity: '',
      killing: false,
      lostLease: false,
      log: createWriteStream(join(this.o.dir, `operator-${name}.log`), { flags: 'a' }),
      tail: [],
      crashLoop: 0,
    });
  }

  /** The identity writing through a slot's proxy listener now. */
  identityOf(name: string): string {
    return this.slots.find((s) => s.name === name)?.identity ?? `${name}:none`;
  }

  live(): Slot[] {
    return this.slots.filter((s) => s.proc && s.proc.exitCode === null && s.proc.signalCode === null);
  }

  start(name: string): void {
    const s = this.slots.find((x) => x.name === name)!;
    if (this.closing || (s.proc && s.proc.exitCode === null && s.proc.signalCode === null)) return;
    clearTimeout(s.restartTimer);
    s.restartTimer = undefined;
    s.killing = false;
    s.lostLease = false;
    s.metricsUrl = undefined;
    const offset = Math.round(this.o.clockOffsetMs());
    const args = [
      this.o.entry,
      'operator',
      '--time-scale',
      String(this.o.timeScale),
      '--metrics-port',
      '0',
      '--lease-seconds',
      String(this.o.leaseSeconds),
      '--system-namespace',
      this.o.systemNamespace,
      '--debug-clock',
      '--debug-clock-offset-ms',
      String(offset),
    ];
    const proc = spawn(process.execPath, args, {
      env: { ...process.env, KUBECONFIG: s.kubeconfig, AKSIM_LOG_LEVEL: process.env.AKSIM_LOG_LEVEL ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.starts++;
    s.proc = proc;
    s.identity = `${hostname()}-${proc.pid}`;
    let buf = '';
    const onData = (d: Buffer): void => {
      s.log.write(d);
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        s.tail.push(line);
        if (s.tail.length > 30) s.tail.shift();
        const m = /"metrics":"([^"]+)"/.exec(line);
        if (m) s.metricsUrl = m[1];
        if (line.includes('Lost the leader lease')) s.lostLease = true;
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code, signal) => {
      if (s.proc !== proc || this.closing) return;
      const expected = s.killing || (s.lostLease && code === 1);
      // A graceful stop (exit 0 after SIGTERM) came from outside the run, e.g. someone else's cleanup: not a crash.
      const stoppedOutside = code === 0 && s.tail.some((l) => l.includes('"signal":"SIGTERM"'));
      if (stoppedOutside)
        this.o.onNote(`operator replica ${name} (${s.identity}) was stopped by a SIGTERM from outside the run; started again`);
      else if (!expected) {
        this.crashes++;
        this.o.onCrash(
          name,
          `operator replica ${name} (${s.identity}) exited with ${signal ?? `code ${code}`}: ${s.tail.slice(-5).join(' | ')}`,
        );
      }
      // Like a Deployment: whatever ended it, a replica comes back (after the harness's delay if it
      // killed it; after a growing pause if it keeps crashing).
      if (!s.killing) {
        s.crashLoop = expected || stoppedOutside ? 0 : s.crashLoop + 1;
        s.restartTimer = setTimeout(() => this.start(name), Math.min(30_000, 1000 * 2 ** s.crashLoop));
      }
    });
  }

  /** SIGKILLs a slot's process; it is restarted after restartAfterMs. Resolves once it has exited. */
  async kill(name: string, restartAfterMs: number): Promise<void> {
    const s = this.slots.find((x) => x.name === name)!;
    const proc = s.proc;
    s.killing = true;
    clearTimeout(s.restartTimer);
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGKILL');
      await gone;
    }
    s.restartTimer = setTimeout(() => this.start(name), restartAfterMs);
  }

  /** The slot whose process holds the Lease, by the holder identity. */
  slotOf(identity: string | undefined): Slot | undefined {
    return this.slots.find((s) => s.identity === identity && this.live().includes(s));
  }

  /** Moves every live replica's simulation clock forward by realMs (the offset for later starts is the caller's). */
  async jumpClocks(realMs: number): Promise<number> {
    let n = 0;
    await Promise.all(
      this.live().map(async (s) => {
        if (!s.metricsUrl) return;
        try {
          const res = await fetch(`${s.metricsUrl}/debug/clock?jumpMs=${Math.round(realMs)}`, { method: 'POST' });
          if (res.ok) n++;
        } catch {
          // a replica that is going down misses the jump; its successor starts with the new offset
        }
      }),
    );
    return n;
  }

  /** True when some live replica answers /readyz (it leads and its caches are synced). */
  async anyReady(): Promise<boolean> {
    for (const s of this.live()) {
      if (!s.metricsUrl) continue;
      try {
        const res = await fetch(`${s.metricsUrl}/readyz`);
        if (res.ok) return true;
      } catch {
        // not answering
      }
    }
    return false;
  }

  async stop(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.slots.map(async (s) => {
        clearTimeout(s.restartTimer);
        const p = s.proc;
        if (p && p.exitCode === null && p.signalCode === null) {
          const gone = new Promise<void>((r) => p.once('exit', () => r()));
          p.kill('SIGTERM');
          const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
          await gone;
          clearTimeout(t);
        }
        s.log.end();
      }),
    );
  }
}
