/**
 * The process-wide request budget. The real-time tests measure when each attempt starts (at the transport,
 * where the limiter lets it go) and check the property the API enforces: never more than N starts in any
 * window of 1000 ms. They run ~25 requests at N = 10, a few seconds; everything else injects the clock.
 */
import got, { type Got } from 'got';
import nock from 'nock';
import { HttpClient } from '../../src/engine/http.js';
import { RateLimiter } from '../../src/engine/limiter.js';
import { API_KEY } from './fixtures.js';

const BASE = 'http://cio.test/v1';
const RATE_LIMITED = { errors: [{ detail: 'rate limited to 10 requests per 1s (reference a1b2c3)', status: '429' }] };

/** The largest number of starts that fall within one window of `windowMs` (half-open), over every window. */
function busiestWindow(starts: number[], windowMs = 1000): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/** An HTTP client whose transport records when each attempt starts (and when a 429 comes back). */
function recordingClient(requestsPerSecond: number) {
  const starts: number[] = [];
  const rateLimitedAt: number[] = [];
  const transport = {
    stream: (url: string, options: object) => {
      starts.push(Date.now());
      const request = got.stream(url, options as never);
      request.once('response', (response: { statusCode: number }) => {
        if (response.statusCode === 429) rateLimitedAt.push(Date.now());
      });
      return request;
    },
  } as unknown as Got;
  const limiter = new RateLimiter({ requestsPerSecond });
  const http = new HttpClient({ baseUrl: BASE, apiKey: API_KEY, limiter, transport, maxTries: 3, sleep: async () => undefined, random: () => 0 });
  return { http, limiter, starts, rateLimitedAt };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('busiestWindow (the measure the limiter tests use)', () => {
  it.each<[number[], number]>([
    [[], 0],
    [[0, 999], 2],
    [[0, 1000], 1],
    [[0, 100, 200, 1100, 1150], 3],
    [[5, 5, 5, 5], 4],
  ])('finds the busiest second of %j: %i starts', (starts, most) => {
    expect(busiestWindow(starts)).toBe(most);
  });
});

describe('RateLimiter in real time', () => {
  it('never lets more than N requests start in any one-second window, retries included', async () => {
    // Every fifth campaign fails once with a 500: its retry is a new attempt that must fit in the budget too.
    const failed = new Set<string>();
    nock(BASE)
      .get(/\/campaigns\/\d+\/actions/)
      .times(40)
      .reply((uri) => {
        const id = Number(/campaigns\/(\d+)/.exec(uri)![1]);
        if (id % 5 === 0 && !failed.has(uri)) {
          failed.add(uri);
          return [500, ''];
        }
        return [200, { actions: [{ id: id * 10, campaign_id: id, updated: 1714521600 }], next: '' }];
      });
    const { http, starts, limiter } = recordingClient(10);
    await Promise.all(Array.from({ length: 25 }, (_, i) => http.request({ path: `/campaigns/${i}/actions` })));
    await limiter.stop();
    expect(http.counts.retries).toBe(5);
    expect(starts).toHaveLength(25 + http.counts.retries);
    expect(busiestWindow(starts)).toBeLessThanOrEqual(10);
    // …and the limiter does not starve the run either: 30 attempts at 10/s take about 3 s, not 6.
    expect(starts[starts.length - 1] - starts[0]).toBeLessThan(5000);
  });

  it('pauses everyone after a 429 until its Retry-After has passed, then resumes at the pace it allows', async () => {
    let first = true;
    nock(BASE)
      .get(/\/campaigns\/\d+\/actions/)
      .times(30)
      .reply(() => {
        if (first) {
          first = false;
          return [429, RATE_LIMITED, { 'Retry-After': '1' }];
        }
        return [200, { actions: [], next: '' }];
      });
    const { http, starts, rateLimitedAt, limiter } = recordingClient(10);
    await Promise.all(Array.from({ length: 14 }, (_, i) => http.request({ path: `/campaigns/${i}/actions` })));
    await limiter.stop();
    expect(rateLimitedAt).toHaveLength(1);
    const after = starts.filter((t) => t > rateLimitedAt[0]);
    expect(after.length).toBeGreaterThanOrEqual(13);
    // Nothing starts during the pause (a few ms of slack for timer and clock granularity).
    expect(Math.min(...after) - rateLimitedAt[0]).toBeGreaterThanOrEqual(995);
    // Those held back do not all start at once when it ends.
    expect(busiestWindow(starts)).toBeLessThanOrEqual(10);
  });
});

describe('RateLimiter with an injected clock', () => {
  function fakeTime() {
    let offset = 0;
    const sleeps: number[] = [];
    return {
      now: () => Date.now() + offset,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        offset += ms;
      },
      sleeps,
    };
  }

  it('spaces requests 1000/N ms apart, and lets at most N start in any rolling window of 1000 ms × margin (2% by default)', () => {
    expect(new RateLimiter({ requestsPerSecond: 10 })).toMatchObject({ currentSpacingMs: 100, window: { starts: 10, ms: 1020 } });
    expect(new RateLimiter({ requestsPerSecond: 1 })).toMatchObject({ currentSpacingMs: 1000, window: { starts: 1, ms: 1020 } });
    expect(new RateLimiter({ requestsPerSecond: 10, margin: 1 })).toMatchObject({ currentSpacingMs: 100, window: { starts: 10, ms: 1000 } });
  });

  /** A limiter at 10 a second on a clock that only its sleeps move, each sleep `late` ms longer than asked. */
  function sleepyLimiter(late: (n: number) => number = () => 0) {
    let now = 0;
    let sleeps = 0;
    const limiter = new RateLimiter({ requestsPerSecond: 10, now: () => now, sleep: async (ms) => void (now += ms + late(++sleeps)) });
    return { limiter, now: () => now };
  }

  it('counts a start from when its request went out: a send 60 ms late holds back the request 10 after it, not more than N reach the API in any 1020 ms', async () => {
    const { limiter, now } = sleepyLimiter();
    const sent: number[] = [];
    for (let i = 0; i < 30; i++) {
      // Every seventh request goes out 60 ms after its start (a new connection's handshake, a busy event loop).
      const delay = i % 7 === 3 ? 60 : 0;
      await limiter.schedule(async (sentLate) => {
        sent.push(now() + delay);
        sentLate(delay);
      });
    }
    await limiter.stop();
    expect(busiestWindow(sent, 1020)).toBeLessThanOrEqual(10);
    // The cost is that wait, once per late send; nothing else is lost: 30 sends in about 2 windows and 3 × 60 ms.
    expect(sent[29] - sent[0]).toBeLessThanOrEqual(2 * 1020 + 900 + 3 * 60);
  });

  it('uses the whole budget but the 2% margin: 10 starts per 1020 ms when saturated, whatever the order of the waits', async () => {
    const { limiter, now } = sleepyLimiter();
    const starts: number[] = [];
    for (let i = 0; i < 101; i++) await limiter.schedule(async () => void starts.push(now()));
    await limiter.stop();
    expect(busiestWindow(starts, 1020)).toBe(10);
    expect(starts[100] - starts[0]).toBe(10_200);
  });

  it('holds a request back until the Retry-After of a 429 has passed', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter({ requestsPerSecond: 100, now: time.now, sleep: time.sleep });
    const pausedFrom = time.now();
    limiter.onRateLimited(5000);
    let startedAt = 0;
    await limiter.schedule(async () => {
      startedAt = time.now();
    });
    await limiter.stop();
    // It slept (on the injected sleep) instead of going at once, and started no earlier than the pause's end.
    expect(time.sleeps.length).toBeGreaterThanOrEqual(1);
    expect(startedAt - pausedFrom).toBeGreaterThanOrEqual(5000);
    expect(limiter.requests).toBe(1);
  });

  it('lets requests through without waiting when nothing was rate limited', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter({ requestsPerSecond: 100, now: time.now, sleep: time.sleep });
    await expect(limiter.schedule(async () => 'answer')).resolves.toBe('answer');
    await limiter.stop();
    expect(time.sleeps).toEqual([]);
  });

  /** A limiter at 10 a second without the jitter margin (100 ms apart), on a clock the test moves. */
  function pacedLimiter() {
    let now = 0;
    const limiter = new RateLimiter({ requestsPerSecond: 10, margin: 1, now: () => now });
    return {
      limiter,
      /** A 429 with Retry-After: 1 s, then the clock moves past the pause. */
      rateLimited: () => {
        limiter.onRateLimited(1000);
        now += 1000;
      },
      successes: (n: number) => {
        for (let i = 0; i < n; i++) limiter.onSuccess();
        return limiter.currentSpacingMs;
      },
    };
  }

  it('slows the pace by half on each 429, to at most a quarter of the configured rate', () => {
    const { limiter, rateLimited } = pacedLimiter();
    const paces = [limiter.currentSpacingMs];
    for (let i = 0; i < 5; i++) {
      rateLimited();
      paces.push(limiter.currentSpacingMs);
    }
    expect(paces).toEqual([100, 150, 225, 338, 400, 400]);
  });

  it('counts the 429s of a burst (answers to requests already in flight) as one: they extend the pause, not the slowdown', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const limiter = new RateLimiter({ requestsPerSecond: 10, margin: 1, now: () => now, sleep: async (ms) => void (sleeps.push(ms), (now += ms)) });
    limiter.onRateLimited(1000);
    now += 50;
    limiter.onRateLimited(1000);
    now += 50;
    limiter.onRateLimited(1000);
    expect(limiter.currentSpacingMs).toBe(150);
    // The pause runs to the last of them: 1000 ms after the third, which came 100 ms after the first.
    await limiter.schedule(async () => undefined);
    await limiter.stop();
    expect(now).toBe(1100);
  });

  it('speeds back up after every run of 20 successes, but only to 10% slower than the pace that met the 429', () => {
    const { rateLimited, successes } = pacedLimiter();
    rateLimited(); // at 100 ms: slowed to 150, recovery stops at 110
    expect([successes(19), successes(1), successes(20), successes(20), successes(20)]).toEqual([150, 120, 110, 110, 110]);
  });

  it('goes back to the configured pace after 100 successes in a row at that ceiling', () => {
    const { rateLimited, successes } = pacedLimiter();
    rateLimited();
    successes(40); // 110
    expect([successes(99), successes(1)]).toEqual([110, 100]);
  });

  it('lowers the ceiling further when the recovered pace meets another 429, and relaxes it one step per 100 successes', () => {
    const { rateLimited, successes } = pacedLimiter();
    rateLimited(); // 100 met a 429: ceiling 110
    successes(40);
    rateLimited(); // 110 met one too: ceiling 121, pace 165
    expect([successes(20), successes(20), successes(100), successes(100)]).toEqual([132, 121, 110, 100]);
  });

  it('starts the count of successes over after another 429', () => {
    const { rateLimited, successes } = pacedLimiter();
    rateLimited();
    successes(19);
    rateLimited();
    expect(successes(1)).toBe(225);
  });
});
