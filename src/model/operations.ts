// Long-running operations (SimOperation): their types, the provisioning states they show, the
// terminal states, deterministic ids and the percent rule. The controllers run them
// (controllers/operations/); the ARM layer and the CLI read them.
import { createHash } from 'node:crypto';

export type OpType = 'Create' | 'Update' | 'Scale' | 'Upgrade' | 'NodeImageUpgrade' | 'Delete' | 'Start' | 'Stop';
export type TargetKind = 'SimCluster' | 'SimNodePool';

/** Operations kept per target; older ones are deleted when a new one starts. */
export const MAX_OPERATIONS_PER_TARGET = 50;

/** Real ms an aborted operation stays Canceling before it is Canceled ("within seconds"). */
export const CANCEL_GRACE_MS = 1000;

/** provisioningState shown while an operation of each type runs. */
export const RUNNING_STATE: Record<OpType, string> = {
  Create: 'Creating',
  Update: 'Updating',
  Scale: 'Scaling',
  Upgrade: 'Upgrading',
  NodeImageUpgrade: 'UpgradingNodeImageVersion',
  Delete: 'Deleting',
  Start: 'Starting',
  Stop: 'Stopping',
};

/** How operations (and the provisioningState of their targets) end. */
export const TERMINAL_STATES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Canceled']);

export const isTerminal = (s?: string): boolean => s !== undefined && TERMINAL_STATES.has(s);

/** A GUID derived from the target and what it was asked: retries after a crash find the same operation. */
export function deterministicGuid(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('/')).digest('hex');
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export const opObjectName = (targetName: string, guid: string): string => `${targetName}-${guid.slice(0, 8)}`.toLowerCase();

/** Percent from real steps; 100 only when the operation has finished, and never going back. */
export function percentOf(done: number, total: number, finished: boolean, prevPercent = 0): number {
  if (finished) return 100;
  const p = total <= 0 ? 0 : Math.min(99, Math.floor((100 * Math.min(done, total)) / total));
  return Math.max(prevPercent, p);
}
