/**
 * The connector's one clock: CIO_TEST_CLOCK (read only at the entry point, for tests) sets the built CLI's "now",
 * here to the sandbox's virtual clock (2026-01-01, whatever the machine's date). Windows end there and every
 * message carries it; nothing mixes in the machine's clock.
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';

let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 7, sizes: { messages: 200 } });
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
    const result = await runCli(['read'], { config, catalog: configuredCatalog(['workspaces']) }, { env: { CIO_TEST_CLOCK: 'tomorrow' } });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(/^CIO_TEST_CLOCK must be unix seconds or an ISO-8601 date-time/) })]);
    expect(result.records()).toEqual([]);
  });
});
