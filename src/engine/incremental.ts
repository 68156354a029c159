/**
 * Incremental strategies, as data plus pure functions.
 *
 * - `clientSide`: the API has no time filter; the engine reads the list and keeps records whose cursor is
 *   at or after `cursor − lookback`. Lists in unknown (or newest-first) order must not move the cursor
 *   mid-pass: a checkpoint keeps the old cursor until the pass completes, then the pass's maximum is promoted.
 *   `stopWhenOlder` ends a pass once a whole page is older than the lower bound (activities).
 * - `serverWindows`: the API filters by `start_ts`/`end_ts`; the engine walks windows of at most
 *   `windowSeconds` in order, oldest first, and moves the cursor to each window's end once it is read.
 *
 * Cursor values are compared as unix seconds (numbers, numeric strings and ISO-8601 strings are accepted,
 * by one strict reader for state and records alike) and stored in state in the form the record carried them.
 */
import type { Config } from '../config.js';
import type { JsonObject } from '../protocol/messages.js';

export interface ClientSideStrategy {
  kind: 'client';
  cursorField: string;
  /** Keep per-partition cursors (e.g. per campaign) instead of one for the stream. */
  perPartition?: boolean;
  /** Seconds re-read before the saved cursor (or a function of the saved cursor, for calendar periods). */
  lookback?: number | ((cursorSeconds: number, config: Config) => number);
  /** Stop paging when a whole page is older than the lower bound (lists read newest first). */
  stopWhenOlder?: boolean;
  /** Whether start_date bounds the read (default true). False for lists of things (campaigns…), see entityCursor. */
  boundedByStartDate?: boolean;
}

export interface ServerWindowStrategy {
  kind: 'windows';
  cursorField: string;
  perPartition?: boolean;
  /** Longest window the API honours (it narrows longer ones silently). */
  windowSeconds: number;
  /** Seconds re-read before the saved cursor. */
  lookback?: (config: Config) => number;
  /** Where a first read starts when there is no state and no start_date (unix s). */
  defaultStart: (nowSeconds: number, partition: { parent?: JsonObject }) => number;
}

export type IncrementalStrategy = ClientSideStrategy | ServerWindowStrategy;

export const DAY = 86_400;

/** How far past the run's clock a cursor may be (clock skew between the API and this machine). */
export const FUTURE_CURSOR_TOLERANCE = DAY;

/** Cursor text this connector could have saved: unix seconds as digits, or an ISO-8601 date(-time). */
const CURSOR_TEXT = /^\s*(-?\d+(\.\d+)?|\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?)\s*$/;

export function clientSide(cursorField: string, options: Omit<ClientSideStrategy, 'kind' | 'cursorField'> = {}): ClientSideStrategy {
  return { kind: 'client', cursorField, ...options };
}

/**
 * A client-side cursor on a list of things (campaigns, segments, templates…) rather than of events: the cursor
 * only detects changes, and start_date never hides an object because it was last updated long ago.
 */
export function entityCursor(cursorField: string, options: Omit<ClientSideStrategy, 'kind' | 'cursorField' | 'boundedByStartDate'> = {}): ClientSideStrategy {
  return clientSide(cursorField, { ...options, boundedByStartDate: false });
}

export function serverWindows(
  cursorField: string,
  options: Omit<ServerWindowStrategy, 'kind' | 'cursorField'>,
): ServerWindowStrategy {
  return { kind: 'windows', cursorField, ...options };
}

/**
 * A cursor value as unix seconds, or undefined when it cannot be read as a time. Strict, for a saved state and a
 * record alike: a finite number, or text that is unix seconds or an ISO-8601 date(-time) (CURSOR_TEXT), in UTC unless
 * it says otherwise, whatever the machine's time zone. Date.parse
 * alone would take "page 1" or "March 7" for dates of 2001 and order them among real times.
 */
export function toSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !CURSOR_TEXT.test(value)) return undefined;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  // A date-time without an offset is UTC, as the API's are (Date.parse would read it in the machine's zone).
  const zoned = /[T ][\d:.]+$/.test(text) ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T');
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/**
 * One stream read's record cursor values that are there but cannot be read as a time (toSeconds). Such a record
 * is still printed (records are never lost for a bad timestamp), is never filtered out by the cursor, and never
 * becomes the cursor; the read says how many there were in one WARN (`warning`), not one per record.
 */
export class UnreadableCursors {
  private count = 0;
  private first: unknown;

  constructor(private readonly cursorField: string) {}

  /** The value as unix seconds (toSeconds); one that is present but unreadable is counted. */
  seconds(value: unknown): number | undefined {
    const seconds = toSeconds(value);
    if (seconds === undefined && value !== undefined && value !== null && this.count++ === 0) this.first = value;
    return seconds;
  }

  /** The WARN for the stream's read, or undefined when every value present could be read. */
  warning(stream: string): string | undefined {
    if (this.count === 0) return undefined;
    let shown: string;
    try {
      shown = (JSON.stringify(this.first) ?? String(this.first)).slice(0, 60);
    } catch {
      shown = '(unprintable)';
    }
    const records = this.count === 1 ? '1 record' : `${this.count} records`;
    return `${stream}: ${records} whose ${this.cursorField} is not a unix timestamp or an ISO-8601 date-time (the first: ${shown}) ${this.count === 1 ? 'was' : 'were'} emitted, but did not move the cursor`;
  }
}

/** The earliest cursor value a read keeps: saved cursor minus lookback, else start_date, else nothing. */
export function lowerBound(
  strategy: IncrementalStrategy,
  saved: unknown,
  config: Config,
): number | undefined {
  const savedSeconds = toSeconds(saved);
  const startDate = strategy.kind === 'client' && strategy.boundedByStartDate === false ? undefined : config.startDateSeconds;
  if (savedSeconds !== undefined) {
    const lookback =
      strategy.kind === 'client'
        ? typeof strategy.lookback === 'function'
          ? strategy.lookback(savedSeconds, config)
          : (strategy.lookback ?? 0)
        : (strategy.lookback?.(config) ?? 0);
    const bound = savedSeconds - lookback;
    return startDate !== undefined ? Math.max(bound, startDate) : bound;
  }
  return startDate;
}

/** The later of two cursor values (never moves a cursor backwards); keeps the original representation. */
export function laterCursor(a: unknown, b: unknown): unknown {
  const sa = toSeconds(a);
  const sb = toSeconds(b);
  if (sa === undefined) return sb === undefined ? a : b;
  if (sb === undefined) return a;
  return sb > sa ? b : a;
}

/** Windows [start, end) of at most `size` seconds covering [from, to), oldest first. */
export function timeWindows(from: number, to: number, size: number): Array<{ start: number; end: number }> {
  const windows: Array<{ start: number; end: number }> = [];
  if (!(size > 0)) throw new Error('window size must be positive');
  for (let start = Math.floor(from); start < to; start += size) {
    windows.push({ start, end: Math.min(start + size, Math.ceil(to)) });
  }
  return windows;
}

/**
 * Stream state helpers. A stream without partitions keeps `{ "<cursor>": value }`; a partitioned
 * one keeps `{ "partitions": { "<key>": { "<cursor>": value } } }`. Both may carry `ids` (delete tracking).
 * A partitioned state may also hold a stream-level `{ "<cursor>": value }`: where a partition without a cursor
 * of its own starts (a state carried over from a connector that kept one cursor for the whole stream).
 */
export function savedCursor(state: JsonObject | undefined, strategy: IncrementalStrategy, key: string): unknown {
  if (!state) return undefined;
  if (strategy.perPartition) {
    const partitions = state.partitions as Record<string, JsonObject> | undefined;
    return partitions?.[key]?.[strategy.cursorField] ?? state[strategy.cursorField];
  }
  return state[strategy.cursorField];
}

/**
 * Why a saved stream_state cannot be used with this strategy (empty when it can). Besides its shape: a cursor
 * must read as a time (toSeconds) and not be before 1970.
 *
 * A cursor in the future is usable (it reads nothing newer than it until then: Airbyte's abnormal-state
 * acceptance test expects exactly that, with no error); `futureCursors` names them so the read can warn.
 */
export function stateProblems(strategy: IncrementalStrategy | undefined, state: JsonObject): string[] {
  return cursorReport(strategy, state, Number.POSITIVE_INFINITY).problems;
}

/** Cursors of a usable state that lie in the future (`where (value)`): likely a mistake, or milliseconds for seconds. */
export function futureCursors(strategy: IncrementalStrategy | undefined, state: JsonObject, nowSeconds = Date.now() / 1000): string[] {
  return cursorReport(strategy, state, nowSeconds + FUTURE_CURSOR_TOLERANCE).future;
}

function cursorReport(strategy: IncrementalStrategy | undefined, state: JsonObject, futureAfter: number): { problems: string[]; future: string[] } {
  const problems: string[] = [];
  const future: string[] = [];
  if (!strategy) return { problems, future };
  const check = (value: unknown, where: string) => {
    if (value === undefined || value === null) return;
    const shown = JSON.stringify(value).slice(0, 60);
    const seconds = toSeconds(value);
    if (seconds === undefined) problems.push(`${where} must be a unix timestamp or an ISO-8601 date-time, not ${shown}`);
    else if (seconds < 0) problems.push(`${where} is before 1970 (${shown})`);
    else if (seconds > futureAfter) future.push(`${where} (${shown})`);
  };
  if (strategy.perPartition) {
    const partitions = state.partitions;
    // The stream-level cursor: where partitions without a cursor of their own start.
    if (state[strategy.cursorField] !== undefined) check(state[strategy.cursorField], strategy.cursorField);
    if (partitions === undefined) return { problems, future };
    if (partitions === null || typeof partitions !== 'object' || Array.isArray(partitions)) return { problems: ['"partitions" must be an object of per-partition cursors'], future };
    for (const [key, value] of Object.entries(partitions as JsonObject)) {
      if (value === null || typeof value !== 'object') problems.push(`partitions["${key}"] must be an object`);
      else check((value as JsonObject)[strategy.cursorField], `partitions["${key}"].${strategy.cursorField}`);
    }
  } else {
    check(state[strategy.cursorField], strategy.cursorField);
  }
  if (state.ids !== undefined && !Array.isArray(state.ids)) problems.push('"ids" must be a list');
  return { problems, future };
}
