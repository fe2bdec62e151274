// Every invariant the chaos run checks, by name, with the checker that judges it from the log.
import type { Rec, Violation } from '../log.js';
import { gapWindows, inGap } from '../world.js';
import { checkBudgets, checkCordons } from './drain.js';
import { checkLeaderWrites } from './leader.js';
import { checkMachines, checkNodePerMachine, checkOrphans } from './machines.js';
import { checkNGroupBatches, checkNGroupCounts } from './ngroups.js';
import { checkOperationsSettled, checkOperationTransitions } from './operations.js';
import { checkRepairs } from './repair.js';

export interface Invariant {
  names: string[];
  what: string;
  check(log: Rec[]): Violation[];
  /**
   * Judged on the order of changes: a violation that falls in a gap of the record (a watch that
   * had to re-list after kube-apiserver restarted) is reported as unjudged, not as a violation.
   */
  ordered?: boolean;
}

export const INVARIANTS: Invariant[] = [
  {
    names: ['unique-machines', 'machine-count'],
    what: 'no two machines or Nodes per VMSS index; never more machines than count (+ maxSurge)',
    check: checkMachines,
    ordered: true,
  },
  { names: ['node-per-machine'], what: 'a Node exists only while its SimMachine does', check: checkNodePerMachine, ordered: true },
  {
    names: ['no-orphans'],
    what: 'no Node, SimMachine, pool, Pod, CG or operation without its owner once settled, nothing left after deletes',
    check: checkOrphans,
  },
  {
    names: ['single-running-operation', 'terminal-stays', 'history-limit'],
    what: 'one running operation per target, finished stays finished, at most 50 kept',
    check: checkOperationTransitions,
    ordered: true,
  },
  { names: ['operations-end', 'history-limit'], what: 'every operation ends Succeeded, Failed or Canceled', check: checkOperationsSettled },
  {
    names: ['repair-concurrency', 'repair-min-size', 'repair-events-once'],
    what: 'auto-repair: concurrency and minimum size respected, each step event exactly once per attempt',
    check: checkRepairs,
    ordered: true,
  },
  {
    names: ['pdb-respected'],
    what: 'no pod removed that a PodDisruptionBudget protected at that moment',
    check: checkBudgets,
    ordered: true,
  },
  {
    names: ['cordon-undone'],
    what: 'what autodrain cordoned is uncordoned once its scheduled event is canceled or done',
    check: checkCordons,
    ordered: true,
  },
  {
    names: ['ngroup-batch-size', 'ngroup-replace-1to1', 'ngroup-no-resume-after-cancel'],
    what: 'NGroup batches within maxBatchPercent and one zone/fault-domain pair, 1:1 replace, nothing after cancel',
    check: checkNGroupBatches,
    ordered: true,
  },
  { names: ['ngroup-desired-count'], what: 'NGroups back at their desired count once settled', check: checkNGroupCounts },
  { names: ['leader-only-writes'], what: 'no write from a replica after its leader lease ran out', check: checkLeaderWrites },
];

/** All invariant names, each once. */
export const INVARIANT_NAMES: string[] = [...new Set(INVARIANTS.flatMap((i) => i.names))];

export interface Judgement {
  violations: Violation[];
  /** What an ordered checker found inside a gap of the record: not judged either way. */
  unjudged: Violation[];
}

export function judge(log: Rec[]): Judgement {
  const gaps = gapWindows(log);
  const out: Judgement = { violations: [], unjudged: [] };
  for (const inv of INVARIANTS) {
    for (const v of inv.check(log)) (inv.ordered && inGap(v.t, gaps) ? out.unjudged : out.violations).push(v);
  }
  out.violations.sort((a, b) => a.t - b.t);
  return out;
}

export function checkAll(log: Rec[]): Violation[] {
  return judge(log).violations;
}
