/**
 * `sync`: the read, in-process, landed in a DuckDB file. Plans a table per selected stream, resumes each
 * incremental stream from the state saved in the file, runs the read with a sink that feeds the loader
 * (sink.ts), shows progress on stderr, and prints the summary on stdout (sync is not a protocol
 * command: its stdout is for people).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseConfig } from '../config.js';
import { ConnectorError } from '../errors.js';
import { refuseFutureStartDate, runRead } from '../commands.js';
import { createHttpClient, type HttpOverrides } from '../customerio/base.js';
import { streamsFor } from '../customerio/streams/index.js';
import { logTo } from '../engine/events.js';
import { machineClock } from '../clock.js';
import { schemaOf } from '../engine/discover.js';
import type { SelectedEntry } from '../protocol/catalog.js';
import type { JsonObject, SyncMode } from '../protocol/messages.js';
import { layoutOf } from './layout.js';
import { Loader, type LoadPlan } from './loader.js';
import { Progress, type ProgressOptions, type TextSink } from './progress.js';
import { LoaderSink } from './sink.js';
import { seedStates, syncSelection } from './selection.js';
import { exampleQuery, formatSummary, type SummaryRow } from './summary.js';
import { STATE_TABLE, Warehouse } from './warehouse.js';
import { duckDbLimits } from './limits.js';

export interface SyncInput {
  rawConfig: unknown;
  /** A ConfiguredAirbyteCatalog; absent (and no `streams`): every stream in its best mode. */
  rawCatalog?: unknown;
  /** `--streams a,b,c`: the streams by name (not with rawCatalog). */
  streams?: string;
  /** A state to start from (`--state`: a read's, Airbyte's): replaces the file's saved state of the streams it names. */
  seedState?: unknown;
  duckdbPath: string;
  /** Ignore saved state and rebuild every table (atomically, per stream). */
  fullRefresh?: boolean;
}

export interface SyncIo {
  stdout: { write(text: string): unknown };
  stderr: TextSink;
}

export interface SyncOptions {
  http?: HttpOverrides;
  progress?: ProgressOptions;
  /** Records allowed to wait for the database before the read is held back. */
  maxWaiting?: number;
  /** The run's one clock, unix ms (default: the machine's). */
  clock?: () => number;
  /** How the user runs this connector (`node dist/main.js`), for the summary's query hint. */
  program?: string;
  /** More secrets to redact (a key from the environment that is not used). */
  secrets?: string[];
}

export interface SyncResult {
  exitCode: number;
  rows: SummaryRow[];
  path: string;
}

function configuredCatalog(entries: Array<SelectedEntry & { mode: 'upsert' | 'replace' }>): JsonObject {
  return {
    streams: entries.map((e) => ({
      stream: { name: e.name, json_schema: {}, supported_sync_modes: [e.syncMode] },
      sync_mode: e.syncMode,
      destination_sync_mode: e.mode === 'upsert' ? 'append_dedup' : 'overwrite',
    })),
  };
}

/** DuckDB's reason for not opening the file, with what to do about the two a user meets. */
export function openFailure(message: string): string {
  const reason = message.split('\n')[0];
  if (/permission denied/i.test(reason)) return `${reason} (sync writes the file and a .wal beside it: the folder must be writable by the user running it; the image runs as user node, uid 1000, unless given --user)`;
  if (/lock/i.test(reason)) return `${reason} (is another sync or a query using it?)`;
  return reason;
}

export async function runSync(input: SyncInput, io: SyncIo, options: SyncOptions = {}): Promise<SyncResult> {
  const clock = options.clock ?? machineClock;
  const started = clock();
  const config = parseConfig(input.rawConfig);
  refuseFutureStartDate(config, clock);
  const definitions = streamsFor(config);
  const byName = new Map(definitions.map((d) => [d.name, d]));
  // The same checks as read's (the cursor_field too): the read below gets a catalog rebuilt from `selected`.
  const { entries: selected, notes } = syncSelection(input, definitions);
  if (selected.length === 0) throw new ConnectorError('The catalog selects no stream: nothing to sync', 'config_error');
  if (input.seedState !== undefined && input.fullRefresh) throw new ConnectorError('--state and --full-refresh contradict each other: a full refresh ignores every state', 'config_error');
  const seeds = input.seedState === undefined ? undefined : seedStates(input.seedState, selected, definitions, config);
  for (const { name } of selected) {
    if (name === STATE_TABLE || name.startsWith('_cio_')) throw new ConnectorError(`Stream "${name}" cannot be synced: sync's own tables use that name; rename the custom stream`, 'config_error');
  }

  const path = resolve(input.duckdbPath);
  // A file this sync makes and nothing gets into (the key refused, say) is not left behind.
  const fresh = !existsSync(path);
  mkdirSync(dirname(path), { recursive: true });
  let warehouse: Warehouse;
  const limits = duckDbLimits();
  try {
    warehouse = await Warehouse.open(path, limits, { warn: (message) => io.stderr.write(`warning: ${message}\n`) });
  } catch (error) {
    throw new ConnectorError(`Cannot open the DuckDB file ${path}: ${openFailure((error as Error).message)}`, 'config_error');
  }
  let removed = false;
  try {
    const saved = await warehouse.states();
    const plans = new Map<string, LoadPlan>();
    const state: JsonObject[] = [];
    const entries: Array<SelectedEntry & { mode: 'upsert' | 'replace' }> = [];
    for (const entry of selected) {
      const definition = byName.get(entry.name)!;
      const layout = layoutOf(entry.name, schemaOf(definition), definition.primaryKey);
      for (const name of layout.skipped) io.stderr.write(`warning: ${entry.name}.${name} has no column of its own (DuckDB column names ignore case and another property already has this name): its values are kept in ${layout.extra}\n`);
      const mode = input.fullRefresh || entry.syncMode === 'full_refresh' ? 'replace' : 'upsert';
      if (mode === 'upsert') {
        const existed = await warehouse.tableExists(layout.table);
        plans.set(entry.name, { layout: await warehouse.prepareUpsert(layout), mode });
        // A saved cursor without its table (dropped by hand) would skip everything before it: start over. A state
        // from --state is the user's word: it seeds a new table too.
        const resume = seeds?.states.get(entry.name) ?? (existed ? saved.get(entry.name) : undefined);
        if (resume && Object.keys(resume).length) state.push({ type: 'STREAM', stream: { stream_descriptor: { name: entry.name }, stream_state: resume } });
      } else {
        plans.set(entry.name, { layout, mode });
      }
      entries.push({ ...entry, syncMode: entry.syncMode as SyncMode, mode });
    }

    let progress: Progress | undefined;
    const loader = new Loader(warehouse, plans, { maxWaiting: options.maxWaiting, onEnded: (stats) => progress?.ended(stats) });
    const sink = new LoaderSink(loader, {
      log: (level, message) => progress?.line(`${level === 'WARN' ? 'warning' : 'error'}: ${message}`),
      // The key refused (or its region wrong): no stream's failure one by one; the error is said once
      // (said by the summary, which every sync prints).
      runFailed: () => progress?.silence(),
      stopping: () => {
        progress?.silence();
        io.stderr.write(`Stopped. Every batch whose state was saved is in ${path}; run sync again to resume.\n`);
      },
    });
    sink.setSecrets([config.apiKey, ...(options.secrets ?? [])]);
    const http = createHttpClient(config, logTo(sink), options.http);
    progress = new Progress(io.stderr, { stats: loader.stats, requests: () => http.counts.attempts, limit: config.requestsPerSecond }, options.progress);
    progress.start();

    const readErrors: string[] = [];
    // Registered before the read's own handlers, so it runs first: the streams the read then ends
    // unfinished are not announced as failures one by one.
    const quiet = () => progress?.silence();
    process.once('SIGINT', quiet);
    process.once('SIGTERM', quiet);
    try {
      await runRead(config, configuredCatalog(entries), state, sink, { http, clock });
    } catch (error) {
      // A failed write stops the read through drained(); anything else is reported the same way.
      readErrors.push(error instanceof Error ? error.message : String(error));
    } finally {
      process.removeListener('SIGINT', quiet);
      process.removeListener('SIGTERM', quiet);
    }
    await loader.finish();
    progress.stop();
    await http.limiter.stop();

    const rows: SummaryRow[] = [];
    const tables: Array<{ table: string; rows: number; columns: string[] }> = [];
    for (const [name, stats] of loader.stats) {
      const plan = plans.get(name)!;
      const count = (await warehouse.tableExists(name)) ? await warehouse.count(name) : 0;
      rows.push({ ...stats, requests: http.requestsByStream.get(name) ?? 0, rows: count });
      tables.push({ table: name, rows: count, columns: plan.layout.columns.map((c) => c.name) });
    }
    const errors = [...sink.errors, ...readErrors.filter((e) => !sink.errors.includes(e))];
    if (loader.error && !errors.includes(loader.error.message)) errors.push(loader.error.message);
    const ok = rows.every((r) => r.phase === 'complete') && errors.length === 0;
    // Nothing in it: the file this sync made goes (and the summary says so), so a retry starts as a first sync.
    if (!ok && fresh && rows.every((r) => r.phase !== 'complete' && r.committed === 0)) {
      warehouse.close();
      for (const file of [path, `${path}.wal`]) rmSync(file, { force: true });
      removed = true;
    }
    const seeded = seeds ? [...seeds.states.keys()] : [];
    io.stdout.write(
      formatSummary({
        path,
        streams: rows,
        elapsedMs: clock() - started,
        requests: { total: http.counts.attempts, retried: http.counts.retries, rateLimited: http.counts.rateLimited },
        query: exampleQuery(tables),
        program: options.program,
        errors,
        stoppedBy: sink.runError,
        removed,
        notes: [
          ...notes,
          ...(seeded.length ? [`Started ${seeded.join(', ')} from the --state file's state${seeds!.unused.length ? `; its state of ${seeds!.unused.join(', ')} was not used (not synced, or synced in full)` : ''}.`] : []),
        ],
      }),
    );
    return { exitCode: ok ? 0 : 1, rows, path };
  } finally {
    if (!removed) warehouse.close();
  }
}
