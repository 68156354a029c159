/**
 * The one page loop: the pages of one pass (a partition, or one window of it) — request, select, transform,
 * enrich — handed in order to `onPage` with when each was asked for and answered (PageTime), with the sink's
 * backpressure awaited between pages. `onPage` answers 'stop' to end the pass after that page: nothing more is
 * fetched, and pages fetched ahead are not handed on.
 *
 * Streams whose records take a second step of requests (enrich: customers' attributes) fetch the next pages
 * while the earlier ones are enriched, so the pass is not one long chain of round trips: at most
 * ENRICH_LOOKAHEAD pages are in hand (memory stays bounded). Every other stream has one page in hand at a time.
 * A stream with its own record source (StreamDefinition.source) hands its batches on the same way, one at a time.
 * A stream whose API lists records again across pages (dedupeInPass) has the repeats dropped right after transform,
 * before enrich (repeats.ts). A full-refresh list paged by position that may shrink while it is read
 * (rereadWhenPaged) has a pass of several pages read again, handing on only what the first pass skipped (reread.ts).
 */
import { ConnectorError } from '../errors.js';
import type { Config } from '../config.js';
import { isoSeconds } from '../clock.js';
import type { JsonObject, LogLevel } from '../protocol/messages.js';
import type { HttpClient, HttpRequest } from './http.js';
import { keyText } from './conform.js';
import { MAX_URGENCY } from './limiter.js';
import { RepeatedToken, type PageState } from './paginators.js';
import { PassRepeats, RepeatedPages } from './repeats.js';
import { PassKeys } from './reread.js';
import type { SharedRequests } from './requests.js';
import { compileSelector, type Selector } from './select.js';
import type { Partition, Record_, RecordContext, RequestContext, SourceContext, StreamDefinition } from './types.js';

/** Ends a stream's read early, without failing it (a stop requested by the platform, a revoked key). */
export class Stopped extends Error {}

/** Pages of an enriched pass (customers: 1000 people, 10 attribute calls each) fetched ahead of the one handed on. */
export const ENRICH_LOOKAHEAD = 3;

/** What a pass asks for besides its pages: a server-side window, the earliest cursor value it keeps. */
export interface PassScope {
  window?: { start: number; end: number };
  since?: number;
  /** For a source read after a position: the partition's saved cursor and scope (position strategy). */
  resume?: JsonObject;
}

export type PageVerdict = 'stop' | void;

/** When a page was asked for and answered: what the pass knew of the time its records were listed. */
export interface PageTime {
  /** The run's clock when the page's request was handed to the HTTP client (before any wait or retry), unix ms. */
  requestedAt: number;
  /** The API's clock when it answered (the answer's `Date` header), unix ms; absent without one. */
  answeredAt?: number;
}

export interface PageContext {
  config: Config;
  http: HttpClient;
  requests: SharedRequests;
  /** Unix ms. */
  clock: () => number;
  signal?: { aborted: boolean };
  log: (level: LogLevel, message: string) => void;
  /** The sink's backpressure. */
  drained: () => Promise<void>;
}

interface InHand {
  records: Promise<Record_[]>;
  time: PageTime;
  settled: boolean;
}

export class PageReader {
  private readonly selectors = new Map<string, Selector>();

  constructor(private readonly ctx: PageContext) {}

  async pages(definition: StreamDefinition, partition: Partition, scope: PassScope, onPage: (records: Record_[], time: PageTime) => PageVerdict): Promise<void> {
    // A stream that brings its own records (customers by export) hands them on in its batches; null: pages as usual.
    // Records the API lists again within the pass, dropped before enrich asks anything for them (repeats.ts).
    const repeats = definition.dedupeInPass ? new PassRepeats(definition.primaryKey) : undefined;
    const batches = definition.source && (await definition.source(this.sourceContext(definition, partition, scope)));
    if (batches) return this.sourced(batches, repeats, onPage);
    const once = (records: Record_[]) => (repeats ? repeats.firstTimes(records) : records);
    if (!definition.rereadWhenPaged) {
      await this.pass(definition, partition, scope, onPage, once);
      return;
    }
    // A list that may shrink while it is read: a pass of several pages is read again for what it skipped (reread.ts).
    const given = new PassKeys(definition.primaryKey);
    const first = await this.pass(definition, partition, scope, onPage, (records) => {
      const fresh = once(records);
      given.add(fresh);
      return fresh;
    });
    if (first.pages < 2 || first.stopped) return;
    given.seal();
    await this.pass(definition, partition, scope, onPage, (records) => once(given.unseen(records)));
  }

  /**
   * One pass of the page loop. `select` picks what of each page (after transform, before enrich) is handed on.
   * Resolves with the pages fetched and whether `onPage` stopped the pass.
   */
  private async pass(
    definition: StreamDefinition,
    partition: Partition,
    scope: PassScope,
    onPage: (records: Record_[], time: PageTime) => PageVerdict,
    select: (records: Record_[]) => Record_[],
  ): Promise<{ pages: number; stopped: boolean }> {
    const lookahead = definition.enrich ? ENRICH_LOOKAHEAD : 1;
    const pageState: PageState = { params: definition.paginate.first(), seen: new Set() };
    const repeatedPages = new RepeatedPages(definition.primaryKey);
    const inHand: InHand[] = [];
    /** The following page's parameters, from the latest page fetched (asked only when that page is to be fetched). */
    let following: (() => PageState['params'] | null) | undefined;
    let more = true;
    let page = 0;
    /** Hands the oldest page in hand on, then waits for the sink; true when the pass stops there. */
    const handHead = async (): Promise<boolean> => {
      const head = inHand.shift()!;
      const records = await head.records;
      if (this.ctx.signal?.aborted) throw new Stopped();
      const verdict = onPage(records, head.time);
      await this.ctx.drained();
      return verdict === 'stop';
    };
    for (;;) {
      while (inHand.length > 0 && inHand[0].settled) if (await handHead()) return { pages: page, stopped: true };
      if (more && inHand.length < lookahead) {
        const params = following ? following() : pageState.params;
        if (params) {
          pageState.params = params;
          // Pages fetched ahead wait in memory: none is fetched while the sink is full. (With one page in hand
          // the sink was awaited right after the page before; a pass's first page goes out at once.)
          if (lookahead > 1) await this.ctx.drained();
          const fetched = await this.fetchPage(definition, partition, scope, pageState, page++, repeatedPages);
          following = fetched.next;
          const fresh = select(fetched.records);
          const entry: InHand = { records: this.enrich(definition, partition, fresh), time: fetched.time, settled: false };
          // Awaited in order by handHead; this only marks it done (and keeps an early failure from going unhandled).
          entry.records.then(
            () => (entry.settled = true),
            () => (entry.settled = true),
          );
          inHand.push(entry);
          continue;
        }
        more = false;
      }
      if (inHand.length === 0) return { pages: page, stopped: false };
      if (await handHead()) return { pages: page, stopped: true };
    }
  }

  /** Batches of a definition's own source, each handed to `onPage` like a page; leaving the loop closes the source. */
  private async sourced(batches: AsyncIterable<Record_[]>, repeats: PassRepeats | undefined, onPage: (records: Record_[], time: PageTime) => PageVerdict): Promise<void> {
    let requestedAt = this.ctx.clock();
    for await (const records of batches) {
      if (this.ctx.signal?.aborted) throw new Stopped();
      if (onPage(repeats ? repeats.firstTimes(records) : records, { requestedAt }) === 'stop') return;
      requestedAt = this.ctx.clock();
      await this.ctx.drained();
    }
  }

  private sourceContext(definition: StreamDefinition, partition: Partition, scope: PassScope): SourceContext {
    const { config, http, clock, signal } = this.ctx;
    const name = definition.name;
    return {
      config,
      partition,
      now: clock(),
      http,
      stream: name,
      log: (level, message) => this.ctx.log(level, `${name}: ${message}`),
      stopping: () => signal?.aborted === true,
      request: (request) => this.ctx.requests.send(name, { ...request, stream: name }),
      ...(scope.resume ? { resume: scope.resume } : {}),
    };
  }

  /** One page: the request (a next page more urgent the deeper the pass), then select and transform. `next()` gives the following page's parameters. */
  private async fetchPage(
    definition: StreamDefinition,
    partition: Partition,
    scope: PassScope,
    pageState: PageState,
    page: number,
    repeatedPages: RepeatedPages,
  ): Promise<{ records: Record_[]; next: () => PageState['params'] | null; time: PageTime }> {
    const { config, clock } = this.ctx;
    if (this.ctx.signal?.aborted) throw new Stopped();
    if (page >= 1_000_000) throw new ConnectorError(`${definition.name}: more than a million pages in one pass; stopping to avoid an endless loop`, 'system_error');
    const requestCtx: RequestContext = { config, partition, window: scope.window, since: scope.since, now: clock() };
    const path = typeof definition.request.path === 'function' ? definition.request.path(requestCtx) : definition.request.path;
    const request: HttpRequest = {
      method: definition.request.method ?? 'GET',
      path,
      query: { ...definition.request.query?.(requestCtx), ...pageState.params },
      body: definition.request.body?.(requestCtx),
      stream: definition.name,
      urgency: chainUrgency(page),
    };
    const requestedAt = clock();
    const response = await this.ctx.requests.send(definition.name, request);
    if (this.ctx.signal?.aborted) throw new Stopped();
    const warn = (message: string) => this.ctx.log('WARN', `${definition.name}: ${message}`);
    const raw = this.selector(definition.records)(response.body, (count) => warn(`skipped ${count} element(s) of the answer to ${request.method} ${path} that are not objects`));
    const records = definition.transform
      ? transformAll(definition, raw, { config, partition, now: clock(), answeredAt: response.date }, (record, error) => warn(`skipped record ${keyText(definition.primaryKey, record)}: it could not be read (${error instanceof Error ? error.message : String(error)})`))
      : raw;
    // The next page's parameters now, not when it is fetched: a page whose `next` token came before in this pass, or
    // that lists the very records of the pass's first page, is a repeat, and fails the pass before it is printed.
    let following: PageState['params'] | null;
    try {
      following = definition.paginate.next(response.body, raw.length, pageState, raw);
    } catch (error) {
      if (error instanceof RepeatedToken) throw repeatedPage(definition, partition, scope, page, `its next token "${error.token.slice(0, 40)}" came before in this pass`);
      throw error;
    }
    const earlier = repeatedPages.earlier(page, records);
    if (earlier !== undefined) throw repeatedPage(definition, partition, scope, page, `it lists the same records as page ${earlier + 1}, a restart`);
    return { records, next: () => following, time: { requestedAt, ...(response.date !== undefined ? { answeredAt: response.date } : {}) } };
  }

  /** A page's second step, when the definition has one. */
  private async enrich(definition: StreamDefinition, partition: Partition, records: Record_[]): Promise<Record_[]> {
    if (!definition.enrich || records.length === 0) return records;
    const { config, http, clock } = this.ctx;
    return definition.enrich(records, { config, partition, now: clock(), http, stream: definition.name });
  }

  private selector(path: string): Selector {
    let select = this.selectors.get(path);
    if (!select) {
      select = compileSelector(path);
      this.selectors.set(path, select);
    }
    return select;
  }
}

/**
 * The error of a pass that met a page it had before: tokens are positional, and an API that answers a position past
 * the end of a list (one that shrank while it was read) with its first page again would have the pass print the
 * same records over and over. Transient: the next sync starts the list over, from a position that exists.
 */
function repeatedPage(definition: StreamDefinition, partition: Partition, scope: PassScope, page: number, why: string): ConnectorError {
  const where = [partition.key && `partition ${partition.key}`, scope.window && `window ${isoSeconds(scope.window.start)} to ${isoSeconds(scope.window.end)}`].filter(Boolean).join(', ');
  return new ConnectorError(
    `${definition.name}${where ? ` (${where})` : ''}: page ${page + 1} repeats an earlier page of the same pass (${why}): the API started the list over, ` +
      'as it does when a list shrinks while it is read. Stopped rather than print the same records again or loop; run the sync again.',
    'transient_error',
    { stream: definition.name },
  );
}

/**
 * How urgent page `page` of a pass is: 0 for a first page (new work), then 1 for page 1, 2 for pages 2–3, 3 for
 * 4–7… up to MAX_URGENCY. A pass can only go one page per round trip, so the deepest passes, the likeliest to be
 * the longest, go first and end early; shallow work fills the budget around them (see limiter.ts).
 */
export function chainUrgency(page: number): number {
  return page <= 0 ? 0 : Math.min(MAX_URGENCY, 1 + Math.floor(Math.log2(page)));
}

/** Each record through the definition's transform; one that makes it throw is reported and left out, not the page. */
function transformAll(
  definition: StreamDefinition,
  raw: Record_[],
  ctx: RecordContext,
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
