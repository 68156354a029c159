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
 * One stream read's records that were printed but whose cursor value was not taken as the cursor, for one reason:
 * counted, the first value kept, and said in one WARN (`warning`) when the stream ends, not one per record.
 */
class CursorsNotTaken {
  private count = 0;
  private first: unknown;

  constructor(
    private readonly cursorField: string,
    /** Why, after "whose <cursor field>". */
    private readonly reason: string,
    /** Said after the count, e.g. where such values come from. */
    private readonly more = '',
  ) {}

  note(value: unknown): void {
    if (this.count++ === 0) this.first = value;
  }

  /** The WARN for the stream's read, or undefined when no record was noted. */
  warning(stream: string): string | undefined {
    if (this.count === 0) return undefined;
    let shown: string;
    try {
      shown = (JSON.stringify(this.first) ?? String(this.first)).slice(0, 60);
    } catch {
      shown = '(unprintable)';
    }
    const records = this.count === 1 ? '1 record' : `${this.count} records`;
    return `${stream}: ${records} whose ${this.cursorField} ${this.reason} (the first: ${shown}) ${this.count === 1 ? 'was' : 'were'} emitted, but did not move the cursor${this.more}`;
  }
}

/**
 * Record cursor values that are there but cannot be read as a time (toSeconds). Such a record is still printed
 * (records are never lost for a bad timestamp), is never filtered out by the cursor, and never becomes the cursor.
 */
export class UnreadableCursors extends CursorsNotTaken {
  constructor(cursorField: string) {
    super(cursorField, 'is not a unix timestamp or an ISO-8601 date-time');
  }

  /** The value as unix seconds (toSeconds); one that is present but unreadable is counted. */
  seconds(value: unknown): number | undefined {
    const seconds = toSeconds(value);
    if (seconds === undefined && value !== undefined && value !== null) this.note(value);
    return seconds;
  }
}

/** Records whose cursor is a time too far ahead of the run's clock to become the cursor (cursorMayAdvance). */
export class AheadOfClock extends CursorsNotTaken {
  constructor(cursorField: string, tolerance: string) {
    super(cursorField, `is more than ${tolerance} ahead of the connector's clock`, '; such timestamps come from clients with a wrong clock or from backfills');
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
 * `seconds` written the way `example` writes a cursor, never earlier than `seconds`: an integer (or numeric text)
 * rounded up, or ISO-8601 text with the example's separator, fraction digits and zone (the same shape sorts the
 * same, should a destination compare the text). Without a usable example: integer unix seconds, as the API's.
 */
export function cursorLike(example: unknown, seconds: number): unknown {
  if (typeof example === 'string') {
    const text = example.trim();
    if (/^-?\d+$/.test(text)) return String(Math.ceil(seconds));
    if (/^-?\d+\.\d+$/.test(text)) return String(seconds);
    const iso = /^\d{4}-\d{2}-\d{2}(?:([T ])\d{2}:\d{2}(:\d{2})?(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
    if (iso && toSeconds(text) !== undefined) return isoLike(seconds, { separator: iso[1], withSeconds: iso[2] !== undefined, digits: iso[3]?.length ?? 0, zone: iso[4] });
  }
  if (typeof example === 'number' && !Number.isInteger(example)) return seconds;
  return Math.ceil(seconds);
}

function isoLike(seconds: number, shape: { separator?: string; withSeconds: boolean; digits: number; zone?: string }): string {
  const offsetMinutes = zoneMinutes(shape.zone);
  if (shape.separator === undefined) {
    // A date alone: the day (in the example's zone) the time falls on.
    return new Date(Math.floor(seconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 10);
  }
  const digits = Math.min(shape.digits, 3);
  const unit = shape.withSeconds ? 10 ** -digits : 60;
  const rounded = Math.ceil(seconds / unit - 1e-9) * unit;
  const local = new Date(Math.round((rounded + offsetMinutes * 60) * 1000)).toISOString();
  const fraction = digits > 0 ? `.${local.slice(20, 20 + digits)}${'0'.repeat(shape.digits - digits)}` : '';
  return `${local.slice(0, 10)}${shape.separator}${local.slice(11, shape.withSeconds ? 19 : 16)}${fraction}${shape.zone ?? ''}`;
}

function zoneMinutes(zone: string | undefined): number {
  const offset = zone && /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  return offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
}

/**
 * The cursor a deletion record carries: the deletion time (`nowSeconds`), in the cursor's own form, and never
 * earlier than any of `lastSeen` (cursor values the vanished records may still have in a destination). A
 * destination that dedups by cursor then applies the deletion instead of keeping the older live row.
 */
export function deletionCursor(lastSeen: unknown[], nowSeconds: number): unknown {
  let newest: unknown;
  let newestSeconds = Number.NEGATIVE_INFINITY;
  for (const value of lastSeen) {
    const seconds = toSeconds(value);
    if (seconds !== undefined && seconds > newestSeconds) [newest, newestSeconds] = [value, seconds];
  }
  if (newestSeconds >= nowSeconds) return newest;
  return cursorLike(newest, nowSeconds);
}
