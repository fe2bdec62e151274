// e2e support for the web console: `aksim serve` with its console URL, and Debian's Chromium
// driven by playwright-core (never a downloaded browser). Where Chromium is missing the browser
// suites skip with one line saying why.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { KUBECONFIG, ROOT, waitFor } from './env.js';

export const CHROMIUM = process.env.AKSIM_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots land here (the test output); docs/console.md shows copies of them from docs/console/. */
export const SHOTS = join(ROOT, 'test-output', 'console');
export const DOC_SHOTS = join(ROOT, 'docs', 'console');

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (\`make setup\` installs Debian's chromium when run as root)`;
  if (!existsSync(join(ROOT, 'dist', 'console', 'index.html'))) return 'the console page is not built (run `make build`)';
  return undefined;
}

export interface Serve {
  proc: ChildProcess;
  /** http://127.0.0.1:<port> */
  base: string;
  /** The console URL with its token, as printed. */
  consoleUrl: string;
  token: string;
  /** The local CA that signed the server's certificate (HTTPS), and its file. */
  ca: string | undefined;
  caFile: string;
  out: () => string;
  stop(): Promise<void>;
}

/** `aksim serve` as users run it (HTTPS with its local CA, ARM sign-in on), its TLS material in a temporary folder. */
export async function startServe(args: string[] = []): Promise<Serve> {
  const dir = mkdtempSync(join(tmpdir(), 'aksim-console-serve-'));
  const proc = spawn(process.execPath, ['bin/aksim.js', 'serve', '--port', '0', '--tls-dir', dir, ...args], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const consoleUrl = await waitFor(
    'aksim serve: console URL',
    async () => {
      if (proc.exitCode !== null) throw Object.assign(new Error(`aksim serve exited ${proc.exitCode}: ${out}`), { fatal: true });
      return /aksim console on (\S+)/.exec(out)?.[1];
    },
    60_000,
    100,
  );
  const u = new URL(consoleUrl);
  const caFile = join(dir, 'ca.crt');
  return {
    proc,
    base: u.origin,
    consoleUrl,
    token: u.searchParams.get('token')!,
    caFile,
    ca: existsSync(caFile) ? readFileSync(caFile, 'utf8') : undefined,
    out: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = any>(): T;
}

/** One HTTP(S) request trusting the server's own CA (fetch cannot be given one); rejects with the socket error (e.g. ECONNREFUSED). */
export function request(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string; ca?: string; insecure?: boolean } = {},
): Promise<Answer> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: o.method ?? 'GET',
        headers: o.headers,
        ca: o.ca,
        rejectUnauthorized: !o.insecure,
        servername: u.hostname.match(/^[\d.]+$/) ? undefined : u.hostname,
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Chromium with the flags this project allows, a fresh profile, and no download of anything. */
export async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'aksim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1600, height: 1000 },
    ignoreHTTPSErrors: true, // `aksim serve` may use its own local CA
  });
  mkdirSync(SHOTS, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
