/**
 * Adaptive pacing: one 429 pauses every request of the process for its Retry-After (not only the one that got
 * it), slows the pace, and the pace comes back after a run of successes: to 10% under the pace that met the 429,
 * then (after 100 more) to the configured one. The limiter's own arithmetic is unit-tested
 * (test/unit/limiter.test.ts); this is the whole read against the sandbox.
 */
import { RateLimiter } from '../../src/engine/limiter.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { readStreams, recordsOf } from './harness.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({
    seed: 8,
    now: Math.floor(Date.now() / 1000) - 60,
    rateLimit: false,
    sizes: { activities: 6_000, campaigns: 6, actionsPerCampaign: 25 },
    // The sixth request for activities is answered 429 with Retry-After: 1; some 55 follow, enough to recover.
    faults: [{ path: '/activities', kind: 'rate_limit', count: 1, after: 5 }],
  });
});
afterAll(() => sb.close());

describe('a 429 during a read at 10 requests a second', () => {
  it('pauses every stream for the Retry-After, slows the pace, then the pace recovers and nothing is lost', async () => {
    const limiter = new RateLimiter({ requestsPerSecond: 10 });
    const base = limiter.currentSpacingMs;
    let slowest = base;
    const watch = setInterval(() => (slowest = Math.max(slowest, limiter.currentSpacingMs)), 10);
    const read = await readStreams(sb, ['activities', 'campaign_actions'], { limiter }).finally(() => clearInterval(watch));
    const stats = sb.stats();
    expect(read.code).toBe(0);
    expect(stats.rateLimited).toBe(1);
    expect(recordsOf(read.messages, 'activities')).toHaveLength(sb.expected.activityIds({ includeDeleted: true }).length);

    // Nothing at all (campaign actions included) reached the API in the second after the 429.
    const limited = stats.requests.find((r) => r.status === 429)!;
    const answeredAt = limited.at + limited.durationMs;
    expect(stats.requests.filter((r) => r.at > answeredAt && r.at < answeredAt + 990)).toEqual([]);

    // Slower for a while (half as fast), then back up to within 10% of the configured pace.
    expect(slowest).toBe(Math.ceil(base * 1.5));
    expect(limiter.currentSpacingMs).toBe(Math.round(base * 1.1));
  });
});
