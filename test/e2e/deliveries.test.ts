/**
 * messages, transactional_messages and transactional_message_details: the built CLI against the sandbox.
 *
 * The connector's windows end at its own clock, put where the sandbox's stands (CIO_TEST_CLOCK, read again
 * after `sb.advance(12 h)`), so everything the sandbox holds is in the connector's past. With
 * `messages_lookback_days: 1` the second read re-reads from `cursor − 1 day`, about an hour of the first
 * read's deliveries, and must return exactly those plus the new ones.
 */
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';
import { expectRecordsMatchDiscoveredSchema } from './schema-check.js';

const HOUR = 3600;
const DAY = 86_400;
const idsOf = (records: Array<Record<string, any>>) => records.map((r) => String(r.id));

async function deliveriesSandbox(seed: number): Promise<{ sb: Sandbox; config: Record<string, unknown> }> {
  const sb = await startSandbox({ seed });
  return { sb, config: { app_api_key: 'sandbox-us-key', api_base_url: sb.url, messages_lookback_days: 1 } };
}

describe('messages end to end', () => {
  let sb: Sandbox;
  let config: Record<string, unknown>;
  beforeAll(async () => ({ sb, config } = await deliveriesSandbox(42)));
  afterAll(() => sb.close());

  it('reads the deliveries of the listed message types, one partition each', async () => {
    const types = ['email', 'push'];
    const result = await runCli(['read'], { config: { ...config, message_types: types }, catalog: configuredCatalog(['messages']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(0);
    const ids = idsOf(result.records('messages'));
    expect(new Set(ids)).toEqual(new Set(sb.expected.messageIds({ types })));
    expect(new Set(result.records('messages').map((r) => r.type))).toEqual(new Set(types));
    await expectRecordsMatchDiscoveredSchema(config, 'messages', result.records('messages'));
  });

  it('reads every delivery, then on the next incremental read only the new ones and the lookback day', async () => {
    const catalog = configuredCatalog([{ name: 'messages', syncMode: 'incremental' }]);
    const first = await runCli(['read'], { config, catalog }, { env: sandboxClockEnv(sb) });
    expect(first.exitCode).toBe(0);
    const firstRecords = first.records('messages');
    const expectedFirst = sb.expected.messageIds();
    // Windows meet at their ends, which both sides include: a delivery may come twice, never be missing.
    expect(new Set(idsOf(firstRecords))).toEqual(new Set(expectedFirst));
    const state = first.lastState('messages');
    const cursor = state?.partitions?.all?.created;
    expect(typeof cursor).toBe('number');
    expect(JSON.stringify(state)).not.toMatch(/next|"start"/);

    sb.advance(12 * HOUR);
    const known = new Set(expectedFirst);
    const fresh = sb.expected.messageIds().filter((id) => !known.has(id));
    expect(fresh.length).toBeGreaterThan(0);
    const second = await runCli(['read'], { config, catalog, state: first.finalState() }, { env: sandboxClockEnv(sb) });
    expect(second.exitCode).toBe(0);
    const reread = firstRecords.filter((r) => r.created >= cursor - DAY);
    expect(new Set(idsOf(second.records('messages')))).toEqual(new Set([...fresh, ...idsOf(reread)]));
    expect(second.records('messages').length).toBeLessThan(firstRecords.length / 5);
  });
});

describe('transactional streams end to end', () => {
  let sb: Sandbox;
  let config: Record<string, unknown>;
  beforeAll(async () => ({ sb, config } = await deliveriesSandbox(43)));
  afterAll(() => sb.close());

  it('reads every template and every delivery of each, without emitting the templates unless selected', async () => {
    const result = await runCli(['read'], { config, catalog: configuredCatalog(['transactional_message_details']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(0);
    expect(new Set(idsOf(result.records('transactional_message_details')))).toEqual(new Set(sb.expected.deliveryIds()));
    expect(result.records('transactional_messages')).toEqual([]);
    const templates = new Set(sb.expected.listIds('transactional_messages').map(Number));
    for (const record of result.records('transactional_message_details')) expect(templates.has(record.transactional_id)).toBe(true);
    await expectRecordsMatchDiscoveredSchema(config, 'transactional_message_details', result.records('transactional_message_details'));
  });

  it('reads templates and deliveries twice: the second read has the edited templates, the deleted one and only new deliveries', async () => {
    const catalog = configuredCatalog([
      { name: 'transactional_messages', syncMode: 'incremental' },
      { name: 'transactional_message_details', syncMode: 'incremental' },
    ]);
    const first = await runCli(['read'], { config, catalog }, { env: sandboxClockEnv(sb) });
    expect(first.exitCode).toBe(0);
    expect(new Set(first.records('transactional_messages').map((r) => r.id))).toEqual(new Set(sb.expected.listIds('transactional_messages')));
    const firstDeliveries = first.records('transactional_message_details');
    const expectedFirst = sb.expected.deliveryIds();
    expect(new Set(idsOf(firstDeliveries))).toEqual(new Set(expectedFirst));
    const templateCursor = first.lastState('transactional_messages')?.updated_at;
    const deliveryCursors = first.lastState('transactional_message_details')?.partitions as Record<string, { created: number }>;
    expect(Object.keys(deliveryCursors).sort()).toEqual(sb.expected.listIds('transactional_messages').map(String).sort());

    sb.advance(12 * HOUR);
    const deleted = sb.expected.deletedIds('transactional_messages').map(Number);
    expect(deleted).toHaveLength(1);
    const known = new Set(expectedFirst);
    const fresh = sb.expected.deliveryIds().filter((id) => !known.has(id));
    expect(fresh.length).toBeGreaterThan(0);
    const second = await runCli(['read'], { config, catalog, state: first.finalState() }, { env: sandboxClockEnv(sb) });
    expect(second.exitCode).toBe(0);

    const templates = second.records('transactional_messages');
    expect(templates.filter((r) => r._ab_cdc_deleted_at).map((r) => r.id)).toEqual(deleted);
    await expectRecordsMatchDiscoveredSchema(config, 'transactional_messages', templates);
    expect(new Set(templates.filter((r) => !r._ab_cdc_deleted_at).map((r) => r.id))).toEqual(
      new Set(sb.expected.updatedIds('transactional_messages', templateCursor - HOUR)),
    );

    const reread = firstDeliveries.filter((r) => !deleted.includes(r.transactional_id) && r.created >= deliveryCursors[String(r.transactional_id)].created - DAY);
    expect(new Set(idsOf(second.records('transactional_message_details')))).toEqual(new Set([...fresh, ...idsOf(reread)]));
  });
});
