/**
 * The `query` command line: `query FILE SQL [--json]` runs one SQL query against a DuckDB file that `sync`
 * wrote and prints the rows, with the DuckDB the connector already carries: no duckdb CLI to install, in the
 * image neither. People's output, like sync's: rows on stdout, problems as one line on stderr, exit 1.
 *
 * Read-only for real (docs/security.md): the file is opened read-only (DuckDB refuses it while a sync has the
 * file open), with no access to any other file, no extension installed or loaded, the configuration locked so
 * no SET can undo that, and only SELECT statements run. The last matters: with external access off, DuckDB
 * still lets a statement write to the opened database file itself (its own path is on its allowed list, so
 * `COPY … TO '<file>' (USE_TMP_FILE false)` would truncate it), and a read-only open does not stop that.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DuckDBInstance, StatementType, type DuckDBConnection, type Json } from '@duckdb/node-api';
import { aliasTarget } from '../customerio/airbyte/aliases.js';
import { didYouMean } from '../nearest.js';
import { STATE_TABLE } from './warehouse.js';

/** Values longer than this are cut in the table (--json prints them whole). */
const MAX_WIDTH = 60;

export const QUERY_USAGE = `usage: source-customer-io query FILE SQL [--json]

  FILE     a DuckDB file written by sync (opened read-only; no other file is reachable)
  SQL      SELECT statements only, e.g. "SELECT type, count(*) FROM activities GROUP BY type ORDER BY 2 DESC"
  --json   one JSON object per row with every value in full (the table cuts values at ${MAX_WIDTH} characters)`;

export interface QueryResult {
  columns: string[];
  /** Values as DuckDB's JSON conversion gives them (BIGINTs and timestamps as strings), JSON columns parsed. */
  rows: Json[][];
}

/**
 * DuckDB's open options for `query` (names as in DuckDB 1.5's `duckdb_settings()`); set at open, so nothing is
 * ever reachable before them, and `lock_configuration` last keeps every SET from changing them afterwards.
 */
export const QUERY_OPEN_OPTIONS: Record<string, string> = {
  access_mode: 'READ_ONLY',
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  lock_configuration: 'true',
};

/** Refuses the SQL unless every statement in it is a SELECT (SHOW, DESCRIBE, SUMMARIZE and FROM-first included). */
async function onlySelects(connection: DuckDBConnection, sql: string): Promise<void> {
  const statements = await connection.extractStatements(sql);
  for (let i = 0; i < statements.count; i++) {
    const prepared = await statements.prepare(i);
    const type = prepared.statementType;
    prepared.destroySync();
    if (type !== StatementType.SELECT) {
      const name = StatementType[type] ?? 'that';
      throw new Error(`query runs SELECT statements only (statement ${i + 1} is ${name}); the file and everything else stay as they are`);
    }
  }
}

export async function runQuery(path: string, sql: string): Promise<QueryResult> {
  const instance = await DuckDBInstance.create(path, QUERY_OPEN_OPTIONS);
  try {
    const connection = await instance.connect();
    try {
      await onlySelects(connection, sql);
      const reader = await connection.runAndReadAll(sql);
      // A JSON column (sync's objects and arrays) comes back as its text: parsed, so --json nests it.
      const json = reader.columnTypes().map((type) => type.alias === 'JSON');
      const rows = reader.getRowsJson().map((row) => row.map((value, i) => (json[i] && typeof value === 'string' ? (JSON.parse(value) as Json) : value)));
      return { columns: reader.columnNames(), rows };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
const text = (value: Json) => (value === null ? 'NULL' : typeof value === 'string' ? value : JSON.stringify(value));

/** An aligned table (numbers to the right, long values cut with …) and the row count under it. */
export function formatTable({ columns, rows }: QueryResult, maxWidth = MAX_WIDTH): string {
  const cut = (s: string) => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s).replace(/\n/g, ' ');
  const cells = rows.map((row) => row.map((value) => cut(text(value))));
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((row) => row[i] === null || NUMBER.test(text(row[i]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  const count = `(${rows.length.toLocaleString('en-US')} ${rows.length === 1 ? 'row' : 'rows'})`;
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), count].join('\n') + '\n';
}

/** One JSON object per row (a column named twice keeps its last value, as in any JSON object). */
export function formatJsonLines({ columns, rows }: QueryResult): string {
  return rows.map((row) => JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i]]))) + '\n').join('');
}

/** The tables sync wrote into the file (its own bookkeeping left out). */
async function tablesOf(path: string): Promise<string[]> {
  try {
    const { rows } = await runQuery(path, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name");
    return rows.map((r) => String(r[0])).filter((name) => name !== STATE_TABLE && !name.startsWith('_cio_'));
  } catch {
    return [];
  }
}

/** What to query instead of a table the file does not have: Airbyte's name's table, or the nearest names. */
async function missingTableHint(path: string, table: string): Promise<string> {
  const tables = await tablesOf(path);
  const target = aliasTarget(table);
  if (target !== table) return `${table} is Airbyte's name of ${target}: sync lands it in table ${target}${tables.includes(target) ? '' : ' (not in this file yet)'}.`;
  const near = didYouMean(table, tables);
  if (near) return `${near[0].toUpperCase()}${near.slice(1)}`;
  return tables.length ? `The file's tables: ${tables.join(', ')}.` : 'The file has no tables yet: run sync first.';
}

export interface QueryIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Runs `query` with the arguments after the command name; resolves with the exit code. */
export async function queryCommand(args: string[], io: QueryIo = process): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message.split('\n')[0]}\n${QUERY_USAGE}\n`);
    return 1;
  }
  if (parsed.values.help) {
    io.stdout.write(`${QUERY_USAGE}\n`);
    return 0;
  }
  const [path, sql, ...extra] = parsed.positionals;
  const problem =
    path === undefined || sql === undefined || sql.trim() === ''
      ? 'query needs a FILE and a SQL query'
      : extra.length
        ? `query takes one SQL query; put it in quotes (extra arguments: ${extra.join(' ')})`
        : !existsSync(path)
          ? `no DuckDB file at ${path} (sync writes customerio.duckdb by default)`
          : statSync(path).isDirectory()
            ? `${path} is a directory, not a DuckDB file`
            : undefined;
  if (problem) {
    io.stderr.write(`error: ${problem}\n${QUERY_USAGE}\n`);
    return 1;
  }
  try {
    const result = await runQuery(path, sql);
    io.stdout.write(parsed.values.json ? formatJsonLines(result) : formatTable(result));
    return 0;
  } catch (error) {
    // DuckDB's messages name the problem (a missing table, a syntax error, a file in use) on their first lines.
    let message = (error as Error).message.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' ');
    const busy = /could not set lock/i.test(message) ? ' (a sync has the file open: query it when the sync is done)' : '';
    const fenced = /disabled by configuration|disabled through configuration|configuration has been locked/i.test(message)
      ? ' (query reads the DuckDB file it was given and nothing else: no other file, no extension, no setting)'
      : '';
    const missing = /Table with name (\S+) does not exist!/.exec(message)?.[1];
    // DuckDB's own guess ranges over its system tables ("people" → "pg_depend"): ours, over the file's tables.
    if (missing) message = message.replace(/ Did you mean "[^"]*"\?/, '').replace(/!/, `! ${await missingTableHint(path, missing)}`);
    io.stderr.write(`error: ${message}${busy}${fenced}\n`);
    return 1;
  }
}
