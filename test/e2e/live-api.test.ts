/**
 * The built CLI against the sandbox answering as the live API did (../shared/customerio-api/live-observations.md,
 * modelled in src/sandbox): null for empty lists, each end-of-list form, the live shapes of contents, campaigns and
 * delivery metrics, plain-text 404s on unrouted paths, and the 6 months /v1/messages serves. The connector holds:
 * every stream COMPLETE with what the sandbox holds, the odd values kept as they came, no request past a list's end
 * or before what the API serves, and a clear error where nothing can be read.
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';
import { expectStreamsMatchDiscoveredSchemas } from './schema-check.js';

const DAY = 86_400;
const clock = (sb: Sandbox) => ({ env: { CIO_TEST_CLOCK: String(sb.now()) } });
const configOf = (sb: Sandbox, extra: Record<string, unknown> = {}) => ({ app_api_key: 'sandbox-us-key', api_base_url: sb.url, ...extra });

describe('empty lists answered with null', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 21, rateLimit: false, sizes: { collections: 0, reportingWebhooks: 0, exports: 0, suppressions: 0, segments: 4 } });
  });
  afterAll(() => sb.close());

  it('reads collections, reporting webhooks, exports, ESP suppressions and an empty segment as empty, each COMPLETE, without a WARN', async () => {
    const streams = ['collections', 'reporting_webhooks', 'exports', 'esp_suppressions', 'segment_memberships'];
    const result = await runCli(['read'], { config: configOf(sb), catalog: configuredCatalog(streams) }, clock(sb));
    expect([result.exitCode, result.errors]).toEqual([0, []]);
    for (const name of streams) expect([name, result.statuses(name).at(-1)]).toEqual([name, 'COMPLETE']);
    for (const name of ['collections', 'reporting_webhooks', 'exports', 'esp_suppressions']) expect([name, result.records(name)]).toEqual([name, []]);
    // Segment 4 has no members (ids and identifiers null): the other segments' members only.
    expect((await fetch(`${sb.url}/segments/4/membership`, { headers: { authorization: 'Bearer sandbox-us-key' } }).then((r) => r.json())).ids).toBeNull();
    expect(result.records('segment_memberships').some((r) => r.segment_id === 4)).toBe(false);
    expect(result.records('segment_memberships')).toHaveLength(sb.expected.counts().segment_memberships);
    expect(result.logs('WARN')).toEqual([]);
  });
});

describe('the live shapes and end-of-list forms', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 22, rateLimit: false, sizes: { campaigns: 6, actionsPerCampaign: 12, newsletters: 4 } });
  });
  afterAll(() => sb.close());

  it('keeps headers "[]", preprocessor "none", tags null and open-ended metrics as they came, and asks for no page past a list\'s end', async () => {
    const streams = ['campaigns', 'campaign_actions', 'broadcasts', 'newsletters', 'newsletter_variants', 'transactional_messages', 'messages'];
    const result = await runCli(['read'], { config: configOf(sb), catalog: configuredCatalog(streams) }, clock(sb));
    expect([result.exitCode, result.errors]).toEqual([0, []]);
    const expected = sb.expected.counts();
    for (const name of streams) expect([name, result.records(name).length, result.statuses(name).at(-1)]).toEqual([name, expected[name], 'COMPLETE']);
    await expectStreamsMatchDiscoveredSchemas(configOf(sb), streams, (name) => result.records(name));
    expect(result.logs('WARN')).toEqual([]);

    const variants = result.records('newsletter_variants');
    expect(variants.every((v) => v.headers === '[]')).toBe(true);
    expect(variants.map((v) => v.preprocessor)).toContain('none');
    expect(result.records('campaigns').some((c) => c.tags === null)).toBe(true);
    const metricKeys = new Set(result.records('messages').flatMap((m) => Object.keys(m.metrics ?? {})));
    expect([...metricKeys].filter((key) => /^(human_)?link:\d+$/.test(key)).length).toBeGreaterThan(0);
    expect(metricKeys).toContain('prefetch_opened');
    expect(result.records('transactional_messages').every((t) => t.deduplicate_id === undefined || t.deduplicate_id === null)).toBe(true);

    const made = sb.stats().byEndpoint;
    // 12 actions a campaign, 10 a page: two pages each, the second without a next key: nothing more is asked.
    expect(made['GET /v1/campaigns/{id}/actions']).toBe(2 * 6);
    // Four newsletters on one page whose next is not empty, then the empty page with "": two requests.
    expect(made['GET /v1/newsletters']).toBe(2);
    expect(sb.stats().byStatus['400']).toBeUndefined();
  });

  it('fails a custom stream on a path the API does not route with a config_error naming it', async () => {
    const config = configOf(sb, { custom_streams: [{ name: 'sending_domains', path: '/sending_domains', records_path: '$.domains[*]', primary_key: ['id'] }] });
    const result = await runCli(['read'], { config, catalog: configuredCatalog(['sending_domains', 'segments']) }, clock(sb));
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(/^Stream sending_domains: GET \/sending_domains is not a route of the Customer.io API .*check the path of this custom stream\.$/) })]);
    expect(result.statuses('segments').at(-1)).toBe('COMPLETE');
  });
});

describe('the 6 months GET /v1/messages serves', () => {
  it('asks for no window older than the API serves whatever start_date says, says so once, and reads all it serves', async () => {
    const sb = await startSandbox({ seed: 23, rateLimit: false, sizes: { messages: 2000 } });
    try {
      // 200 days on, the sandbox serves the last 183 of them.
      sb.advance(200 * DAY);
      const now = sb.now();
      const config = configOf(sb, { start_date: new Date((now - 400 * DAY) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
      const result = await runCli(['read'], { config, catalog: configuredCatalog(['messages']) }, clock(sb));
      expect([result.exitCode, result.errors]).toEqual([0, []]);
      expect(new Set(result.records('messages').map((r) => r.id))).toEqual(new Set(sb.expected.messageIds()));
      expect(result.logs('WARN')).toEqual([expect.stringMatching(/^messages: start_date .* is older than the 184 days GET \/v1\/messages serves: deliveries are read from /)]);
      const asked = sb.stats().requests.filter((r) => r.path.endsWith('/messages')).map((r) => Number(new URLSearchParams(r.query).get('start_ts')));
      expect(Math.min(...asked)).toBeGreaterThanOrEqual(now - 184 * DAY - 1);
      // 184 days in 30-day windows: 7 windows, one page each (fewer than 1000 deliveries a window).
      expect(asked.length).toBeLessThanOrEqual(7 * 2);
    } finally {
      await sb.close();
    }
  });
});
