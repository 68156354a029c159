/**
 * Client-side filtering of one pass (a partition of a stream whose API has no time filter): which records of
 * each page are printed, whether the pass may end early, and the newest cursor value the pass has seen — which
 * the checkpoint promotes only once the pass is complete (the list's order is not to be trusted mid-pass).
 * The rules themselves are the strategy's pure functions (incremental.ts); this only keeps the pass's tally.
 */
import { cursorMayAdvance, keptBy, laterCursor, stopsAfterPage, toSeconds, type ClientSideStrategy } from './incremental.js';
import type { Record_ } from './types.js';

export class ClientPass {
  private newest: unknown;

  /**
   * @param strategy undefined for a full refresh: every record is kept, nothing is tallied
   * @param since the earliest cursor value kept (lowerBound), when there is one
   * @param nowSeconds the run's clock, unix seconds
   * @param secondsOf reads a cursor value as time (counting those that are not, see UnreadableCursors)
   */
  constructor(
    private readonly strategy: ClientSideStrategy | undefined,
    private readonly since: number | undefined,
    private readonly nowSeconds: () => number,
    private readonly secondsOf: (value: unknown) => number | undefined = toSeconds,
  ) {}

  /** The records of a page to print, and whether the pass ends after it. */
  page(records: Record_[]): { kept: Record_[]; stop: boolean } {
    const strategy = this.strategy;
    if (!strategy) return { kept: records, stop: false };
    const kept: Record_[] = [];
    const now = this.nowSeconds();
    let older = 0;
    for (const record of records) {
      const value = record[strategy.cursorField];
      const seconds = this.secondsOf(value);
      if (cursorMayAdvance(seconds, now)) this.newest = laterCursor(this.newest, value);
      if (keptBy(seconds, this.since)) kept.push(record);
      else older++;
    }
    return { kept, stop: stopsAfterPage(strategy, { records: records.length, older }) };
  }

  /** The newest cursor value of the pass so far (in the form the record carried it), or undefined. */
  get maximum(): unknown {
    return this.newest;
  }
}
