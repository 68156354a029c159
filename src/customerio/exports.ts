/**
 * A Customer.io export's life before its file: start it (`POST /v1/exports/customers`), wait until it is done
 * (`GET /v1/exports/{id}`), and ask for a link to its file (`GET /v1/exports/{id}/download`, a signed link that
 * expires after 15 minutes). Every request goes through the run's one HTTP client, so the shared limiter paces
 * them with every other request of the sync; the waits between polls grow with the time already waited, so an
 * export Customer.io takes minutes to prepare costs a few dozen requests, not one every two seconds.
 * (The file itself: download.ts.)
 */
import { LinkRefused, linkPolicyFromEnv, linkProblem, type LinkPolicy } from './download-hosts.js';
import { ConnectorError, transientError } from '../errors.js';
import { ApiError, RequestCancelled, type HttpClient } from '../engine/http.js';
import type { JsonObject } from '../protocol/messages.js';
import { machineSleep } from '../clock.js';

export type ExportStatus = 'pending' | 'done' | 'failed';

export interface ExportInfo {
  id: string;
  status: ExportStatus;
  /** People in the export; Customer.io reports 0 until it is done. */
  total?: number;
  /** False for an answer without `status` (older ones had only `failed`): then only the link tells "done". */
  statusKnown: boolean;
}

export interface PollTimings {
  /** Shortest wait between two polls (default 1 s). */
  minMs: number;
  /** Longest wait between two polls (default 60 s). */
  maxMs: number;
  /** Give up once the export has been pending this long (default 3 h). */
  maxWaitMs: number;
}

export const DEFAULT_POLL_TIMINGS: PollTimings = { minMs: 1000, maxMs: 60_000, maxWaitMs: 3 * 3600_000 };

/** The share of the time already waited that the next wait adds: polls grow geometrically, by 25% each. */
const POLL_GROWTH = 0.25;

/**
 * How long to wait before the next poll of an export pending for `elapsedMs`: a quarter of the time already
 * waited, between minMs and maxMs. An export ready after T seconds is then seen at most ~25% late, for about
 * log(T)/log(1.25) polls: 9 for 10 s, 23 for 4 minutes, 29 for 10 minutes, 49 for half an hour (then one a minute).
 */
export function pollDelay(elapsedMs: number, timings: Pick<PollTimings, 'minMs' | 'maxMs'> = DEFAULT_POLL_TIMINGS): number {
  return Math.round(Math.min(timings.maxMs, Math.max(timings.minMs, elapsedMs * POLL_GROWTH)));
}

/** Poll timings from the environment (CIO_EXPORT_POLL_MS, CIO_EXPORT_MAX_WAIT_MS), for tests and odd setups. */
export function pollTimingsFromEnv(env: NodeJS.ProcessEnv = process.env): PollTimings {
  const number = (value: string | undefined) => (value !== undefined && value.trim() !== '' && Number(value) >= 0 ? Number(value) : undefined);
  const minMs = number(env.CIO_EXPORT_POLL_MS) ?? DEFAULT_POLL_TIMINGS.minMs;
  return { minMs, maxMs: Math.max(minMs, DEFAULT_POLL_TIMINGS.maxMs), maxWaitMs: number(env.CIO_EXPORT_MAX_WAIT_MS) ?? DEFAULT_POLL_TIMINGS.maxWaitMs };
}

/**
 * The export object of an answer: `{"export": {…}}` as documented, or the object itself. Status `failed` or
 * `failed: true` is failed; `done` is done; anything else (an older answer without `status`) counts as pending,
 * and the caller then asks for the link, which only a finished export has (KBC's extractor waits that way).
 */
export function exportInfo(body: unknown): ExportInfo | null {
  const outer = body && typeof body === 'object' ? (body as JsonObject) : undefined;
  const inner = outer?.export && typeof outer.export === 'object' ? (outer.export as JsonObject) : outer;
  if (!inner || (typeof inner.id !== 'number' && typeof inner.id !== 'string') || inner.id === '') return null;
  const status: ExportStatus = inner.failed === true || inner.status === 'failed' ? 'failed' : inner.status === 'done' ? 'done' : 'pending';
  const total = typeof inner.total === 'number' && Number.isFinite(inner.total) ? inner.total : undefined;
  return { id: String(inner.id), status, total, statusKnown: typeof inner.status === 'string' };
}

export class ExportFailed extends ConnectorError {
  constructor(
    readonly exportId: string,
    stream: string,
  ) {
    super(
      `Customer.io could not prepare export ${exportId} (status failed). Try the sync again later, or set customers_method to api to read customers without an export.`,
      'transient_error',
      { stream },
    );
    this.name = 'ExportFailed';
  }
}

export interface ExportContext {
  http: HttpClient;
  stream: string;
  timings?: PollTimings;
  /** Unix ms. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** True once the read must stop: waits end early with RequestCancelled. */
  stopping?: () => boolean;
  /** Which links are followed (default: the declared storage hosts and the operator's environment). */
  links?: LinkPolicy;
  log?: (level: 'INFO' | 'WARN', message: string) => void;
}

/** Starts a customers export: the people of `filter`, with `attributes` as columns (all of them when absent). */
export async function startCustomersExport(ctx: ExportContext, filter: JsonObject, attributes?: string[]): Promise<ExportInfo> {
  // `filters`, plural: the export takes the audience under another key than the customers search (`filter`).
  const body: JsonObject = { filters: filter, ...(attributes && attributes.length > 0 ? { attributes } : {}) };
  const response = await ctx.http.request({ method: 'POST', path: '/exports/customers', body, stream: ctx.stream });
  const info = exportInfo(response.body);
  if (!info) throw transientError(`Customer.io answered POST /exports/customers without an export id; try the sync again later.`, { stream: ctx.stream });
  return info;
}

/**
 * Polls an export until it is done and returns it, with the link to its file when the wait already asked for
 * one. Throws ExportFailed when Customer.io gives up on it, a transient_error after `maxWaitMs`, and
 * RequestCancelled when the read stops meanwhile.
 */
export async function waitForExport(ctx: ExportContext, started: ExportInfo): Promise<{ info: ExportInfo; url?: string }> {
  const timings = ctx.timings ?? DEFAULT_POLL_TIMINGS;
  const now = ctx.now ?? Date.now;
  const began = now();
  let info = started;
  for (;;) {
    if (info.status === 'failed') throw new ExportFailed(info.id, ctx.stream);
    if (info.status === 'done') return { info };
    if (!info.statusKnown) {
      // No status in the answer: only the link says whether the file is ready.
      const url = await downloadLink(ctx, info.id, { pendingIsFine: true });
      // (Its total is from an answer of before it was done, when Customer.io reports 0: not a count.)
      if (url) return { info: { ...info, status: 'done', total: undefined }, url };
    }
    const elapsed = now() - began;
    if (elapsed >= timings.maxWaitMs) {
      throw transientError(
        `Customer.io's export ${info.id} was still not ready after ${Math.floor(elapsed / 60_000)} minutes; try the sync again later (or set customers_method to api).`,
        { stream: ctx.stream },
      );
    }
    await pause(ctx, pollDelay(elapsed, timings));
    const response = await ctx.http.request({ method: 'GET', path: `/exports/${encodeURIComponent(info.id)}`, stream: ctx.stream, urgency: 1 });
    info = exportInfo(response.body) ?? info;
  }
}

/**
 * A fresh signed link to the export's file. An answer without a usable `url` is refused (a transient_error), or
 * gives undefined with `pendingIsFine` (the export may not be ready yet). Only links over https are taken, or
 * over http when the API itself is (the sandbox, a local proxy): the link carries its own signature, and the
 * request to it must not travel in the clear.
 */
export async function downloadLink(ctx: ExportContext, exportId: string, options: { pendingIsFine?: boolean } = {}): Promise<string | undefined> {
  let body: unknown;
  try {
    body = (await ctx.http.request({ method: 'GET', path: `/exports/${encodeURIComponent(exportId)}/download`, stream: ctx.stream, urgency: 1 })).body;
  } catch (error) {
    // [inferred] what /download answers before the export is done is not documented: a refusal then means "not yet".
    if (options.pendingIsFine && error instanceof ApiError && [400, 404, 409, 422].includes(error.status)) return undefined;
    throw error;
  }
  const url = body && typeof body === 'object' ? (body as JsonObject).url : undefined;
  if (typeof url === 'string' && url.trim() !== '') {
    // A link is there: one the connector will not follow stops the read, whatever the wait (download-hosts.ts).
    const problem = linkProblem(url, ctx.links ?? linkPolicyFromEnv());
    if (problem) throw new LinkRefused(exportId, problem, 0, ctx.stream);
    return url;
  }
  if (options.pendingIsFine) return undefined;
  throw transientError(`Customer.io answered GET /exports/${exportId}/download without a link; try the sync again later.`, { stream: ctx.stream });
}

/** Waits `ms`, a second at a time, so a stop is noticed within a second even during a long wait. */
async function pause(ctx: ExportContext, ms: number): Promise<void> {
  const sleep = ctx.sleep ?? machineSleep;
  for (let left = ms; left > 0; left -= 1000) {
    if (ctx.stopping?.()) throw new RequestCancelled();
    await sleep(Math.min(1000, left));
  }
  if (ctx.stopping?.()) throw new RequestCancelled();
}
