/**
 * A receiver's read API as a LogReader: `GET {receiver}/events?after=P&until=E&limit=N` with the read token. Its
 * own small HTTP loop (not the App API client: this host is not Customer.io's, and its requests cost nothing of the
 * App API's 10 a second): a timeout, a few retries with backoff on network errors and 5xx, and a cap on the bytes
 * an answer may bring.
 */
import got, { type Got } from 'got';
import { machineSleep } from '../../clock.js';
import { configError, transientError } from '../../errors.js';
import { isRetryableStatus, retryDelay } from '../../engine/retry.js';
import { MAX_LINE } from '../../webhooks/store/recovery.js';
import { LogPositionError, type LogPage, type LogReader } from './log.js';

export interface HttpReaderOptions {
  /** Events a page asks for. */
  pageEvents?: number;
  timeoutMs?: number;
  maxTries?: number;
  backoffBaseMs?: number;
  /** The largest answer taken (bytes): a page is at most a few MB, one event at most the receiver's body limit. */
  maxAnswerBytes?: number;
  transport?: Got;
  sleep?: (ms: number) => Promise<void>;
  warn?: (message: string) => void;
}

const NEWLINE = 10;

export class HttpLogReader implements LogReader {
  constructor(
    /** The receiver's base URL, e.g. http://cio-webhooks:8080 (no trailing slash). */
    readonly name: string,
    private readonly token: string,
    private readonly options: HttpReaderOptions = {},
  ) {}

  async page(after: number | undefined, until: number | undefined): Promise<LogPage> {
    const query = new URLSearchParams({ limit: String(this.options.pageEvents ?? 1000) });
    if (after !== undefined) query.set('after', String(after));
    if (until !== undefined) query.set('until', String(until));
    const { status, body } = await this.get(`${this.name}/events?${query}`);
    if (status === 200) return parsePage(body, this.name);
    const error = errorBody(body);
    if (status === 401 || status === 403) throw configError(`reporting_events: ${this.name} refused the read token (${status}). Set reporting_webhook_read_token to the receiver's CIO_WEBHOOK_READ_TOKEN.`);
    if (status === 410 || status === 416 || (status === 400 && error.error === 'misaligned')) {
      const kind = status === 410 ? 'gone' : status === 416 ? 'beyond' : 'misaligned';
      throw new LogPositionError(kind, error.message ?? `answered ${status}`, error.store_id, error.first);
    }
    if (status === 404) throw configError(`reporting_events: ${this.name}/events is not found (404): is ${this.name} a reporting-webhook receiver (serve-webhooks)?`);
    throw configError(`reporting_events: ${this.name} answered ${status}${error.message ? ` (${error.message})` : ''}`);
  }

  private async get(url: string): Promise<{ status: number; body: Buffer }> {
    const maxTries = Math.max(1, this.options.maxTries ?? 4);
    const backoffBaseMs = this.options.backoffBaseMs ?? 1000;
    const transport = this.options.transport ?? got;
    // A page is a few MB, but one event may be as long as the longest line a store holds.
    const cap = this.options.maxAnswerBytes ?? MAX_LINE + (16 << 20);
    let problem = '';
    for (let attempt = 1; attempt <= maxTries; attempt++) {
      let retryAfter: string | undefined;
      try {
        const request = transport(url, {
          headers: { authorization: `Bearer ${this.token}`, accept: 'application/x-ndjson' },
          timeout: { request: this.options.timeoutMs ?? 60_000 },
          retry: { limit: 0 },
          throwHttpErrors: false,
          followRedirect: false,
          responseType: 'buffer',
        });
        // A receiver (or what answers in its place) that sends more than a page can hold is cut off.
        request.on('downloadProgress', ({ transferred }) => {
          if (transferred > cap) request.cancel(`answer over ${cap} bytes`);
        });
        const response = await request;
        if (!isRetryableStatus(response.statusCode)) return { status: response.statusCode, body: response.body };
        problem = `answered ${response.statusCode}${errorBody(response.body).message ? ` (${errorBody(response.body).message})` : ''}`;
        const header = response.headers['retry-after'];
        retryAfter = Array.isArray(header) ? header[0] : header;
      } catch (error) {
        const code = (error as { code?: string }).code;
        problem = `network error${code ? ` ${code}` : ''} (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`;
      }
      if (attempt === maxTries) break;
      const delay = retryDelay({ attempt, retryAfter, baseMs: backoffBaseMs, maxMs: 30_000 });
      this.options.warn?.(`${this.name}: ${problem}; retry ${attempt} of ${maxTries - 1} in ${delay} ms`);
      await (this.options.sleep ?? machineSleep)(delay);
    }
    throw transientError(`reporting_events: ${this.name} did not answer after ${maxTries} attempts (last: ${problem}). Is the receiver running and reachable from the connector?`);
  }
}

function errorBody(body: Buffer): { error?: string; message?: string; store_id?: string; first?: number } {
  try {
    const parsed = JSON.parse(body.toString('utf8').slice(0, 10_000)) as Record<string, unknown>;
    return {
      error: typeof parsed.error === 'string' ? parsed.error : undefined,
      message: typeof parsed.message === 'string' ? parsed.message.slice(0, 300) : undefined,
      store_id: typeof parsed.store_id === 'string' ? parsed.store_id : undefined,
      first: Number.isSafeInteger(parsed.first) ? (parsed.first as number) : undefined,
    };
  } catch {
    return {};
  }
}

/** An NDJSON page: its description, then journal lines as stored (kept as bytes: positions count bytes). */
export function parsePage(body: Buffer, name: string): LogPage {
  const firstNewline = body.indexOf(NEWLINE);
  let head: Record<string, unknown>;
  try {
    head = JSON.parse(body.subarray(0, firstNewline === -1 ? body.length : firstNewline).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw configError(`reporting_events: ${name}/events answered something that is not a page of events: is it a reporting-webhook receiver?`);
  }
  const numbers = ['first', 'end', 'after', 'next'].map((k) => head[k]);
  if (typeof head.store_id !== 'string' || !numbers.every((n) => Number.isSafeInteger(n))) throw configError(`reporting_events: ${name}/events answered a page without its store and positions`);
  const lines: Buffer[] = [];
  for (let start = firstNewline + 1; firstNewline !== -1 && start < body.length; ) {
    const end = body.indexOf(NEWLINE, start);
    if (end === -1) throw configError(`reporting_events: ${name}/events answered a page cut in the middle of an event`);
    lines.push(body.subarray(start, end));
    start = end + 1;
  }
  const [first, end, after, next] = numbers as number[];
  return { storeId: head.store_id, first, end, after, next, lines };
}
