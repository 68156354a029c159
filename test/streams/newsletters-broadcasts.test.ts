/** newsletters, newsletter_variants, broadcasts and broadcast_actions against nock. */
import nock from 'nock';
import { newsletters, newsletterVariants } from '../../src/customerio/streams/newsletters.js';
import { broadcasts, broadcastActions } from '../../src/customerio/streams/broadcasts.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

/** A run after its fixtures (the newest is 2024-07-03): a record ahead of the run's clock would not move the cursor. */
const AFTER_FIXTURES = Date.UTC(2024, 6, 10);

const newsletter = (id: number, updated: number) => ({
  id,
  deduplicate_id: `${id}:${updated}`,
  name: `Weekly ${id}`,
  type: 'email',
  content_ids: [id * 10, id * 10 + 1],
  sent_at: updated,
  created: 1_700_000_000,
  updated,
  recipient_segment_ids: [42],
  tags: ['Product Updates'],
});

const variant = (id: number, newsletterId: number) => ({
  id,
  newsletter_id: newsletterId,
  deduplicate_id: `${id}:1700000000`,
  name: `variant ${id}`,
  layout: '<html><body>{{ content }}</body></html>',
  body: '<strong>Hello</strong>',
  language: 'fr',
  type: 'email',
  from_id: 1,
  reply_to_id: 38,
  subject: 'Hi',
  fake_bcc: false,
});

const broadcast = (id: number, updated: number) => ({
  id,
  deduplicate_id: `${id}:${updated}`,
  created: 1_700_000_000,
  type: 'triggered_broadcast',
  updated,
  name: `broadcast ${id}`,
  active: true,
  state: 'running',
  actions: [{ id: id * 10, type: 'email' }, { id: id * 10 + 1 }, { type: 'webhook' }],
  tags: 'nil',
  first_started: 1_700_000_000,
  created_by: 'ExamplePerson',
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('newsletters', () => {
  it('pages with limit=100 and start=<next>, stopping when next is missing', async () => {
    const api = nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [newsletter(1, 1_710_000_000)], next: 'MDox' })
      .get('/v1/newsletters')
      .query({ limit: '100', start: 'MDox' })
      .reply(200, { newsletters: [newsletter(2, 1_710_000_100)] });
    const result = await readStreams([{ definition: newsletters }]);
    api.done();
    const records = result.records('newsletters');
    expect(records.map((r) => r.id)).toEqual([1, 2]);
    expectRecordsMatchSchema(newsletters, records);
  });

  it('stops on an empty page even when the API still sends a next token', async () => {
    const api = nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [], next: 'MDoy' });
    const result = await readStreams([{ definition: newsletters }]);
    api.done();
    expect(result.records('newsletters')).toEqual([]);
    expect(result.statuses('newsletters').at(-1)).toBe('COMPLETE');
  });

  it('reports newsletters deleted since the last incremental read', async () => {
    nock(API).get('/v1/newsletters').query(true).reply(200, { newsletters: [newsletter(1, 1_710_000_000)] });
    const result = await readStreams([{ definition: newsletters, syncMode: 'incremental', state: { updated: 1_710_000_000, ids: [1, 2] } }]);
    expect(result.records('newsletters').map((r) => [r.id, typeof r._ab_cdc_deleted_at])).toEqual([
      [1, 'undefined'],
      [2, 'string'],
    ]);
  });
});

describe('newsletter_variants', () => {
  it('asks /v1/newsletters/{id}/contents for each newsletter and keys variants by newsletter and id', async () => {
    const api = nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [newsletter(1, 1_710_000_000), newsletter(2, 1_710_000_000)] })
      .get('/v1/newsletters/1/contents')
      .query({})
      .reply(200, { contents: [variant(10, 1), variant(11, 1)] })
      .get('/v1/newsletters/2/contents')
      .query({})
      .reply(200, { contents: [{ ...variant(20, 2), newsletter_id: undefined }] });
    const result = await readStreams([{ definition: newsletterVariants }]);
    api.done();
    const records = result.records('newsletter_variants');
    expect(records.map((r) => [r.newsletter_id, r.id]).sort()).toEqual([
      [1, 10],
      [1, 11],
      [2, 20],
    ]);
    expectRecordsMatchSchema(newsletterVariants, records);
  });
});

describe('broadcasts', () => {
  it('asks GET /v1/broadcasts once and reads the documented "tags": "nil" as no tags', async () => {
    const api = nock(API).get('/v1/broadcasts').query({}).reply(200, { broadcasts: [broadcast(2, 1_710_000_000)] });
    const result = await readStreams([{ definition: broadcasts }]);
    api.done();
    const [record] = result.records('broadcasts');
    expect(record).toMatchObject({ id: 2, tags: null, name: 'broadcast 2' });
    expectRecordsMatchSchema(broadcasts, [record]);
  });
});

describe('broadcast_actions', () => {
  it('reads each broadcast\'s actions, fills a missing broadcast_id from the parent, and keeps a cursor per broadcast', async () => {
    const api = nock(API)
      .get('/v1/broadcasts')
      .reply(200, { broadcasts: [broadcast(2, 1_710_000_000), broadcast(3, 1_710_000_000)] })
      .get('/v1/broadcasts/2/actions')
      .query({})
      .reply(200, { actions: [{ id: 96, broadcast_id: 2, name: 'Opening', type: 'email', created: 1_700_000_000, updated: 1_700_000_000 }] })
      .get('/v1/broadcasts/3/actions')
      .query({})
      .reply(200, { actions: [{ id: '97', name: 'Reminder', type: 'email', created: 1_700_000_000, updated: 1_720_000_000 }] });
    const state = { partitions: { '2': { updated: 1_710_000_000 } } };
    const result = await readStreams([{ definition: broadcastActions, syncMode: 'incremental', state }], { now: AFTER_FIXTURES });
    api.done();
    const records = result.records('broadcast_actions');
    // Broadcast 2's only action is older than its cursor; broadcast 3 has no cursor yet.
    expect(records).toEqual([expect.objectContaining({ id: 97, broadcast_id: 3 })]);
    expectRecordsMatchSchema(broadcastActions, records);
    expect(result.lastState('broadcast_actions')).toEqual({
      partitions: { '2': { updated: 1_710_000_000 }, '3': { updated: 1_720_000_000 } },
      ids: [[2, 96], [3, 97]],
      ids_cursor: 1_720_000_000,
    });
  });

  it('reports a vanished action by its whole key (broadcast_id and id) as deleted', async () => {
    nock(API)
      .get('/v1/broadcasts')
      .reply(200, { broadcasts: [broadcast(2, 1_710_000_000)] })
      .get('/v1/broadcasts/2/actions')
      .query({})
      .reply(200, { actions: [{ id: 96, broadcast_id: 2, name: 'Opening', type: 'email', created: 1_700_000_000, updated: 1_700_000_000 }] });
    const state = { partitions: { '2': { updated: 1_710_000_000 } }, ids: [[2, 96], [3, 97]] };
    const result = await readStreams([{ definition: broadcastActions, syncMode: 'incremental', state }]);
    const deleted = result.records('broadcast_actions').filter((r) => r._ab_cdc_deleted_at);
    expect(deleted).toEqual([{ broadcast_id: 3, id: 97, updated: 1_717_200_000, _ab_cdc_deleted_at: '2024-06-01T00:00:00.000Z' }]);
    expectRecordsMatchSchema(broadcastActions, deleted);
  });
});
