// Actions from the page: POST /console/api/actions/<name>; errors come back as ARM error bodies.
import type { ActionName } from '../../../src/console/records.ts';

export class ActionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function act(name: ActionName, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`/console/api/actions/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const out = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } } & Record<string, unknown>;
  if (!res.ok) throw new ActionError(out.error?.code ?? String(res.status), out.error?.message ?? `HTTP ${res.status}`);
  return out;
}

/** A result line as the CLI prints errors: "(Code) message". */
export function errorText(err: unknown): string {
  if (err instanceof ActionError) return `(${err.code}) ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
