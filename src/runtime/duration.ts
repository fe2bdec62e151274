// ISO 8601 durations (PT1M, PT30S, P1D) to milliseconds, through the iso8601-duration library.
import { parse, toSeconds } from 'iso8601-duration';

/** Parses an ISO 8601 duration into ms; throws an Error naming the bad value. */
export function durationMs(iso: string): number {
  try {
    return Math.round(toSeconds(parse(iso)) * 1000);
  } catch (err: unknown) {
    throw new Error(`invalid ISO 8601 duration ${JSON.stringify(iso)}`, { cause: err });
  }
}
