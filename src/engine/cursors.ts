/**
 * Cursor values: read as time (unix seconds) by one strict reader for saved states and records alike, and
 * compared without ever changing the representation a record carried them in.
 */

/** Cursor text this connector could have saved: unix seconds as digits, or an ISO-8601 date(-time). */
const CURSOR_TEXT = /^\s*(-?\d+(\.\d+)?|\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?)\s*$/;

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

/** The later of two cursor values (never moves a cursor backwards); keeps the original representation. */
export function laterCursor(a: unknown, b: unknown): unknown {
  const sa = toSeconds(a);
  const sb = toSeconds(b);
  if (sa === undefined) return sb === undefined ? a : b;
  if (sb === undefined) return a;
  return sb > sa ? b : a;
}

/**
 * One stream read's records whose cursor is a time too far ahead of the run's clock to become the cursor
 * (cursorMayAdvance): printed, never the cursor, and said in one WARN (`warning`) with their count.
 */
export class AheadOfClock {
  private count = 0;
  private first: unknown;

  constructor(
    private readonly cursorField: string,
    private readonly tolerance: string,
  ) {}

  note(value: unknown): void {
    if (this.count++ === 0) this.first = value;
  }

  /** The WARN for the stream's read, or undefined when no record was ahead. */
  warning(stream: string): string | undefined {
    if (this.count === 0) return undefined;
    const records = this.count === 1 ? '1 record' : `${this.count} records`;
    return (
      `${stream}: ${records} whose ${this.cursorField} is more than ${this.tolerance} ahead of the connector's clock (the first: ` +
      `${JSON.stringify(this.first)}) ${this.count === 1 ? 'was' : 'were'} emitted, but did not move the cursor; such timestamps come from ` +
      `clients with a wrong clock or from backfills`
    );
  }
}
