/**
 * Incremental strategies, as data plus pure functions.
 *
 * - `clientSide`: the API has no time filter; the engine reads the list and keeps records whose cursor is
 *   at or after `cursor − lookback`. Lists in unknown (or newest-first) order must not move the cursor
 *   mid-pass: a checkpoint keeps the old cursor until the pass completes, then the pass's maximum is promoted.
 *   `stopWhenOlder` ends a pass once a whole page is older than the lower bound (activities). Lists of things
 *   edited in place (`entityCursor`) never promote a maximum later than the moment the pass began (passCeiling).
 * - `serverWindows`: the API filters by `start_ts`/`end_ts`; the engine walks windows of at most
 *   `windowSeconds` in order, oldest first, and moves the cursor to each window's end once it is read. Each
 *   request reaches a second before its window (requestWindow: the API's bounds may be exclusive). A recent
 *   lookback re-reads a short span on most reads and the full lookback only when due (readStart).
 *
 * Cursor values are compared as unix seconds (numbers, numeric strings and ISO-8601 strings are accepted,
 * by one strict reader for state and records alike) and stored in state in the form the record carried them.
 */
import { ownValue } from './own.js';
import type { Config } from '../config.js';
import type { JsonObject } from '../protocol/messages.js';
import { cursorLike, toSeconds } from './cursors.js';

export { AheadOfClock, laterCursor, toSeconds, UnreadableCursors } from './cursors.js';

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
  /**
   * The cursor is an edit time (`updated`) of things edited in place: a pass never saves a cursor later than the
   * moment it began, less PASS_START_MARGIN (passCeiling). Set by entityCursor.
   */
  heldAtPassStart?: boolean;
}

export interface ServerWindowStrategy {
  kind: 'windows';
  cursorField: string;
  perPartition?: boolean;
  /** Longest span a request may ask for (the API narrows longer ones silently); see requestWindow. */
  windowSeconds: number;
  /** Seconds re-read before the saved cursor (the full lookback). */
  lookback?: (config: Config) => number;
  /**
   * A shorter re-read for most reads (see readStart): `recentSeconds` before the saved cursor, and the full
   * `lookback` only once it is due again, every `fullEverySeconds` at most; state keeps when it was last read
   * whole (FULL_LOOKBACK_FIELD, beside the cursor).
   */
  recentLookback?: (config: Config) => { recentSeconds: number; fullEverySeconds: number };
  /** Where a first read starts when there is no state and no start_date (unix s). */
  defaultStart: (nowSeconds: number, partition: { parent?: JsonObject }) => number;
  /**
   * How far back the API serves (seconds before now): no window starts earlier, whatever start_date or a saved
   * cursor says, since the API answers older ranges with nothing, silently (servedFrom).
   */
  servedSeconds?: number;
}

/**
 * A cursor that is a place in an ordered log rather than a time (reporting_events: a receiver's journal). The source
 * reads "everything after the saved position", in order, so the cursor moves with every page. Positions of two logs
 * do not compare: the record field `scopeField` names the log (a store's id), kept beside the cursor; what a read
 * does when the log it finds is not the saved one is the source's business (it sees both). Never bounded by
 * start_date, no lookback, no future check: a position is not a time.
 */
export interface PositionStrategy {
  kind: 'position';
  cursorField: string;
  scopeField: string;
  perPartition: true;
}

export type IncrementalStrategy = ClientSideStrategy | ServerWindowStrategy | PositionStrategy;

export function positionCursor(cursorField: string, scopeField: string): PositionStrategy {
  return { kind: 'position', cursorField, scopeField, perPartition: true };
}

export const DAY = 86_400;

/**
 * How far past the run's clock a cursor may be (clock skew between the API and this machine). A record dated
 * further ahead — activity timestamps come from clients: a phone with a wrong clock, a backfill — is printed but
 * never moves the cursor (else the next reads would drop every real record older than it); a saved cursor further
 * ahead is read from all the same, with a WARN.
 */
export const FUTURE_CURSOR_TOLERANCE = 5 * 60;

export function clientSide(cursorField: string, options: Omit<ClientSideStrategy, 'kind' | 'cursorField'> = {}): ClientSideStrategy {
  return { kind: 'client', cursorField, ...options };
}

/**
 * A client-side cursor on a list of things (campaigns, segments, templates…) rather than of events: the cursor
 * only detects changes, start_date never hides an object because it was last updated long ago, and a pass's
 * cursor never passes the moment the pass began (heldAtPassStart, see passCeiling).
 */
export function entityCursor(cursorField: string, options: Omit<ClientSideStrategy, 'kind' | 'cursorField' | 'boundedByStartDate' | 'heldAtPassStart'> = {}): ClientSideStrategy {
  return clientSide(cursorField, { ...options, boundedByStartDate: false, heldAtPassStart: true });
}

/**
 * How far before the moment a pass began its cursor stays: 5 minutes. A pass over a list of things takes one page
 * after another, and a thing on an early page can be edited after its page was read: its new `updated` is later
 * than that page's answer, and it is listed with its old one. Were the pass to save the newest `updated` it saw — say
 * of a thing on a later page, edited later still — the next read would keep only what is newer than that, and the
 * first edit would be lost for good. A cursor no later than the pass's first answer keeps it: that edit is newer.
 * The margin covers what the `Date` header cannot see [inferred: the API documents none of it]: an edit's `updated`
 * set by one server and the answer dated by another (clock skew), an edit written before it is visible to a read (a
 * long transaction, a replica behind), a list gathered before its answer's header is dated (Date has whole seconds).
 * Airbyte's connector re-reads an hour of these lists for the same reason. The cost is a duplicate: a thing edited
 * in the 5 minutes before a pass is printed again by the next read (the lists are read whole either way).
 */
export const PASS_START_MARGIN = 5 * 60;

/**
 * The latest cursor a pass that began at `start` may save, unix seconds, on a whole minute (so that a cursor written
 * as text to the minute is no later either): the API's clock at its first answer (the `Date` header) less
 * PASS_START_MARGIN; without a header, this machine's clock when the first page was asked for, less the skew the
 * connector allows between the two clocks (FUTURE_CURSOR_TOLERANCE) as well.
 */
export function passCeiling(start: { requestedAt: number; answeredAt?: number }): number {
  const seconds = start.answeredAt !== undefined ? start.answeredAt / 1000 : start.requestedAt / 1000 - FUTURE_CURSOR_TOLERANCE;
  return Math.floor((seconds - PASS_START_MARGIN) / 60) * 60;
}

/**
 * The cursor a pass saves: its newest value, or the ceiling (in the newest value's own form) when the newest is later.
 * Values that are not times are left as they are (they never become the cursor, see cursorMayAdvance).
 */
export function heldCursor(newest: unknown, ceiling: number | undefined): unknown {
  const seconds = toSeconds(newest);
  if (ceiling === undefined || seconds === undefined || seconds <= ceiling) return newest;
  return cursorLike(newest, ceiling);
}

export function serverWindows(
  cursorField: string,
  options: Omit<ServerWindowStrategy, 'kind' | 'cursorField'>,
): ServerWindowStrategy {
  return { kind: 'windows', cursorField, ...options };
}

/** The earliest cursor value a read keeps: saved cursor minus lookback, else start_date, else nothing. */
export function lowerBound(
  strategy: IncrementalStrategy,
  saved: unknown,
  config: Config,
): number | undefined {
  if (strategy.kind === 'position') return undefined;
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

/** The state field, beside a partition's cursor, saying when its full lookback was last read whole (unix s). */
export const FULL_LOOKBACK_FIELD = 'full_lookback_read_at';

/** How a partition's incremental read begins (readStart). */
export interface ReadStart {
  /** The earliest cursor value the read keeps; undefined: everything. */
  since?: number;
  /**
   * What the read covers: `first` (no saved cursor: from start_date or the default start), `full` (the full lookback
   * before the cursor) or `recent` (a strategy's recent lookback only).
   */
  lookback: 'first' | 'full' | 'recent';
  /**
   * For a strategy with a recent lookback, when the read covers everything the full lookback would: the time to record
   * under FULL_LOOKBACK_FIELD once every window of the read is done (never before: a read stopped midway is no full re-read).
   */
  fullLookbackAt?: number;
  /** For a `recent` read: about how many seconds until the full lookback is due again. */
  fullDueIn?: number;
}

/**
 * Where a partition's incremental read starts. Without a recent lookback: lowerBound, the full lookback every read.
 * With one (deliveries: `messages_recent_lookback_hours`), only the recent lookback before the cursor, and the full one
 * when fullLookbackDue says so; the full one then reaches back from the earlier of the cursor and the last full
 * re-read, so a change made since that re-read to anything then within the lookback is read (reaching back at most
 * the longer of the lookback and the interval before the cursor, against a hand-edited time). A state without the
 * time (an older state, Airbyte's) is due at once.
 *
 * So a change to a record younger than the recent lookback is read by the next read; one to a record within the full
 * lookback by the next full re-read, at most `fullEverySeconds` later while reads come at a steady pace.
 */
export function readStart(
  strategy: IncrementalStrategy,
  saved: { cursor: unknown; fullLookbackAt?: unknown },
  config: Config,
  nowSeconds: number,
): ReadStart {
  const tiers = strategy.kind === 'windows' ? strategy.recentLookback?.(config) : undefined;
  const cursor = toSeconds(saved.cursor);
  const full = lowerBound(strategy, saved.cursor, config);
  if (cursor === undefined) return { since: full, lookback: 'first', fullLookbackAt: tiers && nowSeconds };
  if (!tiers || strategy.kind !== 'windows') return { since: full, lookback: 'full' };
  const lookback = strategy.lookback?.(config) ?? 0;
  const startDate = config.startDateSeconds;
  const bounded = (seconds: number) => (startDate !== undefined ? Math.max(seconds, startDate) : seconds);
  const last = toSeconds(saved.fullLookbackAt);
  if (tiers.recentSeconds >= lookback || fullLookbackDue(last, cursor, nowSeconds, tiers.fullEverySeconds)) {
    const reach = Math.max(lookback, tiers.fullEverySeconds);
    const from = last !== undefined && last <= nowSeconds + FUTURE_CURSOR_TOLERANCE ? Math.max(Math.min(cursor, last), cursor - reach) : cursor;
    return { since: bounded(from - lookback), lookback: 'full', fullLookbackAt: nowSeconds };
  }
  const gap = Math.max(0, nowSeconds - cursor);
  return { since: bounded(cursor - tiers.recentSeconds), lookback: 'recent', fullDueIn: Math.max(0, last! + tiers.fullEverySeconds - gap - nowSeconds) };
}

/**
 * Whether a read re-reads the full lookback: never read whole (no time saved, or one in the future), read whole
 * `everySeconds` ago or longer, or the next read, should it come after the same gap as this one came after the
 * previous (whose windows ended at the saved cursor), would find it older than that. So with reads at a steady pace
 * the full lookback is never older than `everySeconds` (hourly reads and 24 hours: every 24th read), and a daily
 * read with a daily interval is full every time, even when it starts a few seconds early.
 */
export function fullLookbackDue(last: number | undefined, cursor: number, nowSeconds: number, everySeconds: number): boolean {
  if (last === undefined || last > nowSeconds + FUTURE_CURSOR_TOLERANCE || everySeconds <= 0) return true;
  const since = nowSeconds - last;
  const gap = Math.max(0, nowSeconds - cursor);
  return since >= everySeconds || since + gap > everySeconds;
}

/**
 * Whether a record's cursor may become the pass's newest value: it must be a time, and not later than the run's
 * clock plus FUTURE_CURSOR_TOLERANCE. A record dated further ahead (clock skew, a timestamp a client set) is
 * still printed, but were it the cursor, the next read would skip everything until then.
 */
export function cursorMayAdvance(seconds: number | undefined, nowSeconds: number): seconds is number {
  return seconds !== undefined && seconds <= nowSeconds + FUTURE_CURSOR_TOLERANCE;
}

/** Whether a client-side read keeps a record: its cursor at or after the lower bound, or not a time at all (never lost for that). */
export function keptBy(seconds: number | undefined, since: number | undefined): boolean {
  return seconds === undefined || since === undefined || seconds >= since;
}

/**
 * Whether a client-side pass ends after a page (`stopWhenOlder`): a list read newest first whose whole page is
 * older than the lower bound has only older records after it. That order is an inference (the API documents
 * none), so the stop needs the pass to have shown it (`newestFirst`, see orderAfterPage): were the list oldest
 * first or unordered, stopping would lose every newer record after that page, silently.
 */
export function stopsAfterPage(strategy: ClientSideStrategy, page: { records: number; older: number }, newestFirst = true): boolean {
  return strategy.stopWhenOlder === true && newestFirst && page.records > 0 && page.older === page.records;
}

/**
 * What a pass has shown of its order so far: newest first while every cursor (that is a time) is no newer than the
 * one before it, across pages; `last` is the latest such cursor, `broken` the pair that broke the order.
 */
export interface PassOrder {
  newestFirst: boolean;
  last?: number;
  broken?: { before: number; after: number };
}

/** The pass's order after a page whose cursors, in the order listed, are `seconds`. Once broken, it stays broken. */
export function orderAfterPage(order: PassOrder, seconds: ReadonlyArray<number | undefined>): PassOrder {
  if (!order.newestFirst) return order;
  let last = order.last;
  for (const value of seconds) {
    if (value === undefined) continue;
    if (last !== undefined && value > last) return { newestFirst: false, last, broken: { before: last, after: value } };
    last = value;
  }
  return { newestFirst: true, last };
}

/**
 * The windows a server-windowed pass reads: from the lower bound (else start_date, else the strategy's default
 * start) up to the run's clock, oldest first. Needed for full refresh too: the API narrows long ranges.
 */
export function windowsToRead(
  strategy: ServerWindowStrategy,
  from: { since?: number; startDate?: number },
  nowSeconds: number,
  partition: { parent?: JsonObject },
): Array<{ start: number; end: number }> {
  const wanted = from.since ?? from.startDate ?? strategy.defaultStart(nowSeconds, partition);
  const served = servedFrom(strategy, nowSeconds);
  const start = served !== undefined ? Math.max(wanted, served) : wanted;
  // Each request asks from WINDOW_OVERLAP before its window (requestWindow): the asked span stays within windowSeconds.
  return timeWindows(start, nowSeconds, strategy.windowSeconds - WINDOW_OVERLAP);
}

/** The oldest time the API serves at `nowSeconds` (unix s), for a strategy that has such a limit. */
export function servedFrom(strategy: IncrementalStrategy, nowSeconds: number): number | undefined {
  return strategy.kind === 'windows' && strategy.servedSeconds !== undefined ? nowSeconds - strategy.servedSeconds : undefined;
}

/**
 * Seconds each window's request reaches back before the window. Whether the API's `start_ts`/`end_ts` include their
 * bounds is not documented [inferred: both inclusive, as the sandbox models it by default]. Were both exclusive, a
 * record created exactly on the edge two windows share (one's `end_ts`, the next one's `start_ts`) would come in
 * neither, and one at a read's first second would be lost too. Asking each window from `start − 1` makes the edges
 * overlap, so every reading returns every record of the window at least once: the edge record in the window that
 * ends there (inclusive end) or in the one that starts there (whose request starts a second before it).
 */
export const WINDOW_OVERLAP = 1;

/** The span a window's request asks for: the window, from WINDOW_OVERLAP seconds before its start. */
export function requestWindow(window: { start: number; end: number }): { start: number; end: number } {
  return { start: window.start - WINDOW_OVERLAP, end: window.end };
}

/**
 * Where a windowed pass's cursor stands: the end of the last window of the unbroken run of complete windows from
 * the oldest (windows are read concurrently; a resume must never skip one still in flight). Undefined: none yet.
 */
export function windowCursor(windows: ReadonlyArray<{ end: number }>, complete: readonly boolean[]): number | undefined {
  let through = 0;
  while (through < windows.length && complete[through]) through++;
  return through > 0 ? windows[through - 1].end : undefined;
}

/**
 * Whether a record a window's request returned is kept: its cursor within [start, end], both ends included, or not
 * a time at all. The request reaches a second further back (requestWindow); a record from that second belongs to
 * the window before, which returns it whatever the API's reading of its bounds. A record at `end` is kept here and
 * in the next window, whichever returns it (WindowEdges prints it once): safe under every reading of the bounds.
 */
export function inWindow(seconds: number | undefined, window: { start: number; end: number }): boolean {
  return seconds === undefined || (seconds >= window.start && seconds <= window.end);
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
 * `field` reads another time kept the same way beside the cursor (FULL_LOOKBACK_FIELD).
 */
export function savedCursor(state: JsonObject | undefined, strategy: IncrementalStrategy, key: string, field = strategy.cursorField): unknown {
  if (!state) return undefined;
  if (strategy.perPartition) {
    return ownValue(ownValue(state.partitions, key), field) ?? state[field];
  }
  return state[field];
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
export function futureCursors(strategy: IncrementalStrategy | undefined, state: JsonObject, nowSeconds: number): string[] {
  return cursorReport(strategy, state, nowSeconds + FUTURE_CURSOR_TOLERANCE).future;
}

/**
 * How deep a state may nest. The deepest this connector writes is 4 levels (partitions → key → cursor, the
 * delete memory's lists); copying and printing a state recurse, so a state nested thousands deep would end the
 * read in "Maximum call stack size exceeded" instead of saying what is wrong.
 */
export const MAX_STATE_DEPTH = 64;

/** Whether `value` nests objects or lists deeper than `max` levels (checked without recursion). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

function cursorReport(strategy: IncrementalStrategy | undefined, state: JsonObject, futureAfter: number): { problems: string[]; future: string[] } {
  const problems: string[] = [];
  const future: string[] = [];
  // First, and for every strategy: nothing below may walk a state this deep.
  if (nestedDeeperThan(state, MAX_STATE_DEPTH)) return { problems: [`it is nested more than ${MAX_STATE_DEPTH} levels deep (a state this connector writes has at most 4)`], future };
  if (!strategy) return { problems, future };
  const check = (value: unknown, where: string) => {
    if (value === undefined || value === null) return;
    const shown = JSON.stringify(value).slice(0, 60);
    if (strategy.kind === 'position') {
      if (!Number.isSafeInteger(value) || (value as number) < 0) problems.push(`${where} must be a position (a whole number of 0 or more), not ${shown}`);
      return;
    }
    const seconds = toSeconds(value);
    if (seconds === undefined) problems.push(`${where} must be a unix timestamp or an ISO-8601 date-time, not ${shown}`);
    else if (seconds < 0) problems.push(`${where} is before 1970 (${shown})`);
    else if (seconds > futureAfter) future.push(`${where} (${shown})`);
  };
  // When a windowed partition last read its full lookback: a time too, never a cursor (a future one just makes it due).
  const fullLookback = (value: unknown, where: string) => {
    if (strategy.kind !== 'windows' || value === undefined || value === null) return;
    const seconds = toSeconds(value);
    if (seconds === undefined || seconds < 0) problems.push(`${where} must be unix seconds, not ${JSON.stringify(value).slice(0, 60)}`);
  };
  if (strategy.perPartition) {
    const partitions = state.partitions;
    // The stream-level cursor: where partitions without a cursor of their own start.
    if (state[strategy.cursorField] !== undefined) check(state[strategy.cursorField], strategy.cursorField);
    fullLookback(state[FULL_LOOKBACK_FIELD], FULL_LOOKBACK_FIELD);
    if (partitions === undefined) return { problems, future };
    if (partitions === null || typeof partitions !== 'object' || Array.isArray(partitions)) return { problems: ['"partitions" must be an object of per-partition cursors'], future };
    for (const [key, value] of Object.entries(partitions as JsonObject)) {
      if (value === null || typeof value !== 'object') problems.push(`partitions["${key}"] must be an object`);
      else {
        check((value as JsonObject)[strategy.cursorField], `partitions["${key}"].${strategy.cursorField}`);
        const scope = strategy.kind === 'position' ? (value as JsonObject)[strategy.scopeField] : undefined;
        if (scope !== undefined && typeof scope !== 'string') problems.push(`partitions["${key}"].${(strategy as PositionStrategy).scopeField} must be text`);
        fullLookback((value as JsonObject)[FULL_LOOKBACK_FIELD], `partitions["${key}"].${FULL_LOOKBACK_FIELD}`);
      }
    }
  } else {
    check(state[strategy.cursorField], strategy.cursorField);
    fullLookback(state[FULL_LOOKBACK_FIELD], FULL_LOOKBACK_FIELD);
  }
  if (state.ids !== undefined && !Array.isArray(state.ids)) problems.push('"ids" must be a list');
  if (state.ids_cursor !== undefined && state.ids_cursor !== null && toSeconds(state.ids_cursor) === undefined) {
    problems.push(`"ids_cursor" must be a unix timestamp or an ISO-8601 date-time, not ${JSON.stringify(state.ids_cursor).slice(0, 60)}`);
  }
  return { problems, future };
}
