// Starts `aksim serve`: makes (once) the local CA and server certificate and the sign-in keys,
// listens on 127.0.0.1, and prints what clients need: the URL, the CA file, the environment
// variables that make Python (az) and Node.js trust it, and the service principal to sign in as.
import { configMapSettings, envSettings, LEADER_LEASE, parseSettings, TIME_SCALE_ANNOTATION } from '../config.js';
import { Identity } from '../arm/identity.js';
import { retryAfterSeconds } from '../arm/lro.js';
import type { ArmService } from '../arm/service.js';
import type { Kube } from '../runtime/client.js';
import { ensureTls, tlsDir } from '../arm/tls.js';
import { wallNow } from '../runtime/clock.js';
import { serve } from '../serve.js';
import { WebConsole } from '../console/http.js';
import { log } from '../runtime/logger.js';

export interface StartServe {
  /** On client-node's Kube: the web console watches. */
  svc: ArmService<Kube>;
  host: string;
  port: number;
  http: boolean;
  auth: boolean;
  tlsDir?: string;
  timeScale?: number;
  kubeconfig?: string;
  record?: string;
  /** Serve the web console under /console (its own token, printed here). */
  console?: boolean;
}

/** The operator's timeScale as published on its leader Lease, else env/ConfigMap, else 1; looked up at most every 10 s. */
async function timeScaleSource(svc: ArmService, fixed: number | undefined): Promise<() => number> {
  if (fixed !== undefined && fixed > 0) return () => fixed;
  let value = 1;
  let next = 0;
  const refresh = async (): Promise<void> => {
    const env = parseSettings([envSettings()]);
    let ts: number | undefined;
    try {
      const lease = await svc.kube.readLease(env.systemNamespace, LEADER_LEASE);
      const v = Number(lease.metadata?.annotations?.[TIME_SCALE_ANNOTATION]);
      if (v > 0) ts = v;
    } catch {
      // no operator running (yet): fall back to the settings
    }
    if (ts === undefined) {
      try {
        ts = parseSettings([await configMapSettings(svc.kube, env.systemNamespace), envSettings()]).timeScale;
      } catch {
        ts = env.timeScale;
      }
    }
    value = ts;
  };
  await refresh();
  next = wallNow() + 10_000;
  return () => {
    if (wallNow() >= next) {
      next = wallNow() + 10_000;
      void refresh();
    }
    return value;
  };
}

export async function startServe(o: StartServe): Promise<void> {
  const dir = o.tlsDir ?? tlsDir(o.kubeconfig);
  const tls = o.http ? undefined : ensureTls(dir);
  const identity = o.auth ? await Identity.load(dir) : undefined;
  const timeScale = await timeScaleSource(o.svc, o.timeScale);
  const web = o.console ? new WebConsole(o.svc, { log }) : undefined;
  const server = await serve({
    svc: o.svc,
    host: o.host,
    port: o.port,
    tls,
    identity,
    record: o.record,
    retryAfterSeconds: () => retryAfterSeconds(timeScale()),
    extra: web ? [web.handle] : undefined,
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const url = `${tls ? 'https' : 'http'}://${o.host}:${port}`;
  const lines = [`aksim ARM endpoint on ${url}`];
  if (tls) {
    lines.push(`  CA certificate: ${tls.caFile}`);
    lines.push(`  trust it:       export REQUESTS_CA_BUNDLE=${tls.caFile} NODE_EXTRA_CA_CERTS=${tls.caFile}`);
  }
  if (identity) {
    const p = identity.principal;
    lines.push(`  sign in:        tenant ${p.tenantId}, service principal ${p.clientId}, secret ${p.clientSecret}`);
    lines.push(`  authority:      ${url}/adfs (az, MSAL) or ${url}/${p.tenantId} (Azure SDKs: authorityHost ${url})`);
    lines.push(`  az:             aksim az-login --endpoint ${url}`);
  } else {
    lines.push('  no sign-in: ARM requests are answered without a token (--no-auth)');
  }
  if (web) {
    web.start();
    // The console answers only on loopback, whatever address the server binds.
    lines.push(`aksim console on ${web.url(url.replace(/\/\/(0\.0\.0\.0|\[::\]|::):/, '//127.0.0.1:'))}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  const stop = (): void => {
    web?.stop();
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * `aksim az-login`: registers the aksim endpoint as an az cloud (az reads the rest from its
 * /metadata/endpoints), makes it the active cloud and signs in as aksim's service principal.
 * Prints the one export the shell needs (so `eval "$(aksim az-login)"` works); progress to stderr.
 */
export async function azLogin(o: { endpoint: string; tlsDir?: string; cloud: string; kubeconfig?: string }): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  const { existsSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = o.tlsDir ?? tlsDir(o.kubeconfig);
  const principalFile = join(dir, 'principal.json');
  const caFile = join(dir, 'ca.crt');
  if (!existsSync(principalFile) || !existsSync(caFile))
    throw new Error(`no aksim sign-in material in ${dir}: start \`aksim serve\` first (it makes the CA and the service principal)`);
  const p = JSON.parse(readFileSync(principalFile, 'utf8')) as { tenantId: string; clientId: string; clientSecret: string };
  const endpoint = o.endpoint.replace(/\/+$/, '');
  const env = { ...process.env, REQUESTS_CA_BUNDLE: caFile };
  const az = (args: string[], quiet = false): { code: number; out: string } => {
    const r = spawnSync('az', args, { env, encoding: 'utf8' });
    if (r.error) throw new Error(`could not run az (is the Azure CLI installed?): ${r.error.message}`);
    if (!quiet && r.status !== 0) throw new Error(`az ${args.slice(0, 2).join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
    return { code: r.status ?? 1, out: r.stdout };
  };
  const known = az(['cloud', 'show', '-n', o.cloud, '-o', 'json'], true);
  if (known.code === 0) {
    const current = (JSON.parse(known.out) as { endpoints?: { resourceManager?: string } }).endpoints?.resourceManager?.replace(/\/+$/, '');
    if (current !== endpoint) {
      az(['cloud', 'set', '-n', 'AzureCloud'], true);
      az(['cloud', 'unregister', '-n', o.cloud]);
      az(['cloud', 'register', '-n', o.cloud, '--endpoint-resource-manager', `${endpoint}/`]);
    }
  } else {
    az(['cloud', 'register', '-n', o.cloud, '--endpoint-resource-manager', `${endpoint}/`]);
  }
  az(['cloud', 'set', '-n', o.cloud]);
  az(['login', '--service-principal', '-u', p.clientId, '-p', p.clientSecret, '--tenant', p.tenantId, '--output', 'none']);
  process.stderr.write(
    `Signed in to cloud '${o.cloud}' (${endpoint}) as service principal ${p.clientId}.\naz needs to trust aksim's CA in every shell:\n`,
  );
  process.stdout.write(`export REQUESTS_CA_BUNDLE=${caFile}\n`);
}
