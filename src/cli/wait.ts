// Waits on a long-running operation the way az does: a progress line on stderr, then the result.
import { realSleep } from '../runtime/clock.js';
import { ArmError } from '../arm/errors.js';
import type { ArmService, Target } from '../arm/service.js';
import { TERMINAL_STATES } from '../model/operations.js';

/** Polls the operation until it ends; throws an ArmError when it failed or was canceled. */
export async function waitOperation(svc: ArmService, t: Target, operationId: string | undefined, opts: { intervalMs?: number; quiet?: boolean } = {}): Promise<Record<string, unknown>> {
  const id = operationId ?? 'latest';
  const tty = process.stderr.isTTY;
  let last = '';
  for (;;) {
    const op = await svc.getOperation(t, id);
    const status = String(op.status);
    const pct = Number(op.percentComplete ?? 0);
    const line = `${status === 'InProgress' ? 'Running' : status} .. ${pct}%`;
    if (!opts.quiet && line !== last) {
      process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
      last = line;
    }
    if (TERMINAL_STATES.has(status)) {
      if (!opts.quiet && tty) process.stderr.write('\n');
      if (status !== 'Succeeded') {
        const e = (op.error ?? {}) as { code?: string; message?: string };
        throw new ArmError(status === 'Canceled' ? 409 : 500, e.code ?? (status === 'Canceled' ? 'OperationCanceled' : 'OperationFailed'), e.message ?? `The operation ${op.name} ended ${status}.`);
      }
      return op;
    }
    await realSleep(opts.intervalMs ?? 500);
  }
}

/** Waits until a deleted resource is gone. */
export async function waitGone(check: () => Promise<unknown>, intervalMs = 500): Promise<void> {
  for (;;) {
    try {
      await check();
    } catch (err: unknown) {
      if (err instanceof ArmError && err.status === 404) return;
      throw err;
    }
    await realSleep(intervalMs);
  }
}
