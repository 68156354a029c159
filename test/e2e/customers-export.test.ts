/**
 * customers by export, end to end: the built CLI against the sandbox. The same people, filter and attributes read
 * both ways give the same records (but for devices and timestamps, which export files do not carry), in a
 * handful of requests; the lifecycle's troubles (an expired link, a cut download, a gzip file with CRLF and a BOM,
 * a failed export, a file without cio_id) end in the same records or in a clear error.
 */
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { expectRecordsMatchDiscoveredSchema } from './schema-check.js';

// Polls a few ms apart: the sandbox's exports are ready after one pending poll.
const FAST_POLLS = { CIO_EXPORT_POLL_MS: '20' };
const catalog = configuredCatalog(['customers']);

let sb: Sandbox;
let base: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 42, sizes: { customers: 2500, segmentMembers: 900 } });
  base = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());
beforeEach(() => sb.setExportBehaviour({}));

const read = (config: Record<string, unknown>) => runCli(['read'], { config: { ...base, ...config }, catalog }, { env: { ...FAST_POLLS, ...sandboxClockEnv(sb) } });

/** Records by cio_id, without the two fields only the API way has. */
function byKey(result: CliResult): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const { devices: _devices, timestamps: _timestamps, ...rest } of result.records('customers')) out.set(String(rest.cio_id), rest);
  return out;
}

describe('customers by export end to end', () => {
  it('gives the same records as the API way, in a handful of requests, devices and timestamps null', async () => {
    sb.resetStats();
    const api = await read({ customers_method: 'api' });
    // Answered requests: on a loaded machine the pace can meet the sandbox's limit once, and a 429 is sent again.
    const apiRequests = sb.stats().total - sb.stats().rateLimited;
    sb.resetStats();
    const exported = await read({ customers_method: 'export' });
    expect(api.exitCode).toBe(0);
    expect(exported.exitCode).toBe(0);
    expect(exported.records('customers')).toHaveLength(2500);
    expect(byKey(exported)).toEqual(byKey(api));
    expect(exported.records('customers').every((r) => r.devices === null && r.timestamps === null)).toBe(true);
    expect(api.records('customers').some((r) => Array.isArray(r.devices) && r.devices.length > 0)).toBe(true);
    await expectRecordsMatchDiscoveredSchema(base, 'customers', exported.records('customers'));

    const stats = sb.stats();
    expect(stats.byEndpoint).toEqual({ 'POST /v1/exports/customers': 1, 'GET /v1/exports/{id}': 2, 'GET /v1/exports/{id}/download': 1 });
    expect(apiRequests).toBe(3 + 25);
    expect(exported.logs('WARN')).toEqual([expect.stringMatching(/^customers: read through a Customer.io export: devices and timestamps are not in export files/)]);
    // The storage host refuses a request that carries the App API key: the download went without it.
    expect(sb.exportLog().at(-1)?.downloads).toEqual([expect.objectContaining({ rows: 2500, complete: true })]);
  });

  it('keeps the same people and attributes for a segment filter and customer_attributes', async () => {
    const segment = Number(sb.expected.listIds('segments')[1]);
    const members = sb.expected.segmentMemberCioIds(segment);
    expect(members.length).toBeGreaterThan(10);
    const options = { customer_filter: JSON.stringify({ segment: { id: segment } }), customer_attributes: ['plan', 'company', 'email'] };
    const api = await read({ ...options, customers_method: 'api' });
    const exported = await read({ ...options, customers_method: 'export' });
    expect(exported.exitCode).toBe(0);
    expect(new Set(byKey(exported).keys())).toEqual(new Set(members));
    expect(byKey(exported)).toEqual(byKey(api));
    expect(exported.records('customers').every((r) => Object.keys(r.attributes).every((k) => ['plan', 'company', 'email'].includes(k)))).toBe(true);
    expect(exported.records('customers').filter((r) => typeof r.unsubscribed === 'boolean')).toHaveLength(members.length);
  });

  it('reads every person exactly once through an expired link, a cut download, and a gzip file with CRLF and a BOM', async () => {
    sb.setExportBehaviour({ expiredLinks: 1, cutDownloads: { afterRows: 1700, count: 1 }, encoding: 'gzip-file', crlf: true, bom: true, pendingPolls: 3 });
    const result = await read({ customers_method: 'export' });
    expect(result.exitCode).toBe(0);
    const ids = result.records('customers').map((r) => r.cio_id);
    expect(ids).toHaveLength(2500);
    expect(new Set(ids)).toEqual(new Set(sb.expected.customerCioIds()));
    const warnings = result.logs('WARN').join('\n');
    expect(warnings).toMatch(/answered 403 \(AccessDenied\); downloading again in \d+ ms from a new link/);
    expect(warnings).toMatch(/the download broke off .*skipping the 1000 rows already read/);
    const log = sb.exportLog().at(-1)!;
    expect(log.links).toBe(2);
    expect(log.downloads.map((d) => d.complete)).toEqual([false, true]);
    // The link's signature is never printed (the storage's refusal echoes it).
    const signatures = result.stdout.match(/X-Signature=[0-9a-f]{64}/g);
    expect(signatures).toBeNull();
    expect(result.stdout).not.toMatch(/SignatureProvided|[0-9a-f]{64}/);
  });

  it('fails the stream with a transient_error naming the export when Customer.io fails it', async () => {
    sb.setExportBehaviour({ fail: true });
    const result = await read({ customers_method: 'export' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'transient_error', message: expect.stringMatching(/could not prepare export \d+ \(status failed\)/) })]);
    expect(result.statuses('customers')).toEqual(['STARTED', 'INCOMPLETE']);
  });

  it('reads through the API instead when the file has no cio_id column, and says so', async () => {
    sb.setExportBehaviour({ withoutCioId: true });
    sb.resetStats();
    const result = await read({ customers_method: 'export' });
    expect(result.exitCode).toBe(0);
    expect(result.records('customers')).toHaveLength(2500);
    expect(result.records('customers')[0].devices).toEqual(expect.any(Array));
    expect(result.logs('WARN')).toContainEqual(expect.stringMatching(/no cio_id column .*reading customers through the API instead/));
    // Answered requests: on a loaded machine the pace can meet the sandbox's limit once, and a 429 is sent again.
    expect(sb.stats().byEndpointStatus['POST /v1/customers/attributes']?.['200']).toBe(25);
  });
});

describe('customers by export, stopped', () => {
  it('ends at once on SIGTERM while waiting for the export: transient_error, INCOMPLETE, exit 143', async () => {
    sb.setExportBehaviour({ pendingPolls: 0, prepareMs: 60_000 });
    let signalled = 0;
    const result = await runCli(['read'], { config: { ...base, customers_method: 'export' }, catalog }, {
      env: { ...FAST_POLLS, ...sandboxClockEnv(sb) },
      onMessage: (message, child) => {
        if (message.type === 'LOG' && /export \d+ started/.test(message.log.message)) {
          signalled = Date.now();
          setTimeout(() => child.kill('SIGTERM'), 200);
        }
      },
    });
    expect(signalled).toBeGreaterThan(0);
    expect(result.exitCode).toBe(143);
    expect(Date.now() - signalled).toBeLessThan(30_000);
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'transient_error', message: expect.stringMatching(/stopped by a termination signal/) })]);
    expect(result.statuses('customers')).toEqual(['STARTED', 'INCOMPLETE']);
  });
});

describe('customers_method auto end to end', () => {
  it('exports in a workspace of 60,000 people, after one GET /v1/workspaces', async () => {
    const large = await startSandbox({ seed: 3, sizes: { customers: 60_000 } });
    try {
      const result = await runCli(['read'], { config: { app_api_key: 'sandbox-us-key', api_base_url: large.url, customers_method: 'auto' }, catalog }, { env: { ...FAST_POLLS, ...sandboxClockEnv(large) } });
      expect(result.exitCode).toBe(0);
      expect(result.records('customers')).toHaveLength(60_000);
      expect(large.stats().byEndpoint).toEqual({ 'GET /v1/workspaces': 1, 'POST /v1/exports/customers': 1, 'GET /v1/exports/{id}': 2, 'GET /v1/exports/{id}/download': 1 });
      expect(result.logs('INFO')).toContain('customers: customers_method auto: 60,000 people in the workspace, so an export (50,000 or more)');
    } finally {
      await large.close();
    }
  });
});
