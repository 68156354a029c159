/**
 * activities (single table and per type) and customers: the built CLI against the sandbox. Counts are
 * compared with the sandbox's ground truth by primary key; two incremental reads around `sb.advance`
 * show the second one reads only what is new (plus the documented one-hour re-read).
 */
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';
import { expectRecordsMatchDiscoveredSchema } from './schema-check.js';

const HOUR = 3600;
let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 42 });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());

const idsOf = (records: Array<Record<string, any>>, key = 'id') => records.map((r) => String(r[key]));

describe('activities end to end', () => {
  it('reads every activity the sandbox keeps, then on the next incremental read only the new ones and the last hour', async () => {
    const catalog = configuredCatalog([{ name: 'activities', syncMode: 'incremental' }]);
    const first = await runCli(['read'], { config, catalog }, { env: sandboxClockEnv(sb) });
    expect(first.exitCode).toBe(0);
    const firstIds = idsOf(first.records('activities'));
    const expectedFirst = sb.expected.activityIds({ includeDeleted: true });
    expect(new Set(firstIds)).toEqual(new Set(expectedFirst));
    expect(firstIds).toHaveLength(expectedFirst.length);
    const cursor = first.lastState('activities')?.partitions?.all?.timestamp;
    expect(cursor).toBe(Math.max(...first.records('activities').map((r) => r.timestamp)));

    sb.advance(6 * HOUR);
    const fresh = sb.expected.activityIds({ includeDeleted: true }).filter((id) => !new Set(expectedFirst).has(id));
    expect(fresh.length).toBeGreaterThan(0);
    sb.resetStats();
    // The connector's clock where the sandbox's now stands: the new activities are not in its future.
    const second = await runCli(['read'], { config, catalog, state: first.finalState() }, { env: sandboxClockEnv(sb) });
    expect(second.exitCode).toBe(0);
    // Exactly the new activities plus those of the one-hour re-read before the cursor.
    const reread = first.records('activities').filter((r) => r.timestamp >= cursor - HOUR);
    expect(new Set(idsOf(second.records('activities')))).toEqual(new Set([...fresh, ...idsOf(reread)]));
    // The pass stopped once a whole page was older than the bound: two pages, not the 30 days.
    expect(sb.stats().byEndpoint['GET /v1/activities']).toBeLessThanOrEqual(3);
    expect(second.lastState('activities')?.partitions?.all?.timestamp).toBeGreaterThan(cursor);
  });

  it('reads the listed types, activities of deleted people included, and one activities_<type> stream per type', async () => {
    const types = ['attribute_change', 'event'];
    const perTypeConfig = { ...config, activity_types: types, activities_include_deleted: true, activity_parsing: 'per_type' };
    const discovered = await runCli(['discover'], { config: perTypeConfig }, { env: sandboxClockEnv(sb) });
    const names = discovered.ofType('CATALOG')[0].catalog.streams.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining(['activities', 'activities_attribute_change', 'activities_event']));

    const result = await runCli(['read'], { config: perTypeConfig, catalog: configuredCatalog(['activities', 'activities_attribute_change', 'activities_event']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(0);
    expect(new Set(idsOf(result.records('activities')))).toEqual(new Set(sb.expected.activityIds({ types, includeDeleted: true })));
    const changes = result.records('activities_attribute_change');
    expect(new Set(idsOf(changes))).toEqual(new Set(sb.expected.activityIds({ types: ['attribute_change'], includeDeleted: true })));
    // data is flattened: an attribute change's data key is the attribute, its value {from, to}.
    const dataColumns = Object.keys(changes[0]).filter((key) => key.startsWith('data_'));
    expect(dataColumns.length).toBeGreaterThan(0);
    expect(changes[0][dataColumns[0]]).toEqual({ from: expect.any(String), to: expect.any(String) });
    expect(changes[0]).not.toHaveProperty('data');
    await expectRecordsMatchDiscoveredSchema(perTypeConfig, 'activities', result.records('activities'));
    await expectRecordsMatchDiscoveredSchema(perTypeConfig, 'activities_attribute_change', changes);
    expect(result.records('activities_event')).toHaveLength(sb.expected.activityIds({ types: ['event'], includeDeleted: true }).length);
  });
});

describe('customers end to end', () => {
  it('reads every person with attributes, fetched in batches through the one limiter', async () => {
    sb.resetStats();
    const result = await runCli(['read'], { config, catalog: configuredCatalog(['customers']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(0);
    const records = result.records('customers');
    const expected = sb.expected.customerCioIds();
    expect(records).toHaveLength(expected.length);
    expect(new Set(idsOf(records, 'cio_id'))).toEqual(new Set(expected));
    expect(records.every((r) => r.attributes && typeof r.attributes === 'object')).toBe(true);
    await expectRecordsMatchDiscoveredSchema(config, 'customers', records);
    const stats = sb.stats();
    expect(stats.byEndpoint['POST /v1/customers/attributes']).toBe(Math.ceil(expected.length / 100));
    expect(stats.rateLimited).toBe(0);
    expect(stats.peakPerSecond).toBeLessThanOrEqual(10);
  });

  it('sends customer_filter (a segment here) and keeps only customer_attributes, with flat attribute answers too', async () => {
    const flat = await startSandbox({ seed: 7, flatCustomerAttributes: true, sizes: { customers: 300, segmentMembers: 120 } });
    try {
      const segment = Number(flat.expected.listIds('segments')[0]);
      const members = flat.expected.segmentMemberCioIds(segment);
      expect(members.length).toBeGreaterThan(0);
      expect(members.length).toBeLessThan(300);
      const filtered = { app_api_key: 'sandbox-us-key', api_base_url: flat.url, customer_filter: JSON.stringify({ segment: { id: segment } }), customer_attributes: ['email'] };
      const result = await runCli(['read'], { config: filtered, catalog: configuredCatalog(['customers']) }, { env: sandboxClockEnv(flat) });
      expect(result.exitCode).toBe(0);
      const records = result.records('customers');
      expect(new Set(idsOf(records, 'cio_id'))).toEqual(new Set(members));
      for (const record of records) expect(Object.keys(record.attributes ?? {}).every((key) => key === 'email')).toBe(true);
      expect(records.some((r) => r.attributes?.email)).toBe(true);
    } finally {
      await flat.close();
    }
  });
});
