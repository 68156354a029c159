/**
 * start_date through the built CLI: a day, a date-time or unix seconds (a number or digits) all start a first read
 * at the same moment; one in the future is refused by check, read and sync with a config_error quoting it; the
 * 30-day activities warning is said on a first read only, not on a read from state.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

const DAY = 86_400;
let sb: Sandbox;
let env: Record<string, string>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 3, sizes: { messages: 120, activities: 200 }, rateLimit: false });
  env = { CIO_TEST_CLOCK: String(sb.now()), CIO_REQUESTS_PER_SECOND: 'off' };
});
afterAll(() => sb.close());

const configWith = (startDate: unknown) => ({ app_api_key: 'sandbox-us-key', api_base_url: sb.url, start_date: startDate });
/** Midnight UTC, 10 days before the sandbox's clock. */
const start = () => Math.floor(sb.now() / DAY) * DAY - 10 * DAY;
const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

describe('start_date forms', () => {
  it('reads the same messages from a day, a date-time, unix seconds and digits', async () => {
    const forms = [day(start()), `${day(start())}T00:00:00Z`, start(), String(start())];
    const ids: string[][] = [];
    for (const form of forms) {
      const result = await runCli(['read', '--streams', 'messages'], { config: configWith(form) }, { env });
      expect(result.errors).toEqual([]);
      expect(result.logs('WARN').filter((w) => /start_date/.test(w))).toEqual([]);
      const records = result.records('messages');
      expect(records.every((r) => (r.created as number) >= start())).toBe(true);
      ids.push(records.map((r) => String(r.id)).sort());
    }
    expect(ids[0].length).toBeGreaterThan(0);
    for (const other of ids.slice(1)) expect(other).toEqual(ids[0]);
  });

  it('refuses a value that is none of them, quoting it with an example of each form', async () => {
    const result = await runCli(['read', '--streams', 'messages'], { config: configWith('01/02/2024') }, { env });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0].message).toBe('"start_date" "01/02/2024" is not a date: give a day like 2024-01-01, a date-time like 2024-01-01T00:00:00Z, or unix seconds like 1704067200');
  });
});

describe('a start_date in the future', () => {
  const future = () => day(sb.now() + 2 * DAY);
  const refusal = () => new RegExp(`^"start_date" "${future()}" \\(${future()}T00:00:00Z\\) is in the future \\(the connector's clock says .*\\): a read would find nothing`);

  it('is refused by read with one config_error, before any request and without claiming records', async () => {
    sb.resetStats();
    const result = await runCli(['read', '--streams', 'activities,messages'], { config: configWith(future()) }, { env });
    expect(result.exitCode).toBe(1);
    expect(result.messages).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ failure_type: 'config_error', message: expect.stringMatching(refusal()) });
    expect(sb.stats().total).toBe(0);
  });

  it('fails check', async () => {
    const result = await runCli(['check'], { config: configWith(future()) }, { env });
    expect(result.ofType('CONNECTION_STATUS')[0].connectionStatus).toEqual({ status: 'FAILED', message: expect.stringMatching(refusal()) });
  });

  it('is refused by sync before it makes the file', async () => {
    const path = join(scratchDir('cio-start-'), 'customerio.duckdb');
    const result = await runCli(['sync', '--streams', 'messages', '--duckdb', path], { config: configWith(future()) }, { env, raw: true });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: "start_date" .* is in the future/);
    expect(existsSync(path)).toBe(false);
  });
});

describe('the activities retention warning', () => {
  it('is said on a first read, and not on the next read from its state', async () => {
    const config = configWith(day(sb.now() - 90 * DAY));
    const catalog = configuredCatalog([{ name: 'activities', syncMode: 'incremental' }]);
    const first = await runCli(['read'], { config, catalog }, { env });
    expect(first.logs('WARN').filter((w) => /older than the 30 days of activities/.test(w))).toHaveLength(1);
    const next = await runCli(['read'], { config, catalog, state: first.finalState() }, { env });
    expect(next.exitCode).toBe(0);
    expect(next.logs('WARN').filter((w) => /30 days/.test(w))).toEqual([]);
  });
});
