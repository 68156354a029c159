/**
 * Stream names of Airbyte's own Customer.io connector that name a stream of this one differently: `people` is
 * `customers`, `campaigns_actions` is `campaign_actions`. Discover offers both names (the alias with Airbyte's key,
 * cursor and the columns its tables hold), so a platform that re-runs discover after the switch sees no stream
 * removed; a read of either name reads the one stream, and a read of both reads it once and prints each record,
 * STATE and status under each selected name.
 *
 * Three small pieces, each pure or a thin wrapper, so they can move onto a reader that emits typed events:
 * - `withAliases`: the definitions discover and the catalog check see;
 * - `planAliases`: which streams to read for a catalog's selection, with which sync mode and state;
 * - `mirrorAliases` (./mirror.ts): the output that prints a stream's messages under the names selected.
 */
import type { SelectedEntry } from '../../protocol/catalog.js';
import type { JsonObject, SyncMode } from '../../protocol/messages.js';
import { schemaOf } from '../../engine/discover.js';
import { laterCursor, savedCursor, toSeconds, type IncrementalStrategy } from '../../engine/incremental.js';
import type { Record_, StreamDefinition } from '../../engine/types.js';

export interface StreamAlias {
  /** Airbyte's name. */
  name: string;
  /** The stream of this connector it reads. */
  of: string;
  /** A record of that stream as Airbyte's table holds it. */
  record: (record: Record_) => Record_;
  /** That stream's schema as Airbyte's table holds it. */
  schema: (schema: JsonObject) => JsonObject;
}

const same = <T>(value: T): T => value;

/** `campaigns_actions.id` is text in Airbyte's connector (the API sends action ids as text), an integer here. */
const idAsText = (record: Record_): Record_ => (typeof record.id === 'number' ? { ...record, id: String(record.id) } : record);

function withTextId(schema: JsonObject): JsonObject {
  const properties = (schema.properties ?? {}) as JsonObject;
  return {
    ...schema,
    properties: { ...properties, id: { type: ['string', 'null'], description: 'The action id as text, the type of Airbyte\'s campaigns_actions.id (campaign_actions.id is an integer).' } },
  };
}

export const STREAM_ALIASES: readonly StreamAlias[] = [
  { name: 'people', of: 'customers', record: same, schema: same },
  { name: 'campaigns_actions', of: 'campaign_actions', record: idAsText, schema: withTextId },
];

/** The stream an alias reads, or the name itself. */
export const aliasTarget = (name: string): string => STREAM_ALIASES.find((a) => a.name === name)?.of ?? name;

/**
 * The definitions discover prints and a catalog is checked against: each stream, and right after it each alias of
 * it, with the same key, cursor and sync modes and the alias's schema. An alias's definition is only ever offered
 * and checked against: reads go to the stream it names.
 */
export function withAliases(definitions: StreamDefinition[]): StreamDefinition[] {
  return definitions.flatMap((definition) => [
    definition,
    ...STREAM_ALIASES.filter((a) => a.of === definition.name).map((alias) => ({ ...definition, name: alias.name, jsonSchema: alias.schema(schemaOf(definition)) })),
  ]);
}

/** One stream to read, and the names (with their record shape) its messages are printed under. */
export interface PlannedRead {
  name: string;
  syncMode: SyncMode;
  state?: JsonObject;
  /** Empty when only the stream's own name is selected: nothing to rename. */
  printAs: Array<{ name: string; record: (record: Record_) => Record_ }>;
}

/**
 * The reads a catalog's selection needs: each selected stream once, whether it is selected under its own name, an
 * alias, or both. Under both names, it is read incrementally only when both are (with the earlier of the two states,
 * per partition), otherwise from scratch: a full refresh name must get every record, and an incremental one then
 * gets every record too (duplicates, never a gap) and a STATE to continue from.
 */
export function planAliases(selected: SelectedEntry[], states: Map<string, JsonObject>, strategyOf: (name: string) => IncrementalStrategy | undefined): PlannedRead[] {
  const groups = new Map<string, SelectedEntry[]>();
  for (const entry of selected) {
    const target = aliasTarget(entry.name);
    groups.set(target, [...(groups.get(target) ?? []), entry]);
  }
  return [...groups].map(([name, entries]) => {
    const printAs = entries.length === 1 && entries[0].name === name ? [] : entries.map((e) => ({ name: e.name, record: STREAM_ALIASES.find((a) => a.name === e.name)?.record ?? same }));
    if (entries.length === 1) return { name, syncMode: entries[0].syncMode, state: states.get(entries[0].name), printAs };
    const incremental = entries.every((e) => e.syncMode === 'incremental');
    const strategy = strategyOf(name);
    const state = incremental && strategy ? earliestState(entries.map((e) => states.get(e.name)), strategy) : undefined;
    return { name, syncMode: entries.some((e) => e.syncMode === 'incremental') ? 'incremental' : 'full_refresh', state, printAs };
  });
}

/** The earlier of two readings of a cursor; a missing one (read from the start) is the earliest of all. */
function earlier(a: unknown, b: unknown): unknown {
  const sa = toSeconds(a);
  const sb = toSeconds(b);
  if (sa === undefined || sb === undefined) return undefined;
  return sb < sa ? b : a;
}

/**
 * One state that reads at least everything each of `states` would: each cursor (per partition, and the stream-level
 * one) at the earliest of them, nothing where one of them has nothing; `ids` (delete tracking) of all of them, and
 * their `ids_cursor` at the latest.
 */
export function earliestState(states: Array<JsonObject | undefined>, strategy: IncrementalStrategy): JsonObject | undefined {
  if (states.some((s) => s === undefined)) return undefined;
  const all = states as JsonObject[];
  const field = strategy.cursorField;
  const merged: JsonObject = {};
  const streamCursor = all.map((s) => s[field]).reduce(earlier);
  if (streamCursor !== undefined) merged[field] = streamCursor;
  if (strategy.perPartition) {
    const keys = new Set(all.flatMap((s) => Object.keys((s.partitions as JsonObject | undefined) ?? {})));
    const partitions: JsonObject = {};
    for (const key of keys) {
      const cursor = all.map((s) => savedCursor(s, strategy, key)).reduce(earlier);
      if (cursor !== undefined) partitions[key] = { [field]: cursor };
    }
    merged.partitions = partitions;
  }
  const remembering = all.filter((s) => Array.isArray(s.ids));
  const ids = remembering.flatMap((s) => s.ids as unknown[]);
  if (remembering.length) merged.ids = [...new Map(ids.map((id) => [JSON.stringify(id), id])).values()];
  const idsCursor = remembering.map((s) => lastSeenCursor(s, strategy)).reduce(laterCursor, undefined);
  if (toSeconds(idsCursor) !== undefined) merged.ids_cursor = idsCursor;
  return merged;
}

/**
 * The newest cursor a state's delete memory may stand for (the floor of a deletion's cursor, deletes.ts): its
 * `ids_cursor`, or for a memory saved without one, the state's own cursors (what its deletions would have used).
 * The merged memory keeps the latest of them: a deletion dated before a row a destination holds would not apply.
 */
function lastSeenCursor(state: JsonObject, strategy: IncrementalStrategy): unknown {
  if (state.ids_cursor !== undefined) return state.ids_cursor;
  const partitions = Object.values((state.partitions as Record<string, JsonObject> | undefined) ?? {});
  return [state[strategy.cursorField], ...partitions.map((p) => p?.[strategy.cursorField])].reduce(laterCursor, undefined);
}
