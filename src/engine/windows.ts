/**
 * Window scheduling for streams the API filters by time (`serverWindows`): a partition's windows are read
 * concurrently, each its own chain of pages through the one limiter, and the cursor moves only past the oldest
 * windows that are all read in full (windowCursor), so a resume never skips a window still in flight. Each window's
 * request reaches a second before it (requestWindow) and a record on an edge is printed once (WindowEdges); how far
 * before the cursor each partition re-read is said once per stream (Lookbacks).
 */
import type { Config } from '../config.js';
import { isoSeconds } from '../clock.js';
import { forEachConcurrent } from './concurrency.js';
import { windowCursor, type IncrementalStrategy, type ReadStart } from './incremental.js';
import type { Record_ } from './types.js';

export type TimeWindow = { start: number; end: number };

/**
 * Reads every window with `readWindow` (at most `concurrency` at once) and calls `advance` with the cursor each
 * time a window completes the unbroken run of complete windows from the oldest.
 */
export async function readWindows(
  windows: TimeWindow[],
  concurrency: number,
  readWindow: (window: TimeWindow) => Promise<void>,
  advance: (cursor: number) => void,
): Promise<void> {
  const complete = windows.map(() => false);
  await forEachConcurrent(windows, concurrency, async (window, index) => {
    await readWindow(window);
    complete[index] = true;
    const cursor = windowCursor(windows, complete);
    if (cursor !== undefined) advance(cursor);
  });
}

/**
 * Records created exactly on an edge two windows share (one's end, the next one's start). Each window keeps them
 * (inWindow), since whether the API's bounds are inclusive is unknown; this remembers which edge records were
 * already printed, so one the API returns in both windows is printed once, whichever window comes first. Only
 * edge records are remembered: a handful per pass.
 */
export class WindowEdges {
  private readonly printed = new Set<string>();

  constructor(private readonly keyOf: (record: Record_) => string | undefined) {}

  /** Whether to print `record` from `window` (false: the same record was printed from the neighbouring window). */
  firstTime(record: Record_, seconds: number | undefined, window: TimeWindow): boolean {
    if (seconds !== window.start && seconds !== window.end) return true;
    const key = this.keyOf(record);
    if (key === undefined) return true;
    const edge = `${seconds} ${key}`;
    if (this.printed.has(edge)) return false;
    this.printed.add(edge);
    return true;
  }
}

/**
 * How the partitions of one windowed stream's read re-read before their cursors (readStart), said in one INFO line
 * when the stream has a recent lookback: how many read the full lookback, how many only the recent one, and when the
 * full one is next due. First reads (no cursor) are not counted.
 */
export class Lookbacks {
  private full = 0;
  private recent = 0;
  private nextDue?: number;

  constructor(private readonly spans: { lookbackSeconds: number; recentSeconds: number; fullEverySeconds: number }) {}

  /** The tally of a stream read with `strategy`, when it has a recent lookback. */
  static for(strategy: IncrementalStrategy, config: Config): Lookbacks | undefined {
    const tiers = strategy.kind === 'windows' ? strategy.recentLookback?.(config) : undefined;
    return tiers && strategy.kind === 'windows' ? new Lookbacks({ ...tiers, lookbackSeconds: strategy.lookback?.(config) ?? 0 }) : undefined;
  }

  note(start: ReadStart): void {
    if (start.lookback === 'full') this.full++;
    else if (start.lookback === 'recent') {
      this.recent++;
      this.nextDue = Math.min(this.nextDue ?? Number.POSITIVE_INFINITY, start.fullDueIn ?? 0);
    }
  }

  /** The INFO line, or undefined when no partition had a cursor to re-read before. */
  summary(stream: string): string | undefined {
    const { full, recent, spans } = this;
    if (full + recent === 0) return undefined;
    const whole = `the full lookback (${duration(spans.lookbackSeconds)} before the cursor)`;
    const partitions = (count: number) => `${count} partition${count === 1 ? '' : 's'}`;
    const parts: string[] = [];
    if (full) parts.push(`${whole} of ${partitions(full)}, due every ${duration(spans.fullEverySeconds)}`);
    if (recent) parts.push(`${duration(spans.recentSeconds)} before the cursor of ${full ? recent : partitions(recent)}`);
    const next = recent && this.nextDue !== undefined ? `; the full lookback of ${full ? 'the others' : 'these'} is next due in about ${duration(this.nextDue)}` : '';
    return `${stream}: re-read ${parts.join(', and ')}${next}`;
  }
}

/**
 * Partitions of one windowed stream whose saved cursor is older than the API still serves (servedFrom): the
 * records between that cursor and the oldest served time are gone from the API, and no read can fill the gap.
 * Said in one WARN per stream, with the oldest such cursor.
 */
export class BeyondServed {
  private count = 0;
  private oldest?: number;
  private servedFrom?: number;

  note(cursor: number | undefined, servedFrom: number | undefined): void {
    if (cursor === undefined || servedFrom === undefined || cursor >= servedFrom) return;
    this.count++;
    this.oldest = Math.min(this.oldest ?? cursor, cursor);
    this.servedFrom = servedFrom;
  }

  warning(stream: string, servedSeconds: number): string | undefined {
    if (!this.count || this.oldest === undefined || this.servedFrom === undefined) return undefined;
    const which = this.count === 1 ? 'the saved cursor' : `the saved cursors of ${this.count} partitions (the oldest)`;
    return (
      `${stream}: ${which} ${isoSeconds(this.oldest)} is older than the ${duration(servedSeconds)} the API serves: read from ${isoSeconds(this.servedFrom)}; ` +
      'what was created between the two can no longer be read (read more often than that to keep every record)'
    );
  }
}

/** A span for people: "30 days", "24 hours", "1.5 hours", "20 minutes". */
export function duration(seconds: number): string {
  const plural = (value: number, unit: string) => `${value} ${unit}${value === 1 ? '' : 's'}`;
  if (seconds >= 2 * 86_400 && seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds >= 3600) return plural(Math.round(seconds / 360) / 10, 'hour');
  return plural(Math.max(0, Math.round(seconds / 60)), 'minute');
}
