import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, EU_KEY, walk } from './helpers.js';

const EVERYONE = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };

describe('sandbox response shapes', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false, sizes: { customers: 300 } });
  });
  afterAll(() => sandbox.close());

  it('answers {"exports": null} when there are no exports, and a list when there are', async () => {
    expect((await call(sandbox, '/exports')).body).toEqual({ exports: null });
    const withExports = await startSandbox({ sizes: { exports: 2 } });
    try {
      const reply = await call(withExports, '/exports');
      expect(reply.body.exports).toHaveLength(2);
      expect(reply.body.exports[0]).toMatchObject({ id: 100, type: 'customers', created_at: expect.any(Number) });
    } finally {
      await withExports.close();
    }
  });

  it('gives the workspace id as a number on the US host and as a string on the EU host', async () => {
    expect((await call(sandbox, '/workspaces')).body.workspaces[0].id).toBe(13);
    expect((await call(sandbox, '/workspaces', { key: EU_KEY, base: sandbox.euUrl })).body.workspaces[0]).toMatchObject({ id: '14', people: 300 });
  });

  it('lists transactional messages under "messages" with integer ids', async () => {
    const reply = await call(sandbox, '/transactional');
    expect(reply.body.messages).toHaveLength(5);
    expect(reply.body.messages[0]).toMatchObject({ id: 1, name: expect.any(String), created_at: expect.any(Number), updated_at: expect.any(Number) });
  });

  it('answers the customer search with identifiers, ids holding "" for people without an id, and some numeric ids', async () => {
    const reply = await call(sandbox, '/customers?limit=300', { body: EVERYONE });
    const { identifiers, ids } = reply.body as { identifiers: Array<{ id: string | null }>; ids: Array<string | number> };
    expect(identifiers).toHaveLength(300);
    expect(ids).toHaveLength(300);
    identifiers.forEach((person, i) => expect(person.id === null ? '' : person.id).toBe(String(ids[i])));
    expect(ids).toContain('');
    expect(ids.some((id) => typeof id === 'number')).toBe(true);
  });

  it.each([
    [{ and: [{ attribute: { field: 'plan', operator: 'eq', value: 'pro' } }] }, (a: Record<string, string>) => a.plan === 'pro'],
    [{ or: [{ attribute: { field: 'country', operator: 'eq', value: 'DE' } }, { attribute: { field: 'country', operator: 'eq', value: 'FR' } }] }, (a: Record<string, string>) => ['DE', 'FR'].includes(a.country)],
    [{ not: { attribute: { field: 'company', operator: 'exists' } } }, (a: Record<string, string>) => a.company === undefined],
  ])('filters the customer search by %j', async (filter, holds) => {
    const reply = await call(sandbox, '/customers?limit=1000', { body: { filter } });
    const cioIds: string[] = reply.body.identifiers.map((p: { cio_id: string }) => p.cio_id);
    expect(cioIds.length).toBeGreaterThan(10);
    expect(cioIds.length).toBeLessThan(300);
    const details = await call(sandbox, '/customers/attributes?id_type=cio_id', { body: { ids: cioIds.slice(0, 100) } });
    for (const { customer } of details.body.customers) expect(holds(customer.attributes)).toBe(true);
  });

  it('finds a segment\'s members with a segment filter', async () => {
    const reply = await call(sandbox, '/customers?limit=1000', { body: { filter: { segment: { id: 3 } } } });
    expect(reply.body.identifiers.map((p: { cio_id: string }) => p.cio_id)).toEqual(sandbox.expected.segmentMemberCioIds(3));
  });

  it.each([
    [{}, '/filter'],
    [{ filter: { and: [] } }, '/filter/and'],
    [{ filter: { and: [{ attribute: { field: 'plan', operator: 'like', value: 'x' } }] } }, '/filter/and/0/attribute/operator'],
    [{ filter: { attribute: { field: 'plan', operator: 'eq' } } }, '/filter/attribute/value'],
    [{ filter: { segment: { id: 'one' } } }, '/filter/segment/id'],
    [{ filter: { and: [], or: [] } }, '/filter'],
  ])('answers 400 with a pointer for the bad filter body %j', async (body, pointer) => {
    const reply = await call(sandbox, '/customers', { body });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]).toMatchObject({ status: '400', source: { pointer } });
  });

  it('wraps customers/attributes elements in {"customer": …}, leaves unknown ids out, and keeps attributes strings', async () => {
    const reply = await call(sandbox, '/customers/attributes?id_type=id', { body: { ids: ['1', '2', 'nobody', '99999'] } });
    expect(reply.body.customers.length).toBeGreaterThanOrEqual(1);
    expect(reply.body.customers.length).toBeLessThanOrEqual(2);
    const { customer } = reply.body.customers[0];
    expect(customer).toMatchObject({ identifiers: { cio_id: expect.any(String) }, unsubscribed: expect.any(Boolean), devices: expect.any(Array) });
    for (const value of Object.values(customer.attributes)) expect(typeof value).toBe('string');
    expect(typeof customer.timestamps.created_at).toBe('number');
  });

  it('answers flat customers/attributes elements when switched', async () => {
    const flat = await startSandbox({ flatCustomerAttributes: true });
    try {
      const cio = flat.expected.customerCioIds()[0];
      const reply = await call(flat, '/customers/attributes?id_type=cio_id', { body: { ids: [cio] } });
      expect(reply.body.customers[0].customer).toBeUndefined();
      expect(reply.body.customers[0].identifiers.cio_id).toBe(cio);
    } finally {
      await flat.close();
    }
  });

  it.each([[[]], [Array.from({ length: 101 }, (_, i) => String(i + 1))], ['1']])('answers 400 for customers/attributes ids %#', async (ids) => {
    const reply = await call(sandbox, '/customers/attributes?id_type=id', { body: { ids } });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].source.pointer).toBe('/ids');
  });

  it('looks one customer up by id, email or cio_id', async () => {
    const cio = sandbox.expected.customerCioIds()[10];
    const byCio = await call(sandbox, `/customers/${cio}/attributes?id_type=cio_id`);
    const email = byCio.body.customer.identifiers.email;
    const byEmail = await call(sandbox, `/customers/${encodeURIComponent(email)}/attributes?id_type=email`);
    expect(byEmail.body).toEqual(byCio.body);
    expect((await call(sandbox, `/customers/${cio}/attributes?id_type=phone`)).status).toBe(400);
  });

  it('gives campaign action ids as strings for every second campaign (ids may be int or string)', async () => {
    const first = await call(sandbox, '/campaigns/1/actions');
    const second = await call(sandbox, '/campaigns/3/actions');
    expect(typeof first.body.actions[0].id).toBe('number');
    expect(typeof second.body.actions[0].id).toBe('string');
    expect(second.body.actions[0]).toMatchObject({ campaign_id: 3, updated: expect.any(Number) });
  });

  it('puts user:pass@ credentials in some reporting webhook URLs', async () => {
    const hooks = (await call(sandbox, '/reporting_webhooks')).body.reporting_webhooks as Array<{ endpoint: string }>;
    expect(hooks.some((h) => /^https:\/\/[^/@]+:[^/@]+@/.test(h.endpoint))).toBe(true);
    expect(hooks.some((h) => !h.endpoint.includes('@'))).toBe(true);
  });

  it.each([
    ['/sender_identities', 'sender_identities'],
    ['/subscription_topics', 'topics'],
    ['/object_types', 'types'],
    ['/collections', 'collections'],
    ['/snippets', 'snippets'],
    ['/segments', 'segments'],
    ['/broadcasts', 'broadcasts'],
    ['/newsletters/1/contents', 'contents'],
    ['/broadcasts/2/actions', 'actions'],
  ])('serves %s under "%s"', async (path, key) => {
    const reply = await call(sandbox, path);
    expect(reply.status).toBe(200);
    expect(reply.body[key].length).toBeGreaterThan(0);
  });

  it('answers what uses a segment beside its id, in agreement with the campaigns and newsletters it serves, and 404 for an unknown one', async () => {
    const campaigns = (await call(sandbox, '/campaigns')).body.campaigns as Array<{ id: number; trigger_segment_ids: number[]; filter_segment_ids: number[] }>;
    // Oldest first, the order used_by lists them in.
    const newsletters = (await walk(sandbox, '/newsletters?limit=100&sort=asc', 'newsletters')).records as Array<{ id: number; recipient_segment_ids: number[]; sent_at: number | null }>;
    const segments = (await call(sandbox, '/segments')).body.segments as Array<{ id: number }>;
    let used = 0;
    for (const { id } of segments) {
      const reply = await call(sandbox, `/segments/${id}/used_by`);
      expect(reply.body).toEqual({
        segment_id: id,
        used_by: {
          campaigns: campaigns.filter((c) => c.trigger_segment_ids.includes(id) || c.filter_segment_ids.includes(id)).map((c) => c.id),
          sent_newsletters: newsletters.filter((n) => n.recipient_segment_ids.includes(id) && n.sent_at !== null).map((n) => n.id),
          draft_newsletters: newsletters.filter((n) => n.recipient_segment_ids.includes(id) && n.sent_at === null).map((n) => n.id),
        },
      });
      used += reply.body.used_by.campaigns.length + reply.body.used_by.sent_newsletters.length;
    }
    expect(used).toBeGreaterThan(0);
    expect((await call(sandbox, '/segments/9999/used_by')).status).toBe(404);
  });

  it('gives object type ids as strings and snippets keyed by name', async () => {
    expect(typeof (await call(sandbox, '/object_types')).body.types[0].id).toBe('string');
    const snippet = (await call(sandbox, '/snippets')).body.snippets[0];
    expect(Object.keys(snippet).sort()).toEqual(['name', 'updated_at', 'value']);
    expect((await call(sandbox, `/snippets/${snippet.name}`)).body.snippet).toEqual(snippet);
  });

  it('filters messages by type and rejects an unknown type', async () => {
    const reply = await call(sandbox, '/messages?type=push&limit=100');
    expect(reply.body.messages.length).toBeGreaterThan(0);
    expect(reply.body.messages.every((m: { type: string }) => m.type === 'push')).toBe(true);
    expect((await call(sandbox, '/messages?type=carrier_pigeon')).status).toBe(400);
  });

  it('gives deliveries the documented fields, some with the older message_template_id', async () => {
    const reply = await call(sandbox, '/messages?limit=1000');
    const first = reply.body.messages[0];
    for (const key of ['id', 'deduplicate_id', 'created', 'customer_identifiers', 'recipient', 'type', 'campaign_id', 'metrics', 'forgotten']) expect(first).toHaveProperty(key);
    expect(reply.body.messages.some((m: Record<string, unknown>) => 'message_template_id' in m)).toBe(true);
    expect(reply.body.messages.some((m: Record<string, unknown>) => 'msg_template_id' in m)).toBe(true);
  });

  it('lists one person\'s activities with customer_id and id_type', async () => {
    const all = (await walk(sandbox, '/activities?limit=100', 'activities')).records;
    const cio = (all[0].customer_identifiers as { cio_id: string }).cio_id;
    const mine = all.filter((a) => (a.customer_identifiers as { cio_id: string }).cio_id === cio).map((a) => a.id);
    const reply = await call(sandbox, `/activities?customer_id=${cio}&id_type=cio_id&limit=100`);
    expect(reply.body.activities.map((a: { id: string }) => a.id)).toEqual(mine);
    expect((await call(sandbox, '/activities?customer_id=nobody&id_type=cio_id')).body).toEqual({ activities: [], next: '' });
  });

  it('adds deleted-profile activities only with deleted=true', async () => {
    const plain = sandbox.expected.activityIds();
    const withDeleted = sandbox.expected.activityIds({ includeDeleted: true });
    expect(withDeleted.length).toBeGreaterThan(plain.length);
    const { records } = await walk(sandbox, '/activities?deleted=true&limit=100', 'activities');
    expect(records.map((a) => a.id)).toEqual(withDeleted);
    expect(records.some((a) => a.customer_id === null && (a.customer_identifiers as { email: unknown }).email === null)).toBe(true);
  });
});
