/**
 * What a read printed, per stream: records with their raw lines, primary keys, stream statuses, states and
 * their record counts, cursor values. Each check returns one readable line per broken rule (naming the
 * stream, the message and the rule), so a failing test prints exactly what broke.
 */
import type { CliResult, Message } from '../../test/helpers/cli.js';
import type { ConfiguredCatalog } from './catalogs.js';
import { toSeconds } from '../../src/engine/incremental.js';

export interface RecordLine {
  stream: string;
  data: Record<string, unknown>;
  emitted_at: number;
  /** The stdout line the record came in (1-based) and its text. */
  line: number;
  raw: string;
}

/** Stdout lines that are messages, aligned with `result.messages`. */
export function messageLines(result: CliResult): Array<{ line: number; raw: string }> {
  const out: Array<{ line: number; raw: string }> = [];
  const complete = result.signal ? result.stdout.slice(0, result.stdout.lastIndexOf('\n') + 1) : result.stdout;
  complete.split('\n').forEach((raw, i) => {
    if (raw !== '') out.push({ line: i + 1, raw });
  });
  return out;
}

export function recordLines(result: CliResult): RecordLine[] {
  const lines = messageLines(result);
  const out: RecordLine[] = [];
  result.messages.forEach((m, i) => {
    if (m.type === 'RECORD') out.push({ stream: m.record.stream, data: m.record.data, emitted_at: m.record.emitted_at, ...lines[i] });
  });
  return out;
}

/** A record's primary key as one comparable string; undefined when a key field is missing. */
export function primaryKeyOf(data: Record<string, unknown>, primaryKey: string[][]): string | undefined {
  const values: unknown[] = [];
  for (const path of primaryKey) {
    let value: unknown = data;
    for (const part of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    if (value === undefined) return undefined;
    values.push(value);
  }
  return JSON.stringify(values);
}

export const primaryKeys = (catalog: ConfiguredCatalog) =>
  new Map(catalog.streams.map((s) => [s.stream.name, s.primary_key ?? s.stream.source_defined_primary_key ?? []]));

/** Primary keys per stream (records marked deleted with `_ab_cdc_deleted_at` left out). */
export function keysByStream(result: CliResult, catalog: ConfiguredCatalog): Map<string, Set<string>> {
  const pks = primaryKeys(catalog);
  const out = new Map<string, Set<string>>(catalog.streams.map((s) => [s.stream.name, new Set<string>()]));
  for (const m of result.ofType('RECORD')) {
    if (m.record.data._ab_cdc_deleted_at !== undefined) continue;
    const key = primaryKeyOf(m.record.data, pks.get(m.record.stream) ?? []);
    if (key !== undefined) out.get(m.record.stream)?.add(key);
  }
  return out;
}

export function recordCounts(result: CliResult): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of result.ofType('RECORD')) counts.set(m.record.stream, (counts.get(m.record.stream) ?? 0) + 1);
  return counts;
}

/** STARTED, then at least one RUNNING, then COMPLETE last: nothing else, nothing after. */
export function statusProblems(result: CliResult, streams: string[]): string[] {
  const problems: string[] = [];
  for (const stream of streams) {
    const seen = result.statuses(stream);
    const ok =
      seen.length >= 3 &&
      seen[0] === 'STARTED' &&
      seen[seen.length - 1] === 'COMPLETE' &&
      seen.slice(1, -1).every((s) => s === 'RUNNING');
    if (!ok) problems.push(`${stream}: stream statuses were [${seen.join(', ')}], expected STARTED, RUNNING…, COMPLETE (at least three, in that order)`);
  }
  return problems;
}

/**
 * Every STATE is of type STREAM and its sourceStats.recordCount equals the records of its stream printed
 * since that stream's previous STATE; no record of a stream comes after its last STATE.
 */
export function stateProblems(result: CliResult, streams: string[]): string[] {
  const problems: string[] = [];
  const lines = messageLines(result);
  const since = new Map<string, number>();
  const stateCount = new Map<string, number>();
  result.messages.forEach((m, i) => {
    if (m.type === 'RECORD') since.set(m.record.stream, (since.get(m.record.stream) ?? 0) + 1);
    if (m.type !== 'STATE') return;
    const where = `STATE on stdout line ${lines[i].line}`;
    if (m.state.type !== 'STREAM') return void problems.push(`${where} has type ${String(m.state.type)}, not STREAM`);
    const name = m.state.stream?.stream_descriptor?.name as string;
    stateCount.set(name, (stateCount.get(name) ?? 0) + 1);
    const counted = m.state.sourceStats?.recordCount;
    const printed = since.get(name) ?? 0;
    if (counted !== printed) problems.push(`${where} (${name}): sourceStats.recordCount is ${String(counted)} but ${printed} records of ${name} came since its previous STATE`);
    since.set(name, 0);
  });
  for (const stream of streams) {
    if (!stateCount.get(stream)) problems.push(`${stream}: no STATE message`);
    else if (since.get(stream)) problems.push(`${stream}: ${since.get(stream)} records came after its last STATE (a platform would not commit them)`);
  }
  return problems;
}

/** A cursor value as unix seconds: the connector's own reading of numbers, numeric strings and ISO-8601. */
export { toSeconds };

/**
 * The cursor values in a stream_state: `{<cursor>: v}` → {'': v}; `{partitions: {k: {<cursor>: v}}}` →
 * {k: v}. Values are as printed (compare with toSeconds).
 */
export function cursorsOf(state: Record<string, unknown> | undefined, cursorField: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!state) return out;
  if (state[cursorField] !== undefined) out.set('', state[cursorField]);
  const partitions = state.partitions;
  if (partitions && typeof partitions === 'object') {
    for (const [key, value] of Object.entries(partitions as Record<string, Record<string, unknown>>)) {
      if (value && value[cursorField] !== undefined) out.set(key, value[cursorField]);
    }
  }
  return out;
}

/** Cursor moves backwards between consecutive states of each stream (the first compared with `initial`). */
export function cursorRegressions(
  result: CliResult,
  cursorFields: Map<string, string>,
  initial: Map<string, Record<string, unknown>> = new Map(),
): string[] {
  const problems: string[] = [];
  const lines = messageLines(result);
  const last = new Map<string, Map<string, unknown>>();
  for (const [stream, state] of initial) {
    const field = cursorFields.get(stream);
    if (field) last.set(stream, cursorsOf(state, field));
  }
  result.messages.forEach((m, i) => {
    if (m.type !== 'STATE') return;
    const name = m.state.stream?.stream_descriptor?.name as string;
    const field = cursorFields.get(name);
    if (!field) return;
    const now = cursorsOf(m.state.stream.stream_state, field);
    const before = last.get(name) ?? new Map<string, unknown>();
    for (const [key, value] of before) {
      const was = toSeconds(value);
      const is = now.has(key) ? toSeconds(now.get(key)) : undefined;
      if (was === undefined) continue;
      if (!now.has(key)) problems.push(`${name}: STATE on stdout line ${lines[i].line} dropped the cursor ${key ? `of partition ${key}` : ''} (was ${JSON.stringify(value)})`);
      else if (is === undefined || is < was) problems.push(`${name}: STATE on stdout line ${lines[i].line} moved ${field}${key ? ` of partition ${key}` : ''} backwards from ${JSON.stringify(value)} to ${JSON.stringify(now.get(key))}`);
    }
    last.set(name, now);
  });
  return problems;
}

/** The last STATE message printed for each stream, as an input state file (per-stream array form). */
export function finalStates(messages: Message[]): Array<Record<string, unknown>> {
  const last = new Map<string, Record<string, unknown>>();
  for (const m of messages) if (m.type === 'STATE') last.set(m.state.stream.stream_descriptor.name, m.state);
  return [...last.values()].map((s) => ({ type: 'STREAM', stream: s.stream }));
}

/** Stream name → stream_state of a per-stream state array. */
export function stateMap(states: Array<Record<string, unknown>>): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const s of states) {
    const stream = s.stream as { stream_descriptor: { name: string }; stream_state: Record<string, unknown> };
    out.set(stream.stream_descriptor.name, stream.stream_state);
  }
  return out;
}

/** Per-stream set differences, as readable lines: keys of `expected` missing from `actual`. */
export function missingKeys(expected: Map<string, Set<string>>, actual: Map<string, Set<string>>, limit = 5): string[] {
  const problems: string[] = [];
  for (const [stream, keys] of expected) {
    const have = actual.get(stream) ?? new Set<string>();
    const missing = [...keys].filter((k) => !have.has(k));
    if (missing.length) problems.push(`${stream}: ${missing.length} of ${keys.size} records missing, e.g. primary keys ${missing.slice(0, limit).join(' ')}`);
  }
  return problems;
}
