/**
 * Abnormal (far-future) states: a stream state whose every cursor value is moved to FUTURE, keeping the
 * representation the connector printed (unix seconds, a numeric string or an ISO-8601 date-time).
 * Delete tracking (`ids`, `ids_cursor`) is kept: this connector's states always carry it beside a list's cursor,
 * and a bare whole-number cursor on such a list reads as an older Airbyte CDK's (carried over an hour earlier).
 * The time of the last full lookback of deliveries (`full_lookback_read_at`) is left out: the connector's clock a
 * second or so into the generating read, it would make `npm run catalogs` differ from run to run; without it the
 * re-read is due, from a cursor still in the future.
 */
import { toSeconds } from './streams.js';

/** 2100-01-01T00:00:00Z */
export const FUTURE_SECONDS = 4_102_444_800;

export function futureValue(value: unknown): unknown {
  if (typeof value === 'number') return value > 1e11 ? FUTURE_SECONDS * 1000 : FUTURE_SECONDS;
  if (typeof value === 'string' && /^\d+$/.test(value)) return String(FUTURE_SECONDS);
  if (typeof value === 'string' && toSeconds(value) !== undefined) {
    // Keep the string's zone form: `Z`, or an offset like -05:00 (metrics buckets are in New York time).
    const zone = /([+-]\d{2}:\d{2}|Z)$/.exec(value)?.[1] ?? 'Z';
    return `2100-01-01T00:00:00${zone === 'Z' ? 'Z' : zone}`;
  }
  return value;
}

function moveCursors(state: Record<string, unknown>, cursorField: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    if (key === 'full_lookback_read_at') continue;
    if (key === cursorField) out[key] = futureValue(value);
    else if (key === 'partitions' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, Record<string, unknown>>).map(([k, v]) => [k, moveCursors(v ?? {}, cursorField)]),
      );
    } else out[key] = value;
  }
  return out;
}

/** A STREAM state message (input form) with its cursors in the future. */
export function futureState(message: Record<string, unknown>, cursorFields: Map<string, string | undefined>): Record<string, unknown> {
  const stream = message.stream as { stream_descriptor: { name: string }; stream_state: Record<string, unknown> };
  const field = cursorFields.get(stream.stream_descriptor.name);
  return {
    type: 'STREAM',
    stream: { stream_descriptor: stream.stream_descriptor, stream_state: field ? moveCursors(stream.stream_state, field) : stream.stream_state },
  };
}
