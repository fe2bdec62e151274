// `aksim rest` (az rest for the ARM surface, in-process), `aksim group` (resource groups are
// namespaces) and `aksim serve` (the same ARM surface over HTTP).
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { Command } from 'commander';
import { handle } from '../arm/router.js';
import '../aci/routes.js'; // registers the Microsoft.ContainerInstance routes
import { ArmError } from '../arm/errors.js';
import { isConflict, isNotFound } from '../runtime/kube-api.js';
import { action, print, service, withGlobals, type GlobalOpts } from './context.js';

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
  return withGlobals(new Command('rest').description('send an ARM request (management.azure.com URL or ARM path) to the simulated ARM layer'))
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
        const svc = service(o);
        // Resource group names are case-insensitive in Azure; namespaces are lowercase.
        const name = String(o.name).toLowerCase();
        try {
          await svc.kube.createNamespace({ metadata: { name, labels: { 'aksim.io/resource-group': 'true' }, annotations: { 'aksim.io/location': String(o.location) } } });
        } catch (err: unknown) {
          if (!isConflict(err)) throw err;
        }
        print({ id: `/subscriptions/${svc.subscriptionId}/resourceGroups/${name}`, location: o.location, name, properties: { provisioningState: 'Succeeded' }, type: 'Microsoft.Resources/resourceGroups' }, o);
      }),
    );
  withGlobals(g.command('delete').description('delete a resource group and everything in it'))
    .requiredOption('-n, --name <name>')
    .option('-y, --yes')
    .option('--no-wait')
    .action(
      action(async (o: Opts) => {
        try {
          const svc = service(o);
          const ns = String(o.name).toLowerCase();
          await svc.kube.readNamespace(ns);
          // Like az group delete: the resources go first (their finalizers need a live namespace).
          for (const kind of ['SimCluster', 'NGroup', 'ContainerGroupProfile', 'NodePoolSnapshot'] as const) {
            for (const obj of await svc.kube.list<{ metadata: { name: string } }>(kind, ns)) await svc.kube.delete(kind, ns, obj.metadata.name);
          }
          await svc.kube.deleteNamespace(ns);
        } catch (err: unknown) {
          if (isNotFound(err)) throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${o.name}' could not be found.`);
          throw err;
        }
      }),
    );
  return g;
}

export function accountCommand(): Command {
  const a = new Command('account').description('the simulated subscription (az account)');
  withGlobals(a.command('show').description('show the simulated subscription'))
    .action(
      action(async (o: Opts) => {
        const sub = service(o).subscriptionId;
        print({ environmentName: 'AzureCloud', id: sub, isDefault: true, name: 'aksim simulated subscription', state: 'Enabled', tenantId: sub, user: { name: 'aksim', type: 'user' } }, o);
      }),
    );
  return a;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the ARM REST surface on 127.0.0.1')
    .option('--port <port>', 'port', '8443')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster aksim runs on (default: KUBECONFIG)')
    .action(async (o: Opts) => {
      const { serve } = await import('../serve.js'); // pino and the HTTP server only here
      const server = await serve(service(o), String(o.host), Number(o.port));
      const addr = server.address();
      process.stdout.write(`aksim ARM endpoint on http://${o.host}:${typeof addr === 'object' && addr ? addr.port : o.port}\n`);
      const stop = (): void => {
        server.close();
        process.exit(0);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
