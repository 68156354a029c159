import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, ids, walk } from './helpers.js';

describe('sandbox pagination', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false, sizes: { activities: 1000, customers: 700, messages: 400, deliveries: 300, segmentMembers: 500 } });
  });
  afterAll(() => sandbox.close());

  const dupes = (values: unknown[]) => values.length - new Set(values).size;

  it('walks every activity page and sees each id exactly once, newest first', async () => {
    const { records, pages } = await walk(sandbox, '/activities?limit=100', 'activities');
    const expected = sandbox.expected.activityIds();
    expect(pages).toBeGreaterThan(9);
    expect(dupes(ids(records))).toBe(0);
    expect(ids(records)).toEqual(expected);
    const times = records.map((r) => r.timestamp as number);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('ends a walk with the exhausted page {"activities":[],"next":""} when the last page was full', async () => {
    const total = sandbox.expected.activityIds().length;
    const limit = [100, 99, 97, 10, 1].find((l) => total % l === 0) as number;
    const { lastPage, records } = await walk(sandbox, `/activities?limit=${limit}`, 'activities');
    expect(records).toHaveLength(total);
    expect(lastPage.body).toEqual({ activities: [], next: '' });
  });

  it('clamps a limit above the maximum (100 for activities)', async () => {
    const reply = await call(sandbox, '/activities?limit=5000');
    expect(reply.body.activities).toHaveLength(100);
  });

  it('rejects a limit that is not a positive integer with a 400 naming the parameter', async () => {
    const reply = await call(sandbox, '/activities?limit=abc');
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]).toMatchObject({ status: '400', source: { parameter: 'limit' } });
  });

  it.each([
    ['customers search', '/customers?limit=200', 'identifiers', 'cio_id', () => sandbox.expected.customerCioIds()],
    ['segment membership', '/segments/2/membership?limit=50', 'identifiers', 'cio_id', () => sandbox.expected.segmentMemberCioIds(2)],
    ['messages', '/messages?limit=64', 'messages', 'id', () => sandbox.expected.messageIds()],
    ['transactional deliveries', '/transactional/1/messages?limit=20', 'messages', 'id', () => sandbox.expected.deliveryIds(1)],
    ['campaign actions (10 a page)', '/campaigns/1/actions', 'actions', 'id', () => sandbox.expected.campaignActionIds(1)],
    ['newsletters', '/newsletters?limit=2&sort=asc', 'newsletters', 'id', () => sandbox.expected.listIds('newsletters')],
  ])('walks %s across pages, each id once, matching the ground truth', async (_name, path, key, idKey, truth) => {
    const body = path.startsWith('/customers') ? { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } } : undefined;
    const { records, pages } = await walk(sandbox, path, key, { body });
    const got = ids(records, idKey);
    expect(pages).toBeGreaterThan(1);
    expect(dupes(got)).toBe(0);
    expect(got).toEqual(truth());
  });

  it('serves campaign actions exactly 10 a page whatever the limit', async () => {
    const reply = await call(sandbox, '/campaigns/1/actions?limit=50');
    expect(reply.body.actions).toHaveLength(10);
    expect(reply.body.next).not.toBe('');
  });

  it('filters activities by type and still pages through them completely', async () => {
    const { records } = await walk(sandbox, '/activities?type=page&limit=7', 'activities');
    expect(records.length).toBeGreaterThan(20);
    expect(records.every((r) => r.type === 'page')).toBe(true);
    expect(ids(records)).toEqual(sandbox.expected.activityIds({ types: ['page'] }));
  });

  const BAD_REQUEST = { errors: [{ detail: expect.stringMatching(/^bad request \(reference [0-9A-HJKMNP-TV-Z]{26}\)$/), status: '400' }] };

  it('answers 400 with the live error body for a token issued by another endpoint', async () => {
    const first = await call(sandbox, '/activities?limit=5');
    const foreign = await call(sandbox, `/messages?start=${encodeURIComponent(first.body.next)}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body).toEqual(BAD_REQUEST);
    const otherSegment = await call(sandbox, '/segments/1/membership?limit=5');
    const crossed = await call(sandbox, `/segments/2/membership?start=${encodeURIComponent(otherSegment.body.next)}`);
    expect(crossed.status).toBe(400);
  });

  it.each(['not-a-token!', 'bm9wZQ', '%%%'])('answers 400 for the malformed token %s', async (token) => {
    for (const path of ['/activities', '/messages', '/newsletters', '/segments/1/membership', '/sender_identities', '/campaigns/1/actions']) {
      const reply = await call(sandbox, `${path}?start=${encodeURIComponent(token)}`);
      expect([path, reply.status, reply.body]).toEqual([path, 400, BAD_REQUEST]);
    }
  });

  it('restarts /v1/messages at page 1, with page 1\'s next, for a token past the end (live: v20:2 over 2 rows)', async () => {
    const page1 = await call(sandbox, '/messages?limit=5');
    for (const position of [1_000_000, 99_999_999]) {
      const beyond = Buffer.from(`messages|v20:${position}`).toString('base64url');
      const reply = await call(sandbox, `/messages?limit=5&start=${beyond}`);
      expect(reply.status).toBe(200);
      expect(ids(reply.body.messages)).toEqual(ids(page1.body.messages));
      expect(reply.body.next).toBe(page1.body.next);
    }
  });

  it('ends /v1/messages with next "" on the page that reaches the end, full or not', async () => {
    const total = sandbox.expected.messageIds().length;
    const limit = [100, 80, 50, 40, 25, 20, 16, 10, 8, 5, 4, 2, 1].find((l) => total % l === 0) as number;
    const { lastPage, records, pages } = await walk(sandbox, `/messages?limit=${limit}`, 'messages');
    expect(records).toHaveLength(total);
    expect(pages).toBe(total / limit);
    expect(lastPage.body.messages).toHaveLength(limit);
    expect(lastPage.body.next).toBe('');
  });

  it.each([
    ['newsletters', '/newsletters?limit=2', 'newsletters', { newsletters: [], next: '' }],
    ['segment membership', '/segments/1/membership?limit=2', 'ids', { segment_id: 1, identifiers: null, ids: null, next: '' }],
  ])('answers %s past its end with an empty page and "", no restart (live)', async (_what, path, _key, empty) => {
    const tag = path.startsWith('/newsletters') ? 'newsletters' : 'segment:1';
    const beyond = Buffer.from(`${tag}|v20:99999`).toString('base64url');
    const reply = await call(sandbox, `${path}&start=${beyond}`);
    expect([reply.status, reply.body]).toEqual([200, empty]);
  });

  it('silently restarts at page 1 for a token past the end where the API was not seen doing otherwise (activities; its docs warn of it)', async () => {
    const page1 = await call(sandbox, '/activities?limit=5');
    const beyond = Buffer.from('activities|v20:99999999').toString('base64url');
    const reply = await call(sandbox, `/activities?limit=5&start=${beyond}`);
    expect(reply.status).toBe(200);
    expect(ids(reply.body.activities)).toEqual(ids(page1.body.activities));
  });

  it('pages ESP suppressions by offset, a short page being the last', async () => {
    const seen: string[] = [];
    for (let offset = 0; ; offset += 50) {
      const reply = await call(sandbox, `/esp/suppression/bounces?limit=50&offset=${offset}`);
      const page = reply.body.suppressions ?? []; // null when empty (live)
      seen.push(...page.map((s: { email: string }) => s.email));
      if (page.length < 50) break;
    }
    expect(seen).toHaveLength(120);
    expect(dupes(seen)).toBe(0);
  });

  it('filters ESP suppressions by sending domain: part of the whole list, paged by offset within it, overlapping across domains', async () => {
    const walk = async (query: string) => {
      const seen: string[] = [];
      for (let offset = 0; ; offset += 20) {
        const reply = await call(sandbox, `/esp/suppression/bounces?limit=20&offset=${offset}${query}`);
        const page = reply.body.suppressions ?? [];
        seen.push(...page.map((s: { email: string }) => s.email));
        if (page.length < 20) break;
      }
      return seen;
    };
    const all = new Set(await walk(''));
    const mail = await walk('&domain=mail.example.com');
    const news = await walk('&domain=news.example.com');
    expect(dupes(mail)).toBe(0);
    expect(mail.length).toBeGreaterThan(0);
    expect(mail.length).toBeLessThan(all.size);
    expect(mail.every((email) => all.has(email))).toBe(true);
    expect(mail.some((email) => news.includes(email))).toBe(true);
    expect(mail).not.toEqual(news);
  });
});
