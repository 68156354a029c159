/**
 * `--streams a,b,c` through the built CLI: `read` and `sync` without catalog JSON, each stream in its best mode; a
 * name the connector does not offer is refused with the nearest ones; `query` points from a table the file does not
 * have to the one it has (Airbyte's `people` to `customers`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

/** Records in an order that does not depend on when each was printed. */
const inOneOrder = (records: Array<Record<string, unknown>>) => records.map((r) => JSON.stringify(r)).sort();

let sb: Sandbox;
let config: Record<string, unknown>;
let env: Record<string, string>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 11, sizes: { campaigns: 3, actionsPerCampaign: 2, customers: 30, messages: 40, deliveries: 20 }, rateLimit: false });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
  // The connector on the sandbox's clock (one clock in every test), and no pacing against a local server.
  env = { CIO_TEST_CLOCK: String(sb.now()), CIO_REQUESTS_PER_SECOND: 'off' };
});
afterAll(() => sb.close());

describe('read --streams', () => {
  it('reads the named streams as a catalog would, incremental where the stream offers it', async () => {
    const byName = await runCli(['read', '--streams', 'campaigns,customers,messages'], { config }, { env });
    const byCatalog = await runCli(
      ['read'],
      { config, catalog: configuredCatalog([{ name: 'campaigns', syncMode: 'incremental' }, 'customers', { name: 'messages', syncMode: 'incremental' }]) },
      { env },
    );
    expect(byName.exitCode).toBe(0);
    expect(byName.errors).toEqual([]);
    for (const stream of ['campaigns', 'customers', 'messages']) {
      expect(byName.records(stream).length).toBeGreaterThan(0);
      // The same records, whole; their order across windows and partitions read at once is not the protocol's.
      expect(inOneOrder(byName.records(stream))).toEqual(inOneOrder(byCatalog.records(stream)));
    }
    // Incremental: the cursor a next read continues from.
    expect(byName.lastState('campaigns')).toMatchObject({ updated: expect.any(Number) });
    expect(byName.lastState('messages')).toMatchObject({ partitions: expect.any(Object) });
  });

  it('takes Airbyte\'s names too', async () => {
    const result = await runCli(['read', '--streams', 'people'], { config }, { env });
    expect(result.exitCode).toBe(0);
    expect(result.records('people').length).toBe(sb.expected.counts().customers);
  });

  it.each<[string[], RegExp]>([
    [['--streams', 'campaign,customer'], /^--streams names streams this connector does not offer: "campaign" \(did you mean "campaigns" or "campaign_actions"\?\); "customer" \(did you mean "customers"\?\) \(discover lists them all\)$/],
    [['--streams', ''], /^--streams names no stream/],
  ])('%j is one config_error naming the nearest streams, before any request', async (args, pattern) => {
    sb.resetStats();
    const result = await runCli(['read', ...args], { config }, { env });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(pattern) })]);
    expect(sb.stats().total).toBe(0);
  });

  it('is refused beside --catalog', async () => {
    const result = await runCli(['read', '--streams', 'campaigns'], { config, catalog: configuredCatalog(['campaigns']) }, { env });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0].message).toMatch(/takes --catalog FILE or --streams a,b,c, not both/);
  });

  it('a catalog naming a stream nobody offers suggests the nearest too', async () => {
    const result = await runCli(['read'], { config, catalog: configuredCatalog(['campaign']) }, { env });
    expect(result.errors[0].message).toBe('The catalog selects stream "campaign", which this connector does not offer (did you mean "campaigns" or "campaign_actions"? run discover for the list)');
  });
});

describe('sync --streams, then query', () => {
  it('lands one table per named stream, and query points from a table the file lacks to the one it has', async () => {
    const path = join(scratchDir('cio-streams-'), 'customerio.duckdb');
    const sync = await runCli(['sync', '--streams', 'campaigns,people', '--duckdb', path], { config }, { env, raw: true });
    expect(sync.stderr).not.toMatch(/error/);
    expect(sync.exitCode).toBe(0);
    expect(sync.stdout).toMatch(/^Synced 2 of 2 streams into /);
    expect(sync.stdout).toMatch(/\ncampaigns +upsert /);
    expect(sync.stdout).toMatch(/\ncustomers +replace /);
    expect(sync.stdout).toContain("people is Airbyte's name of customers: landed once, in table customers.");

    const people = await runCli(['query', path, 'SELECT count(*) FROM people'], {}, { raw: true });
    expect(people.exitCode).toBe(1);
    expect(people.stderr).toMatch(/Table with name people does not exist! people is Airbyte's name of customers: sync lands it in table customers\./);
    expect(people.stderr).not.toMatch(/pg_/);
    const typo = await runCli(['query', path, 'SELECT count(*) FROM campaign'], {}, { raw: true });
    expect(typo.stderr).toMatch(/Table with name campaign does not exist! Did you mean "campaigns"\?/);
    const customers = await runCli(['query', path, 'SELECT count(*) AS n FROM customers', '--json'], {}, { raw: true });
    expect(JSON.parse(customers.stdout)).toEqual({ n: String(sb.expected.counts().customers) });
  });

  it('refuses an unknown name with the nearest ones, before making the file', async () => {
    const path = join(scratchDir('cio-streams-'), 'customerio.duckdb');
    const sync = await runCli(['sync', '--streams', 'campaign', '--duckdb', path], { config }, { env, raw: true });
    expect(sync.exitCode).toBe(1);
    expect(sync.stdout).toBe('');
    expect(sync.stderr).toMatch(/^error: --streams names a stream this connector does not offer: "campaign" \(did you mean "campaigns"/);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses --streams beside --catalog', async () => {
    const sync = await runCli(['sync', '--streams', 'campaigns'], { config, catalog: configuredCatalog(['campaigns']) }, { env, raw: true });
    expect(sync.exitCode).toBe(1);
    expect(sync.stderr).toMatch(/^error: sync takes --catalog FILE or --streams a,b,c, not both/);
  });
});
