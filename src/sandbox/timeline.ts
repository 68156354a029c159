/**
 * Time-indexed streams without materialising them. Record k of a stream happens at
 * `origin + floor((k + 1) * span / count)`: `count` records in the `span` before the start clock, and
 * the same rate after it. The inverse functions turn a time window into an index range, so a page is
 * found by arithmetic whatever the size (a million activities cost nothing until they are read).
 */

export const DAY = 86_400;
export const THIRTY_DAYS = 30 * DAY;

export interface IndexRange {
  first: number;
  /** Inclusive; last < first means empty. */
  last: number;
}

export class Timeline {
  private readonly origin: number;

  /**
   * @param count records in the span that ends at `start`
   * @param start the start clock (unix seconds)
   * @param retention when set, records older than this many seconds are no longer served
   */
  constructor(
    readonly count: number,
    start: number,
    readonly retention?: number,
    readonly span: number = THIRTY_DAYS,
  ) {
    this.origin = start - span;
  }

  /** The timestamp of record k. Non-decreasing in k. */
  at(k: number): number {
    return this.origin + Math.floor(((k + 1) * this.span) / this.count);
  }

  /** The largest k with at(k) <= t (-1 when none). */
  lastAtOrBefore(t: number): number {
    if (this.count <= 0) return -1;
    const d = t - this.origin;
    return Math.max(-1, Math.floor(((d + 1) * this.count - 1) / this.span) - 1);
  }

  /** The smallest k >= 0 with at(k) >= t. */
  firstAtOrAfter(t: number): number {
    if (this.count <= 0) return 0;
    const d = t - this.origin;
    return Math.max(0, Math.ceil((d * this.count) / this.span) - 1);
  }

  /** Records served at `now`, optionally within [from, to] (both inclusive). */
  range(now: number, from?: number, to?: number): IndexRange {
    if (this.count <= 0) return { first: 0, last: -1 };
    let first = this.retention === undefined ? 0 : this.firstAtOrAfter(now - this.retention + 1);
    let last = this.lastAtOrBefore(now);
    if (from !== undefined) first = Math.max(first, this.firstAtOrAfter(from));
    if (to !== undefined) last = Math.min(last, this.lastAtOrBefore(to));
    return { first, last };
  }
}

/**
 * The API narrows a `start_ts`/`end_ts` window longer than 30 days to its last 30 days
 * (README: messages and transactional deliveries). Without `start_ts` nothing is narrowed.
 */
export function narrowWindow(now: number, startTs?: number, endTs?: number): { from?: number; to?: number } {
  if (startTs === undefined) return { to: endTs };
  const to = endTs ?? now;
  return { from: Math.max(startTs, to - THIRTY_DAYS), to: endTs };
}

export interface ScanPage<T> {
  items: T[];
  /** Position to continue from, or null when the scan reached the end before the page filled. */
  nextOffset: number | null;
}

/**
 * Walk a range newest first from position `offset`, keeping records that pass `accept`. A full page
 * always carries a next offset, even when nothing follows: the next call then answers an empty page
 * with `next: ""`, like the real API does.
 */
export function scanNewest<T>(range: IndexRange, offset: number, limit: number, accept: (k: number) => boolean, build: (k: number) => T): ScanPage<T> {
  const items: T[] = [];
  let k = range.last - offset;
  while (k >= range.first && items.length < limit) {
    if (accept(k)) items.push(build(k));
    k--;
  }
  return { items, nextOffset: items.length === limit ? range.last - k : null };
}

/** Which record (index k of a range) sits at position p of a listing, for each order a listing may have. */
export type ListingOrder = (range: IndexRange, position: number) => number;

export const newestFirst: ListingOrder = (range, p) => range.last - p;
export const oldestFirst: ListingOrder = (range, p) => range.first + p;

/**
 * A fixed shuffle of the range: position p ↦ first + (a·p + b) mod n with `a` coprime to n (a permutation,
 * computed by arithmetic, so a million records cost nothing). Pages hold old and new records mixed.
 */
export function shuffled(seed: number): ListingOrder {
  return (range, p) => {
    const n = range.last - range.first + 1;
    let a = (Math.abs(seed * 2654435761) % n) | 1;
    while (gcd(a, n) !== 1) a += 2;
    return range.first + ((a * p + (seed % n)) % n);
  };
}

function gcd(x: number, y: number): number {
  while (y) [x, y] = [y, x % y];
  return x;
}

/** Walk a range in `order` from position `offset`, like scanNewest (which is this walk, newest first). */
export function scanOrdered<T>(range: IndexRange, order: ListingOrder, offset: number, limit: number, accept: (k: number) => boolean, build: (k: number) => T): ScanPage<T> {
  const items: T[] = [];
  const n = range.last - range.first + 1;
  let p = offset;
  while (p < n && items.length < limit) {
    const k = order(range, p++);
    if (accept(k)) items.push(build(k));
  }
  return { items, nextOffset: items.length === limit ? p : null };
}

/** The same walk, oldest first over [0, count). */
export function scanAscending<T>(count: number, offset: number, limit: number, accept: (i: number) => boolean, build: (i: number) => T): ScanPage<T> {
  const items: T[] = [];
  let i = offset;
  while (i < count && items.length < limit) {
    if (accept(i)) items.push(build(i));
    i++;
  }
  return { items, nextOffset: items.length === limit ? i : null };
}

/** Every k of a range that passes `accept`, newest first (ground truth for tests). */
export function collectNewest<T>(range: IndexRange, accept: (k: number) => boolean, build: (k: number) => T): T[] {
  const out: T[] = [];
  for (let k = range.last; k >= range.first; k--) if (accept(k)) out.push(build(k));
  return out;
}
