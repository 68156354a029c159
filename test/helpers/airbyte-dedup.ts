/**
 * Airbyte's published rule for an incremental append + deduped stream with CDC deletes, as its destinations apply
 * it to each sync (the direct-load SQL generators of destination-postgres/-snowflake/-redshift: upsertTable, cdcDelete,
 * updateExistingRows, insertNewRows), modelled in memory so tests can ask what a warehouse would hold:
 *
 * 1. the sync's records are deduped per primary key: `ORDER BY <cursor> DESC NULLS LAST, _airbyte_extracted_at DESC`,
 *    the first row wins;
 * 2. a winner with `_ab_cdc_deleted_at` deletes the table's row only when it is newer than that row: its cursor
 *    greater, or equal and extracted later, or the row's cursor null and its own not, or both null and extracted later;
 * 3. a live winner updates the row under the same condition, or is inserted when there is none; a deletion is never
 *    inserted.
 *
 * Cursors compare as the typed column would: as times (toSeconds); a value that is not one is NULL.
 */
import { toSeconds } from '../../src/engine/cursors.js';

export interface AirbyteRecord {
  data: Record<string, unknown>;
  /** The RECORD's emitted_at: the destination's `_airbyte_extracted_at`. */
  emitted_at: number;
}

interface Row {
  data: Record<string, unknown>;
  cursor: number | undefined;
  extractedAt: number;
}

export class DedupedTable {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly stream: { primaryKey: string[][]; cursorField: string }) {}

  /** One sync's records of this stream, in the order they were emitted. */
  applySync(records: AirbyteRecord[]): void {
    const winners = new Map<string, { row: Row; deleted: boolean }>();
    for (const record of records) {
      const row: Row = { data: record.data, cursor: toSeconds(record.data[this.stream.cursorField]), extractedAt: record.emitted_at };
      const key = this.keyOf(record.data);
      const current = winners.get(key);
      const deleted = record.data._ab_cdc_deleted_at !== undefined && record.data._ab_cdc_deleted_at !== null;
      if (!current || ranksFirst(row, current.row)) winners.set(key, { row, deleted });
    }
    for (const [key, { row, deleted }] of winners) {
      const existing = this.rows.get(key);
      if (deleted) {
        if (existing && newer(row, existing)) this.rows.delete(key);
      } else if (!existing || newer(row, existing)) {
        this.rows.set(key, row);
      }
    }
  }

  /** The primary keys of the rows the table holds, as text. */
  keys(): string[] {
    return [...this.rows.keys()].sort();
  }

  get(key: string): Record<string, unknown> | undefined {
    return this.rows.get(key)?.data;
  }

  /** A record's primary key as text, the form keys() lists (values as text, like a typed column would match them). */
  keyOf(data: Record<string, unknown>): string {
    return this.stream.primaryKey.map((path) => String(path.reduce<unknown>((value, field) => (value as Record<string, unknown> | undefined)?.[field], data))).join('|');
  }
}

/** `ORDER BY cursor DESC NULLS LAST, extracted_at DESC`: whether `a` comes before `b`. */
function ranksFirst(a: Row, b: Row): boolean {
  if (a.cursor !== undefined && b.cursor === undefined) return true;
  if (a.cursor === undefined && b.cursor !== undefined) return false;
  if (a.cursor !== undefined && b.cursor !== undefined && a.cursor !== b.cursor) return a.cursor > b.cursor;
  return a.extractedAt > b.extractedAt;
}

/** The condition under which a sync's row replaces (or deletes) the table's row. */
function newer(source: Row, target: Row): boolean {
  if (target.cursor !== undefined && source.cursor !== undefined) {
    return target.cursor < source.cursor || (target.cursor === source.cursor && target.extractedAt < source.extractedAt);
  }
  if (target.cursor === undefined && source.cursor !== undefined) return true;
  if (target.cursor === undefined && source.cursor === undefined) return target.extractedAt < source.extractedAt;
  return false;
}
