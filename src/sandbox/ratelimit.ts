/**
 * The App API's rate limit: N requests per key in any rolling second (a request is refused when N requests of its
 * key were admitted in the 1000 ms before it), the excess answered 429 with the documented body and
 * `Retry-After: 1` (or without the header, to test exponential backoff). Rejected requests do not count.
 * [inferred: Customer.io documents "10 requests per second" and not how it counts them; a rolling window is the
 * strictest reading: whatever keeps to it keeps to fixed one-second windows too, never the reverse.]
 * A request is counted at its arrival (as a gateway in front of the API would count it), not after the sandbox's
 * simulated latency, whose timers fire late under load and would bunch arrivals that did not come bunched.
 */
import { ApiError } from './http.js';
import type { RateLimitOption } from './types.js';

export const WINDOW_MS = 1000;

export class RateLimiter {
  /** Per key, the arrival times (ms) of the admitted requests of the last two windows. */
  private readonly admitted = new Map<string, number[]>();
  private references = 0;

  constructor(
    private limit: RateLimitOption,
    private readonly wallClock: () => number = Date.now,
  ) {}

  set(limit: RateLimitOption): void {
    this.limit = limit;
  }

  /**
   * Count a request for `key`, or throw the 429 it deserves. `atMs`: when it arrived; `earliestMs`: the earliest it
   * may have arrived (stalls.ts), when the sandbox handled it late. Judged at the latest, remembered at the
   * earliest: only what certainly came too close together is refused.
   */
  admit(key: string, atMs = this.wallClock(), earliestMs = atMs): void {
    if (this.limit === false) return;
    // Requests are admitted in the order they are handled, which may differ from their arrival by a few ms: the
    // list is kept unordered, and a little longer than a window.
    const kept = (this.admitted.get(key) ?? []).filter((t) => t > atMs - 2 * WINDOW_MS);
    const used = kept.filter((t) => t > atMs - WINDOW_MS && t <= atMs).length;
    this.admitted.set(key, kept);
    if (used >= this.limit.perSecond) throw rateLimitError(this.limit.perSecond, this.limit.retryAfter ?? true, ++this.references);
    kept.push(Math.min(atMs, earliestMs));
  }
}

export function rateLimitError(perSecond: number, retryAfter: boolean, reference: number): ApiError {
  const ref = (0xa1b2c3 + reference * 7919).toString(16).slice(-6);
  return new ApiError(429, `rate limited to ${perSecond} requests per 1s (reference ${ref})`, undefined, retryAfter ? { 'Retry-After': '1' } : {});
}
