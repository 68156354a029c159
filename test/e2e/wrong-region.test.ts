/**
 * An EU key with `region: us`, through the built CLI: `read` and `sync` name the other region as `check` does, in one
 * config_error, once; `sync` does not call it a failure to resume and leaves no DuckDB file of its making behind.
 * The sandbox serves both regions on one port (`{region}` in api_base_url), and a key works on its own region only.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

let sb: Sandbox;
let env: Record<string, string>;
const STREAMS = 'campaigns,customers,messages,activities,segments';
const ADVICE = 'This App API key belongs to the EU region; set region to eu.';

beforeAll(async () => {
  sb = await startSandbox({ seed: 2, sizes: { campaigns: 3, customers: 20, messages: 20 }, rateLimit: false });
  env = { CIO_TEST_CLOCK: String(sb.now()), CIO_REQUESTS_PER_SECOND: 'off' };
});
afterAll(() => sb.close());

const euKeyAsUs = () => ({ app_api_key: 'sandbox-eu-key', region: 'us', api_base_url: sb.regionUrlTemplate });

it('check names the region (as before)', async () => {
  const result = await runCli(['check'], { config: euKeyAsUs() }, { env });
  expect(result.ofType('CONNECTION_STATUS')[0].connectionStatus).toEqual({ status: 'FAILED', message: ADVICE });
});

it('read names the region in one config_error, after which every stream just ends', async () => {
  const result = await runCli(['read', '--streams', STREAMS], { config: euKeyAsUs() }, { env });
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatchObject({ failure_type: 'config_error', message: `Customer.io refused the App API key at the US host (401), and the EU host accepts it. ${ADVICE}` });
  for (const stream of STREAMS.split(',')) expect(result.statuses(stream).at(-1)).toBe('INCOMPLETE');
  expect(result.records()).toEqual([]);
});

it('read keeps the plain refusal when the other region refuses the key too', async () => {
  const result = await runCli(['read', '--streams', STREAMS], { config: { ...euKeyAsUs(), app_api_key: 'no-such-key-000' } }, { env });
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0].message).toMatch(/^Customer.io rejected the App API key \(401: .*\)\. Use an App API key .* check the region \(region is set to us\)/);
});

describe('sync', () => {
  it('says the region once, calls nothing a failure to resume, and leaves no file it made', async () => {
    const path = join(scratchDir('cio-region-'), 'customerio.duckdb');
    const result = await runCli(['sync', '--streams', STREAMS, '--duckdb', path], { config: euKeyAsUs() }, { env, raw: true });
    expect(result.exitCode).toBe(1);
    const all = result.stdout + result.stderr;
    expect(all.split(ADVICE)).toHaveLength(2);
    expect(all).not.toMatch(/FAILED|resume|✗/);
    expect(result.stdout).toMatch(new RegExp(`^Stopped: synced 0 of 5 streams \\(${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} not kept: nothing got into it\\)`));
    expect(result.stdout).toContain('Every stream stopped at the error above: fix what it names, then run sync again.');
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.wal`)).toBe(false);
  });

  it('keeps a file that was there before, untouched', async () => {
    const path = join(scratchDir('cio-region-'), 'customerio.duckdb');
    const good = await runCli(['sync', '--streams', 'campaigns', '--duckdb', path], { config: { ...euKeyAsUs(), region: 'eu' } }, { env, raw: true });
    expect(good.exitCode).toBe(0);
    const size = statSync(path).size;
    const result = await runCli(['sync', '--streams', 'campaigns', '--duckdb', path], { config: euKeyAsUs() }, { env, raw: true });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(ADVICE);
    expect(statSync(path).size).toBe(size);
    const rows = await runCli(['query', path, 'SELECT count(*) AS n FROM campaigns', '--json'], {}, { raw: true });
    expect(JSON.parse(rows.stdout).n).toBe(String(sb.expected.counts().campaigns));
  });
});
