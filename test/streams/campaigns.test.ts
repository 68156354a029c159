/** campaigns and campaign_actions against nock: exact requests, paging, cursors per campaign, deletes. */
import nock from 'nock';
import { campaigns, campaignActions } from '../../src/customerio/streams/campaigns.js';
import { API, API_KEY, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

/** A run after its fixtures (the newest is 2024-07-03): a record ahead of the run's clock would not move the cursor. */
const AFTER_FIXTURES = Date.UTC(2024, 6, 10);

const campaign = (id: number, updated: number, extra: Record<string, unknown> = {}) => ({
  id,
  deduplicate_id: `${id}:${updated}`,
  name: `Campaign ${id}`,
  created: 1_700_000_000,
  updated,
  active: true,
  state: 'running',
  actions: [{ type: 'email', id: id * 10 }],
  tags: ['onboarding'],
  trigger_segment_ids: [4],
  filter_segment_ids: [],
  type: 'segment',
  ...extra,
});

const action = (id: number | string, campaignId: number, updated: number) => ({
  id,
  campaign_id: campaignId,
  deduplicate_id: `${id}:${updated}`,
  name: `Action ${id}`,
  type: 'email',
  created: 1_700_000_000,
  updated,
  subject: 'Hello',
  headers: '[{"name":"X-Tag","value":"a"}]',
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('campaigns', () => {
  it('asks GET /v1/campaigns once with the bearer key and no query, and emits every campaign', async () => {
    const api = nock(API)
      .get('/v1/campaigns')
      .query({})
      .matchHeader('authorization', `Bearer ${API_KEY}`)
      .reply(200, { campaigns: [campaign(1, 1_710_000_000), campaign(2, 1_710_000_500, { id: '2', tags: 'nil' })] });
    const result = await readStreams([{ definition: campaigns }]);
    api.done();
    const records = result.records('campaigns');
    expect(records.map((r) => r.id)).toEqual([1, 2]);
    expect(records[1].tags).toBeNull();
    expectRecordsMatchSchema(campaigns, records);
    expect(result.statuses('campaigns')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  it('keeps only campaigns updated at or after the saved cursor and moves the cursor to the newest', async () => {
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [campaign(1, 1_710_000_000), campaign(2, 1_720_000_000), campaign(3, 1_715_000_000)] });
    const result = await readStreams([{ definition: campaigns, syncMode: 'incremental', state: { updated: 1_715_000_000, ids: [1, 2, 3] } }], { now: AFTER_FIXTURES });
    expect(result.records('campaigns').map((r) => r.id)).toEqual([2, 3]);
    expect(result.lastState('campaigns')).toEqual({ updated: 1_720_000_000, ids: [1, 2, 3], ids_cursor: 1_720_000_000 });
  });

  it('emits a record with only the id, the deletion time as `updated` and _ab_cdc_deleted_at for each campaign gone since the last read', async () => {
    nock(API).get('/v1/campaigns').reply(200, { campaigns: [campaign(1, 1_710_000_000)] });
    const now = Date.UTC(2024, 5, 1, 12);
    const result = await readStreams([{ definition: campaigns, syncMode: 'incremental', state: { updated: 1_710_000_000, ids: [1, 7, 9] } }], { now });
    const deleted = result.records('campaigns').filter((r) => r._ab_cdc_deleted_at);
    expect(deleted).toEqual([
      { id: 7, updated: now / 1000, _ab_cdc_deleted_at: new Date(now).toISOString() },
      { id: 9, updated: now / 1000, _ab_cdc_deleted_at: new Date(now).toISOString() },
    ]);
    expectRecordsMatchSchema(campaigns, deleted);
    expect(result.lastState('campaigns')?.ids).toEqual([1]);
  });

  it('remembers the ids on a first incremental read without reporting anything deleted', async () => {
    nock(API).get('/v1/campaigns').reply(200, { campaigns: [campaign(1, 1_710_000_000), campaign(2, 1_710_000_000)] });
    const result = await readStreams([{ definition: campaigns, syncMode: 'incremental' }]);
    expect(result.records('campaigns').filter((r) => '_ab_cdc_deleted_at' in r)).toEqual([]);
    expect(result.lastState('campaigns')).toEqual({ updated: 1_710_000_000, ids: [1, 2], ids_cursor: 1_710_000_000 });
  });
});

describe('campaign_actions', () => {
  it('reads every campaign, then each campaign\'s actions page by page, sending next back as start', async () => {
    const api = nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [campaign(1, 1_710_000_000), campaign(2, 1_710_000_000)] })
      .get('/v1/campaigns/1/actions')
      .query({})
      .reply(200, { actions: [action(11, 1, 1_710_000_100)], next: 'djIwOjE=' })
      .get('/v1/campaigns/1/actions')
      .query({ start: 'djIwOjE=' })
      .reply(200, { actions: [action('12', 1, 1_710_000_200)], next: '' })
      .get('/v1/campaigns/2/actions')
      .query({})
      .reply(200, { actions: [{ ...action(21, 2, 1_710_000_300), campaign_id: undefined }] });
    const result = await readStreams([{ definition: campaignActions }]);
    api.done();
    const records = result.records('campaign_actions');
    expect(records.map((r) => [r.campaign_id, r.id]).sort()).toEqual([
      [1, 11],
      [1, 12],
      [2, 21],
    ]);
    expectRecordsMatchSchema(campaignActions, records);
    // The parent is read for partitions only: it prints nothing of its own.
    expect(result.records('campaigns')).toEqual([]);
  });

  it('gives the integer fields one type: numeric text in parent_action_id, sender_identity_id and the like becomes an integer', async () => {
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [campaign(1, 1_710_000_000, { object_type_id: '3', webhook_id: 9, audience: { type: 1 } })] })
      .get('/v1/campaigns/1/actions')
      .reply(200, { actions: [{ ...action('12', 1, 1_710_000_100), parent_action_id: '11', sender_identity_id: '5', multi_language_branch_action_id: 7, tracked: true, body_plain: 'Hi' }] });
    const result = await readStreams([{ definition: campaigns }, { definition: campaignActions }]);
    const [record] = result.records('campaign_actions');
    expect(record).toMatchObject({ id: 12, parent_action_id: 11, sender_identity_id: 5, multi_language_branch_action_id: 7, tracked: true, body_plain: 'Hi' });
    expect(result.records('campaigns')[0]).toMatchObject({ object_type_id: 3, webhook_id: 9, audience: { type: 1 } });
    expectRecordsMatchSchema(campaignActions, [record]);
    expectRecordsMatchSchema(campaigns, result.records('campaigns'));
  });

  it('keeps one cursor per campaign, so an old campaign\'s cursor does not hide a newer campaign\'s edits', async () => {
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [campaign(1, 1_710_000_000), campaign(2, 1_710_000_000)] })
      .get('/v1/campaigns/1/actions')
      .reply(200, { actions: [action(11, 1, 1_700_000_000), action(12, 1, 1_720_000_000)] })
      .get('/v1/campaigns/2/actions')
      .reply(200, { actions: [action(21, 2, 1_700_000_500)] });
    const state = { partitions: { '1': { updated: 1_710_000_000 }, '2': { updated: 1_600_000_000 } } };
    const result = await readStreams([{ definition: campaignActions, syncMode: 'incremental', state }], { now: AFTER_FIXTURES });
    expect(result.records('campaign_actions').map((r) => r.id).sort()).toEqual([12, 21]);
    expect(result.lastState('campaign_actions')).toEqual({
      partitions: { '1': { updated: 1_720_000_000 }, '2': { updated: 1_700_000_500 } },
      // Each action with its campaign: where to look it up should a paged list not show it (engine/vanished.ts).
      ids: [[1, 11], [1, 12], [2, 21]],
      ids_cursor: 1_720_000_000,
    });
  });

  it('reports the actions of a campaign deleted since the last read, and a vanished action, as deleted', async () => {
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [campaign(2, 1_710_000_000)] })
      .get('/v1/campaigns/2/actions')
      .reply(200, { actions: [action(21, 2, 1_700_000_500)] });
    // Campaign 1 (actions 11, 12) is gone, and so is campaign 2's action 22 (a memory of plain ids, as written before
    // it named campaigns: each campaign's list was one page, so no action can have been skipped).
    const state = { partitions: { '1': { updated: 1_720_000_000 }, '2': { updated: 1_700_000_500 } }, ids: [11, 12, 21, 22] };
    const result = await readStreams([{ definition: campaignActions, syncMode: 'incremental', state }]);
    const deleted = result.records('campaign_actions').filter((r) => r._ab_cdc_deleted_at);
    expect(deleted.map((r) => r.id)).toEqual([11, 12, 22]);
    expect(Object.keys(deleted[0]).sort()).toEqual(['_ab_cdc_deleted_at', 'id', 'updated']);
    // Campaign 1's saved cursor is ahead of the run's clock: a deletion is never older than a cursor its row may hold.
    expect(deleted.map((r) => r.updated)).toEqual([1_720_000_000, 1_720_000_000, 1_720_000_000]);
    expectRecordsMatchSchema(campaignActions, deleted);
    expect(result.lastState('campaign_actions')?.ids).toEqual([[2, 21]]);
  });

  it('skips a campaign deleted between the list and its actions (404) and reads the others', async () => {
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [campaign(1, 1_710_000_000), campaign(2, 1_710_000_000)] })
      .get('/v1/campaigns/1/actions')
      .reply(404, { errors: [{ detail: 'campaign not found', status: '404' }] })
      .get('/v1/campaigns/2/actions')
      .reply(200, { actions: [action(21, 2, 1_710_000_000)] });
    const result = await readStreams([{ definition: campaignActions }]);
    expect(result.records('campaign_actions').map((r) => r.id)).toEqual([21]);
    expect(result.statuses('campaign_actions').at(-1)).toBe('COMPLETE');
    expect(result.logs('WARN').join('\n')).toMatch(/skipped 1/);
  });
});
