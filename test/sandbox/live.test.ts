/**
 * The sandbox answers as the live API did for another team (../shared/customerio-api/live-observations.md, restated
 * in the sandbox's code where each is modelled): null for empty lists where seen, one end-of-list form per endpoint,
 * parameters ignored where they were, the live shapes of contents, campaigns, transactional messages and delivery
 * metrics, and the 6-month window of /v1/messages. A test here proves agreement with our model of those answers.
 */
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, walk } from './helpers.js';

const DAY = 86_400;

describe('the sandbox as the live API answered', () => {
  let sandbox: Sandbox;
  let empty: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false, sizes: { customers: 300, campaigns: 6, actionsPerCampaign: 12, newsletters: 3, suppressions: 30 } });
    empty = await startSandbox({ rateLimit: false, sizes: { reportingWebhooks: 0, collections: 0, exports: 0, suppressions: 0 } });
  });
  afterAll(async () => {
    await sandbox.close();
    await empty.close();
  });

  it.each([
    ['/collections', { collections: null }],
    ['/reporting_webhooks', { reporting_webhooks: null }],
    ['/exports', { exports: null }],
    ['/esp/suppression/bounces', { suppressions: null }],
  ])('answers the empty list %s with null, not [] (and suppressions without a category)', async (path, body) => {
    expect((await call(empty, path)).body).toEqual(body);
  });

  it('answers an empty segment with null ids and identifiers, its id on the envelope and next ""', async () => {
    // The fourth segment has no members (as one live sample segment had none); the others have some.
    expect((await call(sandbox, '/segments/4/membership')).body).toEqual({ segment_id: 4, identifiers: null, ids: null, next: '' });
    const members = (await call(sandbox, '/segments/1/membership?limit=2')).body;
    expect(members).toMatchObject({ segment_id: 1, identifiers: [expect.any(Object), expect.any(Object)], next: expect.any(String) });
    // limit=0 falls back to the default (1000) rather than a 400.
    expect((await call(sandbox, '/segments/1/membership?limit=0')).status).toBe(200);
  });

  it('lists campaign actions with no next key on the last page, and a next while more follow', async () => {
    const first = (await call(sandbox, '/campaigns/1/actions')).body;
    expect(first.actions).toHaveLength(10);
    expect(first.next).toEqual(expect.any(String));
    const last = (await call(sandbox, `/campaigns/1/actions?start=${encodeURIComponent(first.next)}`)).body;
    expect(last.actions).toHaveLength(2);
    expect('next' in last).toBe(false);
  });

  it('gives the page that exhausts the newsletters a non-empty next, whose page is {"newsletters":[],"next":""}', async () => {
    const page = (await call(sandbox, '/newsletters?limit=10')).body;
    expect(page.newsletters).toHaveLength(3);
    expect(page.next).not.toBe('');
    expect((await call(sandbox, `/newsletters?limit=10&start=${encodeURIComponent(page.next)}`)).body).toEqual({ newsletters: [], next: '' });
  });

  it('has no next at all on the lists it does not page, and ignores limit, start and sort there', async () => {
    const segments = (await call(sandbox, '/segments')).body;
    expect(Object.keys(segments)).toEqual(['segments']);
    expect((await call(sandbox, '/segments?limit=1&start=whatever&sort=desc')).body).toEqual(segments);
    const ids = (segments.segments as Array<{ id: number }>).map((s) => s.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const path of ['/campaigns', '/broadcasts', '/transactional', '/subscription_topics', '/object_types', '/collections', '/snippets']) {
      const body = (await call(sandbox, `${path}?limit=1&start=x`)).body;
      expect([path, 'next' in body]).toEqual([path, false]);
    }
    const contents = (await call(sandbox, '/newsletters/1/contents')).body;
    expect((await call(sandbox, '/newsletters/1/contents?limit=1&start=not-a-token!')).body).toEqual(contents);
  });

  it('gives newsletter contents headers as the text "[]" and preprocessor "none" (beside premailer)', async () => {
    const contents = (await Promise.all([1, 2, 3].map(async (id) => (await call(sandbox, `/newsletters/${id}/contents`)).body.contents))).flat();
    expect(contents.length).toBeGreaterThan(0);
    for (const content of contents) expect(content).toMatchObject({ headers: '[]', test_group_id: 0, created: expect.any(Number), updated: expect.any(Number), body_plain: expect.any(String) });
    expect(contents.map((c: { preprocessor: string }) => c.preprocessor)).toContain('none');
  });

  it('gives untagged campaigns and broadcasts tags: null', async () => {
    const campaigns = (await call(sandbox, '/campaigns')).body.campaigns as Array<{ tags: unknown }>;
    expect(campaigns.some((c) => c.tags === null)).toBe(true);
    expect(campaigns.some((c) => Array.isArray(c.tags))).toBe(true);
  });

  it('lists transactional messages with a trigger_name and no deduplicate_id, and object type ids as text', async () => {
    const messages = (await call(sandbox, '/transactional')).body.messages as Array<Record<string, unknown>>;
    for (const message of messages) {
      expect(message.trigger_name).toEqual(expect.any(String));
      expect('deduplicate_id' in message).toBe(false);
    }
    expect((await call(sandbox, '/object_types')).body.types[0].id).toBe('1');
  });

  it('gives delivery metrics open-ended keys (link:N, human_link:N, human_*, prefetch_opened), a deduplicate_id suffix at the latest metric, and no tracked_responses', async () => {
    const { records } = await walk(sandbox, '/messages?limit=1000', 'messages');
    const keys = new Set(records.flatMap((r) => Object.keys(r.metrics as object)));
    for (const key of ['human_opened', 'prefetch_opened', 'human_clicked']) expect(keys).toContain(key);
    expect([...keys].some((key) => /^link:\d+$/.test(key))).toBe(true);
    expect([...keys].some((key) => /^human_link:\d+$/.test(key))).toBe(true);
    for (const r of records) {
      const latest = Math.max(...Object.values(r.metrics as Record<string, number>));
      expect(r.deduplicate_id).toBe(`${r.id}:${latest}`);
      expect('tracked_responses' in r).toBe(false);
    }
  });

  it('answers an ESP suppression type it does not know with a 400 "type is invalid", and a negative offset with a 200', async () => {
    const reply = await call(sandbox, '/esp/suppression/bounce');
    expect([reply.status, reply.body.errors[0].detail]).toEqual([400, 'type is invalid']);
    expect((await call(sandbox, '/esp/suppression/bounces?offset=-5&limit=100000&start=x')).status).toBe(200);
  });

  it('lists visible sender identities unless hidden=true (hidden defaults to false)', async () => {
    const visible = (await call(sandbox, '/sender_identities')).body.sender_identities as Array<{ hidden: boolean }>;
    const hidden = (await call(sandbox, '/sender_identities?hidden=true')).body.sender_identities as Array<{ hidden: boolean }>;
    expect(visible.every((s) => !s.hidden)).toBe(true);
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.every((s) => s.hidden)).toBe(true);
  });

  it('reads start_ts and end_ts on creation time, both inclusive, by default', async () => {
    const { records } = await walk(sandbox, '/messages?limit=1000', 'messages');
    const created = records[Math.floor(records.length / 2)].created as number;
    const at = (query: string) => walk(sandbox, `/messages?limit=1000&${query}`, 'messages').then(({ records: r }) => r.map((m) => m.created));
    expect(await at(`start_ts=${created}&end_ts=${created}`)).toContain(created);
    expect(await at(`start_ts=${created + 1}&end_ts=${created + 1}`)).not.toContain(created);
    expect(await at(`start_ts=${created - 1}&end_ts=${created - 1}`)).not.toContain(created);
  });
});

describe('the 6 months /v1/messages serves', () => {
  it('serves no delivery older than 183 days, silently (a 200 for a two-year window), while the per-template route serves 12 months', async () => {
    const sandbox = await startSandbox({ rateLimit: false, sizes: { messages: 300, deliveries: 300, transactionalMessages: 1 } });
    try {
      // 170 days on, the first deliveries (from 30 days before the start) are 170 to 200 days old.
      sandbox.advance(170 * DAY);
      const now = sandbox.now();
      const window = `start_ts=${now - 200 * DAY}&end_ts=${now - 170 * DAY}`;
      const served = await walk(sandbox, `/messages?limit=1000&${window}`, 'messages');
      expect(served.lastPage.status).toBe(200);
      const created = served.records.map((r) => r.created as number);
      expect(created.length).toBeGreaterThan(0);
      expect(Math.min(...created)).toBeGreaterThan(now - 183 * DAY);
      expect(served.records.map((r) => r.id)).toEqual(sandbox.expected.messageIds({ startTs: now - 200 * DAY, endTs: now - 170 * DAY }));
      // No bounds at all: the last 6 months, and nothing older.
      const all = (await walk(sandbox, '/messages?limit=1000', 'messages')).records.map((r) => r.created as number);
      expect(Math.min(...all)).toBeGreaterThan(now - 183 * DAY);
      const template = await walk(sandbox, `/transactional/1/messages?limit=1000&${window}`, 'messages');
      expect(Math.min(...template.records.map((r) => r.created as number))).toBeLessThan(now - 183 * DAY);
    } finally {
      await sandbox.close();
    }
  });
});
