/**
 * The DuckDB file `sync` writes: one table per stream, the `_state` table, and the two ways a batch lands.
 *
 * - upsert (incremental streams): the batch's rows and the stream's new state commit in ONE transaction,
 *   so the state in the file never covers rows that are not there (a killed sync resumes, never skips).
 * - replace (full-refresh streams): batches are upserted into a load table as they come (typed and
 *   deduplicated batch by batch, so memory stays that of one batch however long the stream); when the
 *   stream completes, one transaction renames it in for the old table and stores the state. A failed
 *   stream drops the load table: the old table is untouched.
 *
 * Records are appended as JSON text (DuckDB's appender, one flush per batch) and typed in SQL (layout.ts).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { JsonObject } from '../protocol/messages.js';
import { createTableSql, ident, type ColumnType, type TableLayout } from './layout.js';
import { duckDbLimits, duckDbOptions, type DuckDbLimits } from './limits.js';
import { deduplicateSql, deleteMatchedSql, insertLiveSql, misfitSql, replaceCountsSql, sliceRanges, STAGE_COLUMNS, typedBatchSql, upsertCountsSql } from './merge.js';

export interface StagedRecord {
  /** The record's data as JSON text. */
  json: string;
  /** emitted_at of the RECORD message, unix ms. */
  emittedAt: number;
}

export interface LoadCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Per column, values that did not fit the column's type (stored as NULL). */
  misfits: Record<string, number>;
}

export const STATE_TABLE = '_state';
const STAGE = '_cio_stage';
const BATCH = '_cio_batch';
/** The load table of an unfinished replace; a sync drops any left by a killed run before it starts. */
const LOAD_PREFIX = '_cio_load_';
/** Earlier versions swapped a `_cio_new_` table in: dropped too, should one be there. */
const NEW_PREFIX = '_cio_new_';

const KNOWN_TYPES: Record<string, ColumnType> = {
  BIGINT: 'BIGINT',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  VARCHAR: 'VARCHAR',
  JSON: 'JSON',
  DATE: 'DATE',
  'TIMESTAMP WITH TIME ZONE': 'TIMESTAMPTZ',
};

const NO_CHANGES = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
/**
 * JSON text typed by one statement, at most (one longer record alone): DuckDB keeps a whole chunk's parsed
 * records, several times their text, and wide records (a customer's hundreds of attributes, a custom stream of
 * hundreds of columns) would otherwise need hundreds of MB for one chunk. 1 MiB is ~2,300 activities.
 */
const SLICE_CHARACTERS = 1 << 20;

export interface WarehouseOptions {
  /** Told when a batch ran out of the default memory limit and the limit was lifted to DuckDB's own. */
  warn?: (message: string) => void;
}

export class Warehouse {
  /** The load tables of unfinished replaces this process made, with the misfits counted in them so far. */
  private readonly loads = new Map<string, Record<string, number>>();
  /** The default memory limit is still in force (limits.ts: lifted once, on the first batch that runs out of it). */
  private softLimit: boolean;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly path: string,
    private readonly limits: DuckDbLimits,
    private readonly options: WarehouseOptions,
  ) {
    this.softLimit = limits.soft === true;
  }

  /** Opens (or creates) the file and makes sure the state table exists; leftovers of a killed replace are dropped. */
  static async open(path: string, limits: DuckDbLimits = duckDbLimits(), options: WarehouseOptions = {}): Promise<Warehouse> {
    const instance = await DuckDBInstance.create(path, duckDbOptions(limits));
    const warehouse = new Warehouse(instance, await instance.connect(), path, limits, options);
    await warehouse.run(`CREATE TABLE IF NOT EXISTS ${ident(STATE_TABLE)} (stream VARCHAR, state JSON, mode VARCHAR, updated_at TIMESTAMPTZ)`);
    const leftovers = await warehouse.rows(
      `SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main' AND (starts_with(table_name, '${LOAD_PREFIX}') OR starts_with(table_name, '${NEW_PREFIX}'))`,
    );
    for (const { table_name } of leftovers) await warehouse.run(`DROP TABLE IF EXISTS ${ident(String(table_name))}`);
    return warehouse;
  }

  async run(sql: string, values?: Array<string | number | boolean | null>): Promise<void> {
    await this.connection.run(sql, values);
  }

  /** Rows as plain JSON-friendly objects (BIGINTs as strings, like DuckDB's own JSON output). */
  async rows(sql: string, values?: Array<string | number | boolean | null>): Promise<Array<Record<string, unknown>>> {
    const reader = await this.connection.runAndReadAll(sql, values);
    return reader.getRowObjectsJson() as Array<Record<string, unknown>>;
  }

  /** Saved state per stream. */
  async states(): Promise<Map<string, JsonObject>> {
    const rows = await this.rows(`SELECT stream, CAST(state AS VARCHAR) AS state FROM ${ident(STATE_TABLE)}`);
    return new Map(rows.map((r) => [String(r.stream), JSON.parse(String(r.state)) as JsonObject]));
  }

  async tableExists(table: string): Promise<boolean> {
    const rows = await this.rows(`SELECT 1 FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = ?`, [table]);
    return rows.length > 0;
  }

  async count(table: string): Promise<number> {
    const [row] = await this.rows(`SELECT count(*) AS n FROM ${ident(table)}`);
    return Number(row.n);
  }

  /**
   * Readies an upserted stream's table: created when missing; columns the schema gained since are added.
   * Returns the layout with the table's actual column types (a column a user retyped keeps its type).
   */
  async prepareUpsert(layout: TableLayout): Promise<TableLayout> {
    if (!(await this.tableExists(layout.table))) {
      await this.run(createTableSql(layout));
      return layout;
    }
    const types = new Map((await this.columnsOf(layout.table)).map((c) => [c.name.toLowerCase(), c.type]));
    const columns = [];
    for (const column of layout.columns) {
      const actual = types.get(column.name.toLowerCase());
      if (actual === undefined) {
        await this.run(`ALTER TABLE ${ident(layout.table)} ADD COLUMN ${ident(column.name)} ${column.type}`);
        columns.push(column);
      } else {
        columns.push({ ...column, type: KNOWN_TYPES[actual] ?? column.type });
      }
    }
    return { ...layout, columns };
  }

  /** Applies a batch to an upserted stream and stores its state, in one transaction. */
  async upsert(layout: TableLayout, records: StagedRecord[], state: JsonObject): Promise<LoadCounts> {
    return this.transaction(async () => {
      const counts = await this.apply(layout, layout.table, records, true);
      await this.saveState(layout.table, state, 'upsert');
      return counts;
    });
  }

  /** Applies a batch of a replaced stream to its load table (the live table is not touched). */
  async stage(layout: TableLayout, records: StagedRecord[]): Promise<void> {
    const load = LOAD_PREFIX + layout.table;
    const { misfits } = await this.transaction(async () => {
      if (!this.loads.has(load)) await this.run(createTableSql(layout, load));
      return this.apply(layout, load, records, false);
    });
    this.loads.set(load, addMisfits(this.loads.get(load) ?? {}, misfits));
  }

  /** Swaps the load table in for the stream's table and stores the state, in one transaction. */
  async replace(layout: TableLayout, state: JsonObject): Promise<LoadCounts> {
    const load = LOAD_PREFIX + layout.table;
    const result = await this.transaction(async () => {
      if (!this.loads.has(load)) await this.run(createTableSql(layout, load));
      let counts: Omit<LoadCounts, 'misfits'>;
      if (await this.tableExists(layout.table)) {
        counts = await this.counts(replaceCountsSql(await this.sharedLayout(layout), layout.table, load));
        await this.run(`DROP TABLE ${ident(layout.table)}`);
      } else {
        counts = { ...NO_CHANGES, inserted: await this.count(load) };
      }
      await this.run(`ALTER TABLE ${ident(load)} RENAME TO ${ident(layout.table)}`);
      await this.saveState(layout.table, state, 'replace');
      return { ...counts, misfits: this.loads.get(load) ?? {} };
    });
    this.loads.delete(load);
    return result;
  }

  /** Forgets an unfinished replace: the stream's table and state stay as they were. */
  async discard(layout: TableLayout): Promise<void> {
    await this.run(`DROP TABLE IF EXISTS ${ident(LOAD_PREFIX + layout.table)}`);
    this.loads.delete(LOAD_PREFIX + layout.table);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  /** The layout cut down to the columns the existing table also has (to compare an old table with a new one). */
  private async sharedLayout(layout: TableLayout): Promise<TableLayout> {
    const names = new Set((await this.columnsOf(layout.table)).map((c) => c.name.toLowerCase()));
    const columns = layout.columns.filter((c) => names.has(c.name.toLowerCase()));
    const keyed = layout.primaryKey.every((path) => names.has(path[0].toLowerCase()));
    return { ...layout, columns, primaryKey: keyed ? layout.primaryKey : [] };
  }

  private async columnsOf(table: string): Promise<Array<{ name: string; type: string }>> {
    const rows = await this.rows(`SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = ? ORDER BY ordinal_position`, [table]);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.data_type) }));
  }

  private async saveState(stream: string, state: JsonObject, mode: string): Promise<void> {
    await this.run(`DELETE FROM ${ident(STATE_TABLE)} WHERE stream = ?`, [stream]);
    await this.run(`INSERT INTO ${ident(STATE_TABLE)} VALUES (?, CAST(? AS JSON), ?, now())`, [stream, JSON.stringify(state), mode]);
  }

  /**
   * Stages a batch, types it (the last record per key) and applies it to `table`: rows of its keys deleted, its
   * live rows inserted. Counts what it changes when asked (a load table's changes are counted at the swap).
   */
  private async apply(layout: TableLayout, table: string, records: StagedRecord[], count: boolean): Promise<LoadCounts> {
    // A new stage table a batch: rows deleted from a temporary table keep their memory until it is dropped.
    await this.run(`CREATE OR REPLACE TEMP TABLE ${ident(STAGE)} (${STAGE_COLUMNS})`);
    await this.append(records);
    const ranges = sliceRanges(records.map((r) => r.json.length), SLICE_CHARACTERS);
    if (ranges.length === 0) ranges.push([0, 0]);
    for (const [i, range] of ranges.entries()) await this.run(typedBatchSql(layout, STAGE, BATCH, range, i > 0));
    await this.run(`DROP TABLE ${ident(STAGE)}`);
    const misfits = await this.misfits(layout, BATCH);
    const deduplicate = deduplicateSql(layout, BATCH);
    if (deduplicate) await this.run(deduplicate);
    const counts = count ? await this.counts(upsertCountsSql(layout, table, BATCH)) : NO_CHANGES;
    const remove = deleteMatchedSql(layout, table, BATCH);
    if (remove) await this.run(remove);
    await this.run(insertLiveSql(layout, table, BATCH));
    await this.run(`DROP TABLE ${ident(BATCH)}`);
    return { ...counts, misfits };
  }

  private async append(records: StagedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const appender = await this.connection.createAppender(STAGE, 'main', 'temp');
    try {
      records.forEach((record, i) => {
        appender.appendVarchar(record.json);
        appender.appendBigInt(BigInt(Math.trunc(record.emittedAt)));
        appender.appendBigInt(BigInt(i));
        appender.endRow();
      });
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  private async misfits(layout: TableLayout, batch: string): Promise<Record<string, number>> {
    const sql = misfitSql(layout, batch);
    if (!sql) return {};
    const [row] = await this.rows(sql);
    return Object.fromEntries(Object.entries(row ?? {}).filter(([, n]) => Number(n) > 0).map(([c, n]) => [c, Number(n)]));
  }

  private async counts(sql: string): Promise<Omit<LoadCounts, 'misfits'>> {
    const [row] = await this.rows(sql);
    return { inserted: Number(row.inserted ?? 0), updated: Number(row.updated ?? 0), unchanged: Number(row.unchanged ?? 0), deleted: Number(row.deleted ?? 0) };
  }

  /**
   * Runs `work` in one transaction. Under the default memory limit, a transaction that runs out of memory is
   * rolled back and run again once under DuckDB's own limit (80 % of the memory it sees): a wide table can need
   * more than the default, and a larger sync beats a failed one. An operator's limit is never lifted.
   */
  private async transaction<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.attempt(work);
    } catch (error) {
      if (!this.softLimit || !isOutOfMemory(error)) throw error;
      this.softLimit = false;
      await this.run(`SET memory_limit = '${await duckDbOwnMemoryLimit()}'`);
      this.options.warn?.(`DuckDB ran out of sync's default memory limit (${this.limits.memoryLimit}); the batch is written again under DuckDB's own limit. Set CIO_SYNC_MEMORY_LIMIT to choose one.`);
      return this.attempt(work);
    }
  }

  private async attempt<T>(work: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const result = await work();
      await this.run('COMMIT');
      return result;
    } catch (error) {
      await this.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

/** DuckDB's own default memory limit here (80 % of what it sees), as a fresh instance reports it ('18.8 GiB'). */
async function duckDbOwnMemoryLimit(): Promise<string> {
  // RESET memory_limit goes back to the limit the instance was opened with, not to DuckDB's default.
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    const [[limit]] = (await connection.runAndReadAll(`SELECT current_setting('memory_limit')`)).getRows();
    connection.closeSync();
    return String(limit);
  } finally {
    instance.closeSync();
  }
}

// Read as text, not `instanceof Error`: the native binding's errors can come from another realm (jest's VM modules).
function isOutOfMemory(error: unknown): boolean {
  return /Out of Memory Error/i.test(String((error as { message?: unknown } | undefined)?.message ?? error));
}

function addMisfits(total: Record<string, number>, more: Record<string, number>): Record<string, number> {
  for (const [column, n] of Object.entries(more)) total[column] = (total[column] ?? 0) + n;
  return total;
}
