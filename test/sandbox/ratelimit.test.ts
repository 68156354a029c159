import { RateLimiter } from '../../src/sandbox/ratelimit.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, EU_KEY } from './helpers.js';

/** Wait until the wall clock has just entered a new second, so a burst lands in one window. */
async function startOfSecond(): Promise<void> {
  const ms = Date.now() % 1000;
  await new Promise((resolve) => setTimeout(resolve, 1000 - ms + 5));
}

async function burst(sandbox: Sandbox, n: number) {
  await startOfSecond();
  return Promise.all(Array.from({ length: n }, () => call(sandbox, '/campaigns')));
}

describe('sandbox rate limit', () => {
  it('answers the 11th request within one second with 429, the documented body and Retry-After: 1', async () => {
    const sandbox = await startSandbox();
    try {
      const replies = await burst(sandbox, 11);
      const limited = replies.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(1);
      expect(replies.filter((r) => r.status === 200).length).toBeLessThanOrEqual(10);
      expect(limited[0].headers.get('retry-after')).toBe('1');
      expect(limited[0].body.errors[0]).toEqual({ detail: expect.stringMatching(/^rate limited to 10 requests per 1s \(reference [0-9a-f]+\)$/), status: '429' });
      expect(sandbox.stats().rateLimited).toBe(limited.length);
    } finally {
      await sandbox.close();
    }
  });

  it('leaves Retry-After out when configured', async () => {
    const sandbox = await startSandbox({ rateLimit: { perSecond: 3, retryAfter: false } });
    try {
      const limited = (await burst(sandbox, 6)).filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(1);
      expect(limited[0].headers.get('retry-after')).toBeNull();
    } finally {
      await sandbox.close();
    }
  });

  it('never limits when rateLimit is false, and can be changed while running', async () => {
    const sandbox = await startSandbox({ rateLimit: false });
    try {
      expect((await burst(sandbox, 25)).every((r) => r.status === 200)).toBe(true);
      sandbox.setRateLimit({ perSecond: 2 });
      expect((await burst(sandbox, 5)).some((r) => r.status === 429)).toBe(true);
    } finally {
      await sandbox.close();
    }
  });
});

describe('RateLimiter', () => {
  it('counts per key in any rolling second, not counting rejected requests', () => {
    let now = 5_500;
    const limiter = new RateLimiter({ perSecond: 2 }, () => now);
    limiter.admit('a');
    limiter.admit(EU_KEY); // another key has its own budget
    now = 5_900;
    limiter.admit('a');
    expect(() => limiter.admit('a')).toThrow(/rate limited to 2 requests per 1s/);
    // A fixed window would start afresh at 6,000: a rolling one still holds both until 1000 ms after each.
    now = 6_100;
    expect(() => limiter.admit('a')).toThrow();
    now = 6_500;
    expect(() => limiter.admit('a')).not.toThrow();
    expect(() => limiter.admit('a')).toThrow();
    now = 6_900;
    expect(() => limiter.admit('a')).not.toThrow();
  });

  it('counts a request at its arrival, whenever it is handled', () => {
    const limiter = new RateLimiter({ perSecond: 2 }, () => 10_000);
    limiter.admit('a', 8_000);
    limiter.admit('a', 8_500);
    expect(() => limiter.admit('a', 8_999)).toThrow();
    expect(() => limiter.admit('a', 9_000)).not.toThrow();
  });
});
