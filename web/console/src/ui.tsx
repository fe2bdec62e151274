// Small shared pieces: badges, progress bars, times, and buttons that run an action and show its result.
import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { errorText } from './api.ts';

export function Badge({ value, kind }: { value: string; kind?: string }) {
  return <span class={`badge b-${(kind ?? value).replace(/[^A-Za-z]/g, '')}`}>{value}</span>;
}

export function Progress({ percent, label, status }: { percent: number; label?: string; status?: string }) {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div
      class={`progress ${status ? `p-${status}` : ''}`}
      role="progressbar"
      aria-valuenow={p}
      aria-valuemin={0}
      aria-valuemax={100}
      data-percent={p}
    >
      <div class="fill" style={{ width: `${p}%` }} />
      <span class="plabel">{label ?? `${p}%`}</span>
    </div>
  );
}

export const clock = (iso?: string): string => (iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '');

export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export type Outcome = { ok: boolean; text: string } | undefined;

/** Runs an action; while it runs the caller's buttons are disabled; the outcome line says what happened. */
export function useRunner(): { busy: boolean; outcome: Outcome; run: (what: string, fn: () => Promise<unknown>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const run = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setOutcome(undefined);
    try {
      await fn();
      setOutcome({ ok: true, text: what });
    } catch (err: unknown) {
      setOutcome({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return { busy, outcome, run };
}

export function OutcomeLine({ outcome, testid }: { outcome: Outcome; testid: string }) {
  if (!outcome) return null;
  return (
    <div class={outcome.ok ? 'outcome ok' : 'outcome error'} role={outcome.ok ? 'status' : 'alert'} data-testid={testid}>
      {outcome.ok ? '' : 'Error: '}
      {outcome.text}
    </div>
  );
}

export function Panel({
  title,
  children,
  id,
  extra,
}: {
  title: string;
  children: ComponentChildren;
  id?: string;
  extra?: ComponentChildren;
}) {
  return (
    <section class="panel" id={id}>
      <h2>
        {title}
        {extra}
      </h2>
      {children}
    </section>
  );
}
