/**
 * Issue 9, secrets: the API key never reaches stdout, stderr, logs, TRACE messages or internal messages —
 * also when the API echoes the request headers back (the sandbox's echo_headers fault, in an error body and in
 * retry logs), when requests are logged at DEBUG level (429 retries), when the key holds characters JSON
 * escapes, when records themselves carry it, and in the human output of `sync`. Every output here also goes
 * through the suite-wide scan (support/outputs.ts, test/global-teardown.mjs).
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { scratchDir } from '../helpers/scratch.js';
import { runInProcess, runRecorded, errorsOf, logsOf } from './support/run.js';

const KEY = 'sandbox-us-key';
let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 21, sizes: { activities: 300, customers: 200 }, rateLimit: false });
  config = { app_api_key: KEY, api_base_url: sb.url };
});
afterAll(() => sb.close());
beforeEach(() => sb.setFaults([]));

const mentionsRedacted = (text: string) => text.includes('Bearer ****');

describe('an API that echoes the request headers back', () => {
  it('in a final error (400): the stream fails with the echo in its message, the key replaced by ****', async () => {
    sb.setFaults([{ kind: 'echo_headers', path: '/activities' }]);
    const result = await runRecorded(['read'], { config, catalog: configuredCatalog(['activities', 'campaigns']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).not.toBe(0);
    const [error] = result.errors;
    expect(error.stream_descriptor?.name).toBe('activities');
    expect(mentionsRedacted(JSON.stringify(error))).toBe(true);
    expect(result.statuses('campaigns').at(-1)).toBe('COMPLETE');
  });

  it('in retried errors (500, twice): WARN retry logs carry the echo redacted, and the read completes', async () => {
    sb.setFaults([{ kind: 'echo_headers', status: 500, path: '/activities', count: 2 }]);
    const result = await runRecorded(['read'], { config, catalog: configuredCatalog(['activities']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(0);
    const echoed = result.logs('WARN').filter(mentionsRedacted);
    expect(echoed).toHaveLength(2);
  });

  it('to check (400 on /workspaces): FAILED with the echo redacted', async () => {
    sb.setFaults([{ kind: 'echo_headers', path: '/workspaces' }]);
    const result = await runRecorded(['check'], { config }, { env: sandboxClockEnv(sb) });
    const [status] = result.ofType('CONNECTION_STATUS');
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(mentionsRedacted(status.connectionStatus.message)).toBe(true);
  });

  it('to sync (its human summary on stdout and progress on stderr)', async () => {
    sb.setFaults([{ kind: 'echo_headers', path: '/activities' }]);
    const duckdb = join(scratchDir('cio-secrets-'), 'sync.duckdb');
    // Not protocol output: sync speaks to people.
    const result = await runRecorded(['sync', '--duckdb', duckdb], { config, catalog: configuredCatalog(['activities', 'campaigns']) }, { raw: true, env: sandboxClockEnv(sb) });
    expect(result.exitCode).not.toBe(0);
    expect(mentionsRedacted(result.stdout + result.stderr)).toBe(true);
  });
});

describe('requests logged at DEBUG level', () => {
  it('429 retries are logged at DEBUG with the request, never its headers', async () => {
    sb.setFaults([{ kind: 'rate_limit', count: 3 }]);
    const result = await runRecorded(['read'], { config, catalog: configuredCatalog(['activities']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(0);
    const debug = result.logs('DEBUG');
    expect(debug.length).toBeGreaterThanOrEqual(3);
    for (const line of debug) expect(line).toMatch(/^GET \/activities/);
  });
});

describe('a key with characters JSON escapes, echoed raw by the API', () => {
  // Quotes and backslashes are legal in a header value; JSON writes them escaped, so a redactor looking
  // only for the raw text would miss them in a printed line.
  const ODD_KEY = 'sk-"quoted"\\back\\slash-0123456789abcdef';
  let server: Server;
  let base = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const auth = String(req.headers.authorization);
      req.resume();
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/v1/workspaces')) {
        res.statusCode = 400;
        res.end(JSON.stringify({ errors: [{ detail: `no workspace for ${auth}`, status: '400' }] }));
      } else if (req.url?.startsWith('/v1/echo')) {
        res.end(JSON.stringify({ items: [{ id: 1, auth, headers: req.headers }] }));
      } else {
        res.statusCode = 403;
        res.end(JSON.stringify({ errors: [{ detail: `forbidden: ${auth}`, status: '403' }] }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const oddConfig = () => ({
    app_api_key: ODD_KEY,
    api_base_url: base,
    custom_streams: [{ name: 'echo', path: '/echo', records_path: '$.items[*]' }],
  });

  it('check: FAILED, the echoed key redacted', async () => {
    const run = await runInProcess(['check'], { config: oddConfig() });
    const [status] = run.messages.filter((m) => m.type === 'CONNECTION_STATUS');
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(mentionsRedacted(status.connectionStatus.message)).toBe(true);
  });

  it('read: a record that carries the key, and an error that echoes it, both redacted', async () => {
    const run = await runInProcess(['read'], { config: oddConfig(), catalog: configuredCatalog(['echo', 'campaigns']) });
    const records = run.messages.filter((m) => m.type === 'RECORD').map((m) => m.record.data);
    expect(records).toHaveLength(1);
    expect(records[0].auth).toBe('Bearer ****');
    expect(JSON.stringify(records[0].headers)).toContain('Bearer ****');
    const errors = errorsOf(run.messages);
    expect(errors.some((e) => mentionsRedacted(e.message))).toBe(true);
    expect(logsOf(run.messages).join('\n')).not.toContain('quoted');
  });

  it('the same through the built CLI, stdout and stderr', async () => {
    const result = await runRecorded(['read'], { config: oddConfig(), catalog: configuredCatalog(['echo']) });
    expect(result.records('echo')[0].auth).toBe('Bearer ****');
  });
});

describe('a text 401 that echoes the Authorization header, cut at 300 characters inside the key (issue 26)', () => {
  // The cut used to come before the redactor, which matched only the whole key: `…Bearer sk_live_ABCDEFGHIJ…`.
  const LONG_KEY = 'sk_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdef';
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end(`${'x'.repeat(270)} got header: ${String(req.headers.authorization)} (not a valid key)`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const cutConfig = () => ({ app_api_key: LONG_KEY, api_base_url: base });
  /** Leading parts of the key of 8 characters or more in `text`. */
  const keyParts = (text: string) => Array.from({ length: LONG_KEY.length - 7 }, (_, i) => LONG_KEY.slice(0, i + 8)).filter((part) => text.includes(part));

  it('check: CONNECTION_STATUS FAILED with no part of the key', async () => {
    const result = await runRecorded(['check'], { config: cutConfig() });
    const [status] = result.ofType('CONNECTION_STATUS');
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toMatch(/got header: Bearer \*\*\*\*/);
    expect(keyParts(result.stdout + result.stderr)).toEqual([]);
  });

  it('read: the TRACE ERROR with no part of the key', async () => {
    const result = await runRecorded(['read'], { config: cutConfig(), catalog: configuredCatalog(['campaigns']) });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.map((e) => e.message).join('\n')).toMatch(/Bearer \*\*\*\*/);
    expect(keyParts(result.stdout + result.stderr)).toEqual([]);
  });

  it("sync: its stderr and summary with no part of the key", async () => {
    const duckdb = join(scratchDir('cio-secrets-'), 'cut.duckdb');
    const result = await runRecorded(['sync', '--duckdb', duckdb], { config: cutConfig(), catalog: configuredCatalog(['campaigns']) }, { raw: true });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Bearer \*\*\*\*/);
    expect(keyParts(result.stdout + result.stderr)).toEqual([]);
  });
});
