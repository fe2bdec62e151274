// `aksim rest` (az rest for the ARM surface, in-process), `aksim group` (resource groups are
// namespaces) and `aksim serve` (the same ARM surface over HTTP).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATUS_CODES } from 'node:http';
import { Command } from 'commander';
import { handle } from '../arm/routes.js';
import { ArmError } from '../arm/errors.js';
import { deleteGroup, groupJson, putGroup, SUBSCRIPTION_NAME } from '../arm/groups.js';
import { Identity } from '../arm/identity.js';
import { tlsDir } from '../arm/tls.js';
import { action, print, service, serverService, withGlobals, type GlobalOpts } from './context.js';

type Opts = GlobalOpts & Record<string, unknown>;

function parseBody(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  const text = v.startsWith('@') ? readFileSync(v.slice(1), 'utf8') : v;
  try {
    return JSON.parse(text);
  } catch {
    throw new ArmError(400, 'InvalidRequestContent', 'the --body value is not valid JSON');
  }
}

export function restCommand(): Command {
  return withGlobals(
    new Command('rest').description('send an ARM request (management.azure.com URL or ARM path) to the simulated ARM layer'),
  )
    .requiredOption('-m, --method <method>', 'get, put, post, patch or delete', 'get')
    .requiredOption('-u, --url <url>', 'https://management.azure.com/... or /subscriptions/...')
    .option('-b, --body <json>', 'request body: JSON text or @file')
    .action(
      action(async (o: Opts) => {
        const r = await handle(service(o), { method: String(o.method), url: String(o.url), body: parseBody(o.body as string | undefined) });
        if (r.status >= 400) {
          process.stderr.write(`ERROR: ${STATUS_CODES[r.status] ?? r.status}(${JSON.stringify(r.body)})\n`);
          process.exitCode = 1;
          return;
        }
        if (r.body !== undefined) print(r.body, o);
      }),
    );
}

export function groupCommand(): Command {
  const g = new Command('group').description('resource groups (Kubernetes namespaces)');
  withGlobals(g.command('create').description('create a resource group'))
    .requiredOption('-n, --name <name>')
    .option('-l, --location <location>', 'region', 'eastus')
    .action(
      action(async (o: Opts) => {
        print((await putGroup(service(o), String(o.name), { location: String(o.location) })).body, o);
      }),
    );
  withGlobals(g.command('show').description('show a resource group'))
    .requiredOption('-n, --name <name>')
    .action(action(async (o: Opts) => print(groupJson(service(o).subscriptionId, await service(o).group(String(o.name))), o)));
  withGlobals(g.command('delete').description('delete a resource group and everything in it'))
    .requiredOption('-n, --name <name>')
    .option('-y, --yes')
    .option('--no-wait')
    .action(
      action(async (o: Opts) => {
        // Like az group delete: the resources go first (their finalizers need a live namespace).
        await deleteGroup(service(o), String(o.name));
      }),
    );
  return g;
}

export function accountCommand(): Command {
  const a = new Command('account').description('the simulated subscription (az account)');
  withGlobals(a.command('show').description('show the simulated subscription'))
    .option('--tls-dir <dir>', 'where `aksim serve` keeps its sign-in material (default: aksim-tls/ beside the kubeconfig)')
    .action(
      action(async (o: Opts) => {
        const sub = service(o).subscriptionId;
        const p = await principalIfAny(o.tlsDir as string | undefined, o.kubeconfig as string | undefined);
        print(
          {
            environmentName: 'aksim',
            id: sub,
            isDefault: true,
            name: SUBSCRIPTION_NAME,
            state: 'Enabled',
            tenantId: p?.tenantId ?? sub,
            user: { name: p?.clientId ?? 'aksim', type: p ? 'servicePrincipal' : 'user' },
          },
          o,
        );
      }),
    );
  withGlobals(
    a
      .command('get-access-token')
      .description("an ARM access token of aksim's service principal (as az account get-access-token), for curl and other HTTP clients"),
  )
    .option('--resource <uri>', 'the audience', 'https://management.core.windows.net/')
    .option('--tls-dir <dir>', 'where `aksim serve` keeps its sign-in material (default: aksim-tls/ beside the kubeconfig)')
    .action(
      action(async (o: Opts) => {
        const dir = (o.tlsDir as string | undefined) ?? tlsDir(o.kubeconfig as string | undefined);
        if (!existsSync(join(dir, 'principal.json')))
          throw new ArmError(
            400,
            'NoSignInMaterial',
            `no aksim sign-in material in ${dir}: start \`aksim serve\` first (it makes the service principal and the signing key)`,
          );
        const id = await Identity.load(dir);
        const accessToken = await id.issue(String(o.resource), 'https://127.0.0.1/adfs');
        const exp = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString('utf8')).exp as number;
        print(
          {
            accessToken,
            expiresOn: new Date(exp * 1000)
              .toISOString()
              .replace('T', ' ')
              .replace(/\.\d+Z$/, '.000000'),
            expires_on: exp,
            subscription: service(o).subscriptionId,
            tenant: id.principal.tenantId,
            tokenType: 'Bearer',
          },
          o,
        );
      }),
    );
  return a;
}

async function principalIfAny(
  dir: string | undefined,
  kubeconfig: string | undefined,
): Promise<{ tenantId: string; clientId: string } | undefined> {
  const file = join(dir ?? tlsDir(kubeconfig), 'principal.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { tenantId: string; clientId: string }) : undefined;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the ARM REST surface (and sign-in, IMDS) over HTTPS on 127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '8443')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--http', 'plain HTTP instead of HTTPS (Azure SDKs refuse to send tokens over it)')
    .option('--no-auth', 'answer ARM requests without a bearer token')
    .option(
      '--tls-dir <dir>',
      'where the local CA, server certificate and sign-in keys are kept (default: aksim-tls/ beside the kubeconfig)',
    )
    .option('--time-scale <n>', "the operator's timeScale, for Retry-After (default: what the running operator publishes)")
    .option('--kubeconfig <path>', 'kubeconfig of the cluster aksim runs on (default: KUBECONFIG)')
    .option('--record <file>', 'append every ARM request and response to this file as JSON lines (to see what a client got)')
    .option('--no-console', 'do not serve the web console under /console')
    .action(async (o: Opts) => {
      const { startServe } = await import('./serve.js'); // pino and the HTTP server only here
      await startServe({
        console: o.console !== false,
        record: o.record as string | undefined,
        svc: await serverService(o),
        host: String(o.host),
        port: Number(o.port),
        http: o.http === true,
        auth: o.auth !== false,
        tlsDir: o.tlsDir as string | undefined,
        timeScale: o.timeScale === undefined ? undefined : Number(o.timeScale),
        kubeconfig: o.kubeconfig as string | undefined,
      });
    });
}

export function azLoginCommand(): Command {
  return new Command('az-login')
    .description(
      'register aksim\'s endpoint as an az cloud and sign in (prints the REQUESTS_CA_BUNDLE export; use: eval "$(aksim az-login)")',
    )
    .option('--endpoint <url>', 'the `aksim serve` URL', 'https://127.0.0.1:8443')
    .option('--cloud-name <name>', 'name of the az cloud to register', 'aksim')
    .option('--tls-dir <dir>', 'where `aksim serve` keeps its CA and service principal (default: aksim-tls/ beside the kubeconfig)')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster aksim runs on (default: KUBECONFIG)')
    .action(
      action(async (o: Opts) => {
        const { azLogin } = await import('./serve.js');
        await azLogin({
          endpoint: String(o.endpoint),
          cloud: String(o.cloudName),
          tlsDir: o.tlsDir as string | undefined,
          kubeconfig: o.kubeconfig as string | undefined,
        });
      }),
    );
}
