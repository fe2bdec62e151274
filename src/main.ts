// The `aksim` command: the operator, and (later) the az-shaped CLI and the ARM REST server.
import { Command } from 'commander';
import { COMMANDS, commandsFor } from './cli/commands.js';

const program = new Command();
program.name('aksim').description('Simulated Azure AKS and ACI NGroups on a real Kubernetes API server').version('0.1.0');

program
  .command('operator')
  .description('run the operator against the cluster in --kubeconfig (or KUBECONFIG)')
  .option('--kubeconfig <path>', 'kubeconfig file', process.env.KUBECONFIG)
  .option('--time-scale <n>', 'simulated seconds per real second (e.g. 60)')
  .option('--subscription-id <guid>', 'simulated subscription id')
  .option('--system-namespace <ns>', 'namespace of the leader Lease and the aksim-config ConfigMap')
  .option('--metrics-port <port>', 'port of /metrics, /healthz and /readyz on 127.0.0.1')
  .option('--metrics-host <host>', 'address of the metrics server')
  .option('--no-leader-election', 'run without a leader Lease (one process only)')
  .option('--lease-seconds <n>', 'leader Lease duration in seconds')
  .option('--workers <n>', 'concurrent reconciles per controller')
  .action(async (o: Record<string, string | boolean | undefined>) => {
    const { runOperator } = await import('./operator.js'); // client-node: loaded by the operator only
    await runOperator({
      kubeconfig: o.kubeconfig as string | undefined,
      flags: {
        timeScale: o.timeScale as string | undefined,
        subscriptionId: o.subscriptionId as string | undefined,
        systemNamespace: o.systemNamespace as string | undefined,
        metricsPort: o.metricsPort as string | undefined,
        metricsHost: o.metricsHost as string | undefined,
        leaderElection: o.leaderElection === false ? false : undefined,
        leaseSeconds: o.leaseSeconds as string | undefined,
        workers: o.workers as string | undefined,
      },
    });
  });

const wanted = commandsFor(process.argv.slice(2));
for (const [name, load] of COMMANDS) if (wanted.includes(name)) program.addCommand(await load());
// az exits 2 on argument errors.
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
for (const c of program.commands) c.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`aksim: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
