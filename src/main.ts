// The `aksim` command: the operator, and (later) the az-shaped CLI and the ARM REST server.
import { Command, Option } from 'commander';
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
  // Debug only, for the chaos run (docs/reliability.md): not listed in --help.
  .addOption(new Option('--debug-clock', 'serve POST /debug/clock?jumpMs=N on the metrics address').hideHelp())
  .addOption(new Option('--debug-clock-offset-ms <ms>', 'start the simulation clock this far ahead').hideHelp())
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
        debugClock: o.debugClock as boolean | undefined,
        debugClockOffsetMs: o.debugClockOffsetMs as string | undefined,
      },
    });
  });

const wanted = commandsFor(process.argv.slice(2));
for (const [name, load] of COMMANDS) if (wanted.includes(name)) program.addCommand(await load());
// Loaded only when asked for: the chaos harness (and fast-check) stay out of every other command's start.
program
  .command('chaos')
  .description('seeded chaos run against the cluster in KUBECONFIG (aksim chaos --help for its options)')
  .helpOption(false)
  .allowUnknownOption()
  .allowExcessArguments()
  .action(async () => {
    const { chaosCommand } = await import('./chaos/command.js');
    const c = chaosCommand();
    c.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
    for (const sub of c.commands) sub.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
    await c.parseAsync(process.argv.slice(process.argv.indexOf('chaos') + 1), { from: 'user' });
  });
// az exits 2 on argument errors.
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
for (const c of program.commands) c.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`aksim: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
