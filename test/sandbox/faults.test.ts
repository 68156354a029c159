import { pathMatcher } from '../../src/sandbox/faults.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, raw, US_KEY } from './helpers.js';

describe('sandbox faults', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false });
  });
  afterEach(() => sandbox.setFaults([]));
  afterAll(() => sandbox.close());

  const statuses = async (path: string, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await call(sandbox, path)).status);
    return out;
  };

  it('answers a share of matching requests with the given status, only on the matching path', async () => {
    sandbox.setFaults([{ path: '/activities', kind: 'status', status: 503, share: 0.5 }]);
    const hit = await statuses('/activities', 40);
    const failed = hit.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(8);
    expect(failed).toBeLessThan(32);
    expect(hit.every((s) => s === 503 || s === 200)).toBe(true);
    expect(await statuses('/campaigns', 10)).toEqual(Array(10).fill(200));
    expect(sandbox.stats().faults.status).toBe(failed);
  });

  it('draws the same shares on every run with the same seed', async () => {
    const rule = { path: '/campaigns', kind: 'status' as const, status: 502, share: 0.3 };
    sandbox.setFaults([rule]);
    const first = await statuses('/campaigns', 20);
    sandbox.setFaults([rule]);
    expect(await statuses('/campaigns', 20)).toEqual(first);
  });

  it('starts a 401 after N requests (a key revoked mid-sync) and fires `count` times at most', async () => {
    sandbox.setFaults([{ path: '/activities', kind: 'unauthorized', after: 3, count: 2 }]);
    expect(await statuses('/activities', 7)).toEqual([200, 200, 200, 401, 401, 200, 200]);
  });

  it('resets the connection without an answer', async () => {
    sandbox.setFaults([{ path: '/segments', kind: 'reset' }]);
    await expect(raw(`${sandbox.url}/segments`)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(sandbox.stats().requests.at(-1)).toMatchObject({ path: '/v1/segments', status: 0, fault: 'reset' });
  });

  it('cuts the body off after the headers promised all of it', async () => {
    sandbox.setFaults([{ path: '/campaigns', kind: 'truncate' }]);
    const reply = await raw(`${sandbox.url}/campaigns`);
    expect(reply.complete).toBe(false);
    expect(reply.body.length).toBeLessThan(Number(reply.headers['content-length']));
    expect(() => JSON.parse(reply.body)).toThrow();
    await expect(call(sandbox, '/campaigns')).rejects.toThrow();
  });

  it('answers 200 with a body that is not JSON', async () => {
    sandbox.setFaults([{ path: '/newsletters', kind: 'invalid_json' }]);
    const reply = await call(sandbox, '/newsletters');
    expect(reply.status).toBe(200);
    expect(reply.body).toBeUndefined();
    expect(reply.text).toMatch(/^<html>/);
  });

  it('adds latency, long enough to pass a client timeout', async () => {
    sandbox.setFaults([{ path: '/exports', kind: 'latency', ms: 400 }]);
    const started = Date.now();
    expect((await call(sandbox, '/exports')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    const aborted = fetch(`${sandbox.url}/exports`, { headers: { Authorization: `Bearer ${US_KEY}` }, signal: AbortSignal.timeout(100) });
    await expect(aborted).rejects.toThrow();
  });

  it('echoes the request headers, Authorization included, so redaction can be tested', async () => {
    sandbox.setFaults([{ kind: 'echo_headers', status: 400, count: 1 }]);
    const reply = await call(sandbox, '/campaigns');
    expect(reply.status).toBe(400);
    expect(reply.text).toContain(`Bearer ${US_KEY}`);
    expect(reply.body.request.headers.authorization).toBe(`Bearer ${US_KEY}`);
  });

  it('answers 429 as a rate_limit fault, with Retry-After unless told not to', async () => {
    sandbox.setFaults([{ path: '/collections', kind: 'rate_limit', count: 1 }, { path: '/snippets', kind: 'rate_limit', retryAfter: false, count: 1 }]);
    const withHeader = await call(sandbox, '/collections');
    const without = await call(sandbox, '/snippets');
    expect([withHeader.status, without.status]).toEqual([429, 429]);
    expect(withHeader.headers.get('retry-after')).toBe('1');
    expect(without.headers.get('retry-after')).toBeNull();
    expect(withHeader.body.errors[0].detail).toMatch(/^rate limited to 10 requests per 1s/);
  });

  it('is steered over HTTP too, and refuses an invalid rule with a 400', async () => {
    const set = await fetch(`${sandbox.controlUrl}/faults`, { method: 'POST', body: JSON.stringify([{ path: '/exports', kind: 'status', status: 500, count: 1 }]) });
    expect(set.status).toBe(200);
    expect((await call(sandbox, '/exports')).status).toBe(500);
    expect((await call(sandbox, '/exports')).status).toBe(200);
    const bad = await fetch(`${sandbox.controlUrl}/faults`, { method: 'POST', body: JSON.stringify([{ kind: 'explode' }]) });
    expect(bad.status).toBe(400);
  });

  it('never faults the control endpoints', async () => {
    sandbox.setFaults([{ kind: 'reset' }]);
    const stats = await fetch(`${sandbox.controlUrl}/stats`);
    expect(stats.status).toBe(200);
  });
});

describe('pathMatcher', () => {
  it.each([
    ['/activities', '/eu/v1/activities', true],
    ['/activities', '/v1/campaigns', false],
    ['*/campaigns/*/actions', '/v1/campaigns/3/actions', true],
    ['*/campaigns/*/actions', '/v1/campaigns/3/metrics', false],
    ['/v1/campaigns', '/v1/campaigns/3/actions', true],
    [undefined, '/v1/anything', true],
  ])('pattern %s on %s → %s', (pattern, path, matches) => {
    expect(pathMatcher(pattern)(path)).toBe(matches);
  });
});
