/**
 * The SQL of one load step, as text: type a batch of staged JSON records (last record per key wins),
 * count what it changes against the table, delete the rows it replaces or deletes, insert the rest.
 * Pure string building, so each statement can be read in one place; warehouse.ts runs them in order
 * inside one transaction.
 */
import { castColumns, EXTRACTED_AT, fieldColumns, fieldExpression, ident, keyExpression, keysMatch, markerExpression, parseExpression, valueExpression, type TableLayout } from './layout.js';

/** Staged records: JSON text, emitted_at (ms) and arrival order. */
export const STAGE_COLUMNS = '_raw VARCHAR, _emitted_ms BIGINT, _seq BIGINT';

/** The parsed record's name inside the typing SQL (layout.ts parseExpression). */
const PARSED = '_cio_parsed';

/** The typed batch's flag of a cast column whose value was present but did not fit its type. */
const misfitFlag = (index: number) => `_cio_misfit_${index}`;

/**
 * The typed rows of the staged records whose `_seq` lies in `range` (all when absent): every column,
 * `_extracted_at`, `_deleted` for records that carry `_ab_cdc_deleted_at`, `_seq`, and a misfit flag per
 * cast column. `CREATE`s the batch table, or with `append` adds to it. Each record is parsed once; DuckDB holds
 * the parsed records of a whole 2,048-row chunk at a time, so the warehouse types a batch in ranges of bounded
 * JSON size (sliceRanges) whatever the size of its records.
 */
export function typedBatchSql(layout: TableLayout, stage: string, batch: string, range?: [number, number], append = false): string {
  const fields = fieldColumns(layout);
  const where = range ? ` WHERE _seq >= ${range[0]} AND _seq < ${range[1]}` : '';
  const parsed = `SELECT ${parseExpression(fields, '_raw')} AS ${PARSED}, _raw, _emitted_ms, _seq FROM ${ident(stage)}${where}`;
  const columns = layout.columns.map((c) => `${valueExpression(layout, c, '_raw', PARSED)} AS ${ident(c.name)}`);
  const misfits = castColumns(layout).map((c, i) => {
    const present = fieldExpression({ name: c.name, type: 'VARCHAR' }, PARSED);
    return `(${present} IS NOT NULL AND ${fieldExpression(c, PARSED)} IS NULL) AS ${misfitFlag(i)}`;
  });
  const typed =
    `SELECT ${[...columns, `to_timestamp(_emitted_ms / 1000.0) AS ${ident(EXTRACTED_AT)}`, `${markerExpression(fields, '_raw', PARSED)} IS NOT NULL AS _deleted`, '_seq', ...misfits].join(', ')} ` +
    `FROM (${parsed})`;
  return append ? `INSERT INTO ${ident(batch)} ${typed}` : `CREATE OR REPLACE TEMP TABLE ${ident(batch)} AS ${typed}`;
}

/** Per cast column, how many typed rows (every staged record, before deduplication) had a value that did not fit its type. */
export function misfitSql(layout: TableLayout, batch: string): string | undefined {
  const columns = castColumns(layout);
  if (columns.length === 0) return undefined;
  return `SELECT ${columns.map((c, i) => `count(*) FILTER (WHERE ${misfitFlag(i)}) AS ${ident(c.name)}`).join(', ')} FROM ${ident(batch)}`;
}

/**
 * Leaves one row per key in the typed batch, the last staged (none to do without a primary key). Only the keys
 * and `_seq` go through the window, not the rows.
 */
export function deduplicateSql(layout: TableLayout, batch: string): string | undefined {
  if (layout.primaryKey.length === 0) return undefined;
  const keys = layout.primaryKey.map((p) => keyExpression(p, 's')).join(', ');
  return `DELETE FROM ${ident(batch)} WHERE rowid IN (SELECT rowid FROM ${ident(batch)} s QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY _seq DESC) > 1)`;
}

/**
 * `[from, to)` ranges of positions in a batch whose records' JSON adds up to at most `budget` characters each (a
 * longer record alone in its range), so typing one range holds a bounded amount of parsed JSON.
 */
export function sliceRanges(lengths: readonly number[], budget: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let from = 0;
  let size = 0;
  lengths.forEach((length, i) => {
    if (i > from && size + length > budget) {
      ranges.push([from, i]);
      from = i;
      size = 0;
    }
    size += length;
  });
  if (lengths.length > from) ranges.push([from, lengths.length]);
  return ranges;
}

// Compared as text, so a table written by an older schema (a column since retyped) still compares.
const rowOf = (layout: TableLayout, alias: string) => `row(${layout.columns.map((c) => `CAST(${alias}.${ident(c.name)} AS VARCHAR)`).join(', ')})`;

/**
 * inserted / updated / unchanged / deleted for applying `batch` to `table` as an upsert: a key not in the
 * table is inserted; a key present is updated when any value differs, unchanged otherwise; a deletion of a
 * present key deletes (a deletion of an absent key changes nothing).
 */
export function upsertCountsSql(layout: TableLayout, table: string, batch: string): string {
  const changed = `${rowOf(layout, 'b')} IS DISTINCT FROM ${rowOf(layout, 't')}`;
  return (
    'SELECT ' +
    [
      `count(*) FILTER (WHERE NOT b._deleted AND t._cio_hit IS NULL) AS inserted`,
      `count(*) FILTER (WHERE NOT b._deleted AND t._cio_hit AND ${changed}) AS updated`,
      `count(*) FILTER (WHERE NOT b._deleted AND t._cio_hit AND NOT (${changed})) AS unchanged`,
      `count(*) FILTER (WHERE b._deleted AND t._cio_hit) AS deleted`,
    ].join(', ') +
    ` FROM ${ident(batch)} b LEFT JOIN (SELECT *, TRUE AS _cio_hit FROM ${ident(table)}) t ON ${keysMatch(layout, 't', 'b')}`
  );
}

/**
 * The same four numbers for replacing `oldTable` by `newTable` wholesale: keys only in the new table are
 * inserted, only in the old one deleted. Without a primary key: everything new is inserted, everything old deleted.
 */
export function replaceCountsSql(layout: TableLayout, oldTable: string, newTable: string): string {
  if (layout.primaryKey.length === 0) {
    return `SELECT (SELECT count(*) FROM ${ident(newTable)}) AS inserted, 0 AS updated, 0 AS unchanged, (SELECT count(*) FROM ${ident(oldTable)}) AS deleted`;
  }
  const changed = `${rowOf(layout, 'n')} IS DISTINCT FROM ${rowOf(layout, 'o')}`;
  return (
    'SELECT ' +
    [
      `count(*) FILTER (WHERE o._cio_hit IS NULL) AS inserted`,
      `count(*) FILTER (WHERE n._cio_hit AND o._cio_hit AND ${changed}) AS updated`,
      `count(*) FILTER (WHERE n._cio_hit AND o._cio_hit AND NOT (${changed})) AS unchanged`,
      `count(*) FILTER (WHERE n._cio_hit IS NULL) AS deleted`,
    ].join(', ') +
    ` FROM (SELECT *, TRUE AS _cio_hit FROM ${ident(newTable)}) n FULL OUTER JOIN (SELECT *, TRUE AS _cio_hit FROM ${ident(oldTable)}) o ON ${keysMatch(layout, 'o', 'n')}`
  );
}

/** Removes from `table` every row whose key is in `batch` (updated rows are re-inserted after). */
export function deleteMatchedSql(layout: TableLayout, table: string, batch: string): string | undefined {
  if (layout.primaryKey.length === 0) return undefined;
  return `DELETE FROM ${ident(table)} USING ${ident(batch)} b WHERE ${keysMatch(layout, ident(table), 'b')}`;
}

/** Inserts the batch's live (not deleted) rows. */
export function insertLiveSql(layout: TableLayout, table: string, batch: string): string {
  const columns = [...layout.columns.map((c) => ident(c.name)), ident(EXTRACTED_AT)].join(', ');
  return `INSERT INTO ${ident(table)} (${columns}) SELECT ${columns} FROM ${ident(batch)} WHERE NOT _deleted`;
}
