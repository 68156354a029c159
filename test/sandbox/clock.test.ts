import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, walk } from './helpers.js';

const DAY = 86_400;

describe('sandbox clock and churn', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({ rateLimit: false });
  });
  afterEach(() => sandbox.close());

  it('starts at the fixed default clock and stands still unless advanced', async () => {
    expect(sandbox.now()).toBe(1767225600);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(sandbox.now()).toBe(1767225600);
    sandbox.advance(60);
    expect(sandbox.now()).toBe(1767225660);
  });

  it('dates every answer by its virtual clock (the Date header), as the API dates its answers by its own', async () => {
    const dateOf = async (path: string) => Date.parse((await call(sandbox, path)).headers.get('date') ?? '') / 1000;
    expect(await dateOf('/workspaces')).toBe(sandbox.now());
    sandbox.advance(3600);
    expect(await dateOf('/campaigns')).toBe(sandbox.now());
    expect(await dateOf('/campaigns/999999/actions')).toBe(sandbox.now());
  });

  it('tells its clock as plain unix seconds at /__sandbox/now, for CIO_TEST_CLOCK=$(curl …) in a shell', async () => {
    sandbox.advance(90);
    const answer = await fetch(`${sandbox.controlUrl}/now`);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await answer.text()).toBe(String(sandbox.now()));
  });

  it('spans activities over the 30 days up to now', async () => {
    const { records } = await walk(sandbox, '/activities?limit=100', 'activities');
    const times = records.map((r) => r.timestamp as number);
    expect(Math.max(...times)).toBeLessThanOrEqual(sandbox.now());
    expect(Math.max(...times)).toBeGreaterThan(sandbox.now() - 3600);
    expect(Math.min(...times)).toBeGreaterThan(sandbox.now() - 30 * DAY);
    expect(Math.min(...times)).toBeLessThan(sandbox.now() - 29 * DAY);
  });

  it('adds new activities at the same rate on advance, and drops those older than 30 days', async () => {
    const before = sandbox.expected.activityIds();
    sandbox.advance(DAY);
    const after = sandbox.expected.activityIds();
    const [had, has] = [new Set(before), new Set(after)];
    const fresh = after.filter((id) => !had.has(id));
    const dropped = before.filter((id) => !has.has(id));
    expect(fresh.length).toBeGreaterThan(30); // 1500 per 30 days = 50 a day, 2% on deleted profiles
    expect(fresh.length).toBeLessThan(70);
    expect(Math.abs(fresh.length - dropped.length)).toBeLessThan(10);
    const page = await call(sandbox, '/activities?limit=100');
    expect(page.body.activities[0].id).toBe(fresh[0]);
    expect(page.body.activities[0].timestamp).toBeGreaterThan(sandbox.now() - DAY);
  });

  it('adds new deliveries on advance and keeps the old ones', async () => {
    const before = sandbox.expected.messageIds();
    const deliveriesBefore = sandbox.expected.deliveryIds(1); // template 1 is never the one deleted
    sandbox.advance(2 * DAY);
    const after = sandbox.expected.messageIds();
    expect(after.length).toBeGreaterThan(before.length + 70); // 1500 per 30 days = 50 a day
    const kept = new Set(after);
    expect(before.every((id) => kept.has(id))).toBe(true);
    const deliveriesAfter = sandbox.expected.deliveryIds(1);
    expect(deliveriesAfter.length).toBeGreaterThan(deliveriesBefore.length);
    expect((await walk(sandbox, '/transactional/1/messages?limit=100', 'messages')).records.map((r) => r.id)).toEqual(deliveriesAfter);
  });

  it('shows engagement metrics only once the clock has passed them, so a lookback re-read sees changes', async () => {
    const window = `start_ts=${sandbox.now() - 2 * DAY}&end_ts=${sandbox.now()}&limit=1000`;
    const first = (await call(sandbox, `/messages?${window}`)).body.messages as Array<{ id: string; metrics: Record<string, number> }>;
    for (const m of first) for (const at of Object.values(m.metrics)) expect(at).toBeLessThanOrEqual(sandbox.now());
    sandbox.advance(3 * DAY);
    const second = (await call(sandbox, `/messages?${window}`)).body.messages as typeof first;
    expect(second.map((m) => m.id)).toEqual(first.map((m) => m.id));
    const grown = second.filter((m, i) => Object.keys(m.metrics).length > Object.keys(first[i].metrics).length);
    expect(grown.length).toBeGreaterThan(5);
    expect(grown.some((m) => m.metrics.opened !== undefined)).toBe(true);
  });

  it('honours start_ts/end_ts inclusively and narrows windows longer than 30 days to their last 30 days', async () => {
    const now = sandbox.now();
    const { records } = await walk(sandbox, `/messages?start_ts=${now - DAY}&end_ts=${now - 3600}&limit=1000`, 'messages');
    expect(records.length).toBeGreaterThan(25);
    for (const r of records) expect(r.created as number).toBeGreaterThanOrEqual(now - DAY);
    for (const r of records) expect(r.created as number).toBeLessThanOrEqual(now - 3600);
    sandbox.advance(20 * DAY);
    const end = sandbox.now();
    const wide = await walk(sandbox, `/messages?start_ts=${end - 60 * DAY}&end_ts=${end}&limit=1000`, 'messages');
    const created = wide.records.map((r) => r.created as number);
    expect(Math.min(...created)).toBeGreaterThanOrEqual(end - 30 * DAY);
    expect(wide.records.map((r) => r.id)).toEqual(sandbox.expected.messageIds({ startTs: end - 60 * DAY, endTs: end }));
  });

  it('moves some list objects\' updated to the new time on advance, at least one per kind', async () => {
    const t0 = sandbox.now();
    const before = (await call(sandbox, '/campaigns')).body.campaigns as Array<{ id: number; updated: number }>;
    expect(before.every((c) => c.updated < t0)).toBe(true);
    sandbox.advance(3600);
    for (const kind of ['campaigns', 'campaign_actions', 'newsletters', 'broadcasts', 'segments', 'transactional_messages', 'snippets'] as const) {
      expect({ kind, updated: sandbox.expected.updatedIds(kind, t0 + 3600).length > 0 }).toEqual({ kind, updated: true });
    }
    const after = (await call(sandbox, '/campaigns')).body.campaigns as typeof before;
    const updatedIds = after.filter((c) => c.updated === t0 + 3600).map((c) => c.id);
    expect(updatedIds).toEqual(sandbox.expected.updatedIds('campaigns', t0 + 3600));
    const segments = (await call(sandbox, '/segments')).body.segments as Array<{ updated_at: number }>;
    expect(segments.some((s) => s.updated_at === t0 + 3600)).toBe(true);
  });

  it('deletes one object of each list kind on the first advance; it disappears and its children 404', async () => {
    const before = sandbox.expected.listIds('campaigns');
    expect(sandbox.expected.deletedIds('campaigns')).toEqual([]);
    sandbox.advance(60);
    const [gone] = sandbox.expected.deletedIds('campaigns');
    expect(before).toContain(gone);
    expect(gone).not.toBe(before[0]);
    const listed = ((await call(sandbox, '/campaigns')).body.campaigns as Array<{ id: number }>).map((c) => c.id);
    expect(listed).toEqual(before.filter((id) => id !== gone));
    expect((await call(sandbox, `/campaigns/${gone}/actions`)).status).toBe(404);
    expect((await call(sandbox, `/campaigns/${gone}/metrics`)).status).toBe(404);
    const snippets = ((await call(sandbox, '/snippets')).body.snippets as Array<{ name: string }>).map((s) => s.name);
    expect(snippets).not.toContain(sandbox.expected.deletedIds('snippets')[0]);
    sandbox.advance(60);
    expect(sandbox.expected.deletedIds('campaigns')).toEqual([gone]); // only the first advance deletes
  });

  it('keeps everything when deletes are switched off', async () => {
    const keep = await startSandbox({ churn: { deleteOnAdvance: false, updateShare: 1 } });
    try {
      keep.advance(60);
      expect(keep.expected.deletedIds('campaigns')).toEqual([]);
      expect(keep.expected.updatedIds('campaigns', keep.now())).toEqual(keep.expected.listIds('campaigns'));
    } finally {
      await keep.close();
    }
  });

  it('advances over HTTP', async () => {
    const reply = await fetch(`${sandbox.controlUrl}/advance?seconds=120`, { method: 'POST' });
    expect(await reply.json()).toEqual({ ok: true, now: 1767225720 });
    expect((await fetch(`${sandbox.controlUrl}/advance?seconds=-5`, { method: 'POST' })).status).toBe(400);
  });

  it('follows the wall clock with realClock', async () => {
    const live = await startSandbox({ realClock: true, now: 1_700_000_000 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(live.now()).toBeGreaterThanOrEqual(1_700_000_001);
    } finally {
      await live.close();
    }
  });
});
