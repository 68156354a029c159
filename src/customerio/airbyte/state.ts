/**
 * The states Airbyte's own Customer.io connector (1.0, declarative CDK) saves, turned into this connector's shape,
 * so a connection switched to this image continues where Airbyte's stopped: no full re-read, nothing lost.
 * Pure: one stream's state in, its state here out, plus a line saying what was carried over.
 *
 * The shapes Airbyte 1.0 writes (all cursors unix seconds as text, its `datetime_format: "%s"`):
 * - one cursor per stream (campaigns, newsletters, broadcasts, transactional_messages, segments, snippets,
 *   collections, messages, activities): `{"updated": "1794000000"}`;
 * - one cursor per parent (campaigns_actions by `parent_id`, broadcast_actions by `broadcast_id`):
 *   `{"use_global_cursor": false, "states": [{"partition": {"parent_id": 7, "parent_slice": {}}, "cursor": {"updated": "…"}}],
 *   "state": {"updated": "…"}, "lookback_window": 3600}`. `state` is where a parent missing from `states` starts, less
 *   `lookback_window` (the previous sync's length); with `use_global_cursor: true` it is every parent's cursor. Older
 *   CDKs wrote `states` alone, and a stream-wide `{"updated": …}` is read by them as that global cursor;
 * - full refresh streams: `{"__ab_no_cursor_state_message": true}` (or `{}`), which carries nothing.
 * Airbyte's acceptance tests also feed ISO-8601 text (`"3021-09-08T07:04:28Z"`): read as a time like any other.
 *
 * Airbyte re-read one hour before each saved cursor (`lookback_window: PT1H`; `messages_lookback_days` for
 * messages). Where this connector re-reads less, the carried-over cursor is moved back by the difference: an edit
 * Airbyte would have caught on its next sync is caught here. Whenever a value is ambiguous (a partition that cannot
 * be named, a cursor that cannot be read), the earlier reading wins: a duplicate beats a loss.
 *
 * What is this connector's own state is left as it is: its cursors are numbers (records carry them as numbers), always
 * beside a key only it writes (OWN_KEYS: `partitions`, `ids`…). Airbyte never writes those; older CDKs did write whole
 * numbers (`{"updated": 1784690545}`), carried over like the same cursor as text.
 */
import type { JsonObject } from '../../protocol/messages.js';
import { DELETE_MEMORY_KEYS } from '../../engine/deletes.js';
import { FULL_LOOKBACK_FIELD, toSeconds, type IncrementalStrategy } from '../../engine/incremental.js';

/** What the translation needs to know of a stream. */
export interface StateTarget {
  /** This connector's incremental strategy for the stream (undefined: full refresh only). */
  strategy: IncrementalStrategy | undefined;
  /** Seconds Airbyte's connector re-read before its saved cursor (0 for a stream it did not have). */
  airbyteLookback: number;
  /** Seconds this connector re-reads before a saved cursor of `seconds`. */
  ownLookback: (seconds: number) => number;
}

export interface Translated {
  state: JsonObject;
  /** What was carried over, for a LOG line; undefined when the state was this connector's own. */
  note?: string;
}

/** Keys only Airbyte's CDK writes: their presence says a state is Airbyte's. */
const AIRBYTE_KEYS = ['use_global_cursor', 'states', 'state', 'lookback_window', 'parent_state', '__ab_no_cursor_state_message', '__ab_full_refresh_sync_complete', 'next_page_token'];

/** Keys only this connector writes beside a cursor: their presence says a state is this connector's own. */
const OWN_KEYS = ['partitions', ...DELETE_MEMORY_KEYS, FULL_LOOKBACK_FIELD];

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A per-partition state of the declarative CDK (any version). */
function isPartitioned(state: JsonObject): boolean {
  return Array.isArray(state.states) || 'use_global_cursor' in state || isObject(state.state);
}

/** The parent a partition names: its one key besides `parent_slice` (parent_id, broadcast_id…), as text. */
export function partitionKey(partition: unknown): string | undefined {
  if (!isObject(partition)) return undefined;
  const keys = Object.keys(partition).filter((k) => k !== 'parent_slice');
  if (keys.length !== 1) return undefined;
  const value = partition[keys[0]];
  return typeof value === 'number' || (typeof value === 'string' && value !== '') ? String(value) : undefined;
}

const earliest = (values: number[]): number | undefined => (values.length ? Math.min(...values) : undefined);

/** One stream's state, in this connector's shape. */
export function fromAirbyteState(raw: JsonObject, target: StateTarget): Translated {
  const { strategy } = target;
  const own = Object.fromEntries(Object.entries(raw).filter(([k]) => !AIRBYTE_KEYS.includes(k)));
  const airbyte = Object.keys(raw).some((k) => AIRBYTE_KEYS.includes(k));
  if (!strategy) return airbyte ? { state: own, note: "Airbyte's state of a full refresh stream carries nothing" } : { state: raw };
  const field = strategy.cursorField;
  // A cursor moved back by what Airbyte re-read beyond this connector's own re-read (never forwards), in whole seconds.
  const extra = (seconds: number) => Math.max(0, target.airbyteLookback - target.ownLookback(seconds));
  const carried = (seconds: number) => Math.floor(seconds - extra(seconds));
  const said = (seconds: number | undefined) =>
    seconds !== undefined && extra(seconds) > 0 ? ` (moved back ${extra(seconds)} s: Airbyte re-read that much before its cursors, this connector does not)` : '';

  if (isPartitioned(raw)) {
    const lookbackWindow = Math.max(0, toSeconds(raw.lookback_window) ?? 0);
    const global = toSeconds(isObject(raw.state) ? raw.state[field] : undefined);
    // Where parents without a cursor of their own start: Airbyte's rule (the global cursor less the last sync's length).
    const fallbacks: number[] = global === undefined ? [] : [global - lookbackWindow];
    const named = new Map<string, number>();
    let unreadable = 0;
    const entries = raw.use_global_cursor === true || !Array.isArray(raw.states) ? [] : raw.states;
    for (const entry of entries) {
      const cursor = toSeconds(isObject(entry) && isObject(entry.cursor) ? entry.cursor[field] : undefined);
      const key = isObject(entry) ? partitionKey(entry.partition) : undefined;
      if (cursor === undefined) unreadable++;
      // A parent that cannot be named could be any of them: no parent is assumed read past its cursor.
      else if (key === undefined) fallbacks.push(cursor);
      else named.set(key, Math.min(cursor, named.get(key) ?? cursor));
    }
    // A cursor that cannot be read might be any parent's: then nothing is assumed read for parents without their own.
    const fallback = unreadable > 0 ? undefined : earliest(fallbacks);
    if (!strategy.perPartition) {
      // One cursor here for what Airbyte kept per parent: the earliest of them.
      const flat = unreadable > 0 ? undefined : earliest([...fallbacks, ...named.values()]);
      return { state: flat === undefined ? own : { ...own, [field]: carried(flat) }, note: `carried over Airbyte's per-partition state as one ${field} cursor, the earliest${said(flat)}` };
    }
    const partitions = Object.fromEntries([...named].map(([key, cursor]) => [key, { [field]: carried(cursor) }]));
    const state: JsonObject = { ...own, partitions };
    if (fallback !== undefined) state[field] = carried(fallback);
    const count = named.size;
    const rest = fallback !== undefined ? "; other partitions start at Airbyte's stream-wide cursor less the previous sync's length" : '; other partitions are read in full';
    return { state, note: `carried over Airbyte's per-partition state: ${count} partition cursor${count === 1 ? '' : 's'}${rest}${said(fallback ?? named.values().next().value)}` };
  }

  const value = raw[field];
  const seconds = toSeconds(value);
  // Airbyte's cursors are text, or numbers as older CDKs wrote them; this connector's are numbers, and never alone:
  // beside them its per-partition states have `partitions`, its delete-tracked lists their `ids`, its windows the
  // last full re-read. A number with nothing beside it but Airbyte's keys is read as Airbyte's (moved back): at worst
  // a re-read hour, never a lost edit. One beside keys neither writes is left for the state check to judge.
  const alone = Object.keys(raw).every((k) => k === field || AIRBYTE_KEYS.includes(k));
  const airbyteCursor = seconds !== undefined && (typeof value === 'string' || (alone && !OWN_KEYS.some((k) => k in raw)));
  if (!airbyteCursor) return airbyte ? { state: own, note: "dropped Airbyte's bookkeeping keys" } : { state: raw };
  return { state: { ...own, [field]: carried(seconds) }, note: `carried over Airbyte's ${field} cursor ${JSON.stringify(value)}${said(seconds)}` };
}
