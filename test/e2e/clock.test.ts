/**
 * The connector's one clock: CIO_TEST_CLOCK (read only at the entry point, for tests) sets the built CLI's "now",
 * here to the sandbox's virtual clock (years from the machine's date, whatever it is). Windows end there and every
 * message carries it; nothing mixes in the machine's clock.
 *
 * And the runners' check (issue 21, src/sandbox/one-clock.ts): a run whose clock is more than a minute from the
 * sandbox's it points at is refused before it starts, saying why — the bug that turned main red on 2026-12-07.
 */
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../reliability/support/run.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';

const DAY = 86_400;
let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  // 2017-07-14: years from any day this suite runs on, even with the machine's clock moved a year either way.
  sb = await startSandbox({ seed: 7, now: 1_500_000_000, sizes: { messages: 200 } });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());

describe('CIO_TEST_CLOCK', () => {
  it('makes the read end its windows at that clock and stamp every message with it', async () => {
    // A minute after the sandbox's clock: its newest message (created at its "now") is then well inside the last window.
    const now = sb.now() + 60;
    expect(Math.abs(now * 1000 - Date.now())).toBeGreaterThan(86_400_000);
    const result = await runCli(['read'], { config, catalog: configuredCatalog([{ name: 'messages', syncMode: 'incremental' }]) }, { env: { CIO_TEST_CLOCK: new Date(now * 1000).toISOString() } });
    expect(result.exitCode).toBe(0);
    expect(result.records('messages').map((r) => r.id).sort()).toEqual(sb.expected.messageIds().sort());
    // The last window ends at the connector's now, which started at the sandbox's (and runs at the machine's pace).
    const cursor = result.lastState('messages')!.partitions.all.created as number;
    expect(cursor).toBeGreaterThanOrEqual(now);
    expect(cursor).toBeLessThan(now + 120);
    const stamps = result.messages.map((m) => m.record?.emitted_at ?? m.trace?.emitted_at).filter((t): t is number => t !== undefined);
    expect(stamps.length).toBeGreaterThan(200);
    expect(Math.min(...stamps)).toBeGreaterThanOrEqual(now * 1000);
    expect(Math.max(...stamps)).toBeLessThan((now + 120) * 1000);
  });

  it('is refused with a config_error when it is not a time', async () => {
    // (Not a time, so the runners' check leaves it to the connector, which refuses it.)
    const result = await runCli(['read'], { config, catalog: configuredCatalog(['workspaces']) }, { env: { CIO_TEST_CLOCK: 'tomorrow' } });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(/^CIO_TEST_CLOCK must be unix seconds or an ISO-8601 date-time/) })]);
    expect(result.records()).toEqual([]);
  });
});

describe("the runners' one-clock check", () => {
  const messages = configuredCatalog([{ name: 'messages', syncMode: 'incremental' }]);
  const TWO_CLOCKS = /^two clocks: the connector would run on the machine's clock \(CIO_TEST_CLOCK is not set\), \S+, 340\.\d days after the sandbox at http:\/\/127\.0\.0\.1:\d+\/v1, whose clock stands at \S+\. Its read would cover another slice of time than the sandbox's ground truth.*Put both on one clock: env CIO_TEST_CLOCK = String\(sandbox\.now\(\)\)/;
  let lagging: Sandbox;
  let laggingConfig: Record<string, unknown>;

  beforeAll(async () => {
    // Issue 21 as it was on 2026-12-07: the sandbox's clock 340 days behind the machine's, the connector on the machine's.
    lagging = await startSandbox({ seed: 9, now: Math.floor(Date.now() / 1000) - 340 * DAY, sizes: { messages: 300 }, rateLimit: false });
    laggingConfig = { app_api_key: 'sandbox-us-key', api_base_url: lagging.url };
  });
  afterAll(() => lagging.close());
  beforeEach(() => lagging.resetStats());

  it('refuses a read on the machine\'s clock against a sandbox 340 days behind it, before the connector starts, saying why and how to fix it', async () => {
    await expect(runCli(['read'], { config: laggingConfig, catalog: messages })).rejects.toThrow(TWO_CLOCKS);
    expect(lagging.stats().total).toBe(0);
  });

  it('refuses the same in process (runInProcess) and for the sandbox\'s clock left behind by an advance', async () => {
    await expect(runInProcess(['read'], { config: laggingConfig, catalog: messages })).rejects.toThrow(TWO_CLOCKS);
    const stale = sandboxClockEnv(sb);
    sb.advance(3600);
    await expect(runCli(['read'], { config, catalog: messages }, { env: stale })).rejects.toThrow(/^two clocks: the connector would run on CIO_TEST_CLOCK=\d+, \S+, 60 min before the sandbox/);
  });

  it('would otherwise have read what issue 21 saw: deliveries of the sandbox missing from a read on the other clock', async () => {
    // Declared apart on purpose, to show what the check prevents: the first read's 365 days, counted from the machine's clock, miss the sandbox's oldest days.
    const mixed = await runCli(['read'], { config: laggingConfig, catalog: messages }, { clockApart: { maxSeconds: 341 * DAY, reason: 'shows the read the check refuses' } });
    expect(mixed.exitCode).toBe(0);
    const read = new Set(mixed.records('messages').map((r) => String(r.id)));
    const truth = lagging.expected.messageIds();
    expect(truth.filter((id) => !read.has(id)).length).toBeGreaterThan(0);
    // On one clock the same read has every one.
    const one = await runCli(['read'], { config: laggingConfig, catalog: messages }, { env: sandboxClockEnv(lagging) });
    expect(new Set(one.records('messages').map((r) => String(r.id)))).toEqual(new Set(truth));
  });

  it('lets through a sandbox on the machine\'s clock (realClock), and the connector on it', async () => {
    const live = await startSandbox({ seed: 7, realClock: true, sizes: { messages: 50 } });
    try {
      expect(Math.abs(live.now() - Date.now() / 1000)).toBeLessThan(2);
      const result = await runCli(['read'], { config: { app_api_key: 'sandbox-us-key', api_base_url: live.url }, catalog: messages });
      expect(result.exitCode).toBe(0);
      expect(new Set(result.records('messages').map((r) => String(r.id)))).toEqual(new Set(live.expected.messageIds()));
    } finally {
      await live.close();
    }
  });
});
