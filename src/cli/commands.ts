// The az-shaped top-level commands and which of them a command line needs, so that `aksim`
// loads only the modules of the command it runs (ADR 0005).
import type { Command } from 'commander';

/**
 * The az-shaped commands, each loaded only when the command line names it: a call compiles and
 * runs only the modules it needs (`aksim --version` none of them). Help and unknown commands
 * load them all, in this order.
 */
export const COMMANDS: [string, () => Promise<Command>][] = [
  ['aks', async () => (await import('./aks.js')).aksCommand()],
  ['group', async () => (await import('./misc.js')).groupCommand()],
  ['account', async () => (await import('./misc.js')).accountCommand()],
  ['rest', async () => (await import('./misc.js')).restCommand()],
  ['serve', async () => (await import('./misc.js')).serveCommand()],
  ['az-login', async () => (await import('./misc.js')).azLoginCommand()],
  ['sim', async () => (await import('./sim.js')).simCommand()],
];

/** The commands an argument list needs: the one it names (also after `help`), none for --version, else all. */
export function commandsFor(args: string[]): string[] {
  const first = args[0] === 'help' ? args[1] : args[0];
  if (COMMANDS.some(([name]) => name === first)) return [first!];
  if (first === 'operator' || first === 'chaos' || (args.length === 1 && (first === '--version' || first === '-V'))) return [];
  return COMMANDS.map(([name]) => name);
}
