/**
 * The delivery shape, shared by `messages` (GET /v1/messages) and `transactional_message_details`
 * (GET /v1/transactional/{id}/messages): one record normaliser, one incremental strategy, one window query,
 * so the two streams cannot drift apart. Their schema is one file too (schemas/deliveries.json).
 *
 * Deliveries are filtered on the server by `start_ts`/`end_ts` on `created`, in windows of at most 30 days
 * (the API silently narrows longer ranges), each asked from a second before it (the bounds' reading is not
 * documented: engine/incremental.ts requestWindow). Engagement (`metrics`: opened, clicked…) is stamped after a
 * delivery is created, so incremental reads re-read before their cursor: `messages_recent_lookback_hours` on most
 * reads, where most opens and clicks land, and the whole `messages_lookback_days` once it has not been re-read for
 * `messages_full_lookback_every_hours` (per partition, the time kept in state: engine/incremental.ts readStart).
 * At a million deliveries a day and 1000 a page, hourly reads then cost about 0.076 of re-reading 30 days every time:
 * 23 reads of 25 hours (~1,042 pages) and one of 31 days (~31,000: it reaches back from the previous full re-read)
 * a day, against ~30,042 pages each (30 days and an hour). The target of 0.1 allows a recent lookback of up to ~41
 * hours; 24 leaves room and covers the first day after sending, where most opens and clicks land (48 would be 0.107).
 * No `next` token is ever kept across runs: tokens are positional and an out-of-range one restarts at page 1.
 *
 * How far back: GET /v1/messages serves only the last 6 months, silently (a longer range gets a 200 with what is
 * left; no bounds at all means 6 months): windows start no earlier than MESSAGES_SERVED_SECONDS ago, whatever
 * start_date or a saved cursor says. The per-parent route (/v1/transactional/{id}/messages) is documented to serve
 * 12 months [inferred: never seen live]: PER_PARENT_SERVED_SECONDS. Were it 6 months too, the older windows cost a
 * request each and return nothing; the other mistake would lose 6 months of history.
 */
import type { Config } from '../config.js';
import { isoSeconds } from '../clock.js';
import { DAY, serverWindows, type ServerWindowStrategy } from '../engine/incremental.js';
import type { Record_, RequestContext } from '../engine/types.js';
import { identifiersOf } from './people.js';
import { objectOrNull, toInteger } from './streams/support.js';

/** Longest `start_ts`/`end_ts` range the API honours. */
export const DELIVERY_WINDOW_SECONDS = 30 * DAY;

/** 6 months, counted at their longest (184 days: July to December): no day the API still serves is left out. */
export const MESSAGES_SERVED_SECONDS = 184 * DAY;
/** 12 months, counted at their longest (366 days). */
export const PER_PARENT_SERVED_SECONDS = 366 * DAY;

const INTEGER_FIELDS = ['created', 'action_id', 'parent_action_id', 'campaign_id', 'broadcast_id', 'newsletter_id', 'content_id', 'transactional_id', 'transactional_message_id'];
const STRING_FIELDS = ['id', 'customer_id', 'deduplicate_id', 'trigger_event_id', 'recipient'];

/** A delivery with one type per field: ids that may come as strings or numbers unified, the template id under one name. */
export function normalizeDelivery(record: Record_): Record_ {
  const { message_template_id: olderTemplateId, ...rest } = record;
  const out: Record_ = { ...rest };
  for (const field of INTEGER_FIELDS) if (field in out) out[field] = toInteger(out[field]);
  for (const field of STRING_FIELDS) if (typeof out[field] === 'number') out[field] = String(out[field]);
  // Older answers name it `message_template_id`; one column whichever name came.
  out.msg_template_id = toInteger(record.msg_template_id ?? olderTemplateId ?? null);
  out.metrics = objectOrNull(record.metrics);
  out.customer_identifiers = identifiersOf(record.customer_identifiers);
  const metrics = out.metrics;
  if (metrics) out.metrics = Object.fromEntries(Object.entries(metrics).map(([name, at]) => [name, toInteger(at)]));
  return out;
}

/** The WARN a stream gives when start_date is older than its route serves (none otherwise). */
export function startDateBeyondServed(config: Config, nowSeconds: number, servedSeconds: number, route: string): string[] {
  const startDate = config.startDateSeconds;
  if (startDate === undefined || startDate >= nowSeconds - servedSeconds) return [];
  return [
    `start_date ${isoSeconds(startDate)} is older than the ${servedSeconds / DAY} days ${route} serves: deliveries are read from ${isoSeconds(nowSeconds - servedSeconds)} (the API answers older ranges with nothing)`,
  ];
}

/** Query of one window: `start_ts`/`end_ts` in unix seconds. */
export function windowQuery({ window }: RequestContext): Record<string, number | undefined> {
  return { start_ts: window?.start, end_ts: window?.end };
}

/**
 * Server-side windows on `created`, one cursor per partition (message type, or transactional message),
 * re-reading `messages_recent_lookback_hours` before it, and `messages_lookback_days` when that is due.
 * `defaultStart` says where a first read without `start_date` begins, `servedSeconds` how far back the API serves.
 */
export function deliveryWindows(defaultStart: ServerWindowStrategy['defaultStart'], servedSeconds: number): ServerWindowStrategy {
  return serverWindows('created', {
    servedSeconds,
    perPartition: true,
    windowSeconds: DELIVERY_WINDOW_SECONDS,
    lookback: (config) => config.messagesLookbackDays * DAY,
    recentLookback: (config) => ({ recentSeconds: config.messagesRecentLookbackHours * 3600, fullEverySeconds: config.messagesFullLookbackEveryHours * 3600 }),
    defaultStart,
  });
}
