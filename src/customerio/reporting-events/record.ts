/**
 * A stored webhook event as a row of reporting_events: the envelope (event_id, object_type, metric, timestamp), the
 * data fields most events share, the whole `data` object, and what the receiver knew (when it stored it, when
 * Customer.io signed it, its flags, its store and position). A body that is not one JSON object is kept whole in
 * `body` (base64 when flagged not_utf8), so nothing the receiver stored is lost on the way to a table.
 */
import type { Record_ } from '../../engine/types.js';
import type { JsonObject } from '../../protocol/messages.js';
import type { StoredEvent } from '../../webhooks/store/format.js';

/** Top-level fields of an event that have a column of their own; any other lands in `extra`. */
const ENVELOPE = new Set(['event_id', 'object_type', 'metric', 'timestamp', 'data']);

const objectOrNull = (value: unknown): JsonObject | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : null);

/** Text, or the decimal text of a number (ids the vendor types loosely: journey_id "string", given as 15 in its example). */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A whole number, or numeric text as one; anything else null (the value stays in `data`). */
function integer(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** The event a stored body holds, when it is one JSON object (a body cut at the size limit is not). */
function eventOf(stored: StoredEvent): JsonObject | null {
  if (stored.b === undefined || stored.f.includes('too_large')) return null;
  try {
    return objectOrNull(JSON.parse(stored.b));
  } catch {
    return null;
  }
}

export function reportingEventRecord(stored: StoredEvent, position: number, storeId: string): Record_ {
  const event = eventOf(stored);
  const data = objectOrNull(event?.data);
  const extra = event ? Object.fromEntries(Object.entries(event).filter(([key]) => !ENVELOPE.has(key))) : {};
  return {
    event_id: stored.id,
    // The vendor's preferences schema misspells object_type as object_type_type [vendor OpenAPI]: either is read.
    object_type: text(event?.object_type) ?? text(event?.object_type_type),
    metric: text(event?.metric),
    timestamp: integer(event?.timestamp),
    delivery_id: text(data?.delivery_id),
    identifiers: objectOrNull(data?.identifiers),
    customer_id: text(data?.customer_id),
    campaign_id: integer(data?.campaign_id),
    action_id: integer(data?.action_id),
    broadcast_id: integer(data?.broadcast_id),
    newsletter_id: integer(data?.newsletter_id),
    transactional_message_id: text(data?.transactional_message_id),
    journey_id: text(data?.journey_id),
    recipient: text(data?.recipient),
    subject: text(data?.subject),
    href: text(data?.href),
    link_id: integer(data?.link_id),
    failure_message: text(data?.failure_message),
    data,
    extra: Object.keys(extra).length ? extra : null,
    body: event ? null : (stored.b ?? stored.b64 ?? null),
    flags: stored.f,
    received_at: Math.floor(stored.at / 1000),
    sent_at: Number.isSafeInteger(stored.ts) ? stored.ts : null,
    receiver: storeId,
    position,
  };
}
