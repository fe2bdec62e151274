// Reads that go on through a moment without the API server, as Azure clients' retry policy does
// (az and the SDKs retry connection errors, 408, 429 and 5xx answers with back-off): a wait must
// not fail, nor a client send its write again, because kube-apiserver restarted.
import { realSleep, wallNow } from '../runtime/clock.js';
import { isTransient } from '../runtime/kube-api.js';
import { ArmError } from './errors.js';

/** How long reads go on through transient errors in a row (az's retry policy: 10 tries, back-off up to 2 min). */
export const TRANSIENT_RETRY_MS = 60_000;

/** `next()`, tried again while it fails with a transient error, for up to `forMs` from the first failure. */
export async function throughTransient<T>(next: () => Promise<T>, intervalMs = 500, forMs = TRANSIENT_RETRY_MS): Promise<T> {
  let failingSince: number | undefined;
  for (;;) {
    try {
      return await next();
    } catch (err: unknown) {
      const transient = isTransient(err) || (err instanceof ArmError && (err.status === 429 || err.status >= 500));
      failingSince ??= wallNow();
      if (!transient || wallNow() - failingSince > forMs) throw err;
      await realSleep(intervalMs);
    }
  }
}
