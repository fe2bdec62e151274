// e2e support: `aksim serve` on a free port over HTTPS with its own CA and sign-in material, and
// what clients need to reach it (URL, CA, service principal), plus the exchanges it recorded.
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECONFIG, ROOT, waitFor } from './env.js';

export interface Served {
  url: string;
  proc: ChildProcess;
  dir: string;
  ca: string;
  caFile: string;
  principal: { tenantId: string; clientId: string; clientSecret: string };
  recordFile: string;
  /** Every ARM exchange the server answered so far. */
  records(): { method: string; path: string; query: string; status: number; headers: Record<string, string>; body: unknown }[];
  stop(): Promise<void>;
}

export async function startServe(opts: { args?: string[]; dir?: string } = {}): Promise<Served> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'aksim-serve-'));
  const recordFile = join(dir, 'record.jsonl');
  const proc = spawn(
    process.execPath,
    ['bin/aksim.js', 'serve', '--port', '0', '--tls-dir', dir, '--record', recordFile, ...(opts.args ?? [])],
    {
      cwd: ROOT,
      env: { ...process.env, KUBECONFIG },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await waitFor(
    'aksim serve listening',
    async () => {
      if (proc.exitCode !== null) throw Object.assign(new Error(`aksim serve exited ${proc.exitCode}: ${out}`), { fatal: true });
      return /endpoint on (https?:\/\/\S+)/.exec(out)?.[1];
    },
    60_000,
    100,
  );
  const caFile = join(dir, 'ca.crt');
  const principalFile = join(dir, 'principal.json');
  return {
    url,
    proc,
    dir,
    caFile,
    ca: existsSync(caFile) ? readFileSync(caFile, 'utf8') : '',
    principal: existsSync(principalFile)
      ? JSON.parse(readFileSync(principalFile, 'utf8'))
      : { tenantId: '', clientId: '', clientSecret: '' },
    recordFile,
    records: () =>
      existsSync(recordFile)
        ? readFileSync(recordFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : [],
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM');
        await exited;
      }
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One HTTPS request to the served endpoint trusting its CA; the body parsed as JSON when there is one. */
export function httpsJson(
  s: Served,
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string>,
  json = true,
): Promise<{ status: number; headers: Record<string, string>; body: any }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, s.url);
    const h: Record<string, string> = { ...(body !== undefined && json ? { 'Content-Type': 'application/json' } : {}), ...headers };
    if (body !== undefined) h['Content-Length'] = String(Buffer.byteLength(body));
    const req = httpsRequest(u, { method, headers: h, ca: s.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export type ArmCall = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; headers: Record<string, string>; body: any }>;

/** A token from the served AD FS endpoint (client credentials, as az gets one), and a caller of the ARM surface with it. */
export async function signedIn(s: Served): Promise<{ token: string; call: ArmCall }> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: s.principal.clientId,
    client_secret: s.principal.clientSecret,
    resource: 'https://management.core.windows.net/',
  });
  const res = await httpsJson(
    s,
    'POST',
    '/adfs/oauth2/token',
    form.toString(),
    { 'Content-Type': 'application/x-www-form-urlencoded' },
    false,
  );
  const token = res.body.access_token as string;
  return {
    token,
    call: (method, path, body) =>
      httpsJson(s, method, path, body === undefined ? undefined : JSON.stringify(body), { Authorization: `Bearer ${token}` }),
  };
}

/** What an Azure SDK call that failed throws (a RestError), as the tests read it. */
export interface RestErrorLike {
  name: string;
  code?: string;
  statusCode?: number;
  message: string;
}

/** The error the SDK call fails with; throws when it succeeds. */
export async function refusal(p: Promise<unknown>): Promise<RestErrorLike> {
  try {
    await p;
  } catch (err: unknown) {
    return err as RestErrorLike;
  }
  throw new Error('expected the SDK call to fail');
}
