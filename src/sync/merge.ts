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

/**
 * `CREATE … AS` the typed batch: one row per key (the last staged), with `_deleted` set for records that
 * carry `_ab_cdc_deleted_at`. Without a primary key every record is its own row. Each record is parsed once.
 */
export function typedBatchSql(layout: TableLayout, stage: string, batch: string, temp = true): string {
  const fields = fieldColumns(layout);
  const parsed = `SELECT ${parseExpression(fields, '_raw')} AS ${PARSED}, _raw, _emitted_ms, _seq FROM ${ident(stage)}`;
  const columns = layout.columns.map((c) => `${valueExpression(layout, c, '_raw', PARSED)} AS ${ident(c.name)}`);
  const typed =
    `SELECT ${[...columns, `to_timestamp(_emitted_ms / 1000.0) AS ${ident(EXTRACTED_AT)}`, `${markerExpression(fields, '_raw', PARSED)} IS NOT NULL AS _deleted`, '_seq'].join(', ')} ` +
    `FROM (${parsed})`;
  const keys = layout.primaryKey.map((p) => keyExpression(p, 's')).join(', ');
  const deduplicated = keys ? `SELECT * FROM (${typed}) s QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY _seq DESC) = 1` : typed;
  return `CREATE OR REPLACE ${temp ? 'TEMP ' : ''}TABLE ${ident(batch)} AS ${deduplicated}`;
}

/** Per cast column, how many staged values were present in the JSON but did not fit the column's type. */
export function misfitSql(layout: TableLayout, stage: string): string | undefined {
  const columns = castColumns(layout);
  if (columns.length === 0) return undefined;
  const counts = columns.map((c) => {
    const present = fieldExpression({ name: c.name, type: 'VARCHAR' }, PARSED);
    return `count(*) FILTER (WHERE ${present} IS NOT NULL AND ${fieldExpression(c, PARSED)} IS NULL) AS ${ident(c.name)}`;
  });
  return `SELECT ${counts.join(', ')} FROM (SELECT ${parseExpression(columns, '_raw')} AS ${PARSED} FROM ${ident(stage)})`;
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
