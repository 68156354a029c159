/**
 * The receiver's read API: `GET /events?after=P&limit=N&max_bytes=B&until=E`, with the read token as a bearer token.
 * Answers NDJSON: a first line describing the page, then the page's journal lines as stored (store/format.ts):
 *
 *   {"store_id":"…","first":F,"end":E,"after":P,"next":N,"events":n}
 *   {"o":P,"at":…,"ts":…,"id":"…","f":[],"b":"{…the body as received…}"}
 *   …
 *
 * `first` is the oldest position kept, `end` the committed end now (a reader that takes it as `until` for its next
 * pages reads a fixed snapshot and ends, however fast events come), `next` where this page ends (read after it
 * next). Errors are JSON: 410 `gone` (P is older than `first`: retention outran the reader; `first` says from
 * where it could go on), 400 `misaligned` / `bad_request`, 416 `beyond` (P past the end: a position of another
 * store?), 401 (token), 503 (store not open, or too many reads at once).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answer } from './intake.js';
import type { ReceiverMetrics } from './metrics.js';
import { sameSecret } from './signature.js';
import type { StoreHolder } from './store/holder.js';
import { PositionError } from './store/range.js';

export const PAGE_DEFAULTS = { events: 1000, bytes: 4 << 20 };
const PAGE_LIMITS = { events: 10_000, bytes: 16 << 20 };
/** Reads served at once (each holds at most a page in memory). */
const CONCURRENT_READS = 8;

const STATUS = { gone: 410, beyond: 416, misaligned: 400, corrupt: 500 } as const;

/** Whether the request carries `token` as its bearer token (compared in constant time). */
export function bearer(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S{1,1024})\s*$/i.exec(header) : null;
  return match !== null && sameSecret(match[1], token);
}

/** A query parameter as a non-negative integer within `max` (undefined when absent; NaN when not one). */
function integerParam(params: URLSearchParams, name: string, max: number): number | undefined {
  const text = params.get(name);
  if (text === null || text === '') return undefined;
  if (!/^\d{1,20}$/.test(text)) return Number.NaN;
  const value = Number(text);
  return Number.isSafeInteger(value) && value <= max ? value : Number.NaN;
}

export class ReadApi {
  private reading = 0;

  constructor(
    private readonly holder: StoreHolder,
    private readonly metrics: ReceiverMetrics,
    private readonly readToken: string,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
    const reply = (status: number, body: Record<string, unknown>, headers?: Record<string, string>) => {
      this.metrics.read(status);
      answer(res, status, body, headers);
    };
    if (!bearer(req, this.readToken)) {
      this.metrics.reject('read_unauthorized');
      return reply(401, { error: 'unauthorized', message: 'the read API wants the read token as a bearer token' }, { 'www-authenticate': 'Bearer' });
    }
    const journal = this.holder.journal;
    if (!journal) return reply(503, { error: 'unavailable', message: this.holder.openFailure ?? 'the store is not open yet' }, { 'retry-after': '10' });
    const after = integerParam(params, 'after', Number.MAX_SAFE_INTEGER);
    const until = integerParam(params, 'until', Number.MAX_SAFE_INTEGER);
    const limit = integerParam(params, 'limit', PAGE_LIMITS.events) ?? PAGE_DEFAULTS.events;
    const maxBytes = integerParam(params, 'max_bytes', PAGE_LIMITS.bytes) ?? PAGE_DEFAULTS.bytes;
    if ([after, until, limit, maxBytes].some((v) => Number.isNaN(v)) || limit < 1 || maxBytes < 1) {
      return reply(400, { error: 'bad_request', message: `after and until must be positions; limit from 1 to ${PAGE_LIMITS.events}; max_bytes from 1 to ${PAGE_LIMITS.bytes}` });
    }
    if (this.reading >= CONCURRENT_READS) return reply(503, { error: 'busy', message: 'too many reads at once; retry' }, { 'retry-after': '1' });
    this.reading++;
    try {
      const end = journal.committed;
      const from = after ?? journal.first;
      const page = await journal.read(from, { events: limit, bytes: maxBytes }, until ?? end);
      const head = JSON.stringify({ store_id: journal.storeId, first: journal.first, end, after: from, next: page.next, events: page.lines.length });
      const parts: Buffer[] = [Buffer.from(`${head}\n`)];
      for (const line of page.lines) parts.push(line, NEWLINE);
      const body = Buffer.concat(parts);
      this.metrics.read(200);
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
      res.end(body);
    } catch (error) {
      if (!(error instanceof PositionError)) throw error;
      reply(STATUS[error.kind], { error: error.kind, message: error.message, store_id: journal.storeId, first: journal.first, end: journal.committed });
    } finally {
      this.reading--;
    }
  }
}

const NEWLINE = Buffer.from('\n');
