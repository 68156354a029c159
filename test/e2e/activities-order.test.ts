/**
 * The order of /v1/activities is an inference (newest first), so the early stop of an incremental pass must not
 * bet data on it: the built CLI against sandboxes listing activities newest first, oldest first and shuffled. In
 * every order the second read, after the sandbox's clock moved 6 hours, gets every new activity; newest first it
 * stops after a page or two, in the other orders it reads the pass to its end and says once why.
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { ActivitiesOrder } from '../../src/sandbox/types.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';

const HOUR = 3600;
const catalog = configuredCatalog([{ name: 'activities', syncMode: 'incremental' }]);
const ORDER_WARNING = /^activities: the API did not list activities newest first/;

describe.each<[ActivitiesOrder, boolean]>([
  ['newest_first', true],
  ['oldest_first', false],
  ['shuffled', false],
])('activities listed %s', (order, newestFirst) => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 3, sizes: { activities: 3000 }, activitiesOrder: order });
  });
  afterAll(() => sb.close());

  it('an incremental read after the clock moved gets every new activity', async () => {
    const config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
    const before = new Set(sb.expected.activityIds({ includeDeleted: true }));
    const first = await runCli(['read'], { config, catalog }, { env: { CIO_TEST_CLOCK: String(sb.now() + 60) } });
    expect(first.exitCode).toBe(0);
    expect(new Set(first.records('activities').map((r) => r.id))).toEqual(before);

    sb.advance(6 * HOUR);
    const fresh = sb.expected.activityIds({ includeDeleted: true }).filter((id) => !before.has(id));
    expect(fresh.length).toBeGreaterThan(10);
    sb.resetStats();
    const second = await runCli(['read'], { config, catalog, state: first.finalState() }, { env: { CIO_TEST_CLOCK: String(sb.now() + 60) } });
    expect(second.exitCode).toBe(0);
    const got = new Set(second.records('activities').map((r) => r.id));
    expect(fresh.filter((id) => !got.has(id))).toEqual([]);

    const pages = sb.stats().byEndpoint['GET /v1/activities'];
    const warnings = second.logs('WARN').filter((m) => ORDER_WARNING.test(m));
    if (newestFirst) {
      expect(warnings).toEqual([]);
      expect(pages).toBeLessThanOrEqual(3);
    } else {
      expect(warnings).toHaveLength(1);
      // To the end of the pass: every activity the API keeps, 100 a page.
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(sb.expected.activityIds({ includeDeleted: true }).length / 100));
    }
  });
});
