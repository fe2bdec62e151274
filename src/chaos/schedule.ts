// Pure: the fault schedule of a chaos run. From the seed alone: for each scenario and round, which
// fault, how long after the round's action it strikes, and its parameters. Same seed, same
// schedule (the scenario's actions draw from their own stream).
import { Rng } from './random.js';

export const FAULT_KINDS = ['operator-kill', 'leader-kill', 'apiserver-restart', 'watch-cut', 'write-errors', 'clock-jump'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  /** Real ms after the round's action starts. */
  delayMs: number;
  /** operator-kill / leader-kill: real ms before each killed replica is started again (0-5 s). */
  restartAfterMs: number[];
  /** clock-jump: simulated ms the clock leaps forward. */
  jumpSimMs: number;
  /** write-errors: how long and at which share of writes. */
  burstMs: number;
  burstRate: number;
}

export interface ScheduleOptions {
  rounds: number;
  /** Real ms: the latest a fault strikes after the round's action starts. */
  maxDelayMs: number;
  kinds: readonly FaultKind[];
}

/**
 * The faults of one scenario: every kind in turn (a seeded order, reshuffled each cycle) so each
 * kind gets its share, and all parameters drawn from the scenario's own stream.
 */
export function planFaults(seed: number, scenario: string, o: ScheduleOptions): Fault[] {
  if (o.kinds.length === 0) return [];
  const rng = new Rng(seed, `faults/${scenario}`);
  const out: Fault[] = [];
  let cycle: FaultKind[] = [];
  for (let i = 0; i < o.rounds; i++) {
    if (cycle.length === 0) cycle = rng.shuffle(o.kinds);
    const kind = cycle.shift()!;
    out.push({
      kind,
      delayMs: rng.int(0, o.maxDelayMs),
      restartAfterMs: [rng.int(0, 5000), rng.int(0, 5000)],
      jumpSimMs: rng.int(1, 15) * 60_000,
      burstMs: rng.int(2000, 6000),
      burstRate: rng.int(20, 60) / 100,
    });
  }
  return out;
}

/** One line per fault, for the run's printout. */
export function describeFault(f: Fault, timeScale: number): string {
  switch (f.kind) {
    case 'operator-kill':
      return `SIGKILL both replicas, restart after ${f.restartAfterMs.map((ms) => (ms / 1000).toFixed(1)).join(' / ')} s`;
    case 'leader-kill':
      return `SIGKILL the leader, restart it after ${(f.restartAfterMs[0]! / 1000).toFixed(1)} s`;
    case 'apiserver-restart':
      return 'restart kube-apiserver';
    case 'watch-cut':
      return 'cut every watch connection of the operator';
    case 'write-errors':
      return `${Math.round(f.burstRate * 100)}% of writes answered 429/500/409 for ${(f.burstMs / 1000).toFixed(1)} s`;
    case 'clock-jump':
      return `simulation clock +${f.jumpSimMs / 60_000} min (${(f.jumpSimMs / timeScale / 1000).toFixed(1)} s real)`;
  }
}
