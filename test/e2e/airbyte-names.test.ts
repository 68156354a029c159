/**
 * Airbyte's names of two streams (people, campaigns_actions) read by the built CLI from the sandbox: selected alone
 * they read the stream they name; selected beside it, the API is asked once and every record, STATE and status is
 * printed under both names, each in its own table's shape.
 */
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli, type CliResult } from '../helpers/cli.js';

let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 7, sizes: { campaigns: 4, actionsPerCampaign: 12, customers: 40 } });
  // A config as Airbyte's connector saved it: region in capitals (the sandbox stands in for its host).
  config = { app_api_key: 'sandbox-us-key', region: 'US', api_base_url: sb.url };
});
afterAll(() => sb.close());

const actionRequests = () => Object.entries(sb.stats().byEndpoint).filter(([endpoint]) => endpoint.startsWith('GET /v1/campaigns/{id}/actions')).reduce((n, [, count]) => n + count, 0);
const keys = (records: Array<Record<string, unknown>>, field: string) => records.map((r) => String(r[field])).sort();

async function read(streams: Parameters<typeof configuredCatalog>[0], state?: unknown): Promise<{ result: CliResult; actionRequests: number }> {
  sb.resetStats();
  const result = await runCli(['read'], { config, catalog: configuredCatalog(streams), state }, { env: sandboxClockEnv(sb) });
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  return { result, actionRequests: actionRequests() };
}

describe("Airbyte's stream names", () => {
  it('reads campaigns_actions alone as campaign_actions, its ids as text, under its own name only', async () => {
    const own = await read([{ name: 'campaign_actions', syncMode: 'incremental' }]);
    const alias = await read([{ name: 'campaigns_actions', syncMode: 'incremental' }]);
    expect(alias.result.records('campaign_actions')).toEqual([]);
    expect(keys(alias.result.records('campaigns_actions'), 'id')).toEqual(keys(own.result.records('campaign_actions'), 'id'));
    expect(alias.result.records('campaigns_actions').every((r) => typeof r.id === 'string')).toBe(true);
    expect(own.result.records('campaign_actions').every((r) => typeof r.id === 'number')).toBe(true);
    expect(alias.result.lastState('campaigns_actions')).toEqual(own.result.lastState('campaign_actions'));
    expect(alias.result.statuses('campaigns_actions')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(alias.actionRequests).toBe(own.actionRequests);
  });

  it('asks the API once for a stream selected under both names, and prints it under both', async () => {
    const one = await read([{ name: 'campaign_actions', syncMode: 'incremental' }]);
    const both = await read([
      { name: 'campaign_actions', syncMode: 'incremental' },
      { name: 'campaigns_actions', syncMode: 'incremental' },
    ]);
    expect(both.actionRequests).toBe(one.actionRequests);
    expect(keys(both.result.records('campaigns_actions'), 'id')).toEqual(keys(both.result.records('campaign_actions'), 'id'));
    expect(both.result.records('campaign_actions').length).toBeGreaterThan(20);
    expect(both.result.states('campaigns_actions').length).toBe(both.result.states('campaign_actions').length);
    expect(both.result.statuses('campaigns_actions')).toEqual(both.result.statuses('campaign_actions'));

    // Each name continues from its own final STATE; still one read, and nothing older than the cursors comes back.
    sb.advance(3600);
    const next = await read(
      [
        { name: 'campaign_actions', syncMode: 'incremental' },
        { name: 'campaigns_actions', syncMode: 'incremental' },
      ],
      both.result.finalState(),
    );
    // (The clock's move deleted a campaign: compare with one name read now.)
    const oneNow = await read([{ name: 'campaign_actions', syncMode: 'incremental' }], both.result.finalState().filter((s) => s.stream.stream_descriptor.name === 'campaign_actions'));
    expect(next.actionRequests).toBe(oneNow.actionRequests);
    expect(next.result.records('campaign_actions').length).toBeLessThan(both.result.records('campaign_actions').length);
    expect(keys(next.result.records('campaigns_actions'), 'id')).toEqual(keys(next.result.records('campaign_actions'), 'id'));
  });

  it('reads people as customers, once when both are selected, with the same rows', async () => {
    const both = await read(['people', 'customers']);
    const alone = await read(['people']);
    expect(keys(both.result.records('people'), 'cio_id')).toEqual(keys(both.result.records('customers'), 'cio_id'));
    expect(keys(alone.result.records('people'), 'cio_id')).toEqual(keys(both.result.records('customers'), 'cio_id'));
    expect(both.result.records('people').length).toBe(40);
    expect(sb.stats().byEndpoint['POST /v1/customers']).toBe(1);
  });
});
