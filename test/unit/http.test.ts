/**
 * The HTTP client against nock: bearer auth, retries of the retry-worthy statuses with Retry-After honoured
 * (through an injected sleep that records each wait), a bounded number of tries, and ApiErrors carrying the
 * API's own explanation from each of its error shapes.
 */
import { createServer, type AddressInfo } from 'node:net';
import got, { type Got } from 'got';
import nock from 'nock';
import { ApiError, HttpClient, errorDetail, type HttpClientOptions } from '../../src/engine/http.js';
import { RateLimiter } from '../../src/engine/limiter.js';
import { ConnectorError } from '../../src/errors.js';
import { API_KEY, MAY_1 } from './fixtures.js';

const HOST = 'http://cio.test';
const BASE = `${HOST}/v1`;
const WORKSPACES = { workspaces: [{ id: 13, name: 'Workspace 1', messages_sent: 100202, billable_messages_sent: 75124, people: 25666, object_types: 4, objects: 10 }] };
const RATE_LIMITED = { errors: [{ detail: 'rate limited to 10 requests per 1s (reference a1b2c3)', status: '429' }] };

/**
 * A real server on the loopback interface for connection failures (nock's replyWithError surfaces as an
 * unhandled socket error under load): each connection in turn is either reset as soon as the request
 * arrives (ECONNRESET at the client) or answered with a JSON body.
 */
async function loopbackServer(plan: Array<'reset' | object>): Promise<{ base: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = createServer((socket) => {
    const step = plan[Math.min(connections++, plan.length - 1)];
    socket.once('data', () => {
      if (step === 'reset') {
        socket.resetAndDestroy();
        return;
      }
      const body = JSON.stringify(step);
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/v1`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function client(over: Partial<HttpClientOptions> = {}) {
  const sleeps: number[] = [];
  const logs: string[] = [];
  // The limiter's own clock: its pauses (after a 429) are recorded and skipped instead of waited out.
  let offset = 0;
  const pauses: number[] = [];
  const limiter = new RateLimiter({
    requestsPerSecond: 1000,
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      if (ms > 5) pauses.push(ms); // not the 1 ms pacing between requests
      offset += ms;
    },
  });
  const http = new HttpClient({
    baseUrl: BASE,
    apiKey: API_KEY,
    limiter,
    maxTries: 4,
    backoffBaseMs: 1000,
    backoffMaxMs: 8000,
    random: () => 0,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: (level, message) => logs.push(`${level} ${message}`),
    ...over,
  });
  return { http, sleeps, logs, limiter, pauses };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail');
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('HttpClient requests', () => {
  it('sends the key as a bearer token and parses the JSON answer', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: `Bearer ${API_KEY}`, accept: 'application/json' } })
      .get('/workspaces')
      .reply(200, WORKSPACES);
    const { http } = client();
    await expect(http.request({ path: '/workspaces' })).resolves.toEqual({ status: 200, body: WORKSPACES });
    expect(scope.isDone()).toBe(true);
  });

  it('puts defined query values in the URL and leaves undefined ones out', async () => {
    const scope = nock(BASE).get('/activities').query({ limit: '100', start: 'djIwOjE=', deleted: 'false' }).reply(200, { activities: [], next: '' });
    const { http } = client();
    await http.request({ path: '/activities', query: { limit: 100, start: 'djIwOjE=', deleted: false, type: undefined } });
    expect(scope.isDone()).toBe(true);
  });

  it('sends a POST body as JSON', async () => {
    const filter = { and: [{ segment: { id: 4 } }] };
    let received: unknown;
    let contentType: string | undefined;
    nock(BASE)
      .post('/customers', (body) => {
        received = body;
        return true;
      })
      .query({ limit: '1000' })
      .reply(function () {
        contentType = this.req.headers['content-type'] as string;
        return [200, { identifiers: [{ cio_id: 'a3000001', email: 'person@example.com', id: '1' }], ids: ['1'], next: '' }];
      });
    const { http } = client();
    const response = await http.request({ method: 'POST', path: '/customers', query: { limit: 1000 }, body: { filter } });
    expect(received).toEqual({ filter });
    expect(contentType).toMatch(/^application\/json/);
    expect((response.body as { ids: string[] }).ids).toEqual(['1']);
  });

  it('hands on the answer\'s Date header as unix ms (the API\'s clock), and nothing for one that is missing or not a date', async () => {
    nock(BASE)
      .get('/workspaces')
      .reply(200, WORKSPACES, { Date: 'Wed, 01 May 2024 00:00:00 GMT' })
      .get('/workspaces')
      .reply(200, WORKSPACES, { Date: 'soon' })
      .get('/workspaces')
      .reply(200, WORKSPACES);
    const { http } = client();
    expect((await http.request({ path: '/workspaces' })).date).toBe(MAY_1 * 1000);
    expect((await http.request({ path: '/workspaces' })).date).toBeUndefined();
    expect((await http.request({ path: '/workspaces' })).date).toBeUndefined();
  });

  it('answers an empty 2xx body as an empty object', async () => {
    nock(BASE).get('/workspaces').reply(204, '');
    const { http } = client();
    await expect(http.request({ path: '/workspaces' })).resolves.toEqual({ status: 204, body: {} });
  });
});

describe('HttpClient and the rolling window', () => {
  /** A limiter that records what each request reports of when it went out. */
  function reportingLimiter() {
    const reported: number[] = [];
    class Reporting extends RateLimiter {
      override schedule<T>(task: (sentLate: (ms: number) => void) => Promise<T>, urgency?: number): Promise<T> {
        return super.schedule((sentLate) => task((ms) => (reported.push(ms), sentLate(ms))), urgency);
      }
    }
    return { limiter: new Reporting({ requestsPerSecond: 1000 }), reported };
  }

  it("tells the limiter how long after its start each request went out (got's upload timing), so the window counts it from then", async () => {
    const { limiter, reported } = reportingLimiter();
    nock(BASE).get('/workspaces').reply(200, WORKSPACES);
    // A transport whose request goes out 40 ms after it was handed over (a new connection's handshake).
    const late = got.extend({ hooks: { beforeRequest: [() => new Promise((resolve) => setTimeout(resolve, 40))] } });
    const transport = { stream: (url: string, options: object) => late.stream(url, options as never) } as unknown as Got;
    await new HttpClient({ baseUrl: BASE, apiKey: API_KEY, limiter, transport }).request({ path: '/workspaces' });
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeGreaterThanOrEqual(40);
    expect(reported[0]).toBeLessThan(1000);
  });

  it('reports it through got as the connector uses it, for a 429 as for a 200', async () => {
    nock(BASE).get('/workspaces').reply(429, RATE_LIMITED, { 'Retry-After': '0' }).get('/workspaces').reply(200, WORKSPACES);
    const { limiter, reported } = reportingLimiter();
    await new HttpClient({ baseUrl: BASE, apiKey: API_KEY, limiter, sleep: async () => undefined }).request({ path: '/workspaces' });
    expect(reported).toEqual([expect.any(Number), expect.any(Number)]);
    expect(reported.every((ms) => ms >= 0 && ms < 5000)).toBe(true);
  });
});

describe('HttpClient per-stream counts', () => {
  it('counts each stream\'s requests once however many attempts each took, and none for a request of no stream', async () => {
    nock(BASE).get('/campaigns').reply(503, 'busy').get('/campaigns').reply(200, { campaigns: [] });
    nock(BASE).get('/segments').times(2).reply(200, { segments: [] });
    nock(BASE).get('/workspaces').reply(200, WORKSPACES);
    const { http } = client();
    await http.request({ path: '/campaigns', stream: 'campaigns' });
    await http.request({ path: '/segments', stream: 'segments' });
    await http.request({ path: '/segments', stream: 'segments' });
    await http.request({ path: '/workspaces' });
    expect(Object.fromEntries(http.requestsByStream)).toEqual({ campaigns: 1, segments: 2 });
    expect(http.counts.attempts).toBe(5);
  });
});

describe('HttpClient retries', () => {
  it.each([429, 500, 502, 503, 504])('retries a %i and returns the answer that follows', async (status) => {
    nock(BASE).get('/campaigns').reply(status, status === 429 ? RATE_LIMITED : '').get('/campaigns').reply(200, { campaigns: [{ id: 1, updated: MAY_1 }] });
    const { http, sleeps } = client();
    await expect(http.request({ path: '/campaigns' })).resolves.toEqual({ status: 200, body: { campaigns: [{ id: 1, updated: MAY_1 }] } });
    expect(sleeps).toHaveLength(1);
    expect(http.counts).toMatchObject({ attempts: 2, retries: 1 });
  });

  it('waits the seconds Retry-After asks for, not the backoff', async () => {
    nock(BASE).get('/campaigns').reply(429, RATE_LIMITED, { 'Retry-After': '3' }).get('/campaigns').reply(429, RATE_LIMITED, { 'Retry-After': '1' }).get('/campaigns').reply(200, { campaigns: [] });
    const { http, sleeps } = client({ random: () => 0.5 });
    await http.request({ path: '/campaigns' });
    expect(sleeps).toEqual([3000, 1000]);
    expect(http.counts.rateLimited).toBe(2);
  });

  it('waits until a Retry-After HTTP date', async () => {
    const in5s = new Date(Date.now() + 5000).toUTCString();
    nock(BASE).get('/campaigns').reply(503, 'busy', { 'Retry-After': in5s }).get('/campaigns').reply(200, { campaigns: [] });
    const { http, sleeps } = client();
    await http.request({ path: '/campaigns' });
    expect(sleeps).toHaveLength(1);
    // An HTTP date has whole seconds: the wait is up to 5 s, and more than 3 s however slow this machine is.
    expect(sleeps[0]).toBeGreaterThan(3000);
    expect(sleeps[0]).toBeLessThanOrEqual(5000);
  });

  it('caps a long Retry-After at the backoff ceiling, for its own wait and for the pause of everyone else', async () => {
    nock(BASE).get('/campaigns').reply(429, RATE_LIMITED, { 'Retry-After': '3600' }).get('/campaigns').reply(200, { campaigns: [] });
    const { http, sleeps, pauses } = client({ backoffMaxMs: 8000 });
    await http.request({ path: '/campaigns' });
    expect(sleeps).toEqual([8000]);
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toBeLessThanOrEqual(8000);
  });

  it('pauses the shared limiter for the Retry-After of a 429, so every other request waits too', async () => {
    nock(BASE).get('/campaigns').reply(429, RATE_LIMITED, { 'Retry-After': '2' }).get('/campaigns').reply(200, { campaigns: [] });
    const { http, pauses } = client();
    await http.request({ path: '/campaigns' });
    expect(pauses).toHaveLength(1);
    // The client itself slept the 2 s on the injected sleep, without moving the limiter's clock: the
    // limiter still holds the retry back for (almost all of) the pause.
    expect(pauses[0]).toBeGreaterThan(1900);
    expect(pauses[0]).toBeLessThanOrEqual(2000);
  });

  it('does not pause the limiter for a 5xx (only the server\'s "too many" does)', async () => {
    nock(BASE).get('/campaigns').reply(503, '', { 'Retry-After': '2' }).get('/campaigns').reply(200, { campaigns: [] });
    const { http, pauses, sleeps } = client();
    await http.request({ path: '/campaigns' });
    expect(sleeps).toEqual([2000]);
    expect(pauses).toEqual([]);
  });

  it('backs off exponentially without Retry-After, bounded by the ceiling', async () => {
    const scope = nock(BASE).get('/messages').times(5).reply(500, '').get('/messages').reply(200, { messages: [], next: '' });
    const { http, sleeps } = client({ maxTries: 6, backoffBaseMs: 1000, backoffMaxMs: 4000, random: () => 0.999999 });
    await http.request({ path: '/messages' });
    expect(scope.isDone()).toBe(true);
    expect(sleeps).toEqual([1000, 2000, 4000, 4000, 4000]);
  });

  it('retries a connection reset', async () => {
    const server = await loopbackServer(['reset', { segments: [{ id: 1 }] }]);
    try {
      const { http, sleeps, logs } = client({ baseUrl: server.base });
      await expect(http.request({ path: '/segments' })).resolves.toEqual({ status: 200, body: { segments: [{ id: 1 }] } });
      expect(server.connections()).toBe(2);
      expect(sleeps).toHaveLength(1);
      expect(logs.join('\n')).toMatch(/network error ECONNRESET/);
    } finally {
      await server.close();
    }
  });

  it('retries a 200 whose body is not JSON (an answer cut off mid-way)', async () => {
    nock(BASE).get('/segments').reply(200, '{"segments":[{"id":1,').get('/segments').reply(200, { segments: [{ id: 1 }] });
    const { http, sleeps } = client();
    await expect(http.request({ path: '/segments' })).resolves.toEqual({ status: 200, body: { segments: [{ id: 1 }] } });
    expect(sleeps).toHaveLength(1);
  });

  it('gives up after maxTries with a transient_error that says what happened and never quotes the key', async () => {
    const scope = nock(BASE)
      .get('/activities')
      .query(true)
      .times(4)
      .reply(503, { errors: [{ detail: `upstream timeout for Bearer ${API_KEY.slice(0, 3)}…`, status: '503' }] });
    const { http, sleeps } = client({ maxTries: 4 });
    const error = await rejection(http.request({ path: '/activities', query: { limit: 100 } }));
    expect(scope.isDone()).toBe(true);
    expect(sleeps).toHaveLength(3);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).failureType).toBe('transient_error');
    expect((error as ConnectorError).message).toMatch(/GET \/activities\?limit=100 successfully after 4 attempts \(last: answered 503 \(upstream timeout/);
    expect((error as ConnectorError).message).not.toContain(API_KEY);
  });

  it('gives up on connection errors too, after the same number of tries', async () => {
    const server = await loopbackServer(['reset']);
    try {
      const { http } = client({ baseUrl: server.base, maxTries: 3 });
      const error = (await rejection(http.request({ path: '/segments' }))) as ConnectorError;
      expect(server.connections()).toBe(3);
      expect(error.failureType).toBe('transient_error');
      expect(error.message).toMatch(/after 3 attempts \(last: network error ECONNRESET/);
      expect(error.message).not.toContain(API_KEY);
    } finally {
      await server.close();
    }
  });

  it('retries a refused connection (nothing listening)', async () => {
    const { http, sleeps } = client({ baseUrl: 'http://127.0.0.1:9/v1', maxTries: 2 });
    const error = (await rejection(http.request({ path: '/segments' }))) as ConnectorError;
    expect(sleeps).toHaveLength(1);
    expect(error.message).toMatch(/after 2 attempts \(last: network error ECONNREFUSED/);
  });
});

describe('HttpClient refusals', () => {
  it.each<[number, unknown, string]>([
    [400, { errors: [{ detail: 'invalid filter', status: '400', source: { pointer: '/filter' } }] }, 'invalid filter'],
    [401, { errors: [{ detail: 'invalid credentials', status: '401', code: 'invalid_credentials' }] }, 'invalid credentials'],
    [403, { meta: { error: 'feature not available on your plan' } }, 'feature not available on your plan'],
    [404, { errors: [{ detail: 'not found', status: '404' }, { detail: 'campaign 99 does not exist', status: '404' }] }, 'not found; campaign 99 does not exist'],
    [404, '', ''],
    [400, '<html><body>Bad Request</body></html>', '<html><body>Bad Request</body></html>'],
  ])('turns a %i into an ApiError at once, with the detail from %j', async (status, body, detail) => {
    const scope = nock(BASE).get('/campaigns/99/actions').reply(status, body as nock.Body);
    const { http, sleeps } = client();
    const error = await rejection(http.request({ path: '/campaigns/99/actions' }));
    expect(scope.isDone()).toBe(true);
    expect(sleeps).toEqual([]);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status, detail, request: { method: 'GET', path: '/campaigns/99/actions' } });
    expect((error as ApiError).message).toBe(`GET /campaigns/99/actions answered ${status}${detail ? `: ${detail}` : ''}`);
  });
});

describe('errorDetail', () => {
  it.each<[string, string]>([
    ['{"errors":[{"detail":"rate limited","status":"429"}]}', 'rate limited'],
    ['{"errors":[{"title":"Forbidden","status":"403"}]}', 'Forbidden'],
    ['{"errors":[{"status":"500"}]}', '{"status":"500"}'],
    ['{"errors":["plain"]}', 'plain'],
    ['{"meta":{"error":"Unauthorized request"}}', 'Unauthorized request'],
    ['{"error":"bad request"}', 'bad request'],
    ['{"message":"Internal error"}', 'Internal error'],
    ['  ', ''],
    ['Service Unavailable', 'Service Unavailable'],
    ['null', 'null'],
    ['x'.repeat(400), `${'x'.repeat(300)}…`],
  ])('reads %s as %j', (text, detail) => {
    expect(errorDetail(text)).toBe(detail);
  });
});
