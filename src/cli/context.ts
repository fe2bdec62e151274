// What every CLI command needs: the ARM service on the kubeconfig's cluster, output, errors.
import { Command, Option } from 'commander';
import { ArmService } from '../arm/service.js';
import type { Kube } from '../runtime/client.js';
import { ArmError } from '../arm/errors.js';
import { envSettings, parseSettings } from '../config.js';
import { cliKube } from '../runtime/lite-client.js';
import { FORMATS, render, type Column } from './output.js';

export interface GlobalOpts {
  output?: string;
  query?: string;
  kubeconfig?: string;
  noWait?: boolean;
  wait?: boolean;
}

/** Adds the az global options to a command. */
export function withGlobals(cmd: Command): Command {
  return cmd
    .addOption(new Option('-o, --output <format>', 'output format').choices(FORMATS).default('json'))
    .option('--query <jmespath>', 'JMESPath query string, as in az')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster aksim runs on (default: KUBECONFIG)');
}

export function service(o: GlobalOpts): ArmService {
  return new ArmService(cliKube(o.kubeconfig), parseSettings([envSettings()]).subscriptionId);
}

/** The ARM service on client-node, for `aksim serve` (its web console watches, which the light client does not do). */
export async function serverService(o: GlobalOpts): Promise<ArmService<Kube>> {
  const { Kube } = await import('../runtime/client.js');
  return new ArmService(Kube.fromFile(o.kubeconfig ?? process.env.KUBECONFIG), parseSettings([envSettings()]).subscriptionId);
}

export function print(result: unknown, o: GlobalOpts, columns?: Column[]): void {
  const text = render(result, { output: o.output, query: o.query, columns });
  if (text) process.stdout.write(text + '\n');
}

/** Runs a command body; ARM errors print as az prints them and exit 1. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err: unknown) {
      if (err instanceof ArmError) {
        process.stderr.write(`ERROR: (${err.code}) ${err.message}\nCode: ${err.code}\nMessage: ${err.message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write(`ERROR: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  };
}
