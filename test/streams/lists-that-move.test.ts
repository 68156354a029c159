/**
 * A list paged by position that changes between two pages of one pass (engine/vanished.ts, deletes.ts isNew): an item
 * deleted from page 1 after page 1 was read moves the first item of page 2 onto page 1, and no page of the pass shows
 * it. Against nock, each read landed in a table by Airbyte's dedup rule (test/helpers/airbyte-dedup.ts), which must
 * hold exactly the live items at their latest edit once a read has run with nothing changing under it.
 */
import nock from 'nock';
import { campaignActions } from '../../src/customerio/streams/campaigns.js';
import { broadcastActions } from '../../src/customerio/streams/broadcasts.js';
import { newsletters } from '../../src/customerio/streams/newsletters.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { DedupedTable } from '../helpers/airbyte-dedup.js';
import { API, readStreams, type ReadResult } from './listing-harness.js';

/** The first read's clock (and the API's), 2024-06-01T00:00:00Z; each later read an hour after the one before. */
const NOW_MS = Date.UTC(2024, 5, 1);
const T = NOW_MS / 1000;
const HOUR = 3600;
const SAVED = T - 86_400;
const dated = (seconds: number) => ({ Date: new Date(seconds * 1000).toUTCString() });

const action = (id: number, updated = SAVED - 100) => ({ id, campaign_id: 1, deduplicate_id: `${id}:${updated}`, name: `Email ${id}`, type: 'email', created: 1_700_000_000, updated });
const newsletter = (id: number, updated = SAVED - 100) => ({ id, deduplicate_id: `${id}:${updated}`, name: `Weekly ${id}`, type: 'email', created: 1_700_000_000, updated, tags: [] });
const campaignList = (at: number) => nock(API).get('/v1/campaigns').reply(200, { campaigns: [{ id: 1, name: 'Onboarding', updated: SAVED, created: 1_700_000_000, actions: [] }] }, dated(at));

/** One incremental read of `definition` (its parent list included), landed in `table`. */
async function land(definition: StreamDefinition, table: DedupedTable, state: Record<string, unknown> | undefined, nowMs: number): Promise<ReadResult> {
  const result = await readStreams([{ definition, syncMode: 'incremental', state }], { now: nowMs });
  expect(result.errors).toEqual([]);
  table.applySync(result.messages.filter((m) => m.type === 'RECORD' && m.record.stream === definition.name).map((m) => ({ data: m.record.data, emitted_at: m.record.emitted_at })));
  return result;
}

const rows = (table: DedupedTable, cursor = 'updated') => table.keys().map((key) => [key, table.get(key)![cursor]]);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('campaign_actions, 10 a page: an action deleted from page 1 between page 1 and page 2', () => {
  it('does not report the live action the shift skipped as deleted, but prints it from GET /v1/campaigns/{id}/actions/{action_id}', async () => {
    // The review's case: 15 actions, a state holding ids 1001–1015 (a memory of plain ids, as written before), 1005
    // deleted after page 1 was read. Page 2 then starts at 1012: 1011 moved onto page 1 and no page shows it.
    const table = new DedupedTable({ primaryKey: [['id']], cursorField: 'updated' });
    const all = Array.from({ length: 15 }, (_, i) => action(1001 + i));
    const live = all.filter((a) => a.id !== 1005);
    campaignList(T);
    nock(API)
      .get('/v1/campaigns/1/actions')
      .query((q) => q.start === undefined)
      .reply(200, { actions: all.slice(0, 10), next: 'MTA=' }, dated(T))
      .get('/v1/campaigns/1/actions')
      .query({ start: 'MTA=' })
      .reply(200, { actions: live.slice(10), next: '' }, dated(T + 1))
      .get('/v1/campaigns/1/actions/1011')
      .reply(200, { action: action(1011) }, dated(T + 2));
    for (const a of all) table.applySync([{ data: a, emitted_at: NOW_MS - 86_400_000 }]);
    const state = { partitions: { '1': { updated: SAVED } }, ids: all.map((a) => a.id), ids_cursor: SAVED - 100 };
    const first = await land(campaignActions, table, state, NOW_MS);
    // Before: a deletion of the live 1011, cursor = now.
    expect(first.records('campaign_actions').filter((r) => r._ab_cdc_deleted_at)).toEqual([]);
    expect(first.records('campaign_actions').map((r) => r.id)).toEqual([1011]);
    expect(first.logs('INFO').some((line) => /looked up 1 remembered item .* 1 still there \(printed\), 0 gone/.test(line))).toBe(true);
    const memory = first.lastState('campaign_actions')!;
    // The memory now names each action's campaign (the lookup's path needs it), the looked-up 1011 included, and
    // 1005, which page 1 listed before it was deleted.
    expect(memory.ids).toContainEqual([1, 1011]);
    expect(memory.ids).toContainEqual([1, 1005]);
    expect(memory.ids).toHaveLength(15);

    // The next read, nothing changing under it: 1005 is gone for good (its lookup answers 404) and 1011 stays.
    campaignList(T + HOUR);
    nock(API)
      .get('/v1/campaigns/1/actions')
      .query((q) => q.start === undefined)
      .reply(200, { actions: live.slice(0, 10), next: 'MTA=' }, dated(T + HOUR))
      .get('/v1/campaigns/1/actions')
      .query({ start: 'MTA=' })
      .reply(200, { actions: live.slice(10), next: '' }, dated(T + HOUR + 1))
      .get('/v1/campaigns/1/actions/1005')
      .reply(404, { errors: [{ detail: 'action not found', status: '404' }] });
    const second = await land(campaignActions, table, memory, NOW_MS + HOUR * 1000);
    expect(second.records('campaign_actions').filter((r) => r._ab_cdc_deleted_at).map((r) => [r.campaign_id, r.id])).toEqual([[1, 1005]]);
    expect(table.keys()).toEqual(live.map((a) => String(a.id)).sort());
  });

  it('reports an action of a one-page campaign deleted without asking (one answer is one look), and every action of a campaign gone from the list', async () => {
    const table = new DedupedTable({ primaryKey: [['id']], cursorField: 'updated' });
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1, name: 'Onboarding', updated: SAVED, created: 1_700_000_000, actions: [] }] }, dated(T))
      .get('/v1/campaigns/1/actions')
      .reply(200, { actions: [action(1001)] }, dated(T));
    const state = { partitions: { '1': { updated: SAVED }, '3': { updated: SAVED } }, ids: [[1, 1001], [1, 1002], [3, 3001], [3, 3002]] };
    // No lookup is answered: one would fail the test (as a WARN that the key could not be checked).
    const result = await land(campaignActions, table, state, NOW_MS);
    expect(result.records('campaign_actions').filter((r) => r._ab_cdc_deleted_at).map((r) => r.id)).toEqual([1002, 3001, 3002]);
    expect(result.logs('WARN')).toEqual([]);
  });
});

describe('newsletters, paged: an edit the shift hid, without any delete memory', () => {
  it('prints the skipped newsletter\'s edit on the next read, though a later edit became the cursor', async () => {
    // A state with a cursor only (no memory: carried over, or written before delete tracking). Page 1: 1, 2, 3; then 2
    // is deleted; page 2 starts at the 4th place, which now holds 5: 4, edited an hour before the read, is skipped,
    // and 5, edited after it, becomes the cursor.
    const table = new DedupedTable({ primaryKey: [['id']], cursorField: 'updated' });
    const edited4 = newsletter(4, T - 2 * HOUR);
    const edited5 = newsletter(5, T - HOUR);
    nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [newsletter(1), newsletter(2), newsletter(3)], next: 'Mw==' }, dated(T))
      .get('/v1/newsletters')
      .query({ limit: '100', start: 'Mw==' })
      .reply(200, { newsletters: [edited5], next: '' }, dated(T + 1));
    for (const id of [1, 2, 3, 4, 5]) table.applySync([{ data: newsletter(id), emitted_at: NOW_MS - 86_400_000 }]);
    const first = await land(newsletters, table, { updated: SAVED }, NOW_MS);
    expect(first.records('newsletters').map((r) => r.id)).toEqual([5]);
    expect(first.lastState('newsletters')!.updated).toBe(T - HOUR);
    expect(first.lastState('newsletters')!.ids).toEqual([1, 2, 3, 5]);

    // Before: the next read kept only what is newer than 5's edit, and 4's edit was lost for good.
    nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [newsletter(1), newsletter(3), edited4, edited5], next: '' }, dated(T + HOUR));
    const second = await land(newsletters, table, first.lastState('newsletters'), NOW_MS + HOUR * 1000);
    // 5 again too: the cursor is inclusive (a cheap duplicate).
    expect(second.records('newsletters').filter((r) => !r._ab_cdc_deleted_at).map((r) => r.id)).toEqual([4, 5]);
    // 2, seen on page 1 of the first read, is reported by this one-page read without a lookup.
    expect(second.records('newsletters').filter((r) => r._ab_cdc_deleted_at).map((r) => r.id)).toEqual([2]);
    expect(rows(table)).toEqual([
      ['1', SAVED - 100],
      ['3', SAVED - 100],
      ['4', T - 2 * HOUR],
      ['5', T - HOUR],
    ]);
  });

  it('prints a remembered newsletter the shift skipped from GET /v1/newsletters/{id}, at its latest edit', async () => {
    const table = new DedupedTable({ primaryKey: [['id']], cursorField: 'updated' });
    const edited4 = newsletter(4, T - 2 * HOUR);
    nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [newsletter(1), newsletter(2), newsletter(3)], next: 'Mw==' }, dated(T))
      .get('/v1/newsletters')
      .query({ limit: '100', start: 'Mw==' })
      .reply(200, { newsletters: [newsletter(5, T - HOUR)], next: '' }, dated(T + 1))
      .get('/v1/newsletters/4')
      .reply(200, { newsletter: edited4 }, dated(T + 2));
    for (const id of [1, 2, 3, 4, 5]) table.applySync([{ data: newsletter(id), emitted_at: NOW_MS - 86_400_000 }]);
    const first = await land(newsletters, table, { updated: SAVED, ids: [1, 2, 3, 4, 5] }, NOW_MS);
    expect(first.records('newsletters').map((r) => [r.id, r.updated])).toEqual([
      [5, T - HOUR],
      [4, T - 2 * HOUR],
    ]);
    expect(rows(table).find(([key]) => key === '4')).toEqual(['4', T - 2 * HOUR]);
  });
});

describe('a lookup that cannot tell', () => {
  const pagedNewsletters = () =>
    nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [newsletter(1)], next: 'MQ==' }, dated(T))
      .get('/v1/newsletters')
      .query({ limit: '100', start: 'MQ==' })
      .reply(200, { newsletters: [], next: '' }, dated(T));

  it.each<[string, (scope: nock.Interceptor) => nock.Scope]>([
    ['a 500 (the stream goes on, the key is asked about again)', (get) => get.reply(500, { errors: [{ detail: 'boom', status: '500' }] })],
    ['an answer without the item', (get) => get.reply(200, { newsletter: null })],
  ])('keeps the key remembered and unreported after %s, with one WARN', async (_what, answer) => {
    pagedNewsletters();
    answer(nock(API).get('/v1/newsletters/2'));
    const result = await readStreams([{ definition: newsletters, syncMode: 'incremental', state: { updated: SAVED, ids: [1, 2] } }], { now: NOW_MS });
    expect(result.statuses('newsletters').at(-1)).toBe('COMPLETE');
    expect(result.records('newsletters').filter((r) => r._ab_cdc_deleted_at)).toEqual([]);
    expect(result.lastState('newsletters')!.ids).toEqual([1, 2]);
    expect(result.logs('WARN')).toEqual([expect.stringMatching(/^newsletters: 1 remembered item the list did not show could not be checked; not reported deleted, asked again next read \(GET \/newsletters\/2 /)]);
  });

  it('stops on a 401: the key is bad, whatever stream asked', async () => {
    pagedNewsletters();
    nock(API).get('/v1/newsletters/2').reply(401, { errors: [{ detail: 'unauthorized', status: '401' }] });
    const result = await readStreams([{ definition: newsletters, syncMode: 'incremental', state: { updated: SAVED, ids: [1, 2] } }], { now: NOW_MS });
    expect(result.errors.map((e) => e.failure_type)).toEqual(['config_error']);
    expect(result.records('newsletters').filter((r) => r._ab_cdc_deleted_at)).toEqual([]);
  });
});

describe('broadcast_actions', () => {
  it('looks a skipped action up in its broadcast: GET /v1/broadcasts/{id}/actions/{action_id}', async () => {
    const bAction = (id: number) => ({ id, broadcast_id: 2, name: `step ${id}`, type: 'email', created: 1_700_000_000, updated: SAVED - 100 });
    nock(API)
      .get('/v1/broadcasts')
      .reply(200, { broadcasts: [{ id: 2, name: 'b', updated: SAVED, created: 1_700_000_000 }] }, dated(T))
      .get('/v1/broadcasts/2/actions')
      .query((q) => q.start === undefined)
      .reply(200, { actions: [bAction(21), bAction(22)], next: 'Mg==' }, dated(T))
      .get('/v1/broadcasts/2/actions')
      .query({ start: 'Mg==' })
      .reply(200, { actions: [], next: '' }, dated(T))
      .get('/v1/broadcasts/2/actions/23')
      .reply(200, { action: bAction(23) }, dated(T))
      .get('/v1/broadcasts/2/actions/24')
      .reply(404, { errors: [{ detail: 'not found', status: '404' }] });
    const result = await readStreams([{ definition: broadcastActions, syncMode: 'incremental', state: { partitions: { '2': { updated: SAVED } }, ids: [[2, 21], [2, 22], [2, 23], [2, 24]] } }], { now: NOW_MS });
    expect(result.records('broadcast_actions').map((r) => [r.id, Boolean(r._ab_cdc_deleted_at)])).toEqual([
      [23, false],
      [24, true],
    ]);
  });
});

describe('a full-refresh list that shrinks while it is read (segment_memberships, 30,000 a page)', () => {
  it('reads a membership of several pages again and prints the member a departure moved past every page', async () => {
    const { segmentMemberships } = await import('../../src/customerio/streams/segments.js');
    const person = (n: number) => ({ cio_id: `c${n}`, email: `p${n}@example.com`, id: String(n) });
    // Page 1: c1–c3 (the fiction of a 3-member page); c2 leaves; page 2 from the 4th place starts at c5: c4 is skipped.
    nock(API)
      .get('/v1/segments')
      .reply(200, { segments: [{ id: 4, name: 'Big', updated_at: SAVED }] })
      .get('/v1/segments/4/membership')
      .query({ limit: '30000' })
      .reply(200, { identifiers: [person(1), person(2), person(3)], next: 'MDoz' })
      .get('/v1/segments/4/membership')
      .query({ limit: '30000', start: 'MDoz' })
      .reply(200, { identifiers: [person(5)], next: '' })
      .get('/v1/segments/4/membership')
      .query({ limit: '30000' })
      .reply(200, { identifiers: [person(1), person(3), person(4)], next: 'MDoz' })
      .get('/v1/segments/4/membership')
      .query({ limit: '30000', start: 'MDoz' })
      .reply(200, { identifiers: [person(5)], next: '' });
    const result = await readStreams([{ definition: segmentMemberships }], { now: NOW_MS });
    // c2 left during the read: a full refresh lists who was there when its page was read.
    expect(result.records('segment_memberships').map((r) => r.cio_id)).toEqual(['c1', 'c2', 'c3', 'c5', 'c4']);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
