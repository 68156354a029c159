/**
 * Client-side filtering of one pass (a partition of a stream whose API has no time filter): which records of
 * each page are printed, whether the pass may end early, and the newest cursor value the pass has seen — which
 * the checkpoint promotes only once the pass is complete (the list's order is not to be trusted mid-pass).
 * The rules themselves are the strategy's pure functions (incremental.ts); this only keeps the pass's tally.
 */
import { cursorMayAdvance, keptBy, laterCursor, stopsAfterPage, toSeconds, type ClientSideStrategy } from './incremental.js';
import type { Record_ } from './types.js';

export interface ClientPassOptions {
  /** undefined for a full refresh: every record is kept, nothing is tallied */
  strategy: ClientSideStrategy | undefined;
  /** The earliest cursor value kept (lowerBound), when there is one. */
  since: number | undefined;
  /** The run's clock, unix seconds. */
  nowSeconds: () => number;
  /** Reads a cursor value as time (counting those that are not, see UnreadableCursors). */
  secondsOf?: (value: unknown) => number | undefined;
  /** Hears each cursor value too far ahead of the clock to become the cursor (see AheadOfClock). */
  ahead?: (value: unknown) => void;
}

export class ClientPass {
  private newest: unknown;
  private readonly secondsOf: (value: unknown) => number | undefined;

  constructor(private readonly options: ClientPassOptions) {
    this.secondsOf = options.secondsOf ?? toSeconds;
  }

  /** The records of a page to print, and whether the pass ends after it. */
  page(records: Record_[]): { kept: Record_[]; stop: boolean } {
    const { strategy, since } = this.options;
    if (!strategy) return { kept: records, stop: false };
    const kept: Record_[] = [];
    const now = this.options.nowSeconds();
    let older = 0;
    for (const record of records) {
      const value = record[strategy.cursorField];
      const seconds = this.secondsOf(value);
      if (cursorMayAdvance(seconds, now)) this.newest = laterCursor(this.newest, value);
      else if (seconds !== undefined) this.options.ahead?.(value);
      if (keptBy(seconds, since)) kept.push(record);
      else older++;
    }
    return { kept, stop: stopsAfterPage(strategy, { records: records.length, older }) };
  }

  /** The newest cursor value of the pass so far (in the form the record carried it), or undefined. */
  get maximum(): unknown {
    return this.newest;
  }
}
