/**
 * The declarative stream model. A stream is data: where to ask (request), where the records are in
 * the answer (records), how to page (paginate), what it is partitioned by (parent / partitions), how
 * it reads incrementally (incremental), and what to do with odd statuses (onStatus). One engine
 * (engine/read.ts) runs every definition; a function appears only where data cannot say it.
 */
import type { JsonObject } from '../protocol/messages.js';
import type { Config } from '../config.js';
import type { HttpClient, HttpRequest, HttpResponse } from './http.js';
import type { Paginator } from './paginators.js';
import type { IncrementalStrategy } from './incremental.js';

export type Record_ = JsonObject;

/** One slice of a stream that is read on its own: a parent's id, an activity type, a time range. */
export interface Partition {
  /** Stable key for per-partition state, e.g. `"12"` or `"type=event"`. */
  key: string;
  /** The parent record this partition came from, if any. */
  parent?: Record_;
  /** Extra values definitions use to build requests, e.g. `{ type: 'event' }`. */
  values?: Record<string, string | number | boolean>;
}

/** What request-building functions see. */
export interface RequestContext {
  config: Config;
  partition: Partition;
  /**
   * The span a server-side window's request asks for, for streams read in windows (unix seconds): the window from a
   * second before its start (requestWindow), so that however the API reads its bounds, every record is returned.
   */
  window?: { start: number; end: number };
  /** Incremental reads: the earliest cursor value this read keeps (unix s), when known. */
  since?: number;
  /** Clock of the run, unix ms. */
  now: number;
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestSpec {
  method?: 'GET' | 'POST';
  path: string | ((ctx: RequestContext) => string);
  query?: (ctx: RequestContext) => Record<string, QueryValue>;
  body?: (ctx: RequestContext) => unknown;
}

/** What a definition does when a partition's request ends with this status. */
export type StatusAction =
  /** the parent vanished between listing and reading it: LOG and go on with the next partition */
  | 'skip-partition'
  /** the stream is not available to this key (e.g. 403, feature not in plan): stream INCOMPLETE, others go on */
  | 'stream-unavailable'
  /** treat as an empty answer */
  | 'empty';

export interface RecordContext {
  config: Config;
  partition: Partition;
  /** Clock of the run, unix ms. */
  now: number;
  /** When the API answered, by its own clock (the answer's `Date` header), unix ms; absent without one. */
  answeredAt?: number;
}

export interface EnrichContext extends RecordContext {
  http: HttpClient;
  stream: string;
}

/** What a record source sees (StreamDefinition.source). */
export interface SourceContext extends EnrichContext {
  /** A LOG line of the stream (its name is put before the message). */
  log: (level: 'INFO' | 'WARN', message: string) => void;
  /** True once the read must stop (SIGTERM, a revoked key): a source waiting for something should stop waiting. */
  stopping: () => boolean;
  /**
   * A request of the stream's own list through the run's request sharing: a stream read for itself and as a selected
   * child's parent asks the API once when both readers send the same requests in the same order.
   */
  request: (request: HttpRequest) => Promise<HttpResponse>;
  /**
   * An incremental read of a stream with a position cursor: the partition's saved cursor and scope (each undefined on
   * a first read). Absent for a full refresh: the source reads everything it can.
   */
  resume?: JsonObject;
}

/** How one remembered item of a delete-tracked list is asked for on its own (StreamDefinition.lookup). */
export interface LookupSpec {
  /**
   * The fields remembered with each key (the delete memory's `ids` entries), when the path needs more than the
   * primary key: campaign_actions remembers `campaign_id` beside `id`. Default: the primary key's fields.
   */
  remember?: string[];
  /** The partition (its key) a remembered item was listed in; undefined when the item does not say (a memory written before `remember`). */
  partition?: (item: Record_) => string | undefined;
  /** The path of one item, from its remembered fields and the partition it is looked up in. */
  path: (item: Record_, partition: Partition) => string;
  /** Where the item is in the answer, e.g. `$.action`. */
  record: string;
}

export interface StreamDefinition {
  name: string;
  primaryKey: string[][];
  /** Schema file under customerio/schemas; defaults to `<name>.json`. */
  schema?: string;
  /** The schema itself, for streams made from the config (custom streams, per-type activities). */
  jsonSchema?: JsonObject;
  request: RequestSpec;
  /** JSONPath of the records in a response body, e.g. `$.activities[*]`. */
  records: string;
  paginate: Paginator;
  /**
   * Partitions from another stream's records (read in full, never emitted unless selected itself). `besides`: partitions
   * read before the parent's, that no parent record stands for (Design Studio's root level, beside one per folder).
   */
  parent?: { stream: StreamDefinition; key: (parent: Record_) => string; besides?: Partition[] };
  /** Fixed partitions from the config (activity types, message types, suppression kinds). */
  partitions?: (config: Config) => Partition[];
  /** Per-record reshaping: return null to drop a record, an array to fan out. */
  transform?: (record: Record_, ctx: RecordContext) => Record_ | Record_[] | null;
  /**
   * Records from somewhere other than pages of API answers (customers: an export's file, started, polled,
   * downloaded and parsed). Resolves with batches of finished records (no transform, enrich nor selector), each
   * handled like a page: its RECORDs and a STATE in one write, stdout drained before the next batch is taken; or
   * with null to read the pages of `request` as usual. A loop that ends early (a failure, a stop) calls the
   * iterator's return(), so the source can close what it holds. Its errors are a page's errors (ApiError statuses
   * through onStatus, ConnectorErrors as they are).
   */
  source?: (ctx: SourceContext) => Promise<AsyncIterable<Record_[]> | null>;
  /** Per-page second step that needs requests of its own (e.g. customers' attributes). */
  enrich?: (records: Record_[], ctx: EnrichContext) => Promise<Record_[]>;
  incremental?: IncrementalStrategy;
  /** What a status means, for every partition or (a function) for the one that met it. */
  onStatus?: Partial<Record<number, StatusAction | ((partition: Partition) => StatusAction | undefined)>>;
  /**
   * What records without a primary key are, when the API has such records by design (customers: "person/people
   * without a cio_id"). They are skipped like any keyless record, but said in one WARN with their count when the stream
   * ends ("customers: skipped 3 people without a cio_id"), not one WARN each.
   */
  keyless?: { one: string; many: string };
  /**
   * The API may list a record again on a later page of the same pass (documented for objects: "you'll see duplicate
   * entries across pages"): the page loop drops a record whose primary key the pass already gave, right after
   * `transform` and before `enrich` (a repeat costs no request). Records without their whole key are kept. Memory: a
   * set of the keys of one pass (engine/repeats.ts: ~100 bytes a record), so only for passes of bounded size.
   */
  dedupeInPass?: boolean;
  /**
   * A list paged by position that may shrink while it is read (full refresh: segment members, objects…): a pass of
   * several pages is read once more, and the records the first pass did not give are handed on (engine/reread.ts,
   * 4 bytes a key). It costs the pass's requests again, not its enrich requests: only for lists whose pages are few
   * beside what the stream asks for them, or cheap.
   */
  rereadWhenPaged?: boolean;
  /** Remember the primary keys seen and emit `_ab_cdc_deleted_at` records for those that vanish (small lists only). */
  trackDeletes?: boolean;
  /**
   * The documented single-item GET of a delete-tracked list read in pages (engine/vanished.ts): a remembered key that
   * a pass of several pages did not list may have been skipped (a deletion on an earlier page moves every later item
   * up one place), so it is looked up before it is reported deleted: a 404 is a deletion, an answer is the live item,
   * printed from it. Every delete-tracked stream whose paginator can ask for a second page declares one.
   */
  lookup?: LookupSpec;
  /**
   * Things worth telling the user when the stream starts (LOG WARN), e.g. API retention limits. `firstRead`: the read
   * starts from start_date (no saved cursor: a first incremental read, or a full refresh), where notes about how far
   * back it can reach belong; a read from state says nothing about them again.
   */
  notes?: (config: Config, nowSeconds: number, read: { firstRead: boolean }) => string[];
  /** How many partitions to read at once (all through the shared limiter). Default 4. */
  concurrency?: number;
  /** A stream the config defines (custom_streams): a path the API does not route is the user's to fix. */
  userDefined?: boolean;
}
