import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, walk } from './helpers.js';

const EVERYONE = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };

/** Count what the API serves for each stream name of expected.counts(), the way a connector would read it. */
async function served(sandbox: Sandbox): Promise<Record<string, number>> {
  const list = async (path: string, key: string) => ((await call(sandbox, path)).body[key] as unknown[]).length;
  const sum = async (ids: Array<number | string>, count: (id: number | string) => Promise<number>) => {
    let n = 0;
    for (const id of ids) n += await count(id);
    return n;
  };
  const campaigns = ((await call(sandbox, '/campaigns')).body.campaigns as Array<{ id: number }>).map((c) => c.id);
  const broadcasts = ((await call(sandbox, '/broadcasts')).body.broadcasts as Array<{ id: number }>).map((b) => b.id);
  const newsletters = (await walk(sandbox, '/newsletters?limit=100', 'newsletters')).records.map((n) => n.id as number);
  const segments = ((await call(sandbox, '/segments')).body.segments as Array<{ id: number }>).map((s) => s.id);
  const templates = ((await call(sandbox, '/transactional')).body.messages as Array<{ id: number }>).map((t) => t.id);
  const types = ((await call(sandbox, '/object_types')).body.types as Array<{ id: string }>).map((t) => t.id);
  const objectsOf = async (type: number | string) => {
    const has = { object_attribute: { field: 'name', operator: 'exists', type_id: String(type) } };
    const { records } = await walk(sandbox, '/objects?limit=3', 'identifiers', { body: { object_type_id: String(type), filter: { or: [has, { not: has }] } } });
    // Pages may repeat an object (documented): count each once.
    return [...new Set(records.map((o) => o.cio_object_id as string))];
  };
  return {
    activities: (await walk(sandbox, '/activities?limit=100&deleted=true', 'activities')).records.length,
    customers: (await walk(sandbox, '/customers?limit=1000', 'identifiers', { body: EVERYONE })).records.length,
    messages: (await walk(sandbox, '/messages?limit=1000', 'messages')).records.length,
    transactional_messages: templates.length,
    transactional_deliveries: await sum(templates, async (id) => (await walk(sandbox, `/transactional/${id}/messages?limit=1000`, 'messages')).records.length),
    campaigns: campaigns.length,
    campaign_actions: await sum(campaigns, async (id) => (await walk(sandbox, `/campaigns/${id}/actions`, 'actions')).records.length),
    newsletters: newsletters.length,
    newsletter_variants: await sum(newsletters, (id) => list(`/newsletters/${id}/contents`, 'contents')),
    broadcasts: broadcasts.length,
    broadcast_actions: await sum(broadcasts, async (id) => (await walk(sandbox, `/broadcasts/${id}/actions`, 'actions')).records.length),
    segments: segments.length,
    segment_memberships: await sum(segments, async (id) => (await walk(sandbox, `/segments/${id}/membership?limit=30000`, 'identifiers')).records.length),
    segment_usage: await sum(segments, async (id) => ((await call(sandbox, `/segments/${id}/used_by`)).body.used_by ? 1 : 0)),
    exports: ((await call(sandbox, '/exports')).body.exports ?? []).length,
    workspaces: await list('/workspaces', 'workspaces'),
    sender_identities: await sum(['false', 'true'], async (hidden) => (await walk(sandbox, `/sender_identities?hidden=${hidden}`, 'sender_identities')).records.length),
    subscription_topics: await list('/subscription_topics', 'topics'),
    object_types: await list('/object_types', 'types'),
    reporting_webhooks: await list('/reporting_webhooks', 'reporting_webhooks'),
    collections: await list('/collections', 'collections'),
    snippets: await list('/snippets', 'snippets'),
    esp_suppressions: await sum(['bounces', 'blocks', 'spam_reports', 'invalid_emails'], (type) => list(`/esp/suppression/${type}?limit=1000`, 'suppressions')),
    objects: await sum(types, async (type) => (await objectsOf(type)).length),
    object_relationships: await sum(types, async (type) =>
      sum(await objectsOf(type), async (cioObjectId) => (await walk(sandbox, `/objects/${type}/${cioObjectId}/relationships?id_type=cio_object_id&limit=2`, 'cio_relationships')).records.length),
    ),
    newsletter_test_groups: await sum(newsletters, (id) => list(`/newsletters/${id}/test_groups`, 'test_groups')),
    ip_addresses: (await call(sandbox, '/info/ip_addresses', { key: null })).body.ip_addresses.length,
    transactional_message_contents: await sum(templates, (id) => list(`/transactional/${id}/contents`, 'contents')),
    subscription_channels: await list('/subscription_channels', 'channels'),
    optouts: (await walk(sandbox, '/optouts?limit=10', 'optouts')).records.length,
    // The default listing is the whole tree (documented), 10,000 a page at most.
    design_studio_folders: await list('/design_studio/folders?limit=10000', 'folders'),
    design_studio_emails: await list('/design_studio/emails?limit=10000', 'emails'),
    design_studio_components: await list('/design_studio/components?limit=10000', 'components'),
  };
}

describe('sandbox expected counts', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false, sizes: { exports: 2, activities: 500, customers: 800, messages: 500, deliveries: 300 } });
  });
  afterAll(() => sandbox.close());

  it('equal what the API serves for every stream, before and after the clock moves', async () => {
    expect(await served(sandbox)).toEqual(sandbox.expected.counts());
    sandbox.advance(2 * 86_400);
    const after = sandbox.expected.counts();
    expect(await served(sandbox)).toEqual(after);
    expect(after.campaigns).toBe(3); // one deleted on the first advance
  });
});
