/**
 * Retry policy as pure functions: which outcomes are worth another try, and how long to wait.
 * The HTTP client (engine/http.ts) is the one owner of retries and applies these.
 */

/** Statuses the official client retries: timeouts, rate limits and gateway/server errors. */
export const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504, 522, 524]);

export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUSES.has(status);

export interface RetryDelayInput {
  /** 1 for the first retry. */
  attempt: number;
  /** The Retry-After header as sent, if any (integer seconds or an HTTP date). */
  retryAfter?: string | null;
  /** Unix ms now, to read an HTTP-date Retry-After. */
  now?: number;
  baseMs?: number;
  maxMs?: number;
  /** 0 ≤ random() < 1, injected for tests. */
  random?: () => number;
}

/** Milliseconds a Retry-After header asks for, or undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Wait before retry `attempt`: Retry-After when the server sent one (capped at maxMs), else exponential
 * backoff with full jitter between half and all of min(maxMs, baseMs · 2^(attempt−1)).
 */
export function retryDelay({ attempt, retryAfter, now, baseMs = 1000, maxMs = 60_000, random = Math.random }: RetryDelayInput): number {
  const asked = parseRetryAfter(retryAfter, now);
  if (asked !== undefined) return Math.min(asked, maxMs);
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
