/**
 * The Reader: one engine for every stream definition, telling a ReadSink what happens as typed events.
 *
 * For each selected stream: started → partitions (partitions.ts) → pages (pages.ts) → records (client-side
 * filter, client-pass.ts; or server-side windows, windows.ts) → a page event after every page (its records, and
 * the state that covers them and every record before them when one is due: checkpoint-policy.ts) → deletions
 * (deletes.ts; a key a paged list did not show is looked up first: vanished.ts, lookups.ts) with the final state → ended. Streams, and partitions within a stream, run concurrently; every
 * request goes through the one limiter in the HTTP client, and a list read for itself and as a parent asks once
 * (requests.ts). The sink delivers a page's records and state together. A stream that fails or is stopped prints a
 * state covering everything it printed before it ends (coverAll, for the run's last words on a signal), so a
 * stream's last word is always a state that covers what it gave.
 */
import { ConnectorError, asConnectorError, configError } from '../errors.js';
import type { SyncMode, JsonObject } from '../protocol/messages.js';
import type { Config } from '../config.js';
import { ApiError, RequestCancelled, type HttpClient } from './http.js';
import { Checkpoint } from './checkpoint.js';
import { DEFAULT_CHECKPOINTS, StateCadence, type CheckpointPolicy } from './checkpoint-policy.js';
import { ClientPass } from './client-pass.js';
import { RecordConformer } from './conform.js';
import { forEachConcurrent } from './concurrency.js';
import { DeleteTracker, type Remembered } from './deletes.js';
import { settleDeletes } from './lookups.js';
import { logTo, type ReadRecord, type ReadSink } from './events.js';
import { AheadOfClock, FULL_LOOKBACK_FIELD, FUTURE_CURSOR_TOLERANCE, inWindow, readStart, requestWindow, servedFrom, toSeconds, UnreadableCursors, windowsToRead, type IncrementalStrategy, type PositionStrategy } from './incremental.js';
import { PageReader, Stopped } from './pages.js';
import { PartitionPlanner, type PartitionEnd } from './partitions.js';
import { primaryKeyOf } from './repeats.js';
import { SharedRequests } from './requests.js';
import type { Partition, Record_, StatusAction, StreamDefinition } from './types.js';
import { ClockSkew, localHost } from './skew.js';
import { BeyondServed, Lookbacks, readWindows, WindowEdges, type TimeWindow } from './windows.js';

export { chainUrgency } from './pages.js';

export interface ReadContext {
  config: Config;
  http: HttpClient;
  sink: ReadSink;
  /** The run's one clock, unix ms. */
  clock: () => number;
  /** Set when the run must stop (SIGTERM, a revoked key): no new page starts. */
  signal?: { aborted: boolean; reason?: ConnectorError };
  /** Messages of authentication failures (the key's problem, not a stream's); may ask the API (the other region). */
  authMessage?: (status: number, detail: string) => string | Promise<string>;
  /** When a STATE is due in the middle of a stream (default DEFAULT_CHECKPOINTS). */
  checkpoints?: CheckpointPolicy;
}

export interface SelectedStream {
  definition: StreamDefinition;
  syncMode: SyncMode;
  state?: JsonObject;
}

export interface StreamOutcome {
  stream: string;
  records: number;
  error?: ConnectorError;
}

/** Partitions of a stream, and windows of a partition, read at once unless the definition says otherwise. */
const DEFAULT_CONCURRENCY = 4;

const DEFAULT_AUTH_MESSAGE = (status: number, detail: string) =>
  `Customer.io rejected the App API key (${status}${detail ? `: ${detail}` : ''}). Check the key and the region.`;

/** What an incremental read brings to each partition of its stream. */
interface IncrementalRun {
  strategy: IncrementalStrategy;
  checkpoint: Checkpoint;
  /** Record cursors that are not times: printed, never the cursor, counted and said once. */
  unreadable: UnreadableCursors;
  /** Record cursors too far ahead of the clock to become the cursor: the same. */
  ahead: AheadOfClock;
  /** Whether a pass that may stop early was found not newest first (said once per stream). */
  disordered: boolean;
  deletes?: DeleteTracker;
  /** Pages each partition's client-side pass fetched (a key missing from a pass of several pages may have been skipped). */
  pages: Map<string, number>;
  /** Which windowed partitions re-read their full lookback, which a recent one (said once per stream). */
  lookbacks?: Lookbacks;
  /** Windowed partitions whose cursor is older than the API serves (said once per stream). */
  beyondServed: BeyondServed;
}

export class Reader {
  private readonly requests: SharedRequests;
  private readonly pages: PageReader;
  private readonly planner: PartitionPlanner;
  private readonly log: ReturnType<typeof logTo>;
  /** Records ahead of this machine's clock but not of the API's, across streams: said once (skewWarning). */
  private readonly skew = new ClockSkew();
  /** Per stream being read: prints a STATE covering what it printed, when any record or move is not covered yet. */
  private readonly uncovered = new Map<string, () => void>();

  constructor(private readonly ctx: ReadContext) {
    const { config, http, clock, signal, sink } = ctx;
    this.log = logTo(sink);
    this.requests = new SharedRequests(http);
    this.pages = new PageReader({ config, http, clock, signal, requests: this.requests, log: this.log, drained: () => sink.drained() });
    this.planner = new PartitionPlanner(config, (definition, partition, onRecords) => this.readPartition(definition, partition, undefined, onRecords));
  }

  /**
   * Tells the reader every stream of the run before any is read. A selected stream that is also the parent of a
   * selected stream (campaigns and campaign_actions) then asks the API once: its own read and its children's
   * parent read take the same answers, page for page.
   */
  plan(streams: SelectedStream[]): void {
    this.requests.plan(streams.map((s) => s.definition));
  }

  /**
   * Prints, for every stream still being read, a STATE covering what it printed so far (when the last one does not):
   * the run's last words when it is stopped (a signal), before the sink closes. Safe at any moment: a cursor moves
   * only once the records it covers are printed.
   */
  coverAll(): void {
    for (const cover of this.uncovered.values()) cover();
  }

  /** The run's one WARN about the API's clock being ahead of this machine's, when records showed it. */
  skewWarning(): string | undefined {
    return this.skew.warning({ local: localHost(this.ctx.config.baseUrl) });
  }

  /** Reads every selected stream; resolves with one outcome per stream (never rejects for a stream's failure). */
  async readAll(streams: SelectedStream[]): Promise<StreamOutcome[]> {
    this.plan(streams);
    return Promise.all(streams.map((s) => this.readStream(s)));
  }

  async readStream({ definition, syncMode, state }: SelectedStream): Promise<StreamOutcome> {
    const { sink, clock } = this.ctx;
    const name = definition.name;
    const strategy = syncMode === 'incremental' ? definition.incremental : undefined;
    const checkpoint = new Checkpoint(strategy, strategy ? state : undefined);
    const run: IncrementalRun | undefined = strategy && {
      strategy,
      checkpoint,
      unreadable: new UnreadableCursors(strategy.cursorField),
      ahead: new AheadOfClock(strategy.cursorField, `${FUTURE_CURSOR_TOLERANCE / 60} minutes`),
      disordered: false,
      deletes: DeleteTracker.for(definition, checkpoint.startMemory()),
      pages: new Map(),
      lookbacks: Lookbacks.for(strategy, this.ctx.config),
      beyondServed: new BeyondServed(),
    };
    const outcome: StreamOutcome = { stream: name, records: 0 };
    // Records that do not fit the schema are fixed or skipped, with a WARN, instead of failing the stream.
    const conformer = new RecordConformer(definition, (message) => this.log('WARN', message));
    let running = false;
    const markRunning = () => {
      if (!running) {
        running = true;
        sink.emit({ type: 'running', stream: name, at: clock() });
      }
    };
    const cadence = new StateCadence(this.ctx.checkpoints ?? DEFAULT_CHECKPOINTS, clock, checkpoint.version);
    /** Hands a page on, with a STATE when one is due (`final`: always). */
    const page = (records: ReadRecord[], final = false) => {
      outcome.records += records.length;
      // Asked before the records are handed on: the sink (sync's loader) wants a STATE when it would hold too many.
      const wanted = sink.stateWanted?.(name, records.length) === true;
      cadence.add(records);
      const due = final || wanted || cadence.due(checkpoint.version, () => checkpoint.bytes());
      const state = due ? checkpoint.take().state : undefined;
      sink.emit({ type: 'page', stream: name, records, ...(state ? { state } : {}), at: clock() });
      if (due) cadence.printed(checkpoint.version);
    };
    /** A STATE covering everything printed so far, unless the last one already does. */
    const cover = () => {
      if (cadence.pending(checkpoint.version)) page([], true);
    };
    this.uncovered.set(name, cover);

    sink.emit({ type: 'started', stream: name, at: clock() });
    const firstRead = !strategy || !state || Object.keys(state).length === 0;
    for (const note of definition.notes?.(this.ctx.config, Math.floor(clock() / 1000), { firstRead }) ?? []) this.log('WARN', `${name}: ${note}`);
    try {
      const { list: partitions, wholeParentList } = await this.planner.partitionsOf(definition);
      let unavailable: ConnectorError | undefined;
      /** Partitions whose parent answered 404: deleted since the parent list was read. */
      const vanished = new Set<string>();
      if (partitions.length > 1) checkpoint.holdSharedCursor();

      await forEachConcurrent(partitions, definition.concurrency ?? DEFAULT_CONCURRENCY, async (partition) => {
        if (unavailable) return;
        const end = await this.readPartition(definition, partition, run, (records) => {
          markRunning();
          page(printable(records, conformer));
        });
        if (end instanceof ConnectorError) unavailable = end;
        else if (end === 'skipped') vanished.add(partition.key);
      });
      markRunning();
      if (unavailable) throw unavailable;
      checkpoint.promoteHeld();
      let deletions: ReadRecord[] = [];
      if (run?.deletes) {
        const { found, gone } = await this.settleDeletes(definition, run, partitions);
        const { deletions: vanishedRecords, memory } = run.deletes.finish(gone, { nowSeconds: clock() / 1000, savedCursors: checkpoint.startCursors() });
        checkpoint.rememberDeletes({ ...memory });
        deletions = [...printable(found, conformer), ...vanishedRecords.map((data) => ({ data, json: JSON.stringify(data) }))];
      }
      // Every partition is read: cursors of parents gone from Customer.io would otherwise stay in state for good.
      // Only a whole parent list says which parents are gone (partitions from the config may come back).
      if (wholeParentList) this.dropGoneCursors(definition, checkpoint, partitions.filter((p) => !vanished.has(p.key)));
      page(deletions, true);
      conformer.finish();
      for (const warning of [run?.unreadable.warning(name), run?.ahead.warning(name)]) if (warning) this.log('WARN', warning);
      const lookbacks = run?.lookbacks?.summary(name);
      if (lookbacks) this.log('INFO', lookbacks);
      const beyond = run && run.strategy.kind === 'windows' ? run.beyondServed.warning(name, run.strategy.servedSeconds ?? 0) : undefined;
      if (beyond) this.log('WARN', beyond);
      sink.emit({ type: 'ended', stream: name, complete: true, at: clock() });
    } catch (error) {
      // Whatever ends the stream, its last STATE covers every record it printed (the sink drops it after a signal's last words).
      cover();
      if (error instanceof Stopped || (error instanceof RequestCancelled && this.ctx.signal?.aborted)) {
        outcome.error = this.ctx.signal?.reason;
        sink.emit({ type: 'ended', stream: name, complete: false, at: clock() });
        return outcome;
      }
      const failure = asConnectorError(error);
      // The key itself is bad (a config_error of no stream in particular): nothing else can succeed, so every
      // stream stops. The platform hears it once: streams whose requests in flight met the same 401 just end.
      const signal = this.ctx.signal;
      const runWide = failure.failureType === 'config_error' && !failure.stream && signal !== undefined;
      const reported = runWide ? signal.reason : undefined;
      outcome.error = reported ?? failure;
      // The run's one error comes after every stream's STATE covering what it printed: nothing but statuses follows it.
      if (runWide && !reported) this.coverAll();
      if (!reported) sink.emit({ type: 'error', stream: failure.stream ?? name, error: failure, at: clock() });
      sink.emit({ type: 'ended', stream: name, complete: false, at: clock() });
      if (runWide) {
        signal.aborted = true;
        signal.reason ??= failure;
        this.ctx.http.cancel();
      }
    } finally {
      this.uncovered.delete(name);
    }
    await sink.drained();
    return outcome;
  }

  /**
   * Reads one partition. Calls `emit` once per page with the records to print (after the incremental filter)
   * and moves the checkpoint only where that is safe. A stream unavailable to the key (403 and the like) ends
   * the partition with a ConnectorError, to end the stream INCOMPLETE without failing the others; a parent that
   * answered 404 (deleted during the sync) with 'skipped'.
   */
  private async readPartition(definition: StreamDefinition, partition: Partition, run: IncrementalRun | undefined, emit: (records: Record_[]) => void): Promise<PartitionEnd> {
    const { config, clock } = this.ctx;
    const nowSeconds = Math.floor(clock() / 1000);
    const start = run && run.strategy.kind !== 'position' ? readStart(run.strategy, { cursor: run.checkpoint.startCursor(partition.key), fullLookbackAt: run.checkpoint.startCursor(partition.key, FULL_LOOKBACK_FIELD) }, config, nowSeconds) : undefined;
    const since = start?.since;
    const secondsOf = run ? (value: unknown) => run.unreadable.seconds(value) : toSeconds;
    try {
      if (definition.incremental?.kind === 'position') {
        await this.readLog(definition, partition, definition.incremental, run, emit);
        return;
      }
      const windowed = definition.incremental?.kind === 'windows' ? definition.incremental : undefined;
      if (windowed) {
        const windows = windowsToRead(windowed, { since, startDate: config.startDateSeconds }, nowSeconds, partition);
        if (run && start?.lookback !== 'first') run.beyondServed.note(toSeconds(run.checkpoint.startCursor(partition.key)), servedFrom(windowed, nowSeconds));
        // A record created exactly on the edge of two windows is kept by both (see inWindow: whichever of them the
        // API returns it in), and printed by the first that has it.
        const edges = new WindowEdges((record) => primaryKeyOf(definition.primaryKey, record));
        const keep = (record: Record_, window: TimeWindow) => {
          const seconds = secondsOf(record[windowed.cursorField]);
          return inWindow(seconds, window) && edges.firstTime(record, seconds, window);
        };
        await readWindows(
          windows,
          definition.concurrency ?? DEFAULT_CONCURRENCY,
          (window) => this.pages.pages(definition, partition, { window: requestWindow(window), since }, (records) => emit(records.filter((r) => keep(r, window)))),
          (cursor) => run?.checkpoint.advance(partition.key, cursor),
        );
        // Only now, every window read: a read stopped midway re-reads the full lookback next time.
        if (run && start) {
          run.lookbacks?.note(start);
          if (start.fullLookbackAt !== undefined) run.checkpoint.advance(partition.key, start.fullLookbackAt, FULL_LOOKBACK_FIELD);
        }
        return;
      }
      const pass = new ClientPass({
        strategy: run?.strategy.kind === 'client' ? run.strategy : undefined,
        since,
        nowSeconds: () => clock() / 1000,
        secondsOf,
        ahead: (value, seconds, answeredAt) => {
          const nowSeconds = clock() / 1000;
          // Within the API's own clock: that clock is ahead of this machine's (said once for the run, ClockSkew).
          if (answeredAt !== undefined && answeredAt / 1000 - nowSeconds > FUTURE_CURSOR_TOLERANCE && seconds <= answeredAt / 1000 + FUTURE_CURSOR_TOLERANCE) {
            this.skew.note(definition.name, answeredAt / 1000, nowSeconds);
          } else run?.ahead.note(value);
        },
        // Printed whatever their cursor: records the last complete read never saw (deletes.ts isNew).
        alsoKeep: run?.deletes && ((record) => run.deletes!.isNew(record)),
        disorder: (broken) => {
          if (!run || run.disordered) return;
          run.disordered = true;
          const cursor = run.strategy.cursorField;
          this.log(
            'WARN',
            `${definition.name}: the API did not list ${definition.name} newest first (${partition.key ? `${partition.key}: ` : ''}${cursor} ${broken.after} came after ${broken.before}); ` +
              'passes out of that order are read to their end instead of stopping at the first page older than the cursor',
          );
        },
      });
      let pages = 0;
      await this.pages.pages(definition, partition, { since }, (records, time) => {
        pages++;
        run?.deletes?.observe(records);
        const { kept, stop } = pass.page(records, time);
        emit(kept);
        return stop ? 'stop' : undefined;
      });
      // Only a finished pass may promote its newest value (the list's order is not to be trusted mid-pass).
      run?.checkpoint.advance(partition.key, pass.maximum);
      run?.pages.set(partition.key, pages);
    } catch (error) {
      return await this.refused(definition, partition, error);
    }
  }

  /** settleDeletes with this read's HTTP client, its partitions and a bad key reported as such. */
  private async settleDeletes(definition: StreamDefinition, run: IncrementalRun, partitions: Partition[]): Promise<{ found: Record_[]; gone: Remembered[] }> {
    const { config, http, clock } = this.ctx;
    try {
      return await settleDeletes(definition, run.deletes!, run.pages, { config, http, clock, partitions: new Map(partitions.map((p) => [p.key, p])), log: this.log });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw configError(await (this.ctx.authMessage ?? DEFAULT_AUTH_MESSAGE)(error.status, error.detail));
      throw error;
    }
  }

  /**
   * A partition read after a position (position strategy): its source resumes after the saved position and scope (an
   * incremental read; a full refresh reads everything kept), and the cursor moves with every page, in the source's order.
   */
  private async readLog(definition: StreamDefinition, partition: Partition, strategy: PositionStrategy, run: IncrementalRun | undefined, emit: (records: Record_[]) => void): Promise<void> {
    const { cursorField, scopeField } = strategy;
    const resume = run && { [cursorField]: run.checkpoint.startCursor(partition.key), [scopeField]: run.checkpoint.startCursor(partition.key, scopeField) };
    await this.pages.pages(definition, partition, { resume }, (records) => {
      const last = records.at(-1);
      // Before the records are handed on: the STATE that may go with them then covers them.
      if (run && last) run.checkpoint.place(partition.key, { [cursorField]: last[cursorField], [scopeField]: last[scopeField] });
      emit(records);
    });
  }

  /** What a failed partition means: skipped, empty, the stream unavailable, the key rejected, or a failure. */
  private async refused(definition: StreamDefinition, partition: Partition, error: unknown): Promise<PartitionEnd> {
    if (!(error instanceof ApiError)) throw error;
    const action = statusAction(definition, partition, error.status);
    // Not a missing parent to skip nor an empty list: nothing of the stream can be read from that path (unless the
    // stream says what such a 404 means: Design Studio's is "not in this workspace", a config_error already).
    if (error.unrouted && action !== 'stream-unavailable') throw unroutedError(definition, error);
    if (action === 'skip-partition') {
      this.log('WARN', `${definition.name}: skipped ${partition.key || 'the stream'} (${error.message}); it was probably deleted during the sync`);
      return 'skipped';
    }
    if (action === 'empty') return;
    if (action === 'stream-unavailable') {
      return configError(
        `Stream ${definition.name} is not available to this App API key (${error.status}${error.detail ? `: ${error.detail}` : ''}). ` +
          'It may need a feature your Customer.io plan does not include, or a key with more access; deselect the stream to skip it.',
        { stream: definition.name },
      );
    }
    if (error.status === 401) throw configError(await (this.ctx.authMessage ?? DEFAULT_AUTH_MESSAGE)(error.status, error.detail));
    throw new ConnectorError(`Stream ${definition.name}: ${error.message}`, 'system_error', { stream: definition.name });
  }

  /** After a complete read over a whole parent list: forgets the cursors of partitions not among `live`, with one LOG. */
  private dropGoneCursors(definition: StreamDefinition, checkpoint: Checkpoint, live: Partition[]): void {
    const dropped = checkpoint.keepPartitions(new Set(live.map((p) => p.key)));
    if (dropped.length === 0) return;
    const parents = definition.parent!.stream.name;
    const noun = dropped.length === 1 ? parents.replace(/s$/, '') : parents;
    const shown = dropped.slice(0, 10).join(', ') + (dropped.length > 10 ? ', …' : '');
    this.log('INFO', `${definition.name}: dropped the saved cursor${dropped.length === 1 ? '' : 's'} of ${dropped.length} ${noun} no longer in Customer.io (${shown})`);
  }
}

function unroutedError(definition: StreamDefinition, error: ApiError): ConnectorError {
  const fix = definition.userDefined ? 'check the path of this custom stream' : 'report it: the API may have moved the endpoint';
  const what = `${error.request.method} ${error.request.path} is not a route of the Customer.io API (it answered the plain-text "404 page not found", not the JSON 404 of something missing)`;
  return new ConnectorError(`Stream ${definition.name}: ${what}; ${fix}.`, definition.userDefined ? 'config_error' : 'system_error', { stream: definition.name });
}

function statusAction(definition: StreamDefinition, partition: Partition, status: number): StatusAction | undefined {
  const rule = definition.onStatus?.[status];
  const declared = typeof rule === 'function' ? rule(partition) : rule;
  if (declared) return declared;
  if (status === 403) return 'stream-unavailable';
  if (status === 404 && partition.parent) return 'skip-partition';
  return undefined;
}

/** A page's records as they leave the read: made to fit the schema (or skipped), each serialised once. */
function printable(records: Record_[], conformer: RecordConformer): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (const record of records) {
    const fit = conformer.conform(record);
    if (!fit) continue;
    let json: string;
    try {
      json = JSON.stringify(fit);
    } catch (error) {
      // Nesting deeper than JSON.stringify's stack: this record cannot be printed, the others can.
      conformer.unprintable(fit, error);
      continue;
    }
    out.push({ data: fit, json });
  }
  return out;
}
