/**
 * Delete tracking, for small lists read whole (campaigns, segments…, `trackDeletes`): the keys a complete pass
 * saw are remembered in state; a key remembered from the last read but not seen now has vanished from
 * Customer.io and is printed as a record with its key, its cursor and `_ab_cdc_deleted_at`, so a destination
 * deletes it.
 */
import { ownValue } from './own.js';
import { deletionCursor, laterCursor, toSeconds } from './cursors.js';
import type { Record_, StreamDefinition } from './types.js';

/** State keys of what the tracker remembers between reads (see Checkpoint). */
export const DELETE_MEMORY_KEYS = ['ids', 'ids_cursor'] as const;

/**
 * What the tracker remembers between reads: the keys a complete pass saw, and the newest cursor value among their
 * records (`ids_cursor`: one value, not one per key, so the state grows by the list of keys only).
 */
export interface DeleteMemory {
  ids: unknown[];
  ids_cursor?: unknown;
}

export class DeleteTracker {
  private readonly seen: unknown[] = [];
  /** The newest cursor value among the records seen (any time, ahead of the clock included: it is what a destination holds). */
  private newest: unknown;

  private constructor(
    private readonly fields: string[],
    private readonly cursorField: string | undefined,
  ) {}

  /** A tracker for the stream, or undefined when it does not track deletes (or its key is nested: not trackable). */
  static for(definition: StreamDefinition): DeleteTracker | undefined {
    const fields = deletionFields(definition);
    return definition.trackDeletes && fields ? new DeleteTracker(fields, definition.incremental?.cursorField) : undefined;
  }

  /** Every record of the pass, before any filter: kept or not, it still exists. */
  observe(records: Record_[]): void {
    const fields = this.fields;
    for (const record of records) {
      this.seen.push(fields.length === 1 ? ownValue(record, fields[0]) : fields.map((field) => ownValue(record, field)));
      if (this.cursorField !== undefined) this.newest = laterCursor(this.newest, record[this.cursorField]);
    }
  }

  /**
   * After a complete pass: a deletion record for each key of `previous` (the memory of the last read; none on a
   * first read) not seen now, and the memory to save. A deletion carries the key, `_ab_cdc_deleted_at`, and the
   * stream's cursor: the deletion time in the cursor's own form, never earlier than the last cursor seen for the
   * key (`previous.ids_cursor`, or for a memory saved before it existed, `savedCursors`, the state's cursors).
   * Without it a destination that dedups by cursor (Airbyte's: newest cursor wins, nulls last; a deletion applies
   * only when not older than the row) would keep the deleted row live.
   */
  finish(previous: unknown, deletion: { nowSeconds: number; savedCursors: unknown[] }): { deletions: Record_[]; memory: DeleteMemory } {
    const fields = this.fields;
    const memory = previous && typeof previous === 'object' ? (previous as Partial<DeleteMemory>) : {};
    const current = new Set(this.seen.map(sameKey));
    const lastSeen = memory.ids_cursor !== undefined ? [memory.ids_cursor] : deletion.savedCursors;
    const cursor = this.cursorField !== undefined ? { [this.cursorField]: deletionCursor(lastSeen, deletion.nowSeconds) } : {};
    const deletedAt = new Date(deletion.nowSeconds * 1000).toISOString();
    const deletions: Record_[] = [];
    for (const id of Array.isArray(memory.ids) ? memory.ids : []) {
      if (current.has(sameKey(id))) continue;
      const values = fields.length === 1 ? [id] : Array.isArray(id) ? id : [];
      if (values.length !== fields.length) continue;
      deletions.push({ ...Object.fromEntries(fields.map((field, i) => [field, values[i]])), ...cursor, _ab_cdc_deleted_at: deletedAt });
    }
    const unique = new Map(this.seen.map((id) => [sameKey(id), id]));
    // Never older than the last memory's: a key seen before with a newer cursor may hold that one in a destination.
    const newest = laterCursor(memory.ids_cursor, this.newest);
    return { deletions, memory: { ids: [...unique.values()], ...(toSeconds(newest) !== undefined ? { ids_cursor: newest } : {}) } };
  }
}

/** Ids compare as text: the API sends some as numbers on one page and strings on another. */
const sameKey = (id: unknown) => JSON.stringify(Array.isArray(id) ? id.map(String) : String(id));

/** Top-level primary-key fields, when deletions can be tracked by them (nested key paths cannot). */
function deletionFields(definition: StreamDefinition): string[] | undefined {
  const key = definition.primaryKey;
  return key.length > 0 && key.every((path) => path.length === 1) ? key.map((path) => path[0]) : undefined;
}
