/**
 * The connector's one clock. Every time the connector decides by (cursors, windows, metrics buckets, the
 * emitted_at of what it prints) comes from one injected `() => unix ms`: the machine's, or — for tests only —
 * one set at the entry point from CIO_TEST_CLOCK, so a test can put the connector's "now" where the sandbox's
 * virtual clock stands (records an hour in the connector's future, say). Durations to wait (pacing, backoff,
 * Retry-After) are real time and stay on the machine's clock.
 */
import { configError } from './errors.js';
import { toSeconds } from './engine/cursors.js';

export type Clock = () => number;

export const machineClock: Clock = Date.now;

/** A unix time in seconds as ISO-8601 UTC to the second (`2026-12-08T03:00:00Z`), for messages people read. */
export const isoSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Waits `ms` of real time (pacing, backoff, polls): the default of every injectable `sleep`. */
export const machineSleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The clock CIO_TEST_CLOCK asks for: it starts at `value` (unix seconds or ISO-8601) and runs at the machine's
 * pace. Undefined when the variable is not set; a config_error when it is not a time.
 */
export function testClock(value: string | undefined, machine: Clock = machineClock): Clock | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = toSeconds(value);
  if (seconds === undefined) throw configError(`CIO_TEST_CLOCK must be unix seconds or an ISO-8601 date-time, not ${JSON.stringify(value.slice(0, 40))} (it is for tests: unset it)`);
  const offset = seconds * 1000 - machine();
  return () => machine() + offset;
}
