/**
 * HTTP for every request of the process: got for the transport, bearer auth, a timeout, our own retry loop
 * (got's is off: one owner for retries) and the shared RateLimiter scheduling every attempt.
 * Answers are read as a stream and parsed here, never past MAX_RESPONSE_BYTES (an endless answer would otherwise
 * grow the process until the platform kills it, with no TRACE ERROR); a final non-2xx answer becomes an ApiError
 * carrying the API's own detail, the key redacted from it before it is cut to length. Nothing here ever puts the
 * key (or any request header) into a message. Names are resolved through egress.ts's guard unless the operator
 * allows a private network; redirects are never followed (a redirect could take the key elsewhere).
 */
import type { Readable } from 'node:stream';
import got, { type Got } from 'got';
import { ConnectorError } from '../errors.js';
import { redactorFor, type Redactor } from '../redact.js';
import { connectorCause, guardedLookup, privateNetworkAllowed } from './egress.js';
import { RateLimiter } from './limiter.js';
import { isRetryableStatus, retryDelay } from './retry.js';
import type { QueryValue } from './types.js';
import { machineSleep } from '../clock.js';

export interface HttpRequest {
  method?: 'GET' | 'POST';
  /** Path after the base URL, e.g. `/activities`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** For messages: which stream asked. */
  stream?: string;
  /** How soon the limiter lets it go, ahead of waiting requests of lower urgency (0, the default, to 5). */
  urgency?: number;
}

export interface HttpResponse {
  status: number;
  body: unknown;
  /** The answer's `Date` header (the API's clock), unix ms; absent when it sent none or one that is not a date. */
  date?: number;
}

/** An HTTP `Date` header as unix ms, or undefined. */
export function headerDate(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A final non-2xx answer (not retried, or retries exhausted on a non-retryable status). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly request: { method: string; path: string },
    /**
     * A 404 whose body is not JSON: the API has no such route (live: the plain text `404 page not found`), unlike the
     * JSON 404 of a route whose resource (a parent, a person) does not exist.
     */
    readonly unrouted = false,
  ) {
    super(`${request.method} ${request.path} answered ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'ApiError';
  }
}

/**
 * The most an answer may weigh (decoded), by default: far above the largest real page (1,000 deliveries with
 * their metrics are some 2 MB, 30,000 segment membership ids under 1 MB, a newsletter's contents with big HTML
 * bodies a few MB) and small enough that reading and parsing it fits a 512 MB container. CIO_MAX_RESPONSE_BYTES
 * changes it for operators.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface HttpClientOptions {
  baseUrl: string;
  apiKey: string;
  limiter: RateLimiter;
  timeoutMs?: number;
  /** An answer heavier than this (decoded) is abandoned as a retryable failure (default MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** Loopback, private and link-local addresses may be connected to (default: CIO_ALLOW_PRIVATE_NETWORK). */
  allowPrivateNetwork?: boolean;
  /** The resolver under the private-address guard, injectable for tests (default: the system's). */
  resolve?: Parameters<typeof guardedLookup>[0];
  /** Attempts per request, the first included (default 6). */
  maxTries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: (level: 'INFO' | 'WARN' | 'DEBUG', message: string) => void;
  /** Transport, injectable for tests. */
  transport?: Got;
}

/**
 * The API's own explanation from any of its error shapes: `{"errors":[{detail}]}`, `{"meta":{"error"}}`, text.
 * Redacted before it is cut to 300 characters: a cut can leave part of a secret that the redactor would no longer
 * recognise whole.
 */
export function errorDetail(raw: string, redact: Redactor = (t) => t): string {
  const text = redact(raw);
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    const body = JSON.parse(trimmed) as Record<string, unknown>;
    const errors = body?.errors;
    if (Array.isArray(errors) && errors.length) {
      return errors
        .map((e) => (e && typeof e === 'object' ? String((e as Record<string, unknown>).detail ?? (e as Record<string, unknown>).title ?? JSON.stringify(e)) : String(e)))
        .join('; ');
    }
    const meta = body?.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta.error === 'string') return meta.error;
    if (typeof body?.error === 'string') return body.error;
    if (typeof body?.message === 'string') return body.message;
  } catch {
    // not JSON: fall through to the text itself
  }
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.append(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Every attempt of a request failed in a retryable way: a transient_error that keeps what happened last. */
export class RetriesExhausted extends ConnectorError {
  constructor(
    readonly label: string,
    readonly attempts: number,
    readonly lastProblem: string,
    /** The last HTTP status, when the last attempt got an answer at all. */
    readonly lastStatus?: number,
  ) {
    super(`Customer.io did not answer ${label} successfully after ${attempts} attempts (last: ${lastProblem}). Try the sync again later.`, 'transient_error');
    this.name = 'RetriesExhausted';
  }
}

/** The read is stopping (a revoked key): a request still waiting for its turn is not sent. */
export class RequestCancelled extends Error {
  constructor() {
    super('request cancelled: the read is stopping');
    this.name = 'RequestCancelled';
  }
}

/** Why an attempt failed in a way worth retrying. */
class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly retryAfter?: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class HttpClient {
  private readonly transport: Got;
  private readonly sleep: (ms: number) => Promise<void>;
  readonly limiter: RateLimiter;
  /** Requests answered, by outcome, for summaries. */
  readonly counts = { attempts: 0, retries: 0, rateLimited: 0 };
  /** Requests per stream (`HttpRequest.stream`), each counted once however many attempts it took. */
  readonly requestsByStream = new Map<string, number>();
  private cancelled = false;
  private readonly redact: Redactor;
  private readonly maxResponseBytes: number;
  private readonly lookup?: ReturnType<typeof guardedLookup>;

  constructor(private readonly options: HttpClientOptions) {
    this.transport = options.transport ?? got;
    this.sleep = options.sleep ?? machineSleep;
    this.limiter = options.limiter;
    this.redact = redactorFor([options.apiKey, options.apiKey.trim()]);
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    if (!(options.allowPrivateNetwork ?? privateNetworkAllowed())) this.lookup = guardedLookup(options.resolve);
  }

  async request({ method = 'GET', path, query, body, urgency, stream }: HttpRequest): Promise<HttpResponse> {
    if (stream !== undefined) this.requestsByStream.set(stream, (this.requestsByStream.get(stream) ?? 0) + 1);
    const maxTries = this.options.maxTries ?? 6;
    const url = `${this.options.baseUrl}${path}${queryString(query)}`;
    const label = `${method} ${path}${queryString(query)}`;
    let lastProblem = '';
    let lastStatus: number | undefined;
    for (let attempt = 1; attempt <= maxTries; attempt++) {
      try {
        return await this.limiter.schedule((sentLate) => this.attempt(method, url, label, body, sentLate), urgency);
      } catch (error) {
        if (this.cancelled) throw new RequestCancelled();
        if (!(error instanceof RetryableFailure)) throw error;
        lastProblem = error.message;
        lastStatus = error.status;
        if (attempt === maxTries) break;
        const delay = retryDelay({
          attempt,
          retryAfter: error.retryAfter,
          baseMs: this.options.backoffBaseMs,
          maxMs: this.options.backoffMaxMs,
          random: this.options.random,
        });
        if (error.status === 429) {
          this.counts.rateLimited++;
          // `delay` is the Retry-After (capped at backoffMaxMs) or the backoff: the pause of everyone obeys the same cap.
          this.limiter.onRateLimited(delay);
        }
        this.counts.retries++;
        this.options.log?.(error.status === 429 ? 'DEBUG' : 'WARN', `${label}: ${error.message}; retry ${attempt} of ${maxTries - 1} in ${delay} ms`);
        await this.sleep(delay);
      }
    }
    throw new RetriesExhausted(label, maxTries, lastProblem, lastStatus);
  }

  /**
   * Nothing more goes out: requests queued in the limiter or waiting to retry reject with RequestCancelled at
   * once (those already sent finish). Without it, a 401 would still let every queued request of every stream
   * reach the API with the rejected key, one spacing apart.
   */
  cancel(): void {
    this.cancelled = true;
    void this.limiter.stop();
  }

  private async attempt(method: 'GET' | 'POST', url: string, label: string, body: unknown, sentLate: (ms: number) => void = () => undefined): Promise<HttpResponse> {
    if (this.cancelled) throw new RequestCancelled();
    this.counts.attempts++;
    const began = Date.now();
    let response: Answer;
    try {
      const request = this.transport.stream(url, {
        method,
        headers: { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' },
        // A stream request without a body waits for one to be written: a POST without one sends an empty body.
        ...(body !== undefined ? { json: body } : method === 'GET' ? {} : { body: '' }),
        timeout: { request: this.options.timeoutMs ?? 60_000 },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        ...(this.lookup ? { dnsLookup: this.lookup } : {}),
      });
      response = await receive(request, this.maxResponseBytes);
    } catch (error) {
      // A host refused by the egress guard: not a network problem, and no retry can change it.
      const refused = connectorCause(error);
      if (refused) throw refused;
      if (error instanceof TooLarge) {
        const mib = (this.maxResponseBytes / 1024 / 1024).toFixed(this.maxResponseBytes % (1024 * 1024) === 0 ? 0 : 2);
        throw new RetryableFailure(`answered ${error.status} with a body over ${mib} MiB${error.declared ? ` (Content-Length ${error.declared})` : ''}; stopped reading it (the limit is CIO_MAX_RESPONSE_BYTES)`, undefined, error.status);
      }
      // Network failures, timeouts and bodies cut off mid-way are all worth another try.
      const code = (error as { code?: string }).code;
      const message = error instanceof Error ? error.message : String(error);
      throw new RetryableFailure(`network error${code ? ` ${code}` : ''} (${this.redact(message.split('\n')[0])})`);
    }
    // When the request went out (written whole, after any new connection's handshake; got's timings, wall clock):
    // the limiter moves this start to it, so the request rps later cannot reach the API within a second of it.
    if (typeof response.uploadedAt === 'number') sentLate(response.uploadedAt - began);
    const { status, headers } = response;
    const text = response.body;
    if (status >= 200 && status < 300) {
      this.limiter.onSuccess();
      const date = headerDate(headers.date);
      const dated = date === undefined ? {} : { date };
      if (text.trim() === '') return { status, body: {}, ...dated };
      try {
        return { status, body: JSON.parse(text), ...dated };
      } catch {
        throw new RetryableFailure(`answered ${status} with a body that is not JSON (${text.length} bytes)`);
      }
    }
    const detail = errorDetail(text, this.redact);
    if (isRetryableStatus(status)) {
      const retryAfter = headers['retry-after'];
      throw new RetryableFailure(`answered ${status}${detail ? ` (${detail})` : ''}`, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, status);
    }
    const [requestMethod, ...rest] = label.split(' ');
    throw new ApiError(status, detail, { method: requestMethod, path: rest.join(' ') }, status === 404 && !isJson(text));
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** When the request was written whole (got's `timings.upload`, unix ms), when known. */
  uploadedAt?: number;
}

/** An answer heavier than the limit: `declared` when its Content-Length said so before any of it was read. */
class TooLarge extends Error {
  constructor(
    readonly status: number,
    readonly declared?: number,
  ) {
    super('answer too large');
  }
}

/** The answer's status, headers and (decoded) body text, read chunk by chunk and abandoned past `maxBytes`. */
async function receive(request: Readable, maxBytes: number): Promise<Answer> {
  // Whoever waits below reads the error; this keeps a late one from going unhandled in between.
  request.on('error', () => undefined);
  const response = await new Promise<{ statusCode: number; headers: Answer['headers'] }>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  const status = response.statusCode;
  try {
    const declared = Number(response.headers['content-length']);
    // A compressed body's length says nothing of its decoded size: only an uncompressed one is refused unread.
    if (Number.isFinite(declared) && declared > maxBytes && !response.headers['content-encoding']) throw new TooLarge(status, declared);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new TooLarge(status);
      chunks.push(chunk);
    }
    const uploadedAt = (request as { timings?: { upload?: number } }).timings?.upload;
    return { status, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), uploadedAt };
  } finally {
    request.destroy();
  }
}
