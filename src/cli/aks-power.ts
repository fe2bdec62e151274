// `aksim aks stop|start` and `aksim aks nodepool stop|start`: az's start/stop commands, flag for
// flag. A cluster's stop and start print nothing (as az); a pool's print the pool.
import type { Command } from 'commander';
import { azFlatten } from '../arm/shapes.js';
import type { ArmService, Target } from '../arm/service.js';
import { action, print, service, withGlobals, type GlobalOpts } from './context.js';
import { waitAccepted } from './wait.js';

type Opts = GlobalOpts & Record<string, unknown>;

/** Adds `stop` and `start` to `aksim aks`. */
export function addClusterPowerCommands(aks: Command): void {
  for (const [verb, code] of [
    ['stop', 'Stopped'],
    ['start', 'Running'],
  ] as const) {
    withGlobals(aks.command(verb).description(`${verb} a managed cluster: every VM of its agent pools ${verb}s`))
      .requiredOption('-g, --resource-group <rg>', 'resource group')
      .requiredOption('-n, --name <name>', 'name')
      .option('--no-wait', 'do not wait for the operation to finish')
      .action(
        action(async (o: Opts) => {
          const svc = service(o);
          const t: Target = { kind: 'SimCluster', rg: o.resourceGroup as string, cluster: o.name as string };
          const a = await svc.setClusterPower(t.rg, t.cluster, code);
          if (o.wait !== false) await waitAccepted(svc, t, a);
        }),
      );
  }
}

/** Adds `stop` and `start` to `aksim aks nodepool` (az: --nodepool-name; -n/--name works too). */
export function addPoolPowerCommands(np: Command): void {
  for (const [verb, code] of [
    ['stop', 'Stopped'],
    ['start', 'Running'],
  ] as const) {
    withGlobals(np.command(verb).description(`${verb} an agent pool: its VMs ${verb}`))
      .requiredOption('-g, --resource-group <rg>', 'resource group')
      .requiredOption('--cluster-name <cluster>', 'cluster name')
      .option('--nodepool-name <pool>', 'agent pool name')
      .option('-n, --name <pool>', 'agent pool name (same as --nodepool-name)')
      .option('--no-wait', 'do not wait for the operation to finish')
      .action(
        action(async (o: Opts) => {
          const pool = (o.nodepoolName ?? o.name) as string | undefined;
          if (!pool) throw new Error('the following arguments are required: --nodepool-name');
          const svc = service(o);
          const t: Target = { kind: 'SimNodePool', rg: o.resourceGroup as string, cluster: o.clusterName as string, pool };
          const a = await svc.putPool(t.rg, t.cluster, pool, { properties: { powerState: { code } } });
          if (o.wait === false) return;
          await waitAccepted(svc, t, a);
          print(await poolOut(svc, t), o);
        }),
      );
  }
}

async function poolOut(svc: ArmService, t: Extract<Target, { kind: 'SimNodePool' }>): Promise<Record<string, unknown>> {
  return azFlatten(await svc.getPool(t.rg, t.cluster, t.pool), t.rg);
}
