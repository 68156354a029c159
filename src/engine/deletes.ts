/**
 * Delete tracking, for small lists read whole (campaigns, segments…, `trackDeletes`): the keys a complete read
 * saw are remembered in state; a key remembered from the last read but not seen now has vanished from the list.
 * Whether it is gone is decided elsewhere (vanished.ts: a list read in pages may have skipped it); a key found gone
 * is printed as a record with its key, its cursor and `_ab_cdc_deleted_at`, so a destination deletes it.
 *
 * The memory also says what a destination has been given: a listed key the last complete read did not see was never
 * printed by it, however old its cursor (it was skipped, or added, while that read ran), so the read prints it
 * whatever the cursor says (isNew).
 */
import { ownValue } from './own.js';
import { deletionCursor, laterCursor, toSeconds } from './cursors.js';
import type { Record_, StreamDefinition } from './types.js';

/** State keys of what the tracker remembers between reads (see Checkpoint). */
export const DELETE_MEMORY_KEYS = ['ids', 'ids_cursor'] as const;

/**
 * What the tracker remembers between reads: the keys a complete read saw (each entry the value of the one remembered
 * field, or the list of their values), and the newest cursor value among their records (`ids_cursor`: one value, not
 * one per key, so the state grows by the list of keys only).
 */
export interface DeleteMemory {
  ids: unknown[];
  ids_cursor?: unknown;
}

/** A remembered key: its fields as a record, its entry as the memory holds it, and its key as text. */
export interface Remembered {
  item: Record_;
  entry: unknown;
  key: string;
}

export class DeleteTracker {
  /** The entries of the keys seen by this read, by key text (a key listed twice is remembered once). */
  private readonly seen = new Map<string, unknown>();
  /** The newest cursor value among the records seen (any time, ahead of the clock included: it is what a destination holds). */
  private newest: unknown;
  /** The last complete read's memory, by key text; undefined when there is none (a first read, a state without `ids`). */
  private readonly remembered?: Map<string, Remembered>;
  private readonly previousCursor: unknown;

  private constructor(
    /** The primary key's fields. */
    private readonly keyFields: string[],
    /** The fields each entry holds: the key's, and any a lookup needs (LookupSpec.remember). */
    private readonly fields: string[],
    private readonly cursorField: string | undefined,
    previous: unknown,
  ) {
    const memory = previous && typeof previous === 'object' ? (previous as Partial<DeleteMemory>) : {};
    this.previousCursor = memory.ids_cursor;
    if (!Array.isArray(memory.ids)) return;
    this.remembered = new Map();
    for (const entry of memory.ids) {
      const item = entryItem(entry, fields, keyFields);
      if (item) this.remembered.set(keyOf(item, keyFields), { item, entry, key: keyOf(item, keyFields) });
    }
  }

  /**
   * A tracker for the stream, starting from `previous` (the last complete read's memory, `{}` on a first read), or
   * undefined when the stream does not track deletes (or its key is nested: not trackable).
   */
  static for(definition: StreamDefinition, previous: unknown): DeleteTracker | undefined {
    const keyFields = deletionFields(definition);
    if (!definition.trackDeletes || !keyFields) return undefined;
    const fields = definition.lookup?.remember ?? keyFields;
    return new DeleteTracker(keyFields, fields, definition.incremental?.cursorField, previous);
  }

  /** Every record of the pass, before any filter: kept or not, it still exists. */
  observe(records: Record_[]): void {
    for (const record of records) this.remember(record);
  }

  /**
   * Whether no destination was given `record` by the read the memory comes from, nor by any before it: there is a
   * memory and its key is not in it. Such a record is printed whatever its cursor says. Without a memory (a first
   * read, a state carried over from another connector) nothing can be told: false.
   */
  isNew(record: Record_): boolean {
    return this.remembered !== undefined && !this.remembered.has(keyOf(record, this.keyFields));
  }

  /** The remembered keys this read has not seen (yet): deleted, or skipped by a list that moved while it was read. */
  vanished(): Remembered[] {
    return [...(this.remembered?.values() ?? [])].filter((r) => !this.seen.has(r.key));
  }

  /**
   * Remembers a vanished key as it was, neither seen nor found gone (its lookup could not tell): the next read asks
   * again. A key found live is observed instead (its record, from the lookup).
   */
  keep(vanished: Remembered): void {
    this.seen.set(vanished.key, vanished.entry);
  }

  /**
   * After a complete read: a deletion record for each of `gone` (vanished keys found deleted), and the memory to save.
   * A deletion carries the remembered fields, `_ab_cdc_deleted_at`, and the stream's cursor: the deletion time in the
   * cursor's own form, never earlier than the last cursor seen for the key (`ids_cursor` of the memory, or for a memory
   * saved before it existed, `savedCursors`, the state's cursors). Without it a destination that dedups by cursor
   * (Airbyte's: newest cursor wins, nulls last; a deletion applies only when not older than the row) would keep the
   * deleted row live.
   */
  finish(gone: Remembered[], deletion: { nowSeconds: number; savedCursors: unknown[] }): { deletions: Record_[]; memory: DeleteMemory } {
    const lastSeen = this.previousCursor !== undefined ? [this.previousCursor] : deletion.savedCursors;
    const cursor = this.cursorField !== undefined ? { [this.cursorField]: deletionCursor(lastSeen, deletion.nowSeconds) } : {};
    const deletedAt = new Date(deletion.nowSeconds * 1000).toISOString();
    const deletions = gone.map(({ item }) => ({ ...item, ...cursor, _ab_cdc_deleted_at: deletedAt }));
    // Never older than the last memory's: a key seen before with a newer cursor may hold that one in a destination.
    const newest = laterCursor(this.previousCursor, this.newest);
    return { deletions, memory: { ids: [...this.seen.values()], ...(toSeconds(newest) !== undefined ? { ids_cursor: newest } : {}) } };
  }

  private remember(record: Record_): void {
    const values = this.fields.map((field) => ownValue(record, field));
    this.seen.set(keyOf(record, this.keyFields), values.length === 1 ? values[0] : values);
    if (this.cursorField !== undefined) this.newest = laterCursor(this.newest, record[this.cursorField]);
  }
}

/** A key as text: ids compare as text, since the API sends some as numbers on one page and strings on another. */
function keyOf(record: Record_, keyFields: string[]): string {
  return JSON.stringify(keyFields.map((field) => String(ownValue(record, field))));
}

/**
 * A memory entry as a record of its fields: the value of the one field, or the list of the fields' values. An entry
 * in the primary key's shape alone is read as such (a memory written before the stream remembered more, e.g.
 * campaign_actions' plain action ids); anything else is not an entry (undefined).
 */
export function entryItem(entry: unknown, fields: string[], keyFields: string[]): Record_ | undefined {
  const zip = (names: string[], values: unknown[]) => Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record_;
  const usable = (values: unknown[]) => values.every((value) => value !== undefined && value !== null && typeof value !== 'object');
  for (const names of fields.length === keyFields.length ? [fields] : [fields, keyFields]) {
    const values = names.length === 1 && !Array.isArray(entry) ? [entry] : Array.isArray(entry) && entry.length === names.length ? entry : undefined;
    if (values && usable(values)) return zip(names, values);
  }
  return undefined;
}

/** Top-level primary-key fields, when deletions can be tracked by them (nested key paths cannot). */
function deletionFields(definition: StreamDefinition): string[] | undefined {
  const key = definition.primaryKey;
  return key.length > 0 && key.every((path) => path.length === 1) ? key.map((path) => path[0]) : undefined;
}
