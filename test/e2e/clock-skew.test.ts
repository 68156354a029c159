/**
 * A sandbox whose clock was moved ahead of the connector's (as a person does with POST /__sandbox/advance): the
 * sandbox dates its answers by its clock (the Date header, as Customer.io dates them by its own), and the built CLI
 * says so in one WARN naming the CIO_TEST_CLOCK to use, instead of one "ahead of the connector's clock" WARN per
 * stream. Cursors still move only as far as the connector's clock allows (engine/skew.ts says why).
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';

const DAY = 86_400;
let sb: Sandbox;
let config: Record<string, unknown>;
const STREAMS = 'activities,campaigns,campaign_actions,campaign_metrics,segments';

beforeAll(async () => {
  sb = await startSandbox({ seed: 19, sizes: { activities: 300, campaigns: 4, actionsPerCampaign: 3 }, rateLimit: false });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());

it('says once that the API\'s clock is ahead, with the CIO_TEST_CLOCK to use, and moves no cursor past the connector\'s clock', async () => {
  const connectorNow = sb.now();
  sb.advance(2 * DAY);
  const result = await runCli(['read', '--streams', STREAMS], { config }, {
    env: { CIO_TEST_CLOCK: String(connectorNow), CIO_REQUESTS_PER_SECOND: 'off' },
    clockApart: { maxSeconds: 2 * DAY + 60, reason: 'the sandbox moved 2 days ahead of the connector, as a person does: the skew WARN is what is tested' },
  });
  expect(result.exitCode).toBe(0);
  const warnings = result.logs('WARN');
  expect(warnings.filter((w) => /ahead of the connector's clock/.test(w))).toEqual([]);
  const skew = warnings.filter((w) => /^The API's clock/.test(w));
  expect(skew).toHaveLength(1);
  expect(skew[0]).toMatch(/^The API's clock \(the Date of its answers\) is (2 days|4[78](\.\d)? hours) ahead of this machine's: [\d,]+ records dated after this machine's time \(activities \d+/);
  // The sandbox is on this machine: the fix named is the sandbox's clock, to the second.
  expect(skew[0]).toContain(`CIO_TEST_CLOCK=${sb.now()}`);
  expect(result.lastState('activities')!.partitions).toBeDefined();
  for (const partition of Object.values(result.lastState('activities')!.partitions as Record<string, { timestamp?: number }>)) {
    if (partition.timestamp !== undefined) expect(partition.timestamp).toBeLessThanOrEqual(connectorNow + 300 + 120);
  }
});

it('says nothing of the kind once the connector is on the sandbox\'s clock', async () => {
  const result = await runCli(['read', '--streams', STREAMS], { config }, { env: { CIO_TEST_CLOCK: String(sb.now()), CIO_REQUESTS_PER_SECOND: 'off' } });
  expect(result.exitCode).toBe(0);
  expect(result.logs('WARN').filter((w) => /clock/.test(w))).toEqual([]);
});
