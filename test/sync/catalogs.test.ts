/**
 * `sync` takes every catalog `read` takes, through the built CLI: the shipped catalog/configured_catalog.json and
 * configured_catalog_incremental.json and the demo's catalog (every discovered stream) select Airbyte's names
 * `people` and `campaigns_actions` beside `customers` and `campaign_actions`. One table per stream, never the same
 * data twice under two names, and one line saying so. Without a catalog, sync lands the connector's own names and
 * says the Airbyte names are the same data. And the read's closing line counts every RECORD line it printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { catalogFromDiscover } from '../../src/demo/steps.js';
import { PROJECT_ROOT, runCli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { inFile, SMALL_SIZES } from './fixtures.js';

let sb: Sandbox;
let config: Record<string, unknown>;
let env: Record<string, string>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 23, sizes: { ...SMALL_SIZES, activities: 120, customers: 60 }, rateLimit: false });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
  env = { CIO_TEST_CLOCK: String(sb.now()), CIO_REQUESTS_PER_SECOND: 'off' };
});
afterAll(() => sb.close());

const shipped = (name: string) => JSON.parse(readFileSync(join(PROJECT_ROOT, 'catalog', name), 'utf8')) as { streams: Array<{ stream: { name: string }; sync_mode: string }> };

async function demoCatalog() {
  const discover = await runCli(['discover'], { config }, { env });
  return catalogFromDiscover({ messages: discover.messages } as Parameters<typeof catalogFromDiscover>[0]) as { streams: Array<{ stream: { name: string }; sync_mode: string }> };
}

/** The streams of a summary's table (its rows between the dashes and the first blank line). */
function summaryStreams(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /^-+ +-+/.test(l)) + 1;
  const end = lines.indexOf('', start);
  return lines.slice(start, end).map((l) => l.split(/ +/)[0]);
}

const tables = (path: string) => inFile(path, async (w) => (await w.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name <> '_state' AND NOT starts_with(table_name, '_cio_') ORDER BY 1")).map((r) => String(r.table_name)));

describe.each([
  ['catalog/configured_catalog.json', () => shipped('configured_catalog.json')],
  ['catalog/configured_catalog_incremental.json', () => shipped('configured_catalog_incremental.json')],
  ["the demo's catalog", demoCatalog],
])('sync --catalog %s', (_name, catalogOf) => {
  it('lands one table per stream, Airbyte\'s names in their stream\'s table, and says so once', async () => {
    const catalog = await catalogOf();
    const names = catalog.streams.map((s) => s.stream.name);
    expect(names).toEqual(expect.arrayContaining(['campaign_actions', 'campaigns_actions']));
    const path = join(scratchDir('cio-catalogs-'), 'customerio.duckdb');
    const result = await runCli(['sync', '--duckdb', path], { config, catalog }, { env, raw: true, timeoutMs: 240_000 });
    expect(result.stderr).not.toMatch(/error/);
    expect(result.exitCode).toBe(0);
    const own = [...new Set(names.map((n) => ({ people: 'customers', campaigns_actions: 'campaign_actions' })[n] ?? n))];
    expect(summaryStreams(result.stdout).sort()).toEqual(own.sort());
    expect(await tables(path)).toEqual([...own].sort());
    const said = (word: string) => result.stdout.split('\n').filter((l) => l.includes(word));
    expect(said('campaigns_actions')).toEqual(['campaigns_actions and campaign_actions are the same data: landed once, in table campaign_actions.']);
    expect(said('people')).toEqual(names.includes('people') ? ['people and customers are the same data: landed once, in table customers.'] : []);
    const ids = await inFile(path, async (w) => (await w.rows('SELECT count(*) AS n, count(DISTINCT id) AS d FROM campaign_actions'))[0]);
    expect(Number(ids.n)).toBe(Number(ids.d));
    expect(Number(ids.n)).toBeGreaterThan(0);
  });
});

describe('sync without a catalog', () => {
  it('lands the connector\'s own names and says Airbyte\'s are the same data', async () => {
    const path = join(scratchDir('cio-catalogs-'), 'customerio.duckdb');
    const result = await runCli(['sync', '--duckdb', path], { config }, { env, raw: true, timeoutMs: 240_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n').filter((l) => /people/.test(l))).toEqual([
      "people and campaigns_actions (Airbyte's names of customers and campaign_actions) are the same data: landed once, as customers and campaign_actions.",
    ]);
    const landed = await tables(path);
    expect(landed).toEqual(expect.arrayContaining(['customers', 'campaign_actions']));
    expect(landed).not.toContain('people');
    expect(landed).not.toContain('campaigns_actions');
  });
});

describe("the read's closing line", () => {
  it('counts every RECORD line it printed, the copies under a second name included, and the records read', async () => {
    const result = await runCli(['read'], { config, catalog: shipped('configured_catalog_incremental.json') }, { env, timeoutMs: 240_000 });
    expect(result.exitCode).toBe(0);
    const printed = result.records().length;
    const copies = result.records('campaigns_actions').length;
    expect(copies).toBeGreaterThan(0);
    const closing = result.logs('INFO').at(-1)!;
    expect(closing).toMatch(new RegExp(`^Read ${printed - copies} records and printed ${printed} \\(${copies} of them again, under a second name of the same stream\\) in `));
    expect(closing).toContain(`campaign_actions=${copies}, campaigns_actions=${copies}`);
    expect(result.logs('INFO').filter((l) => /selected under 2 names/.test(l))).toEqual([
      'campaign_actions is selected under 2 names (campaign_actions, campaigns_actions): read once, each record printed under each name',
    ]);
  });
});
