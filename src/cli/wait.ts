// Waits on a long-running operation the way az does: a progress line on stderr, then the result.
import { realSleep } from '../runtime/clock.js';
import { ArmError } from '../arm/errors.js';
import { throughTransient } from '../arm/retry.js';
import type { Accepted, ArmService, Target } from '../arm/service.js';
import { TERMINAL_STATES } from '../model/operations.js';

/** Polls the operation until it ends; throws an ArmError when it failed or was canceled. */
export async function waitOperation(
  svc: ArmService,
  t: Target,
  operationId: string | undefined,
  opts: { intervalMs?: number; quiet?: boolean } = {},
): Promise<Record<string, unknown>> {
  const id = operationId ?? 'latest';
  return pollUntilEnd(() => svc.getOperation(t, id), opts);
}

/**
 * Waits on an accepted write: on its operation when the operator had started it by the time the
 * write was answered, else on the write's own status (as az polls Azure-AsyncOperation: the
 * operation for the generation it asked for), never on an earlier operation of the resource.
 */
export async function waitAccepted(
  svc: ArmService,
  t: Target,
  a: Pick<Accepted, 'operationId' | 'lro'>,
  opts: { intervalMs?: number; quiet?: boolean } = {},
): Promise<Record<string, unknown>> {
  const lro = a.lro;
  if (a.operationId || !lro) return waitOperation(svc, t, a.operationId, opts);
  return pollUntilEnd(async () => ({ ...(await svc.asyncStatus(lro.token, 'pending', '')) }), opts);
}

/** Shows progress on stderr until `next` answers a terminal status; throws an ArmError unless it Succeeded. */
async function pollUntilEnd(
  next: () => Promise<Record<string, unknown>>,
  opts: { intervalMs?: number; quiet?: boolean },
): Promise<Record<string, unknown>> {
  const tty = process.stderr.isTTY;
  let last = '';
  for (;;) {
    const op = await throughTransient(next, opts.intervalMs);
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
        throw new ArmError(
          status === 'Canceled' ? 409 : 500,
          e.code ?? (status === 'Canceled' ? 'OperationCanceled' : 'OperationFailed'),
          e.message ?? `The operation ${op.name} ended ${status}.`,
        );
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
      await throughTransient(check, intervalMs);
    } catch (err: unknown) {
      if (err instanceof ArmError && err.status === 404) return;
      throw err;
    }
    await realSleep(intervalMs);
  }
}
