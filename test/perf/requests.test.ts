/**
 * Minimal requests: every stream of a default config read against the sandbox makes exactly the requests the
 * data needs at the API's largest page sizes — no request repeated (a selected parent list is fetched once for
 * itself and its children), nothing asked for a stream that is not selected, except the parents it needs.
 */
import { parseConfig } from '../../src/config.js';
import { streamsFor } from '../../src/customerio/streams/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { isoSeconds, pages, readStreams } from './harness.js';

const DAY = 86_400;
let sb: Sandbox;
let startDate: number;

beforeAll(async () => {
  // The sandbox's clock a minute behind the connector's; start_date keeps every windowed partition to one window.
  const now = Math.floor(Date.now() / 1000);
  sb = await startSandbox({ seed: 11, now: now - 60, rateLimit: false, sizes: { activities: 2_345, customers: 3_456, messages: 2_100, campaigns: 5, actionsPerCampaign: 23, newsletters: 7, broadcasts: 3, actionsPerBroadcast: 12, segments: 4, segmentMembers: 1_500, suppressions: 1_000, exports: 2 } });
  startDate = now - 30 * DAY + 300;
});
afterAll(() => sb.close());
beforeEach(() => sb.resetStats());

const allStreams = () => streamsFor(parseConfig({ app_api_key: 'x' })).map((s) => s.name);

/** What the data needs, endpoint by endpoint, from the sandbox's ground truth. */
function minimumRequests(): Record<string, number> {
  const ex = sb.expected;
  const customers = ex.customerCioIds().length;
  const campaigns = ex.listIds('campaigns') as number[];
  const broadcasts = ex.listIds('broadcasts') as number[];
  const templates = ex.listIds('transactional_messages') as number[];
  const newsletters = ex.listIds('newsletters').length;
  const segments = ex.listIds('segments') as number[];
  const broadcastActions = ex.listRecords('broadcast_actions');
  const objects = ex.counts().objects;
  const objectTypes = ex.counts().object_types;
  return {
    'GET /v1/workspaces': 1,
    'GET /v1/activities': pages(ex.activityIds({ includeDeleted: true }).length, 100),
    'POST /v1/customers': pages(customers, 1000),
    // 100 ids a call, 1000 people a page: the calls of every page together.
    'POST /v1/customers/attributes': Math.ceil(customers / 100),
    'GET /v1/transactional': 1,
    'GET /v1/transactional/{id}/metrics': templates.length,
    'GET /v1/transactional/{id}/messages': templates.reduce((n, id) => n + pages(ex.deliveryIds(id).length, 1000), 0),
    'GET /v1/messages': pages(ex.messageIds({ startTs: startDate }).length, 1000),
    'GET /v1/campaigns': 1,
    'GET /v1/campaigns/{id}/actions': campaigns.reduce((n, id) => n + pages(ex.campaignActionIds(id).length, 10), 0),
    'GET /v1/campaigns/{id}/metrics': campaigns.length,
    // The page that exhausts the list still carries a next (as live), whose page is empty.
    'GET /v1/newsletters': Math.ceil(newsletters / 100) + 1,
    'GET /v1/newsletters/{id}/contents': newsletters,
    'GET /v1/newsletters/{id}/metrics': newsletters,
    'GET /v1/broadcasts': 1,
    'GET /v1/broadcasts/{id}/actions': broadcasts.reduce((n, id) => n + pages(broadcastActions.filter((a) => a.broadcast_id === id).length, 10), 0),
    'GET /v1/broadcasts/{id}/metrics': broadcasts.length,
    'GET /v1/segments': 1,
    'GET /v1/segments/{id}/used_by': segments.length,
    'GET /v1/segments/{id}/membership': segments.reduce((n, id) => n + pages(ex.segmentMemberCioIds(id).length, 30_000), 0),
    'GET /v1/exports': 1,
    // The visible and the hidden list, one page each.
    'GET /v1/sender_identities': 2,
    'GET /v1/subscription_topics': 1,
    'GET /v1/object_types': 1,
    'GET /v1/reporting_webhooks': 1,
    'GET /v1/collections': 1,
    'GET /v1/snippets': 1,
    'GET /v1/esp/suppression/{type}': 4 * pages(1_000, 1000),
    // One metrics request per action, one test-groups request per newsletter.
    'GET /v1/campaigns/{id}/actions/{action_id}/metrics': campaigns.reduce((n, id) => n + ex.campaignActionIds(id).length, 0),
    'GET /v1/broadcasts/{id}/actions/{action_id}/metrics': broadcastActions.length,
    'GET /v1/newsletters/{id}/test_groups': newsletters,
    'GET /v1/info/ip_addresses': 1,
    // One search page per type (fewer than 1000 objects each); one attributes and one relationships call per object
    // (fewer than 1000 people each), the search shared by objects and object_relationships.
    'POST /v1/objects': objectTypes,
    'GET /v1/objects/{type_id}/{object_id}/attributes': objects,
    'GET /v1/objects/{type_id}/{object_id}/relationships': objects,
    'GET /v1/transactional/{id}/contents': templates.length,
    'GET /v1/subscription_channels': 1,
    'GET /v1/optouts': pages(ex.counts().optouts, 1000),
    // The root and each folder, once per list (10,000 a page); the folder walk shared by the folders stream and the
    // emails' and components' parent; one detail per email.
    'GET /v1/design_studio/folders': 1 + ex.counts().design_studio_folders,
    'GET /v1/design_studio/emails': 1 + ex.counts().design_studio_folders,
    'GET /v1/design_studio/components': 1 + ex.counts().design_studio_folders,
    'GET /v1/design_studio/emails/{id}': ex.counts().design_studio_emails,
  };
}

describe('requests a full read makes', () => {
  it('equal, endpoint by endpoint, the minimum the data needs at the largest page sizes', async () => {
    const read = await readStreams(sb, allStreams(), { config: { start_date: isoSeconds(startDate) } });
    expect(read.code).toBe(0);
    expect(sb.stats().byEndpoint).toEqual(minimumRequests());
    expect(sb.stats().rateLimited).toBe(0);
  });

  it('never repeat a request: each method, path and query is asked once (attribute calls and object searches differ by body)', async () => {
    await readStreams(sb, allStreams(), { config: { start_date: isoSeconds(startDate) } });
    const seen = new Map<string, number>();
    for (const r of sb.stats().requests) {
      if (r.endpoint === 'POST /v1/customers/attributes') continue;
      // One search per object type: the type is in the body; the count per type is checked above.
      if (r.endpoint === 'POST /v1/objects' && r.query === 'limit=1000') continue;
      const key = `${r.method} ${r.path}?${r.query}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen].filter(([, count]) => count > 1)).toEqual([]);
  });

  it('fetch a selected parent list once for itself and for its children', async () => {
    await readStreams(sb, ['campaigns', 'campaign_actions', 'campaign_metrics', 'newsletters', 'newsletter_variants', 'segments', 'segment_memberships']);
    const byEndpoint = sb.stats().byEndpoint;
    expect(byEndpoint['GET /v1/campaigns']).toBe(1);
    // One pass over the newsletters: their page, and the empty page its next leads to (as live).
    expect(byEndpoint['GET /v1/newsletters']).toBe(2);
    expect(byEndpoint['GET /v1/segments']).toBe(1);
  });

  it('ask nothing for streams that are not selected, except the parents the selected ones need', async () => {
    await readStreams(sb, ['campaign_metrics', 'segment_memberships']);
    expect(Object.keys(sb.stats().byEndpoint).sort()).toEqual([
      'GET /v1/campaigns',
      'GET /v1/campaigns/{id}/metrics',
      'GET /v1/segments',
      'GET /v1/segments/{id}/membership',
    ]);
  });

  it('use the largest page sizes the API allows', async () => {
    await readStreams(sb, ['activities', 'customers', 'messages', 'transactional_message_details', 'segment_memberships', 'esp_suppressions', 'newsletters', 'optouts', 'design_studio_components'], {
      config: { start_date: isoSeconds(startDate) },
    });
    const limits = new Map<string, Set<string | null>>();
    for (const r of sb.stats().requests) {
      const set = limits.get(r.endpoint) ?? new Set();
      set.add(new URLSearchParams(r.query).get('limit'));
      limits.set(r.endpoint, set);
    }
    expect(Object.fromEntries([...limits].map(([endpoint, set]) => [endpoint, [...set]]))).toEqual({
      'GET /v1/activities': ['100'],
      'POST /v1/customers': ['1000'],
      'POST /v1/customers/attributes': [null],
      'GET /v1/messages': ['1000'],
      'GET /v1/transactional': [null],
      'GET /v1/transactional/{id}/messages': ['1000'],
      'GET /v1/segments': [null],
      'GET /v1/segments/{id}/membership': ['30000'],
      'GET /v1/esp/suppression/{type}': ['1000'],
      'GET /v1/newsletters': ['100'],
      'GET /v1/optouts': ['1000'],
      'GET /v1/design_studio/folders': ['10000'],
      'GET /v1/design_studio/components': ['10000'],
    });
  });
});
