/**
 * The App API's rate limit: N requests per key per wall-clock second (fixed windows), the excess
 * answered 429 with the documented body and `Retry-After: 1` (or without the header, to test
 * exponential backoff). Rejected requests do not count against the window.
 */
import { ApiError } from './http.js';
import type { RateLimitOption } from './types.js';

export class RateLimiter {
  private window = -1;
  private readonly counts = new Map<string, number>();
  private references = 0;

  constructor(
    private limit: RateLimitOption,
    private readonly wallClock: () => number = Date.now,
  ) {}

  set(limit: RateLimitOption): void {
    this.limit = limit;
  }

  /** Count a request for `key`, or throw the 429 it deserves. */
  admit(key: string): void {
    if (this.limit === false) return;
    const second = Math.floor(this.wallClock() / 1000);
    if (second !== this.window) {
      this.window = second;
      this.counts.clear();
    }
    const used = this.counts.get(key) ?? 0;
    if (used >= this.limit.perSecond) throw rateLimitError(this.limit.perSecond, this.limit.retryAfter ?? true, ++this.references);
    this.counts.set(key, used + 1);
  }
}

export function rateLimitError(perSecond: number, retryAfter: boolean, reference: number): ApiError {
  const ref = (0xa1b2c3 + reference * 7919).toString(16).slice(-6);
  return new ApiError(429, `rate limited to ${perSecond} requests per 1s (reference ${ref})`, undefined, retryAfter ? { 'Retry-After': '1' } : {});
}
