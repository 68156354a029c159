/**
 * Activities dated ahead of the connector's clock (a client's wrong clock, a backfill), end to end: the built CLI
 * runs 12 hours behind the sandbox (CIO_TEST_CLOCK), so the sandbox's last 12 hours of activities are in the
 * connector's future. They are printed, never become the cursor, and are said in one WARN (the API's clock, which
 * dates the sandbox's answers, is ahead); the next read, once the clock has caught up, still gets every one of them.
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';

const HOUR = 3600;
const TOLERANCE = 5 * 60;
let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 11, sizes: { activities: 3000 } });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());

const catalog = configuredCatalog([{ name: 'activities', syncMode: 'incremental' }]);

it('prints activities hours ahead of the clock without taking them as the cursor, and reads them again once it catches up', async () => {
  const now = sb.now();
  const behind = now - 12 * HOUR;
  const all = sb.expected.activityIds({ includeDeleted: true });
  const timestamps = new Map<string, number>();

  const first = await runCli(['read'], { config, catalog }, {
    env: { CIO_TEST_CLOCK: String(behind) },
    clockApart: { maxSeconds: 12 * HOUR + 60, reason: "the sandbox's last 12 hours in the connector's future are what this test is about" },
  });
  expect(first.exitCode).toBe(0);
  for (const record of first.records('activities')) timestamps.set(record.id, record.timestamp);
  expect([...timestamps.keys()].sort()).toEqual([...all].sort());
  const ahead = [...timestamps].filter(([, t]) => t > behind + TOLERANCE).map(([id]) => id);
  expect(ahead.length).toBeGreaterThan(20);
  const cursor = first.lastState('activities')!.partitions.all.timestamp as number;
  expect(cursor).toBeLessThanOrEqual(behind + TOLERANCE);
  expect(cursor).toBe(Math.max(...[...timestamps.values()].filter((t) => t <= behind + TOLERANCE)));
  // The sandbox dates its answers by its clock, 12 hours ahead: one WARN for the run says the clocks disagree (a
  // record ahead of the API's clock too, a client's, gets the per-stream WARN: test/unit/read.test.ts).
  expect(first.logs('WARN').filter((m) => m.includes('ahead of the connector\'s clock'))).toEqual([]);
  expect(first.logs('WARN').filter((m) => m.includes("The API's clock"))).toEqual([
    expect.stringMatching(new RegExp(`^The API's clock \\(the Date of its answers\\) is 12 hours ahead of this machine's: ${ahead.length} records dated after this machine's time \\(activities ${ahead.length}\\)`)),
  ]);

  const second = await runCli(['read'], { config, catalog, state: first.finalState() }, { env: { CIO_TEST_CLOCK: String(now + 60) } });
  expect(second.exitCode).toBe(0);
  const again = new Set(second.records('activities').map((r) => r.id));
  expect(ahead.filter((id) => !again.has(id))).toEqual([]);
  expect(second.lastState('activities')!.partitions.all.timestamp).toBe(Math.max(...timestamps.values()));
  expect(second.logs('WARN').filter((m) => m.includes('ahead of the connector\'s clock'))).toEqual([]);
});
