/**
 * How a stream becomes a DuckDB table: one column per top-level property of its JSON schema, typed from the
 * schema (integers, numbers, booleans, strings, timestamps; objects, arrays and mixed types as JSON), plus
 * `_extracted_at`, plus — when the schema lets records carry more than it declares — `_cio_extra`, one JSON
 * object of the fields that have no column of their own, so no field a read emits is dropped from the file.
 * Pure: it only writes SQL text, which the warehouse runs.
 *
 * Records reach DuckDB as JSON text (one VARCHAR per record, appended in batches) and are typed in SQL by
 * the expressions built here, so DuckDB parses (once per record) and casts whole batches at once. A value that does not fit
 * its column (a word in an integer column) becomes NULL and is counted, never a failed sync.
 */
import type { JsonObject } from '../protocol/messages.js';

export type ColumnType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR' | 'TIMESTAMPTZ' | 'DATE' | 'JSON';

export interface Column {
  name: string;
  type: ColumnType;
}

export interface TableLayout {
  table: string;
  /** Data columns, in schema order (`_extracted_at` is not among them). */
  columns: Column[];
  /** Primary key paths, e.g. [['id']] or [['broadcast_id'], ['id']]; the first element of each is a column. */
  primaryKey: string[][];
  /** Schema properties that could not become a column (a name DuckDB would confuse with another), for a warning. */
  skipped: string[];
  /** The catch-all column (also in `columns`), when records may carry fields without a column of their own. */
  extra?: string;
}

export const EXTRACTED_AT = '_extracted_at';
/** The whole record, for streams whose schema declares no properties beyond the key (custom streams). */
export const DATA_COLUMN = '_data';
/** Airbyte's deletion marker: the row is deleted, so it never becomes a column. */
export const DELETED_AT = '_ab_cdc_deleted_at';
/**
 * The catch-all: the record's top-level fields that have no column, as a JSON object (NULL when there are
 * none). `_cio_` is sync's own prefix (its work tables, refused as stream names), not a Customer.io field's;
 * should a schema ever declare the name, the catch-all takes the next free one (extraName).
 */
export const EXTRA_COLUMN = '_cio_extra';

/** `"name"` with inner quotes doubled: any property name is a safe identifier. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `'text'` with inner quotes doubled. */
export const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** A JSON path for one key of an object, e.g. `$."first name"`. */
export function jsonPath(keys: string[]): string {
  return '$' + keys.map((k) => `."${k.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join('');
}

/** The DuckDB type for one property schema. */
export function columnType(property: unknown): ColumnType {
  if (property === null || typeof property !== 'object') return 'JSON';
  const schema = property as JsonObject;
  const declared = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  const types = new Set((declared as unknown[]).filter((t): t is string => typeof t === 'string' && t !== 'null'));
  if (types.size === 0 || types.has('object') || types.has('array')) return 'JSON';
  if (types.size === 1) {
    const [only] = types;
    if (only === 'integer') return 'BIGINT';
    if (only === 'number') return 'DOUBLE';
    if (only === 'boolean') return 'BOOLEAN';
    if (only === 'string') {
      if (schema.format === 'date-time') return 'TIMESTAMPTZ';
      if (schema.format === 'date') return 'DATE';
      return 'VARCHAR';
    }
  }
  if (types.size === 2 && types.has('integer') && types.has('number')) return 'DOUBLE';
  // ["integer","string"] and other mixes: text keeps every value as it came.
  return 'VARCHAR';
}

/** Whether records may carry top-level fields the schema does not declare (JSON Schema's default: yes). */
export function allowsUndeclared(schema: JsonObject): boolean {
  return schema.additionalProperties !== false || (schema.patternProperties !== undefined && schema.patternProperties !== null);
}

/** EXTRA_COLUMN, or `_cio_extra_2`, `_cio_extra_3`… when a column already has that name (compared as DuckDB does, ignoring case). */
export function extraName(taken: Iterable<string>): string {
  const names = new Set([...taken].map((n) => n.toLowerCase()));
  let name = EXTRA_COLUMN;
  for (let n = 2; names.has(name.toLowerCase()); n++) name = `${EXTRA_COLUMN}_${n}`;
  return name;
}

/** The table for a stream, from its name, JSON schema and primary key. */
export function layoutOf(stream: string, schema: JsonObject, primaryKey: string[][]): TableLayout {
  const properties = (schema.properties && typeof schema.properties === 'object' ? schema.properties : {}) as JsonObject;
  const columns: Column[] = [];
  const skipped: string[] = [];
  // DuckDB names are case-insensitive: `Email` and `email` cannot both be columns.
  const taken = new Set([EXTRACTED_AT, DATA_COLUMN]);
  const add = (name: string, type: ColumnType) => {
    if (name === DELETED_AT) return;
    if (taken.has(name.toLowerCase()) || name === '') {
      skipped.push(name);
      return;
    }
    taken.add(name.toLowerCase());
    columns.push({ name, type });
  };
  const declared = Object.keys(properties);
  for (const name of declared) add(name, columnType(properties[name]));
  // Key fields are always columns, even when the schema does not declare them.
  for (const path of primaryKey) {
    if (path.length && !columns.some((c) => c.name === path[0])) add(path[0], path.length > 1 ? 'JSON' : 'VARCHAR');
  }
  // A schema that declares nothing beyond the key ("any object", as custom streams have) keeps the whole record
  // too, as it always has: queries written against `_data` go on working beside the catch-all.
  const keyFields = new Set(primaryKey.map((path) => path[0]));
  if (declared.every((name) => keyFields.has(name))) columns.push({ name: DATA_COLUMN, type: 'JSON' });
  // Undeclared fields, and declared ones that could not have a column, land in the catch-all.
  let extra: string | undefined;
  if (allowsUndeclared(schema) || skipped.length > 0) {
    extra = extraName(columns.map((c) => c.name));
    columns.push({ name: extra, type: 'JSON' });
  }
  return { table: stream, columns, primaryKey: primaryKey.filter((p) => p.length > 0), skipped, ...(extra ? { extra } : {}) };
}

/** The columns that hold one field of the record each (all but the whole record and the catch-all). */
export const fieldColumns = (layout: TableLayout): Column[] => layout.columns.filter((c) => c.name !== DATA_COLUMN && c.name !== layout.extra);

/** The record fields that have a column of their own (what the catch-all leaves out). */
export function ownFields(layout: TableLayout): string[] {
  return fieldColumns(layout).map((c) => c.name);
}

/**
 * SQL for the catch-all of a record held as JSON text in `source`: the record without the fields that have a
 * column and without the deletion marker (a JSON merge patch whose `null`s remove keys; the record's own nulls,
 * top-level or nested, are kept), NULL when nothing is left. Keys compare exactly, as JSON keys do: a field
 * `Email` beside an `email` column stays in the catch-all.
 */
export function extraExpression(layout: TableLayout, source: string): string {
  const removed = Object.fromEntries([...ownFields(layout), DELETED_AT].map((name) => [name, null]));
  const rest = `json_merge_patch(${source}, ${literal(JSON.stringify(removed))})`;
  return `nullif(${rest}, CAST('{}' AS JSON))`;
}

/**
 * SQL that parses a record held as JSON text in `source` once, into a STRUCT of the fields of `columns` (each as
 * text, JSON columns as JSON; absent or null: NULL; keys compare exactly) and the deletion marker. Every column is
 * then read out of the STRUCT (fieldExpression). One `json_extract` per column parsed each record once per column,
 * and DuckDB keeps every parsed record of a 2,048-row chunk for each of them: ~270 MB of the process for 11
 * columns, most of `sync`'s peak (issue 26.8); one parse is a tenth of that and twice as fast.
 */
export function parseExpression(columns: Column[], source: string): string {
  const structure = Object.fromEntries(columns.map((c) => [c.name, c.type === 'JSON' ? 'JSON' : 'VARCHAR']));
  if (markerParsed(columns)) structure[DELETED_AT] = 'VARCHAR';
  return `json_transform(${source}, ${literal(JSON.stringify(structure))})`;
}

/** STRUCT fields are named without regard to case: the marker is parsed with the columns unless one has its name in another case. */
const markerParsed = (columns: Column[]): boolean => !columns.some((c) => c.name.toLowerCase() === DELETED_AT);

const field = (parsed: string, name: string) => `struct_extract(${parsed}, ${literal(name)})`;

/** SQL for one column's value out of a record parsed by parseExpression into `parsed`: a value that does not fit the column's type is NULL. */
export function fieldExpression(column: Column, parsed: string): string {
  const text = field(parsed, column.name);
  return column.type === 'JSON' || column.type === 'VARCHAR' ? text : `TRY_CAST(${text} AS ${column.type})`;
}

/** SQL for the deletion marker's text (NULL when absent) of a record held as JSON text in `source` and parsed with `columns` into `parsed`. */
export function markerExpression(columns: Column[], source: string, parsed: string): string {
  return markerParsed(columns) ? field(parsed, DELETED_AT) : `json_extract_string(${source}, ${literal(jsonPath([DELETED_AT]))})`;
}

/** The value of any column of the layout out of a record held as JSON text in `source` and parsed (with fieldColumns) into `parsed`. */
export function valueExpression(layout: TableLayout, column: Column, source: string, parsed: string): string {
  if (column.name === DATA_COLUMN) return `CAST(${source} AS JSON)`;
  return column.name === layout.extra ? extraExpression(layout, source) : fieldExpression(column, parsed);
}

/** SQL for one key path against a table of typed columns (nested paths read inside a JSON column). */
export function keyExpression(path: string[], alias: string): string {
  const [top, ...rest] = path;
  const column = `${alias}.${ident(top)}`;
  if (rest.length === 0) return `CAST(${column} AS VARCHAR)`;
  return `json_extract_string(${column}, ${literal(jsonPath(rest))})`;
}

/** `a.k1 = b.k1 AND …` for every key path; keys compare as text, so `13` and `"13"` are one key. */
export function keysMatch(layout: TableLayout, left: string, right: string): string {
  if (layout.primaryKey.length === 0) return 'FALSE';
  return layout.primaryKey.map((p) => `${keyExpression(p, left)} = ${keyExpression(p, right)}`).join(' AND ');
}

/** `CREATE TABLE` for the layout (data columns, then `_extracted_at`). */
export function createTableSql(layout: TableLayout, table = layout.table): string {
  const columns = layout.columns.map((c) => `${ident(c.name)} ${c.type}`);
  return `CREATE TABLE ${ident(table)} (${[...columns, `${ident(EXTRACTED_AT)} TIMESTAMPTZ`].join(', ')})`;
}

/** Columns that hold typed values (for counting values that did not fit their type). */
export const castColumns = (layout: TableLayout): Column[] =>
  layout.columns.filter((c) => c.type !== 'JSON' && c.type !== 'VARCHAR' && c.name !== DATA_COLUMN && c.name !== layout.extra);
