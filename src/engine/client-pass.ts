/**
 * Client-side filtering of one pass (a partition of a stream whose API has no time filter): which records of
 * each page are printed, whether the pass may end early (only while its pages have come newest first), and the
 * newest cursor value the pass has seen — which
 * the checkpoint promotes only once the pass is complete (the list's order is not to be trusted mid-pass), and for
 * things edited in place (heldAtPassStart) no later than the moment the pass began (passCeiling).
 * The rules themselves are the strategy's pure functions (incremental.ts); this only keeps the pass's tally.
 */
import { cursorMayAdvance, heldCursor, keptBy, laterCursor, orderAfterPage, passCeiling, stopsAfterPage, toSeconds, type ClientSideStrategy, type PassOrder } from './incremental.js';
import type { PageTime } from './pages.js';
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
  /**
   * Hears each cursor value of a printed record too far ahead of the clock to become the cursor (see AheadOfClock),
   * with the API's clock when its answer was dated (`answeredAt`, unix ms: see ClockSkew).
   */
  ahead?: (value: unknown, seconds: number, answeredAt: number | undefined) => void;
  /** Hears, once, that a pass that may stop early was not listed newest first (it is then read to its end). */
  disorder?: (broken: { before: number; after: number }) => void;
  /**
   * Records kept whatever their cursor: those no destination was given yet (DeleteTracker.isNew: a read before skipped
   * them, or they were added while it ran, with a cursor now older than the saved one).
   */
  alsoKeep?: (record: Record_) => boolean;
}

export class ClientPass {
  private newest: unknown;
  private order: PassOrder = { newestFirst: true };
  /** The latest cursor the pass may save (heldAtPassStart), from its first page's time. */
  private ceiling: number | undefined;
  private begun = false;
  private readonly secondsOf: (value: unknown) => number | undefined;

  constructor(private readonly options: ClientPassOptions) {
    this.secondsOf = options.secondsOf ?? toSeconds;
  }

  /** The records of a page to print, and whether the pass ends after it. `time`: when the page was asked for and answered. */
  page(records: Record_[], time?: PageTime): { kept: Record_[]; stop: boolean } {
    const { strategy, since } = this.options;
    if (!strategy) return { kept: records, stop: false };
    if (!this.begun) {
      this.begun = true;
      // The first page is the earliest the pass listed anything: the moment it began.
      if (strategy.heldAtPassStart) this.ceiling = passCeiling(time ?? { requestedAt: this.options.nowSeconds() * 1000 });
    }
    const kept: Record_[] = [];
    const now = this.options.nowSeconds();
    let older = 0;
    const times: Array<number | undefined> = [];
    for (const record of records) {
      const value = record[strategy.cursorField];
      const seconds = this.secondsOf(value);
      times.push(seconds);
      const keep = keptBy(seconds, since);
      if (cursorMayAdvance(seconds, now)) this.newest = laterCursor(this.newest, value);
      // Only records that are printed are told of ("… were emitted"): one older than `since` is dropped here.
      else if (seconds !== undefined && keep) this.options.ahead?.(value, seconds, time?.answeredAt);
      if (keep || this.options.alsoKeep?.(record)) kept.push(record);
      else older++;
    }
    if (strategy.stopWhenOlder) {
      const before = this.order;
      this.order = orderAfterPage(before, times);
      if (before.newestFirst && this.order.broken) this.options.disorder?.(this.order.broken);
    }
    return { kept, stop: stopsAfterPage(strategy, { records: records.length, older }, this.order.newestFirst) };
  }

  /**
   * The cursor the pass may save: its newest cursor value so far (in the form the record carried it), held at the
   * pass's start for things edited in place; undefined when it saw none.
   */
  get maximum(): unknown {
    return heldCursor(this.newest, this.ceiling);
  }
}
