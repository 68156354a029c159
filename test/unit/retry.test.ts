/** The retry policy: which statuses are worth another try, and how long to wait before it. */
import { isRetryableStatus, parseRetryAfter, retryDelay } from '../../src/engine/retry.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0); // 2024-05-01T12:00:00Z

describe('isRetryableStatus', () => {
  it.each([408, 429, 500, 502, 503, 504, 522, 524])('retries %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([200, 204, 301, 400, 401, 403, 404, 409, 422, 501, 505])('does not retry %i', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it.each<[string | null | undefined, number | undefined]>([
    ['1', 1000],
    ['30', 30_000],
    [' 2 ', 2000],
    ['0.5', 500],
    ['0', 0],
    ['Wed, 01 May 2024 12:00:05 GMT', 5000],
    ['Wed, 01 May 2024 11:59:00 GMT', 0],
    ['', undefined],
    ['   ', undefined],
    [null, undefined],
    [undefined, undefined],
    ['soon', undefined],
  ])('reads %j as %j ms', (header, ms) => {
    expect(parseRetryAfter(header, NOW)).toBe(ms);
  });
});

describe('retryDelay', () => {
  it('waits as long as Retry-After seconds ask', () => {
    expect(retryDelay({ attempt: 1, retryAfter: '3', random: () => 0.99 })).toBe(3000);
  });

  it('waits until a Retry-After HTTP date', () => {
    expect(retryDelay({ attempt: 4, retryAfter: 'Wed, 01 May 2024 12:00:07 GMT', now: NOW })).toBe(7000);
  });

  it('caps a Retry-After at maxMs', () => {
    expect(retryDelay({ attempt: 1, retryAfter: '3600', maxMs: 60_000 })).toBe(60_000);
    expect(retryDelay({ attempt: 1, retryAfter: 'Wed, 01 May 2024 13:00:00 GMT', now: NOW, maxMs: 10_000 })).toBe(10_000);
  });

  it('falls back to backoff when Retry-After is unreadable', () => {
    expect(retryDelay({ attempt: 1, retryAfter: 'later', baseMs: 1000, random: () => 0 })).toBe(500);
  });

  it.each([
    // attempt, random, expected: ceiling = min(maxMs, base · 2^(attempt−1)), delay in [ceiling/2, ceiling]
    [1, 0, 500],
    [1, 0.999999, 1000],
    [2, 0, 1000],
    [2, 0.5, 1500],
    [3, 0, 2000],
    [4, 0.999999, 8000],
    [7, 0, 5000], // 64 s capped at 10 s
    [7, 0.999999, 10_000],
    [40, 0.5, 7500], // a huge attempt count stays capped
  ])('backs off on attempt %i with random %f by %i ms (base 1 s, max 10 s)', (attempt, random, expected) => {
    expect(retryDelay({ attempt, baseMs: 1000, maxMs: 10_000, random: () => random })).toBe(expected);
  });

  it('keeps every backoff between half and all of its ceiling, and never above maxMs', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(30_000, 250 * 2 ** (attempt - 1));
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999]) {
        const delay = retryDelay({ attempt, baseMs: 250, maxMs: 30_000, random: () => r });
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBeLessThanOrEqual(30_000);
      }
    }
  });

  it('uses a 1 s base and a 60 s ceiling by default', () => {
    expect(retryDelay({ attempt: 1, random: () => 0 })).toBe(500);
    expect(retryDelay({ attempt: 20, random: () => 0.999999 })).toBe(60_000);
  });
});
