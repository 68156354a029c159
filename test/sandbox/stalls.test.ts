/**
 * The sandbox's watch on its own event loop (stalls.ts): a request handled late because the sandbox was held up is
 * counted by the rate limit from the earliest moment it may have arrived. The clock is injected; the heartbeat's
 * timer is real, so the tests wait a few ms for it.
 */
import { StallWatch } from '../../src/sandbox/stalls.js';
import { RateLimiter } from '../../src/sandbox/ratelimit.js';

const tick = (ms = 15) => new Promise((resolve) => setTimeout(resolve, ms));
const afterIo = () => new Promise((resolve) => setImmediate(resolve));

describe('StallWatch', () => {
  let now = 1_000;
  let watch: StallWatch;
  beforeEach(() => {
    now = 1_000;
    watch = new StallWatch(() => now);
  });
  afterEach(() => watch.stop());

  it('gives the time of handling while the loop keeps its heartbeat', async () => {
    await tick();
    now = 1_003;
    expect(watch.earliestArrival()).toBe(1_003);
  });

  it('gives the last heartbeat before a stall to a request handled before the late heartbeat came', async () => {
    await tick();
    now = 1_100; // the process lost its core for ~100 ms; the I/O is handled first
    expect(watch.earliestArrival()).toBe(1_000);
  });

  it('lets the stall go once the turn of the loop that handled what arrived during it is over', async () => {
    await tick();
    now = 1_100;
    await tick(); // the overdue heartbeat has come: it marked a stall from 1,000
    await afterIo();
    expect(watch.earliestArrival()).toBe(1_100);
  });
});

describe('the rate limit and a late-handled request', () => {
  it('judges a request when it was handled and remembers it from when it may have arrived', () => {
    const limiter = new RateLimiter({ perSecond: 1 }, () => 0);
    // Handled at 1,060 after a 60 ms stall that began at 1,000: remembered from 1,000.
    limiter.admit('a', 1_060, 1_000);
    // Sent a second after it arrived: no 429, though it comes 950 ms after the late handling.
    expect(() => limiter.admit('a', 2_010)).not.toThrow();
    // A request handled within a second of the time it may have arrived is refused.
    expect(() => limiter.admit('a', 2_500)).toThrow(/rate limited/);
  });
});
