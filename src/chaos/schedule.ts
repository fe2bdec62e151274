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
  /** Faults of the run before this scenario's (kinds run in one seeded sequence over the whole run). */
  offset?: number;
}

/**
 * Slots per kube-apiserver restart in the run's sequence: one restart in every block of this many
 * faults, at least half a block after the one before. client-go's watches (kube-controller-manager,
 * kube-scheduler) back off up to 30 s after each failure, with up to 100% jitter, and reset only
 * after 2 minutes without one: restarts closer than that keep the cluster's own controllers at their
 * longest backoff, and the run would time client-go rather than aksim (docs/reliability.md).
 */
export const RESTART_EVERY = 16;

/**
 * Real ms at least between two kube-apiserver restarts: the round whose fault is a restart waits
 * before its action until that long after the last one came back. client-go resets its backoff 2
 * minutes after the last failure, which comes some seconds after kube-apiserver answers again;
 * 180 s leaves a margin (docs/reliability.md).
 */
export const RESTART_SPACING_MS = 180_000;

/**
 * The run's sequence of fault kinds: the kinds other than `apiserver-restart` once per cycle, each
 * cycle in a seeded order; `apiserver-restart` once per block of RESTART_EVERY, at a seeded slot at
 * least RESTART_EVERY / 2 after the previous one, the first in the first half block. A short run
 * (RESTART_EVERY / 2 faults or more) still gets every kind.
 */
export function kindSequence(seed: number, kinds: readonly FaultKind[], length: number): FaultKind[] {
  const rng = new Rng(seed, 'kinds');
  const slots = new Rng(seed, 'kinds/restarts'); // its own stream: a longer run's sequence starts with a shorter one's
  const others = kinds.filter((k) => k !== 'apiserver-restart');
  const sparse = kinds.includes('apiserver-restart');
  if (others.length === 0) return Array.from({ length }, () => 'apiserver-restart');
  const rest: FaultKind[] = [];
  while (rest.length < length) rest.push(...rng.shuffle(others));
  if (!sparse) return rest.slice(0, length);
  const out: FaultKind[] = [];
  const half = Math.ceil(RESTART_EVERY / 2);
  let prev: number | undefined;
  let blockStart = 0;
  while (out.length < length) {
    // The first restart comes in the first half block, so every run of RESTART_EVERY / 2 faults
    // or more (the CI profile's 12) has one; each later one at least half a block after the last.
    const slot =
      prev === undefined ? slots.int(0, half - 1) : blockStart + slots.int(Math.max(0, prev + half - blockStart), RESTART_EVERY - 1);
    while (out.length < slot) out.push(rest.shift()!);
    out.push('apiserver-restart');
    prev = slot;
    blockStart += RESTART_EVERY;
    while (out.length < blockStart) out.push(rest.shift()!);
  }
  return out.slice(0, length);
}

/**
 * The faults of one scenario: its slice of the run's kind sequence (so even a short run gets every
 * kind), and all parameters drawn from the scenario's own stream.
 */
export function planFaults(seed: number, scenario: string, o: ScheduleOptions): Fault[] {
  if (o.kinds.length === 0) return [];
  const rng = new Rng(seed, `faults/${scenario}`);
  const offset = o.offset ?? 0;
  const seq = kindSequence(seed, o.kinds, offset + o.rounds).slice(offset);
  const out: Fault[] = [];
  for (let i = 0; i < o.rounds; i++) {
    const kind = seq[i]!;
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

/**
 * Real ms to wait before a round's action so that its kube-apiserver restart (delayMs after the
 * action starts) strikes at least spacingMs after the last one ended.
 */
export function restartWait(lastEnd: number, now: number, delayMs: number, spacingMs: number): number {
  return Math.max(0, lastEnd + spacingMs - (now + delayMs));
}
