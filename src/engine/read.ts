/**
 * The read loop: one engine for every stream definition.
 *
 * For each selected stream: STARTED → partitions (from config, or a parent stream read in full and never
 * emitted) → pages (paginator) → records (selector, transform, enrich, incremental filter) → RECORDs then a
 * STATE after every page → COMPLETE. Streams, and partitions within a stream, run concurrently; every
 * request goes through the one limiter in the HTTP client. Records and STATE of a page are written in one
 * synchronous burst, so whenever the loop waits (network, a slow stdout) each stream's last message is its
 * STATE: a process stopped at any await point has already printed a state that covers what it printed.
 */
import { ConnectorError, asConnectorError, configError } from '../errors.js';
import { recordMessage, stateMessage, statusMessage, errorMessage, type JsonObject, type SyncMode } from '../protocol/messages.js';
import type { Output } from '../protocol/output.js';
import type { Config } from '../config.js';
import { ApiError, RequestCancelled, type HttpClient, type HttpRequest, type HttpResponse } from './http.js';
import { Checkpoint } from './checkpoint.js';
import { RecordConformer, keyText } from './conform.js';
import { forEachConcurrent } from './concurrency.js';
import { MAX_URGENCY } from './limiter.js';
import { FUTURE_CURSOR_TOLERANCE, lowerBound, timeWindows, toSeconds, laterCursor, UnreadableCursors } from './incremental.js';
import { compileSelector, type Selector } from './select.js';
import type { PageState } from './paginators.js';
import type { Partition, Record_, RequestContext, SourceContext, StatusAction, StreamDefinition } from './types.js';

export interface ReadContext {
  config: Config;
  http: HttpClient;
  output: Output;
  /** Unix ms. */
  clock: () => number;
  /** Set when the run must stop (SIGTERM, a revoked key): no new page starts. */
  signal?: { aborted: boolean; reason?: ConnectorError };
  /** Messages of authentication failures (the key's problem, not a stream's). */
  authMessage?: (status: number, detail: string) => string;
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

/** Ends a stream's read early, without failing it (e.g. a stop requested by the platform). */
class Stopped extends Error {}

/** Partitions of a stream, and windows of a partition, read at once unless the definition says otherwise. */
const DEFAULT_CONCURRENCY = 4;

/** Pages of an enriched pass (customers: 1000 people, 10 attribute calls each) fetched ahead of the one printing. */
const ENRICH_LOOKAHEAD = 3;

const DEFAULT_AUTH_MESSAGE = (status: number, detail: string) =>
  `Customer.io rejected the App API key (${status}${detail ? `: ${detail}` : ''}). Check the key and the region.`;

/** A stream's partitions, and whether they are the whole list of its parent (every parent the API has now). */
interface Partitions {
  list: Partition[];
  wholeParentList: boolean;
}

/** A parent list as read: `whole` is false when one of its own partitions was skipped (a 404). */
interface ParentList {
  records: Record_[];
  whole: boolean;
}

export class Reader {
  private readonly parentCache = new Map<string, Promise<ParentList>>();
  private readonly selectors = new Map<string, Selector>();
  /** Streams read for themselves and as a selected child's parent: each of their requests is sent once (see plan()). */
  private readonly sharedLists = new Set<string>();
  /** Answers of those requests, until both readers took them. */
  private readonly sharedAnswers = new Map<string, { answer: Promise<HttpResponse>; taken: number }>();

  constructor(private readonly ctx: ReadContext) {}

  /**
   * Tells the reader every stream of the run before any is read. A selected stream that is also the parent of a
   * selected stream (campaigns and campaign_actions) then asks the API once: its own read and its children's
   * parent read take the same answers, page for page.
   */
  plan(streams: SelectedStream[]): void {
    const selected = new Set(streams.map((s) => s.definition.name));
    for (const { definition } of streams) {
      const parent = definition.parent?.stream;
      if (parent && parent.name !== definition.name && selected.has(parent.name)) this.sharedLists.add(parent.name);
    }
  }

  /** Reads every selected stream; resolves with one outcome per stream (never rejects for a stream's failure). */
  async readAll(streams: SelectedStream[]): Promise<StreamOutcome[]> {
    this.plan(streams);
    return Promise.all(streams.map((s) => this.readStream(s)));
  }

  async readStream({ definition, syncMode, state }: SelectedStream): Promise<StreamOutcome> {
    const { output, clock } = this.ctx;
    const name = definition.name;
    const incremental = syncMode === 'incremental' && definition.incremental ? definition.incremental : undefined;
    const checkpoint = new Checkpoint(incremental, incremental ? state : undefined);
    const outcome: StreamOutcome = { stream: name, records: 0 };
    // Records that do not fit the schema are fixed or skipped, with a WARN, instead of failing the stream.
    const conformer = new RecordConformer(definition, (message) => output.log('WARN', message));
    // Records whose cursor is not a time are printed but never move the cursor: counted, said once.
    const unreadable = incremental ? new UnreadableCursors(incremental.cursorField) : undefined;
    let running = false;
    const markRunning = () => {
      if (!running) {
        running = true;
        output.emit(statusMessage(name, 'RUNNING', clock()));
      }
    };
    const flushState = () => {
      const { state: current, recordCount } = checkpoint.take();
      output.emit(stateMessage(name, current, recordCount));
    };

    output.emit(statusMessage(name, 'STARTED', clock()));
    for (const note of definition.notes?.(this.ctx.config, Math.floor(clock() / 1000)) ?? []) output.log('WARN', `${name}: ${note}`);
    try {
      const { list: partitions, wholeParentList } = await this.partitionsOf(definition);
      const seenIds: unknown[] | undefined = incremental && definition.trackDeletes ? [] : undefined;
      let unavailable: ConnectorError | undefined;
      /** Partitions whose parent answered 404: deleted since the parent list was read. */
      const vanished = new Set<string>();
      if (partitions.length > 1) checkpoint.holdSharedCursor();

      await forEachConcurrent(partitions, definition.concurrency ?? DEFAULT_CONCURRENCY, async (partition) => {
        if (unavailable) return;
        const action = await this.readPartition(definition, partition, incremental ? checkpoint : undefined, incremental !== undefined, (records) => {
          markRunning();
          // One write for the page: its records and the STATE that covers them.
          output.batch(() => {
            const emittedAt = clock();
            let printed = 0;
            for (const record of records) {
              const fit = conformer.conform(record);
              if (!fit) continue;
              try {
                output.emit(recordMessage(name, fit, emittedAt));
                printed++;
              } catch (error) {
                // Nesting deeper than JSON.stringify's stack: this record cannot be printed, the others can.
                conformer.unprintable(fit, error);
              }
            }
            outcome.records += printed;
            checkpoint.counted(printed);
            flushState();
          });
        }, seenIds, unreadable);
        if (action instanceof ConnectorError) unavailable = action;
        else if (action === 'skipped') vanished.add(partition.key);
      });
      markRunning();
      if (unavailable) throw unavailable;
      checkpoint.promoteHeld();
      if (seenIds) this.emitDeletions(definition, checkpoint, seenIds);
      // Every partition is read: cursors of parents gone from Customer.io would otherwise stay in state for good.
      // Only a whole parent list says which parents are gone (partitions from the config may come back).
      if (wholeParentList) this.dropGoneCursors(definition, checkpoint, partitions.filter((p) => !vanished.has(p.key)));
      flushState();
      conformer.finish();
      const unreadableWarning = unreadable?.warning(name);
      if (unreadableWarning) output.log('WARN', unreadableWarning);
      output.emit(statusMessage(name, 'COMPLETE', clock()));
    } catch (error) {
      if (error instanceof Stopped || (error instanceof RequestCancelled && this.ctx.signal?.aborted)) {
        outcome.error = this.ctx.signal?.reason;
        output.emit(statusMessage(name, 'INCOMPLETE', clock()));
        return outcome;
      }
      const failure = asConnectorError(error);
      const stream = failure.stream ?? name;
      // The key itself is bad (a config_error of no stream in particular): nothing else can succeed, so every
      // stream stops. The platform hears it once: streams whose requests in flight met the same 401 just end.
      const signal = this.ctx.signal;
      const runWide = failure.failureType === 'config_error' && !failure.stream && signal !== undefined;
      const reported = runWide ? signal.reason : undefined;
      outcome.error = reported ?? failure;
      if (!reported) output.emit(errorMessage(failure.message, failure.failureType, clock(), { internal: failure.internal, stream }));
      output.emit(statusMessage(name, 'INCOMPLETE', clock()));
      if (runWide) {
        signal.aborted = true;
        signal.reason ??= failure;
        this.ctx.http.cancel();
      }
    }
    await output.drained();
    return outcome;
  }

  /** Partitions of a stream: its parent's records, fixed partitions from the config, or one whole-stream partition. */
  private async partitionsOf(definition: StreamDefinition): Promise<Partitions> {
    if (definition.parent) {
      const { stream, key } = definition.parent;
      const parents = await this.parentList(stream).catch((error: unknown) => {
        // The parent list itself is refused (403): this stream is unavailable too, said under its own name.
        if (error instanceof ConnectorError && error.stream === stream.name && definition.name !== stream.name) {
          throw new ConnectorError(`Stream ${definition.name} reads the ${stream.name} list first, which failed: ${error.message}`, error.failureType, { stream: definition.name });
        }
        throw error;
      });
      return { list: parents.records.map((parent) => ({ key: key(parent), parent })), wholeParentList: parents.whole };
    }
    if (definition.partitions) return { list: definition.partitions(this.ctx.config), wholeParentList: false };
    return { list: [{ key: '' }], wholeParentList: false };
  }

  /** A parent stream's records, read in full once per run and shared by every child. */
  private parentList(definition: StreamDefinition): Promise<ParentList> {
    let pending = this.parentCache.get(definition.name);
    if (!pending) {
      pending = (async () => {
        const all: Record_[] = [];
        let whole = true;
        for (const partition of (await this.partitionsOf(definition)).list) {
          const action = await this.readPartition(definition, partition, undefined, false, (records) => {
            all.push(...records);
          });
          // Without this, a refused parent list would leave its children with no partitions: COMPLETE and empty.
          if (action instanceof ConnectorError) throw action;
          if (action === 'skipped') whole = false;
        }
        return { records: all, whole };
      })();
      this.parentCache.set(definition.name, pending);
    }
    return pending;
  }

  /**
   * Reads one partition. Calls `emit` once per page with the records to print (after the incremental
   * filter) and moves the checkpoint only where that is safe. Returns a ConnectorError when the stream
   * is unavailable (403 and the like), to end it INCOMPLETE without failing the others, and 'skipped' when
   * the partition's parent answered 404 (deleted during the sync).
   */
  private async readPartition(
    definition: StreamDefinition,
    partition: Partition,
    checkpoint: Checkpoint | undefined,
    incremental: boolean,
    emit: (records: Record_[]) => void,
    seenIds?: unknown[],
    unreadable?: UnreadableCursors,
  ): Promise<ConnectorError | 'skipped' | void> {
    const { config } = this.ctx;
    const secondsOf = unreadable ? (value: unknown) => unreadable.seconds(value) : toSeconds;
    const strategy = incremental ? definition.incremental : undefined;
    const saved = strategy && checkpoint ? checkpoint.startCursor(partition.key) : undefined;
    const since = strategy ? lowerBound(strategy, saved, config) : undefined;
    const keyOf = seenIds ? deletionKey(definition) : undefined;

    try {
      if (definition.incremental?.kind === 'windows') {
        // Server-side windows are needed for full refresh too: the API narrows long ranges.
        const windows = definition.incremental;
        const nowSeconds = Math.floor(this.ctx.clock() / 1000);
        const from = since ?? config.startDateSeconds ?? windows.defaultStart(nowSeconds, partition);
        const list = timeWindows(from, nowSeconds, windows.windowSeconds);
        // Windows are read concurrently, each its own chain of pages; the cursor moves only past the oldest
        // windows that are all read in full, so a resume never skips a window still in flight.
        const complete = list.map(() => false);
        let through = 0;
        await forEachConcurrent(list, definition.concurrency ?? DEFAULT_CONCURRENCY, async (window, index) => {
          // Windows are [start, end); the API's end_ts is inclusive, so a record created exactly at `end` comes
          // in this window and the next: keep it only in the next one (no duplicate, whichever the API does).
          await this.pages(definition, partition, { window, since }, (records) => emit(records.filter((r) => inWindow(secondsOf(r[windows.cursorField]), window))));
          complete[index] = true;
          while (through < list.length && complete[through]) through++;
          if (through > 0) checkpoint?.advance(partition.key, list[through - 1].end);
        });
        return;
      }

      let passMax: unknown;
      await this.pages(definition, partition, { since }, (records) => {
        const kept: Record_[] = [];
        let older = 0;
        for (const record of records) {
          if (seenIds && keyOf) seenIds.push(keyOf(record));
          if (strategy) {
            const value = record[strategy.cursorField];
            const seconds = secondsOf(value);
            // A record dated in the future (clock skew, a timestamp a client set) is printed but does not become
            // the cursor: the next read would skip everything until then. (Future of the wall clock too, which
            // the next run will have: a test's clock may lag behind its fixtures.)
            // A value that is not a time is printed (kept below) but never becomes the cursor either.
            if (seconds !== undefined && seconds <= Math.max(this.ctx.clock(), Date.now()) / 1000 + FUTURE_CURSOR_TOLERANCE) passMax = laterCursor(passMax, value);
            if (since !== undefined && seconds !== undefined && seconds < since) {
              older++;
              continue;
            }
          }
          kept.push(record);
        }
        emit(kept);
        // Lists read newest first: a whole page older than the bound means the rest is older still.
        const stop = strategy?.kind === 'client' && strategy.stopWhenOlder && records.length > 0 && older === records.length;
        return stop ? 'stop' : undefined;
      });
      // Only a finished pass may promote its newest value (the list's order is not to be trusted mid-pass).
      if (strategy) checkpoint?.advance(partition.key, passMax);
    } catch (error) {
      if (error instanceof ApiError) {
        const action = this.statusAction(definition, partition, error.status);
        if (action === 'skip-partition') {
          this.ctx.output.log('WARN', `${definition.name}: skipped ${partition.key || 'the stream'} (${error.message}); it was probably deleted during the sync`);
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
        if (error.status === 401) throw configError((this.ctx.authMessage ?? DEFAULT_AUTH_MESSAGE)(error.status, error.detail));
        throw new ConnectorError(`Stream ${definition.name}: ${error.message}`, 'system_error', { stream: definition.name });
      }
      throw error;
    }
  }

  private statusAction(definition: StreamDefinition, partition: Partition, status: number): StatusAction | undefined {
    const declared = definition.onStatus?.[status];
    if (declared) return declared;
    if (status === 403) return 'stream-unavailable';
    if (status === 404 && partition.parent) return 'skip-partition';
    return undefined;
  }

  /** Pages of one partition (or one window of it): request, select, transform, enrich, hand to `onPage`. */
  private async pages(
    definition: StreamDefinition,
    partition: Partition,
    extra: { window?: { start: number; end: number }; since?: number },
    onPage: (records: Record_[]) => 'stop' | void,
  ): Promise<void> {
    const batches = definition.source && (await definition.source(this.sourceContext(definition, partition)));
    if (batches) return this.sourced(batches, onPage);
    const strategy = definition.incremental;
    const mayStopEarly = strategy?.kind === 'client' && strategy.stopWhenOlder === true;
    if (definition.enrich && !mayStopEarly) return this.enrichedPages(definition, partition, extra, onPage);
    const pageState: PageState = { params: definition.paginate.first(), seen: new Set() };
    for (let page = 0; ; page++) {
      const { records, next } = await this.fetchPage(definition, partition, extra, pageState, page);
      const enriched = await this.enrich(definition, partition, records);
      if (this.ctx.signal?.aborted) throw new Stopped();
      const verdict = onPage(enriched);
      await this.ctx.output.drained();
      if (verdict === 'stop') return;
      const params = next();
      if (!params) return;
      pageState.params = params;
    }
  }

  /** Batches of a definition's own source, each handed to `onPage` like a page; leaving the loop closes the source. */
  private async sourced(batches: AsyncIterable<Record_[]>, onPage: (records: Record_[]) => 'stop' | void): Promise<void> {
    for await (const records of batches) {
      if (this.ctx.signal?.aborted) throw new Stopped();
      if (onPage(records) === 'stop') return;
      await this.ctx.output.drained();
    }
  }

  private sourceContext(definition: StreamDefinition, partition: Partition): SourceContext {
    const { config, http, clock, output, signal } = this.ctx;
    const name = definition.name;
    return { config, partition, now: clock(), http, stream: name, log: (level, message) => output.log(level, `${name}: ${message}`), stopping: () => signal?.aborted === true };
  }

  /**
   * Pages of a pass whose records take a second step of requests (enrich): the next page is fetched while the
   * earlier ones are enriched, so the pass is not one long chain of round trips. At most ENRICH_LOOKAHEAD pages
   * are in hand (memory stays bounded), no page is fetched while the output is full, and pages are handed to
   * `onPage` in order.
   */
  private async enrichedPages(
    definition: StreamDefinition,
    partition: Partition,
    extra: { window?: { start: number; end: number }; since?: number },
    onPage: (records: Record_[]) => 'stop' | void,
  ): Promise<void> {
    const pageState: PageState = { params: definition.paginate.first(), seen: new Set() };
    const inHand: Array<{ records: Promise<Record_[]>; settled: boolean }> = [];
    let more = true;
    const printHead = async () => {
      const records = await inHand.shift()!.records;
      if (this.ctx.signal?.aborted) throw new Stopped();
      onPage(records);
      await this.ctx.output.drained();
    };
    for (let page = 0; more || inHand.length > 0; ) {
      while (inHand.length > 0 && inHand[0].settled) await printHead();
      if (!more || inHand.length >= ENRICH_LOOKAHEAD) {
        if (inHand.length > 0) await printHead();
        continue;
      }
      await this.ctx.output.drained();
      const fetched = await this.fetchPage(definition, partition, extra, pageState, page++);
      const next = fetched.next();
      const records = fetched.records;
      const entry = { records: this.enrich(definition, partition, records), settled: false };
      // Awaited in order by printHead; this only marks it done (and keeps an early failure from going unhandled).
      entry.records.then(
        () => (entry.settled = true),
        () => (entry.settled = true),
      );
      inHand.push(entry);
      more = next !== null;
      if (next) pageState.params = next;
    }
  }

  /** One page: the request (a next page more urgent the deeper the pass), then select and transform. `next()` gives the following page's parameters. */
  private async fetchPage(
    definition: StreamDefinition,
    partition: Partition,
    extra: { window?: { start: number; end: number }; since?: number },
    pageState: PageState,
    page: number,
  ): Promise<{ records: Record_[]; next: () => PageState['params'] | null }> {
    const { config, http, clock } = this.ctx;
    if (this.ctx.signal?.aborted) throw new Stopped();
    if (page >= 1_000_000) throw new ConnectorError(`${definition.name}: more than a million pages in one pass; stopping to avoid an endless loop`, 'system_error');
    const requestCtx: RequestContext = { config, partition, window: extra.window, since: extra.since, now: clock() };
    const path = typeof definition.request.path === 'function' ? definition.request.path(requestCtx) : definition.request.path;
    const request: HttpRequest = {
      method: definition.request.method ?? 'GET',
      path,
      query: { ...definition.request.query?.(requestCtx), ...pageState.params },
      body: definition.request.body?.(requestCtx),
      stream: definition.name,
      urgency: chainUrgency(page),
    };
    const response = await (this.sharedLists.has(definition.name) ? this.sharedRequest(request) : http.request(request));
    if (this.ctx.signal?.aborted) throw new Stopped();
    const warn = (message: string) => this.ctx.output.log('WARN', `${definition.name}: ${message}`);
    const raw = this.selector(definition.records)(response.body, (count) => warn(`skipped ${count} element(s) of the answer to ${request.method} ${path} that are not objects`));
    const records = definition.transform
      ? transformAll(definition, raw, { config, partition, now: clock() }, (record, error) => warn(`skipped record ${keyText(definition.primaryKey, record)}: it could not be read (${error instanceof Error ? error.message : String(error)})`))
      : raw;
    return { records, next: () => definition.paginate.next(response.body, raw.length, pageState) };
  }

  /**
   * A request of a list read twice in this run (for itself and as a parent): the first of the two readers sends
   * it, the second takes the same answer (a copy, so neither reader's transform can touch the other's records).
   * Requests are matched whole (method, path, query, body), so pages that differ are simply both sent.
   */
  private async sharedRequest(request: HttpRequest): Promise<HttpResponse> {
    const key = JSON.stringify([request.method, request.path, request.query, request.body]);
    let entry = this.sharedAnswers.get(key);
    if (!entry) {
      entry = { answer: this.ctx.http.request(request), taken: 0 };
      this.sharedAnswers.set(key, entry);
    }
    const second = ++entry.taken >= 2;
    if (second) this.sharedAnswers.delete(key);
    const answer = await entry.answer;
    return second ? { status: answer.status, body: structuredClone(answer.body) } : answer;
  }

  /** A page's second step, when the definition has one. */
  private async enrich(definition: StreamDefinition, partition: Partition, records: Record_[]): Promise<Record_[]> {
    if (!definition.enrich || records.length === 0) return records;
    const { config, http, clock } = this.ctx;
    return definition.enrich(records, { config, partition, now: clock(), http, stream: definition.name });
  }

  private selector(path: string) {
    let select = this.selectors.get(path);
    if (!select) {
      select = compileSelector(path);
      this.selectors.set(path, select);
    }
    return select;
  }

  /** After a complete read over a whole parent list: forgets the cursors of partitions not among `live`, with one LOG. */
  private dropGoneCursors(definition: StreamDefinition, checkpoint: Checkpoint, live: Partition[]): void {
    const dropped = checkpoint.keepPartitions(new Set(live.map((p) => p.key)));
    if (dropped.length === 0) return;
    const parents = definition.parent!.stream.name;
    const noun = dropped.length === 1 ? parents.replace(/s$/, '') : parents;
    const shown = dropped.slice(0, 10).join(', ') + (dropped.length > 10 ? ', …' : '');
    this.ctx.output.log('INFO', `${definition.name}: dropped the saved cursor${dropped.length === 1 ? '' : 's'} of ${dropped.length} ${noun} no longer in Customer.io (${shown})`);
  }

  /** Records whose ids were in the last state but not in this pass: emitted with `_ab_cdc_deleted_at`. */
  private emitDeletions(definition: StreamDefinition, checkpoint: Checkpoint, seenIds: unknown[]): void {
    const fields = deletionFields(definition);
    if (!fields) return;
    const previous = Array.isArray(checkpoint.get('ids')) ? (checkpoint.get('ids') as unknown[]) : undefined;
    // Ids compare as text: the API sends some as numbers on one page and strings on another.
    const sameKey = (id: unknown) => JSON.stringify(Array.isArray(id) ? id.map(String) : String(id));
    const current = new Set(seenIds.map(sameKey));
    if (previous) {
      const deletedAt = new Date(this.ctx.clock()).toISOString();
      const emittedAt = this.ctx.clock();
      let deleted = 0;
      for (const id of previous) {
        if (current.has(sameKey(id))) continue;
        const values = fields.length === 1 ? [id] : Array.isArray(id) ? id : [];
        if (values.length !== fields.length) continue;
        const record: Record_ = Object.fromEntries(fields.map((field, i) => [field, values[i]]));
        this.ctx.output.emit(recordMessage(definition.name, { ...record, _ab_cdc_deleted_at: deletedAt }, emittedAt));
        deleted++;
      }
      checkpoint.counted(deleted);
    }
    const unique = new Map(seenIds.map((id) => [sameKey(id), id]));
    checkpoint.set('ids', [...unique.values()]);
  }
}

/**
 * How urgent page `page` of a pass is: 0 for a first page (new work), then 1 for page 1, 2 for pages 2–3, 3 for
 * 4–7… up to MAX_URGENCY. A pass can only go one page per round trip, so the deepest passes, the likeliest to be
 * the longest, go first and end early; shallow work fills the budget around them (see limiter.ts).
 */
export function chainUrgency(page: number): number {
  return page <= 0 ? 0 : Math.min(MAX_URGENCY, 1 + Math.floor(Math.log2(page)));
}

/** Top-level primary-key fields, when deletions can be tracked by them (nested key paths cannot). */
function deletionFields(definition: StreamDefinition): string[] | undefined {
  const key = definition.primaryKey;
  return key.length > 0 && key.every((path) => path.length === 1) ? key.map((path) => path[0]) : undefined;
}

/** A record's key as saved in `ids`: the value itself for a one-field key, the list of values otherwise. */
function deletionKey(definition: StreamDefinition): ((record: Record_) => unknown) | undefined {
  const fields = deletionFields(definition);
  if (!fields) return undefined;
  return fields.length === 1 ? (record) => record[fields[0]] : (record) => fields.map((field) => record[field]);
}

/** A cursor value inside [start, end) (values that are not times are kept). */
function inWindow(seconds: number | undefined, window: { start: number; end: number }): boolean {
  return seconds === undefined || (seconds >= window.start && seconds < window.end);
}


/** Each record through the definition's transform; one that makes it throw is reported and left out, not the page. */
function transformAll(
  definition: StreamDefinition,
  raw: Record_[],
  ctx: { config: Config; partition: Partition; now: number },
  onFailure: (record: Record_, error: unknown) => void,
): Record_[] {
  const out: Record_[] = [];
  for (const record of raw) {
    let result: ReturnType<NonNullable<StreamDefinition['transform']>>;
    try {
      result = definition.transform!(record, ctx);
    } catch (error) {
      onFailure(record, error);
      continue;
    }
    if (result === null) continue;
    if (Array.isArray(result)) out.push(...result);
    else out.push(result);
  }
  return out;
}
