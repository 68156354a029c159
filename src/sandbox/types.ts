/**
 * The sandbox's public vocabulary: options, sizes and their defaults, fault rules, stats and the
 * ground-truth helpers. The connector's end-to-end tests, contract tests, demo and benchmarks all
 * program against these types, so they change only with care.
 */

import type { ExportBehaviour, ExportRecord } from './exports.js';
import type { WebhookSender, WebhookSenderOptions } from './webhooks/sender.js';

export type { ExportBehaviour, ExportRecord, WebhookSender, WebhookSenderOptions };

export type Region = 'us' | 'eu';

/** How many objects of each kind the sandbox serves. Time-based streams count what the last 30 days hold at the start clock. */
export interface SandboxSizes {
  /** Activities in the 30-day window (`/v1/activities`); they keep arriving at this rate as the clock moves. */
  activities: number;
  /** People (`/v1/customers`, attributes, segment membership). Fixed over time. */
  customers: number;
  /** Transactional message templates (`/v1/transactional`). */
  transactionalMessages: number;
  /** Transactional deliveries in the last 30 days, spread unevenly across the templates. */
  deliveries: number;
  /** Campaigns (`/v1/campaigns`, ids odd integers). */
  campaigns: number;
  /** Actions per campaign (`/v1/campaigns/{id}/actions`, 10 a page). At most 999. */
  actionsPerCampaign: number;
  /** Newsletters (`/v1/newsletters`), each with 1-3 contents (variants). */
  newsletters: number;
  /** API-triggered broadcasts (`/v1/broadcasts`, ids even integers). */
  broadcasts: number;
  /** Actions per broadcast (`/v1/broadcasts/{id}/actions`). At most 999. */
  actionsPerBroadcast: number;
  /** Segments (`/v1/segments`). */
  segments: number;
  /** Largest membership of a segment; the first segment has min(segmentMembers, customers) members. */
  segmentMembers: number;
  /** Deliveries in `/v1/messages` over the last 30 days. */
  messages: number;
  /** Exports (`/v1/exports`); 0 answers `{"exports": null}`. */
  exports: number;
  snippets: number;
  collections: number;
  senderIdentities: number;
  subscriptionTopics: number;
  objectTypes: number;
  /** Objects of each object type (`POST /v1/objects`), each related to 0–4 people. */
  objectsPerType: number;
  reportingWebhooks: number;
  /** ESP suppressions per type (bounces, blocks, spam_reports, invalid_emails). */
  suppressions: number;
  /** Subscription channels (`/v1/subscription_channels`); 0 answers `{"channels": []}` (as seen live). */
  subscriptionChannels: number;
  /** People with opt-outs (`/v1/optouts`), at most `customers`. */
  optouts: number;
  /** Design Studio folders, a tree (`/v1/design_studio/folders`); never deleted on advance. */
  designStudioFolders: number;
  /** Design Studio emails, at the root or in a folder (`/v1/design_studio/emails`). */
  designStudioEmails: number;
  /** Design Studio components (`/v1/design_studio/components`). */
  designStudioComponents: number;
}

/** Small and fast, for tests. Every count can be overridden per sandbox. */
export const DEFAULT_SIZES: SandboxSizes = {
  activities: 1500,
  customers: 2500,
  transactionalMessages: 5,
  deliveries: 1200,
  campaigns: 4,
  actionsPerCampaign: 12,
  newsletters: 6,
  broadcasts: 3,
  actionsPerBroadcast: 2,
  segments: 4,
  segmentMembers: 2000,
  messages: 1500,
  exports: 0,
  snippets: 5,
  collections: 3,
  senderIdentities: 3,
  subscriptionTopics: 4,
  objectTypes: 2,
  objectsPerType: 7,
  reportingWebhooks: 3,
  suppressions: 120,
  subscriptionChannels: 3,
  optouts: 25,
  designStudioFolders: 4,
  designStudioEmails: 12,
  designStudioComponents: 5,
};

export type RateLimitOption = { perSecond: number; retryAfter?: boolean } | false;

export interface ChurnOptions {
  /** Share (0..1) of each list kind's objects whose `updated` moves to the new time on each advance; at least one always moves. Default 0.25. */
  updateShare?: number;
  /** On the first advance, one object of each list kind (not the first one) disappears. Default true. */
  deleteOnAdvance?: boolean;
}

export interface SandboxOptions {
  /** 0 = a free port (default). The host is always 127.0.0.1. */
  port?: number;
  /** Default 42; the same seed gives identical data. */
  seed?: number;
  /** Virtual clock start, unix seconds. Default 1767225600 (2026-01-01T00:00:00Z), or the wall clock's now with realClock. */
  now?: number;
  /**
   * Let the virtual clock follow the wall clock (it stands still otherwise, except for advance()): from the wall
   * clock's now unless `now` is given. A connector reading the machine's clock is then on the sandbox's.
   */
  realClock?: boolean;
  sizes?: Partial<SandboxSizes>;
  /** Default {perSecond: 10, retryAfter: true}; false = no limit. Counted per key in wall-clock seconds. */
  rateLimit?: RateLimitOption;
  /** Latency added to every API request, in ms. Default 0. */
  latencyMs?: number;
  /** Accepted bearer keys and the region each belongs to. Default {'sandbox-us-key': 'us', 'sandbox-eu-key': 'eu'}. */
  keys?: Record<string, Region>;
  /** Answer `customers/attributes` with flat elements instead of `{"customer": {...}}` wrappers. Default false. */
  flatCustomerAttributes?: boolean;
  /**
   * The order `/v1/activities` lists activities in, which the API does not document: newest first (default, the
   * inferred one), oldest first, or shuffled (a fixed permutation of the 30 days from the seed).
   */
  activitiesOrder?: ActivitiesOrder;
  /**
   * How both delivery lists read `start_ts`/`end_ts`, which the API does not document: each bound inclusive (default,
   * the inferred reading) or exclusive, to test a connector that must not lose a delivery on a window's edge.
   */
  deliveryBounds?: Partial<DeliveryBounds>;
  /**
   * How Design Studio listings read `direct_descendants_only`, which was never seen live: as documented (default:
   * `true` the folder's direct children, otherwise its whole subtree, the root's being everything), or every listing
   * the whole subtree / the direct children only, whatever it asks.
   */
  designStudioScope?: DesignStudioScope;
  churn?: ChurnOptions;
  /** Fault rules active from the start. */
  faults?: FaultRule[];
  /** How customers exports behave (polls pending, preparation time, failures, expired links, file format). */
  exports?: Partial<ExportBehaviour>;
  /** Lists that change while they are read, from the start (see setListChanges). */
  listChanges?: ListChangeRule[];
}

export type ActivitiesOrder = 'newest_first' | 'oldest_first' | 'shuffled';

export type DesignStudioScope = 'as_documented' | 'whole_subtree' | 'direct_children';

export type BoundReading = 'inclusive' | 'exclusive';
export interface DeliveryBounds {
  start: BoundReading;
  end: BoundReading;
}

export const DEFAULT_KEYS: Record<string, Region> = { 'sandbox-us-key': 'us', 'sandbox-eu-key': 'eu' };
export const DEFAULT_NOW = 1767225600;
export const DEFAULT_SEED = 42;

export type FaultKind =
  | 'latency' // wait `ms` (default 1000), then answer normally (other rules still apply)
  | 'status' // answer `status` (default 500) with the errors envelope
  | 'reset' // destroy the socket without answering
  | 'truncate' // send headers with the full Content-Length, half the body, then end the socket
  | 'invalid_json' // answer 200 with a body that is not JSON
  | 'unauthorized' // answer 401 with the errors envelope
  | 'echo_headers' // answer `status` (default 400) with a body echoing the request headers, Authorization included
  | 'rate_limit'; // answer 429 with the documented body, Retry-After unless retryAfter is false

export interface FaultRule {
  /** Substring of the request path, or a glob when it holds `*` (matched against the whole path). Absent = every API path. */
  path?: string;
  /** Only this HTTP method (case-insensitive). Absent = any. */
  method?: string;
  kind: FaultKind;
  status?: number;
  ms?: number;
  /** Share (0..1) of matching requests that get the fault, drawn from a PRNG seeded by the sandbox seed. Default 1. */
  share?: number;
  /** Fire at most this many times. */
  count?: number;
  /** Let this many matching requests through first (e.g. a 401 mid-sync). */
  after?: number;
  /** For `status` and `rate_limit`: send `Retry-After: 1`. Default true for rate_limit, false for status. */
  retryAfter?: boolean;
}

export interface SandboxRequestRecord {
  method: string;
  path: string;
  /** Raw query string without the leading `?` ('' when none). */
  query: string;
  /** Status sent; 0 when the socket was reset without an answer. */
  status: number;
  /** Wall-clock time the request arrived, ms since the epoch. */
  at: number;
  /** Endpoint pattern, e.g. `GET /v1/campaigns/{id}/actions` (region prefix removed). */
  endpoint: string;
  durationMs: number;
  /** The fault injected into this request, if any (latency included). */
  fault?: FaultKind;
}

export interface SandboxStats {
  /** API requests received (control endpoints excluded). */
  total: number;
  byStatus: Record<string, number>;
  byEndpoint: Record<string, number>;
  byEndpointStatus: Record<string, Record<string, number>>;
  /** 429 answers sent, by the limiter or by rate_limit faults. */
  rateLimited: number;
  faults: Record<string, number>;
  /** Most API requests that arrived within one wall-clock second. */
  peakPerSecond: number;
  /** The last 10,000 requests, oldest first. */
  requests: SandboxRequestRecord[];
}

export type ListKind =
  | 'campaigns'
  | 'campaign_actions'
  | 'newsletters'
  | 'broadcasts'
  | 'broadcast_actions'
  | 'segments'
  | 'transactional_messages'
  | 'snippets';

/** Objects of a list kind deleted or edited (an edit moves `updated`/`updated_at` to the sandbox's clock). */
export interface ListChange {
  kind: ListKind;
  /** Ids (snippets: names) to delete. */
  delete?: Array<number | string>;
  /** Ids (snippets: names) to edit. */
  edit?: Array<number | string>;
}

/**
 * A change made once, right after the sandbox answered the `after`-th GET (default 1) whose path matches `path` (a
 * substring, or a glob over the whole path when it holds `*`) with a 200: e.g. after page 1 of a list, so that page 2
 * is served from the changed list (tokens are positional: a deletion on page 1 moves the first object of page 2 onto it).
 */
export interface ListChangeRule extends ListChange {
  path: string;
  after?: number;
  /** Also delete this many of the objects the answer just listed, from its first. */
  deleteServed?: number;
}

export interface ActivityQuery {
  types?: string[];
  includeDeleted?: boolean;
  name?: string;
}

export interface MessageQuery {
  types?: string[];
  startTs?: number;
  endTs?: number;
}

/** Ground truth computed without HTTP, at the current virtual clock. */
export interface SandboxExpected {
  /** Activity ids the API would list (newest first); deleted-profile activities only with includeDeleted. */
  activityIds(query?: ActivityQuery): string[];
  customerCioIds(): string[];
  /** `/v1/messages` ids, newest first; the window is narrowed to 30 days like the API does. */
  messageIds(query?: MessageQuery): string[];
  /** Transactional delivery ids, newest first: one template's, or every live template's. */
  deliveryIds(transactionalId?: number): string[];
  /** Ids of the live objects of a list kind (snippets by name). */
  listIds(kind: ListKind): Array<number | string>;
  /** The records a list kind returns right now, as the API shapes them. */
  listRecords(kind: ListKind): Array<Record<string, unknown>>;
  /** Ids that disappeared on advance, per list kind. */
  deletedIds(kind: ListKind): Array<number | string>;
  /** Ids whose `updated`/`updated_at` is at or after `since`. */
  updatedIds(kind: ListKind, since: number): Array<number | string>;
  campaignActionIds(campaignId: number): Array<number | string>;
  segmentMemberCioIds(segmentId: number): string[];
  /** Every live transactional message's contents as the API answers them, each with its template's id as `transactional_id`. */
  transactionalContents(): Array<Record<string, unknown>>;
  /** `/v1/optouts` rows, in the order listed. */
  optouts(): Array<Record<string, unknown>>;
  /** The live Design Studio folders, emails or components as a listing shows them (every level's together). */
  designStudio(kind: 'folders' | 'emails' | 'components'): Array<Record<string, unknown>>;
  /** The live Design Studio emails as their detail answers them (content, envelope, transformers). */
  designStudioEmailDetails(): Array<Record<string, unknown>>;
  /** Record counts per stream name (issue 7's names), as `GET /__sandbox/expected` reports them. */
  counts(): Record<string, number>;
}

export interface Sandbox {
  /** US base URL, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  /** EU base URL, http://127.0.0.1:PORT/eu/v1 */
  euUrl: string;
  /** http://127.0.0.1:PORT/{region}/v1 (/us/v1 and /v1 both serve US). */
  regionUrlTemplate: string;
  /** http://127.0.0.1:PORT/__sandbox */
  controlUrl: string;
  port: number;
  keys: Record<string, Region>;
  now(): number;
  /** Moves the virtual clock; reporting webhooks started with startWebhooks send what happened meanwhile. */
  advance(seconds: number): void;
  /**
   * Plays Customer.io's reporting webhook against a receiver (webhooks/sender.ts): POSTs the signed events of the
   * deliveries as the clock moves, one at a time, with Customer.io's timeout, retries and duplicates.
   */
  startWebhooks(options: WebhookSenderOptions): WebhookSender;
  setFaults(faults: FaultRule[]): void;
  setRateLimit(limit: RateLimitOption): void;
  setLatency(ms: number): void;
  stats(): SandboxStats;
  resetStats(): void;
  expected: SandboxExpected;
  /** Replaces how customers exports behave (unset fields take their defaults). */
  setExportBehaviour(behaviour: Partial<ExportBehaviour>): void;
  /** Every customers export created, with its polls, links and downloads (wall-clock ms). */
  exportLog(): ExportRecord[];
  /** Deletes or edits objects of a list kind now (edits dated by the sandbox's clock). */
  changeLists(change: ListChange): void;
  /** Replaces the rules that change lists right after given answers (e.g. between two pages of one read). */
  setListChanges(rules: ListChangeRule[]): void;
  close(): Promise<void>;
}
