/**
 * One webhook request, from its headers to its answer: the signature checked on the raw bytes as they stream in
 * (constant time, every signing key), the body kept up to max_body_bytes in memory counted against one budget for
 * every request, the event classified (never refused for its content), found among the events already stored or
 * stored, and answered 2xx only once it is durable. The answers:
 *
 *   200  stored, or a duplicate of an event already stored (so Customer.io moves on to the next event)
 *   401  no signature, a malformed one, one no signing key made (or, only when configured, a timestamp too old)
 *   413  a body beyond 16 × max_body_bytes (a body beyond max_body_bytes is stored cut, flagged too_large)
 *   503  the store cannot take it (disk full, not writable: the body says why) or the receiver is at its limits;
 *        Customer.io retries it later. Nothing of it is kept.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { bodyHash, classify } from './body.js';
import type { ReceiverConfig } from './config.js';
import type { ReceiverMetrics, Rejection } from './metrics.js';
import { headerProblem, Verifier } from './signature.js';
import type { StoreHolder } from './store/holder.js';
import { StoreError } from './store/errors.js';

/** A body this many times max_body_bytes is not read to its end (its signature is never checked): 413. */
export const HARD_LIMIT_FACTOR = 16;

type BodyRead = { kept: Buffer; size: number; sha256: string } | { refused: 'too_large' | 'busy' } | { aborted: true };

export class Intake {
  /** Body bytes held by requests in progress (the budget of max_buffered_bytes). */
  private buffered = 0;
  /** Event ids being stored now: a resend arriving meanwhile waits for the first one's outcome. */
  private readonly storing = new Map<string, Promise<void>>();

  constructor(
    private readonly config: ReceiverConfig,
    private readonly holder: StoreHolder,
    private readonly metrics: ReceiverMetrics,
    private readonly clock: Clock,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { config, metrics } = this;
    if (metrics.inflight >= config.maxConcurrentRequests) return refuse(res, metrics, 503, 'busy', 'the receiver is at its limit of requests at once; retry later');
    metrics.inflight++;
    let reserved = 0;
    try {
      const timestamp = single(req.headers['x-cio-timestamp']);
      const signature = single(req.headers['x-cio-signature']);
      const problem = headerProblem(timestamp, signature);
      if (problem) return refuse(res, metrics, 401, problem, problem === 'missing_signature' ? 'x-cio-signature and x-cio-timestamp are required' : 'x-cio-signature must be 64 hex digits and x-cio-timestamp unix seconds');
      const hardLimit = config.maxBodyBytes * HARD_LIMIT_FACTOR;
      if (Number(req.headers['content-length']) > hardLimit) return refuse(res, metrics, 413, 'too_large', `bodies over ${hardLimit} bytes are not read`);
      const verifier = new Verifier(config.signingKeys, timestamp!.trim());
      const body = await this.readBody(req, verifier, hardLimit, (n) => (reserved += n));
      if ('aborted' in body) return;
      if ('refused' in body) {
        return body.refused === 'busy'
          ? refuse(res, metrics, 503, 'busy', 'the receiver holds as many bodies as it may; retry later')
          : refuse(res, metrics, 413, 'too_large', `bodies over ${hardLimit} bytes are not read`);
      }
      if (!verifier.matches(signature!)) return refuse(res, metrics, 401, 'bad_signature', 'the signature does not match the body with any signing key');
      if (this.stale(Number(timestamp))) return refuse(res, metrics, 401, 'stale_timestamp', 'x-cio-timestamp is further from now than max_timestamp_age_seconds');
      const truncated = body.size > body.kept.length;
      const event = classify(body.kept, { sha256: body.sha256, truncated });
      const outcome = await this.keep(event.eventId, () => ({
        at: this.clock(),
        ts: Number(timestamp),
        id: event.eventId,
        f: event.flags,
        ...(event.text !== undefined ? { b: event.text } : { b64: body.kept.toString('base64') }),
        ...(truncated ? { size: body.size } : {}),
      }));
      if (outcome instanceof StoreError) return refuse(res, metrics, 503, 'unstorable', outcome.message);
      if (outcome === 'duplicate') metrics.duplicates++;
      else {
        metrics.stored++;
        for (const flag of event.flags) metrics.flag(flag);
      }
      answer(res, 200, { status: outcome });
    } finally {
      metrics.inflight--;
      this.buffered -= reserved;
    }
  }

  private stale(timestamp: number): boolean {
    const window = this.config.maxTimestampAgeSeconds;
    return window > 0 && Math.abs(this.clock() / 1000 - timestamp) > window;
  }

  /** Reads the body: every byte through the HMACs and the hash, the first max_body_bytes kept (counted in the budget). */
  private readBody(req: IncomingMessage, verifier: Verifier, hardLimit: number, reserve: (bytes: number) => void): Promise<BodyRead> {
    const { maxBodyBytes, maxBufferedBytes } = this.config;
    const hash = bodyHash();
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let size = 0;
      let settled = false;
      const settle = (result: BodyRead) => {
        if (settled) return;
        settled = true;
        req.removeAllListeners('data');
        if (!('kept' in result)) req.pause();
        resolve(result);
      };
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > hardLimit) return settle({ refused: 'too_large' });
        verifier.update(chunk);
        hash.update(chunk);
        if (kept >= maxBodyBytes) return;
        const part = chunk.length > maxBodyBytes - kept ? chunk.subarray(0, maxBodyBytes - kept) : chunk;
        if (this.buffered + part.length > maxBufferedBytes) return settle({ refused: 'busy' });
        this.buffered += part.length;
        reserve(part.length);
        chunks.push(part);
        kept += part.length;
      });
      req.on('end', () => settle({ kept: Buffer.concat(chunks, kept), size, sha256: hash.digest('hex') }));
      req.on('error', () => settle({ aborted: true }));
      req.on('aborted', () => settle({ aborted: true }));
      req.on('close', () => settle({ aborted: true }));
    });
  }

  /**
   * Stores the event unless one with its id is stored already (or being stored: then its outcome decides).
   * Resolves with what happened; a StoreError when the store cannot take it now.
   */
  private async keep(eventId: string, event: () => Parameters<NonNullable<StoreHolder['journal']>['append']>[0]): Promise<'stored' | 'duplicate' | StoreError> {
    const { holder } = this;
    for (;;) {
      if (holder.seen.has(eventId)) return 'duplicate';
      const first = this.storing.get(eventId);
      if (!first) break;
      await first.catch(() => undefined);
    }
    const journal = holder.journal;
    if (!journal) return new StoreError(holder.openFailure ?? 'the store is not open yet');
    const attempt = journal.append(event()).then(() => holder.seen.add(eventId));
    this.storing.set(eventId, attempt);
    try {
      await attempt;
      return 'stored';
    } catch (error) {
      if (error instanceof StoreError) return error;
      throw error;
    } finally {
      if (this.storing.get(eventId) === attempt) this.storing.delete(eventId);
    }
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A small JSON answer. */
export function answer(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/**
 * A refusal, counted by reason. The connection closes after it: the rest of a body not read is never read (a request
 * refused early must not cost the receiver its whole body).
 */
export function refuse(res: ServerResponse, metrics: ReceiverMetrics, status: number, reason: Rejection, message: string): void {
  metrics.reject(reason);
  answer(res, status, { error: reason, message }, { connection: 'close', ...(status === 503 ? { 'retry-after': '5' } : {}) });
}
