// e2e support for the web console: `aksim serve` with its console URL, and Debian's Chromium
// driven by playwright-core (never a downloaded browser). Where Chromium is missing the browser
// suites skip with one line saying why.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
  out: () => string;
  stop(): Promise<void>;
}

export async function startServe(args: string[] = []): Promise<Serve> {
  const proc = spawn(process.execPath, ['bin/aksim.js', 'serve', '--port', '0', ...args], { cwd: ROOT, env: { ...process.env, KUBECONFIG }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const consoleUrl = await waitFor('aksim serve: console URL', async () => {
    if (proc.exitCode !== null) throw Object.assign(new Error(`aksim serve exited ${proc.exitCode}: ${out}`), { fatal: true });
    return /aksim console on (\S+)/.exec(out)?.[1];
  }, 60_000, 100);
  const u = new URL(consoleUrl);
  return {
    proc,
    base: u.origin,
    consoleUrl,
    token: u.searchParams.get('token')!,
    out: () => out,
    async stop() {
      if (proc.exitCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    },
  };
}

/** Chromium with the flags this project allows, a fresh profile, and no download of anything. */
export async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'aksim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
