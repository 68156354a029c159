/**
 * The table `sync` prints when it ends: per stream what the file gained (inserted / updated / deleted,
 * rows now), the requests it took and how long; then the file and one query to run with the `query` command.
 * Pure formatting, so the words and columns are tested without a database.
 */
import type { StreamStats } from './loader.js';
import { ident } from './layout.js';

export interface SummaryRow extends StreamStats {
  /** Requests the stream made (its parent's listing included when it read one). */
  requests: number;
  /** Rows in the table after the sync. */
  rows: number;
}

export interface SummaryInput {
  path: string;
  streams: SummaryRow[];
  elapsedMs: number;
  requests: { total: number; retried: number; rateLimited: number };
  /** An example query (see exampleQuery). */
  query?: string;
  /** How the user runs the connector, for the query hint; default `source-customer-io` (the package's bin). */
  program?: string;
  /** Problems not tied to one stream. */
  errors?: string[];
  /** The error that stopped every stream (the key refused, its region wrong): not a stream's failure to resume. */
  stoppedBy?: string;
  /** The file was made by this sync and nothing got into it, so it was removed. */
  removed?: boolean;
  /** Lines worth saying once (Airbyte's names landed under this connector's, a --state file's seeds). */
  notes?: string[];
}

const number = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);

function status(s: SummaryRow, stopped: boolean): string {
  if (s.phase === 'complete') return 'ok';
  if (s.phase === 'waiting') return 'not run';
  if (stopped) return 'stopped';
  return s.mode === 'replace' ? 'FAILED (table kept)' : 'FAILED (resumes)';
}

export function formatSummary(input: SummaryInput): string {
  const header = ['stream', 'mode', 'records', 'inserted', 'updated', 'deleted', 'rows now', 'requests', 'time', 'status'];
  const rows = input.streams.map((s) => [
    s.stream,
    s.mode,
    number(s.received),
    number(s.inserted),
    number(s.updated),
    number(s.deleted),
    number(s.rows),
    number(s.requests),
    seconds(s.startedAt !== undefined && s.endedAt !== undefined ? s.endedAt - s.startedAt : undefined),
    status(s, input.stoppedBy !== undefined),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Text left, numbers right.
  const align = (cells: string[]) => cells.map((c, i) => (i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const failed = input.streams.filter((s) => s.phase !== 'complete');
  const { total, retried, rateLimited } = input.requests;
  const headline = input.stoppedBy ? 'Stopped: synced' : failed.length ? 'Synced with failures' : 'Synced';
  // A file this sync made and nothing got into is removed: a retry starts as a first sync, not from an empty file.
  const where = input.removed ? `(${input.path} not kept: nothing got into it)` : `into ${input.path}`;
  const lines = [
    `${headline} ${input.streams.length - failed.length} of ${input.streams.length} streams ${where} in ${seconds(input.elapsedMs)} with ${number(total)} requests (${number(retried)} retried, ${number(rateLimited)} rate-limited)`,
  ];
  // Stopped before any stream finished (a refused key): the one error says it all, not a table of stopped streams.
  if (!(input.stoppedBy && failed.length === input.streams.length)) lines.push('', align(header), align(widths.map((w) => '-'.repeat(w))), ...rows.map(align));
  const unchanged = input.streams.reduce((n, s) => n + s.unchanged, 0);
  if (unchanged) lines.push('', `${number(unchanged)} records were read again unchanged (lookback windows and full lists) and left as they were.`);
  for (const s of input.streams) {
    const misfits = Object.entries(s.misfits);
    if (misfits.length) lines.push(`${s.stream}: values that did not fit their column were stored as NULL: ${misfits.map(([c, n]) => `${c} ×${n}`).join(', ')}`);
    if (s.error && s.error !== input.stoppedBy) lines.push(`${s.stream}: ${s.error}`);
  }
  if (input.notes?.length) lines.push('', ...input.notes);
  for (const error of input.errors ?? []) lines.push(`error: ${error}`);
  if (input.stoppedBy) lines.push('', 'Every stream stopped at the error above: fix what it names, then run sync again.');
  else if (failed.length) lines.push('', 'Failed streams keep what they had: run sync again to resume incremental streams from their last saved state.');
  if (input.query) {
    // The connector's own `query` command: nothing to install. The duckdb CLI takes the same two arguments.
    lines.push('', 'Query it (or with the duckdb CLI: duckdb FILE SQL):', `  ${input.program ?? 'source-customer-io'} query ${shellQuote(input.path)} ${shellQuote(input.query)}`);
  }
  return lines.join('\n') + '\n';
}

/** A query over the biggest table: its first few columns, newest extraction first. */
export function exampleQuery(tables: Array<{ table: string; rows: number; columns: string[] }>): string | undefined {
  const biggest = [...tables].sort((a, b) => b.rows - a.rows)[0];
  if (!biggest || biggest.rows === 0) return undefined;
  const name = (n: string) => (/^[a-z_][a-z0-9_]*$/.test(n) ? n : ident(n));
  const columns = biggest.columns.slice(0, 4).map(name).join(', ') || '*';
  return `SELECT ${columns} FROM ${name(biggest.table)} ORDER BY _extracted_at DESC LIMIT 10`;
}

function shellQuote(text: string): string {
  return /^[\w./:-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
