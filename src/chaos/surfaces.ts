// The public surfaces a chaos scenario drives: kubectl, the aksim CLI, and the ARM REST service
// (`aksim serve`), all straight to the API server (only the operator goes through the fault
// proxy). A call that fails because the API server is restarting is retried; a refusal is not.
import { spawn, type ChildProcess } from 'node:child_process';
import { wallNow, realSleep } from '../runtime/clock.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(input ?? '');
  });
}

/** An answer that means "the API server (or a hop to it) is not there right now": worth retrying. */
export function transient(text: string): boolean {
  return /connection refused|was refused|ECONNREFUSED|ECONNRESET|EOF|socket hang up|Unable to connect to the server|the server is currently unable|TLS handshake|i\/o timeout|ServiceUnavailable|etcdserver|Too many requests|TooManyRequests|context deadline exceeded|connection reset|http2: client connection lost|InternalServerError|HTTP 5\d\d|ETIMEDOUT|before all known HTTP paths have been installed/i.test(
    text,
  );
}

export class Surfaces {
  private serveProc: ChildProcess | undefined;
  private restBase = '';
  /** Calls that needed a retry because of a transient failure. */
  retries = 0;

  constructor(
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly retryForMs = 60_000,
  ) {}

  private async retrying(what: string, call: () => Promise<RunResult>): Promise<RunResult> {
    const end = wallNow() + this.retryForMs;
    for (;;) {
      const r = await call();
      if (r.code === 0 || !transient(r.stderr + r.stdout) || wallNow() > end) return r;
      this.retries++;
      await realSleep(500);
    }
  }

  /** kubectl; throws with its stderr unless it succeeds. */
  async kubectl(args: string[], input?: string): Promise<string> {
    const r = await this.kubectlRaw(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }

  kubectlRaw(args: string[], input?: string): Promise<RunResult> {
    return this.retrying('kubectl', () => run('kubectl', args, this.env, input));
  }

  /** The aksim CLI (this build); throws with its stderr unless it succeeds. */
  async aksim(args: string[]): Promise<string> {
    const r = await this.retrying('aksim', () => run(process.execPath, [this.entry, ...args], this.env));
    if (r.code !== 0) throw new Error(`aksim ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }

  /**
   * Starts `aksim serve` on a free loopback port, in plain HTTP without sign-in (the harness is
   * its only client; the routes and answers are the ones HTTPS clients get).
   */
  async startRest(): Promise<void> {
    const p = spawn(process.execPath, [this.entry, 'serve', '--port', '0', '--http', '--no-auth'], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.serveProc = p;
    this.restBase = await new Promise<string>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error(`aksim serve did not start: ${out}`)), 60_000);
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /(http:\/\/[0-9.]+:\d+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
      p.once('exit', (code) => reject(new Error(`aksim serve exited ${code}: ${out}`)));
    });
    p.stdout!.resume();
    p.stderr!.resume();
  }

  /** One ARM request to the REST service; retried while the API server behind it is away. */
  async rest(method: string, path: string, body?: unknown, retry = true): Promise<{ status: number; body: any }> {
    const end = retry ? wallNow() + this.retryForMs : 0;
    for (;;) {
      let status = 0;
      let text = '';
      try {
        const res = await fetch(`${this.restBase}${path}`, {
          method,
          headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        });
        status = res.status;
        text = await res.text();
      } catch (err: unknown) {
        text = String(err);
      }
      const parsed = (() => {
        try {
          return text ? JSON.parse(text) : undefined;
        } catch {
          return text;
        }
      })();
      if ((status === 0 || status >= 500) && wallNow() < end && transient(`${text} HTTP ${status}`)) {
        this.retries++;
        await realSleep(500);
        continue;
      }
      return { status, body: parsed };
    }
  }

  get restUrl(): string {
    return this.restBase;
  }

  async stop(): Promise<void> {
    const p = this.serveProc;
    if (p && p.exitCode === null) {
      const gone = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      await gone;
    }
  }
}
