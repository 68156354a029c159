/**
 * What the HTTP client will not do (issue 26): read an answer past its size limit, connect to a name that resolves
 * into a private network, or print any part of the key an error body echoes. Real loopback servers where the
 * transport matters (an endless body, a connection that must never be made); nock for the rest.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import nock from 'nock';
import { ApiError, errorDetail, HttpClient, MAX_RESPONSE_BYTES, RetriesExhausted, type HttpClientOptions } from '../../src/engine/http.js';
import { RateLimiter } from '../../src/engine/limiter.js';
import { PrivateAddressRefused } from '../../src/engine/egress.js';
import { redactorFor } from '../../src/redact.js';

const MiB = 1024 * 1024;
const KEY = 'sk_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdef';

function client(baseUrl: string, over: Partial<HttpClientOptions> = {}) {
  const logs: string[] = [];
  const http = new HttpClient({
    baseUrl,
    apiKey: KEY,
    limiter: new RateLimiter({ requestsPerSecond: 1000 }),
    maxTries: 3,
    sleep: async () => undefined,
    random: () => 0,
    timeoutMs: 20_000,
    log: (level, message) => logs.push(`${level} ${message}`),
    ...over,
  });
  return { http, logs };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail');
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('an answer larger than the limit', () => {
  let server: Server;
  let base = '';
  /** Bytes the server managed to write, per connection. */
  const written: number[] = [];

  beforeAll(async () => {
    // A 200 whose body never ends (chunked, no length), written as fast as the client takes it; each connection
    // stops by itself after 256 MiB so a client that never stops cannot keep the test running.
    server = createServer((req, res) => {
      req.resume();
      const index = written.push(0) - 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      res.write('{"items":[');
      const pump = () => {
        while (!res.destroyed && written[index] < 256 * MiB) {
          written[index] += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => undefined);
      pump();
    });
    base = await listen(server);
  });
  // Closing waits for every connection to end: an abandoned connection the kernel has not yet reported closed (seen
  // once in CI, on a loaded machine) must not hold the suite for jest's minute.
  afterAll(() => new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  }));

  it('an endless body is abandoned at the limit with a retryable failure, and the last one says so as a transient error', async () => {
    written.length = 0;
    const { http, logs } = client(`${base}/v1`, { maxResponseBytes: 2 * MiB });
    const error = await rejection(http.request({ path: '/endless' }));
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect((error as RetriesExhausted).failureType).toBe('transient_error');
    expect(error.message).toMatch(/^Customer\.io did not answer GET \/endless successfully after 3 attempts \(last: answered 200 with a body over 2 MiB; stopped reading it \(the limit is CIO_MAX_RESPONSE_BYTES\)\)/);
    expect(logs.filter((l) => l.startsWith('WARN'))).toHaveLength(2);
    // Every try was stopped near the limit (the socket's buffers hold a few MiB more at most), not at the server's 256 MiB.
    expect(written).toHaveLength(3);
    // What the server got to send bounds what the client held; the process's RSS is no measure inside a shared jest
    // worker (other suites' garbage), and memory figures belong in the bench.
    for (const bytes of written) expect(bytes).toBeLessThan(64 * MiB);
  });

  it('the default limit is documented and far above a real page', () => {
    expect(MAX_RESPONSE_BYTES).toBe(64 * MiB);
  });
});

describe('the limit, by nock', () => {
  const BASE = 'http://cio.test/v1';
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('refuses a body whose Content-Length is over the limit without reading it', async () => {
    nock(BASE).get('/big').times(3).reply(200, 'x', { 'content-length': String(5 * MiB) });
    const error = await rejection(client(BASE, { maxResponseBytes: MiB }).http.request({ path: '/big' }));
    expect(error.message).toMatch(/answered 200 with a body over 1 MiB \(Content-Length 5242880\)/);
  });

  it('counts the decoded bytes of a compressed body (a small gzip of 8 MiB)', async () => {
    const zipped = gzipSync(Buffer.from(`{"items":"${'a'.repeat(8 * MiB)}"}`));
    expect(zipped.length).toBeLessThan(MiB / 8);
    nock(BASE).get('/zipped').times(3).reply(200, zipped, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
    const error = await rejection(client(BASE, { maxResponseBytes: MiB }).http.request({ path: '/zipped' }));
    expect(error.message).toMatch(/answered 200 with a body over 1 MiB; stopped/);
  });

  it('reads a body just under the limit as before', async () => {
    const body = { items: ['y'.repeat(MiB - 100)] };
    nock(BASE).get('/fits').reply(200, body);
    await expect(client(BASE, { maxResponseBytes: MiB }).http.request({ path: '/fits' })).resolves.toEqual({ status: 200, body });
  });

  it('caps error bodies the same way (a 500 that never ends is a retryable failure, not an out-of-memory)', async () => {
    nock(BASE).get('/oops').times(3).reply(500, 'e'.repeat(2 * MiB));
    const error = await rejection(client(BASE, { maxResponseBytes: MiB }).http.request({ path: '/oops' }));
    expect(error.message).toMatch(/last: answered 500 with a body over 1 MiB/);
  });
});

describe('a name that resolves into a private network', () => {
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((req, res) => res.end('{}'));
    server.on('connection', () => connections++);
    port = Number(new URL(await listen(server)).port);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const resolvingTo = (address: string) => (_host: string, _options: object, callback: (error: null, addresses: Array<{ address: string; family: number }>) => void) =>
    callback(null, [{ address, family: 4 }]);

  it('is refused at connect time with one config_error, no retry and no connection (the key never leaves)', async () => {
    connections = 0;
    const { http, logs } = client(`http://api.rebind.test:${port}/v1`, { allowPrivateNetwork: false, resolve: resolvingTo('127.0.0.1') });
    const error = await rejection(http.request({ path: '/workspaces' }));
    expect(error).toBeInstanceOf(PrivateAddressRefused);
    expect(error).toMatchObject({ failureType: 'config_error' });
    expect(error.message).toMatch(/^api\.rebind\.test resolves to 127\.0\.0\.1, a loopback address \(127\.0\.0\.0\/8\): .*CIO_ALLOW_PRIVATE_NETWORK=1/);
    expect(http.counts.retries).toBe(0);
    expect(logs).toEqual([]);
    expect(connections).toBe(0);
  });

  it('is connected to when the operator allows a private network', async () => {
    connections = 0;
    const { http } = client(`http://127.0.0.1:${port}/v1`, { allowPrivateNetwork: true });
    await expect(http.request({ path: '/workspaces' })).resolves.toMatchObject({ status: 200 });
    expect(connections).toBe(1);
  });
});

describe('the key in an error body', () => {
  const BASE = 'http://cio.test/v1';
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  /** Every leading part of the key of 8 characters or more that `text` contains. */
  const prefixesIn = (text: string) => Array.from({ length: KEY.length - 7 }, (_, i) => KEY.slice(0, i + 8)).filter((p) => text.includes(p));

  it('a text 401 echoing the Authorization header, long enough that the 300-character cut falls inside the key', async () => {
    const body = `${'x'.repeat(270)} got header: Bearer ${KEY} (rejected)`;
    // The cut alone would leave the key's first 10 characters: the test is only worth something if it would.
    expect(body.slice(0, 300)).toContain(KEY.slice(0, 10));
    nock(BASE).get('/workspaces').reply(401, body, { 'content-type': 'text/plain' });
    const error = (await rejection(client(BASE).http.request({ path: '/workspaces' }))) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.detail).toMatch(/got header: Bearer \*\*\*\*/);
    expect(prefixesIn(error.message)).toEqual([]);
  });

  it('errorDetail redacts before it cuts', () => {
    const redact = redactorFor([KEY]);
    const text = `${'y'.repeat(280)}Bearer ${KEY}`;
    expect(prefixesIn(errorDetail(text))).not.toEqual([]);
    const detail = errorDetail(text, redact);
    expect(prefixesIn(detail)).toEqual([]);
    expect(detail.endsWith('Bearer ****')).toBe(true);
  });
});
