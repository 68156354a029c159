/**
 * Delete tracking, for small lists read whole (campaigns, segments…, `trackDeletes`): the keys a complete pass
 * saw are remembered in state; a key remembered from the last read but not seen now has vanished from
 * Customer.io and is printed as a record with its key and `_ab_cdc_deleted_at`, so a destination deletes it.
 */
import type { Record_, StreamDefinition } from './types.js';

/** State keys of what the tracker remembers between reads (see Checkpoint). */
export const DELETE_MEMORY_KEYS = ['ids'] as const;

/** What the tracker remembers between reads (the state's `ids`). */
export interface DeleteMemory {
  ids: unknown[];
}

export class DeleteTracker {
  private readonly seen: unknown[] = [];

  private constructor(private readonly fields: string[]) {}

  /** A tracker for the stream, or undefined when it does not track deletes (or its key is nested: not trackable). */
  static for(definition: StreamDefinition): DeleteTracker | undefined {
    const fields = deletionFields(definition);
    return definition.trackDeletes && fields ? new DeleteTracker(fields) : undefined;
  }

  /** Every record of the pass, before any filter: kept or not, it still exists. */
  observe(records: Record_[]): void {
    const fields = this.fields;
    for (const record of records) this.seen.push(fields.length === 1 ? record[fields[0]] : fields.map((field) => record[field]));
  }

  /**
   * After a complete pass: a deletion record for each key of `previous` (the memory of the last read, if any)
   * not seen now, and the memory to save.
   */
  finish(previous: unknown, deletedAt: string): { deletions: Record_[]; memory: DeleteMemory } {
    const fields = this.fields;
    const current = new Set(this.seen.map(sameKey));
    const deletions: Record_[] = [];
    for (const id of idsOf(previous) ?? []) {
      if (current.has(sameKey(id))) continue;
      const values = fields.length === 1 ? [id] : Array.isArray(id) ? id : [];
      if (values.length !== fields.length) continue;
      deletions.push({ ...Object.fromEntries(fields.map((field, i) => [field, values[i]])), _ab_cdc_deleted_at: deletedAt });
    }
    const unique = new Map(this.seen.map((id) => [sameKey(id), id]));
    return { deletions, memory: { ids: [...unique.values()] } };
  }
}

/** The ids of a saved memory (`{ids}` of a state), or undefined when there is none (a first read: nothing to compare). */
function idsOf(previous: unknown): unknown[] | undefined {
  const ids = previous && typeof previous === 'object' ? (previous as { ids?: unknown }).ids : undefined;
  return Array.isArray(ids) ? ids : undefined;
}

/** Ids compare as text: the API sends some as numbers on one page and strings on another. */
const sameKey = (id: unknown) => JSON.stringify(Array.isArray(id) ? id.map(String) : String(id));

/** Top-level primary-key fields, when deletions can be tracked by them (nested key paths cannot). */
function deletionFields(definition: StreamDefinition): string[] | undefined {
  const key = definition.primaryKey;
  return key.length > 0 && key.every((path) => path.length === 1) ? key.map((path) => path[0]) : undefined;
}
