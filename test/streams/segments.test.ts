/** segments, segment_memberships and segment_usage against nock. */
import nock from 'nock';
import { segments, segmentMemberships, segmentUsage } from '../../src/customerio/streams/segments.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

/** A run after its fixtures (the newest is 2024-07-03): a record ahead of the run's clock would not move the cursor. */
const AFTER_FIXTURES = Date.UTC(2024, 6, 10);

const segment = (id: number, updatedAt: number) => ({
  id,
  deduplicate_id: `${id}:${updatedAt}`,
  name: `Segment ${id}`,
  description: 'people who did a thing',
  state: 'finished',
  progress: null,
  type: 'dynamic',
  tags: null,
  created_at: 1_700_000_000,
  updated_at: updatedAt,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('segments', () => {
  it('asks GET /v1/segments once and keeps segments updated since the cursor', async () => {
    const api = nock(API)
      .get('/v1/segments')
      .query({})
      .reply(200, { segments: [segment(1, 1_700_000_000), segment(2, 1_720_000_000)] });
    const result = await readStreams([{ definition: segments, syncMode: 'incremental', state: { updated_at: 1_710_000_000 } }], { now: AFTER_FIXTURES });
    api.done();
    const records = result.records('segments');
    expect(records.map((r) => r.id)).toEqual([2]);
    expectRecordsMatchSchema(segments, records);
    expect(result.lastState('segments')).toEqual({ updated_at: 1_720_000_000, ids: [1, 2], ids_cursor: 1_720_000_000 });
  });

  it('reports a segment deleted since the last incremental read', async () => {
    nock(API).get('/v1/segments').reply(200, { segments: [segment(1, 1_700_000_000)] });
    const result = await readStreams([{ definition: segments, syncMode: 'incremental', state: { updated_at: 1_700_000_000, ids: [1, 5] } }]);
    const deleted = result.records('segments').filter((r) => r._ab_cdc_deleted_at);
    expect(deleted.map((r) => Object.keys(r).sort())).toEqual([['_ab_cdc_deleted_at', 'id', 'updated_at']]);
    expect(deleted[0].id).toBe(5);
    expectRecordsMatchSchema(segments, deleted);
  });
});

describe('segment_memberships', () => {
  it('pages each segment\'s membership with limit=30000 and start=<next>, one record per identifier', async () => {
    const api = nock(API)
      .get('/v1/segments')
      .reply(200, { segments: [segment(4, 1_700_000_000)] })
      // A membership of two pages is read twice (engine/reread.ts: a member moved past every page by one leaving).
      .get('/v1/segments/4/membership')
      .query({ limit: '30000' })
      .times(2)
      .reply(200, {
        identifiers: [
          { cio_id: 'a3000001', email: 'one@example.com', id: '1' },
          { cio_id: 'a3000002', email: null, id: 2 },
        ],
        ids: ['1', '2'],
        next: 'MDoy',
      })
      .get('/v1/segments/4/membership')
      .query({ limit: '30000', start: 'MDoy' })
      .times(2)
      .reply(200, { identifiers: [{ cio_id: 'a3000003', email: 'three@example.com', id: '' }], ids: [''], next: '' });
    const result = await readStreams([{ definition: segmentMemberships }]);
    api.done();
    const records = result.records('segment_memberships');
    expect(records).toEqual([
      { segment_id: 4, cio_id: 'a3000001', id: '1', email: 'one@example.com' },
      { segment_id: 4, cio_id: 'a3000002', id: '2', email: null },
      // `ids` holds "" for people without an id: null, not an empty string.
      { segment_id: 4, cio_id: 'a3000003', id: null, email: 'three@example.com' },
    ]);
    expectRecordsMatchSchema(segmentMemberships, records);
  });
});

describe('segment_usage', () => {
  it('asks GET /v1/segments/{id}/used_by once per segment and emits one record each, keyed by the segment asked for', async () => {
    const api = nock(API)
      .get('/v1/segments')
      .reply(200, { segments: [segment(7, 1_700_000_000), segment(9, 1_700_000_000)] })
      // The documented answer: segment_id beside used_by.
      .get('/v1/segments/7/used_by')
      .query({})
      .reply(200, { segment_id: 7, used_by: { campaigns: [1, '3'], sent_newsletters: [2], draft_newsletters: [] } })
      // segment_id inside used_by (as Airbyte's fixtures have it), and lists the documentation does not name.
      .get('/v1/segments/9/used_by')
      .query({})
      .reply(200, { used_by: { segment_id: 9, campaigns: [], sent_newsletters: [], draft_newsletters: [4], broadcasts: [6], referencing_segments: ['7'] } });
    const result = await readStreams([{ definition: segmentUsage }]);
    api.done();
    const records = result.records('segment_usage');
    expect(records).toEqual([
      { segment_id: 7, campaigns: [1, 3], sent_newsletters: [2], draft_newsletters: [] },
      { segment_id: 9, campaigns: [], sent_newsletters: [], draft_newsletters: [4], broadcasts: [6], referencing_segments: [7] },
    ]);
    expectRecordsMatchSchema(segmentUsage, records);
    expect(result.statuses('segment_usage')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  it('skips a segment deleted after the list was read (404) with a WARN, and completes', async () => {
    nock(API)
      .get('/v1/segments')
      .reply(200, { segments: [segment(1, 1_700_000_000), segment(2, 1_700_000_000)] })
      .get('/v1/segments/1/used_by')
      .reply(404, { errors: [{ detail: 'not found', status: '404' }] })
      .get('/v1/segments/2/used_by')
      .reply(200, { segment_id: 2, used_by: { campaigns: [5], sent_newsletters: [], draft_newsletters: [] } });
    const result = await readStreams([{ definition: segmentUsage }]);
    expect(result.records('segment_usage').map((r) => r.segment_id)).toEqual([2]);
    expect(result.errors).toEqual([]);
    expect(result.logs('WARN').some((m) => /segment_usage: skipped 1 /.test(m))).toBe(true);
    expect(result.statuses('segment_usage').at(-1)).toBe('COMPLETE');
  });

  it('emits nothing for an answer without a used_by object', async () => {
    nock(API).get('/v1/segments').reply(200, { segments: [segment(3, 1_700_000_000)] }).get('/v1/segments/3/used_by').reply(200, { segment_id: 3 });
    const result = await readStreams([{ definition: segmentUsage }]);
    expect(result.records('segment_usage')).toEqual([]);
    expect(result.statuses('segment_usage').at(-1)).toBe('COMPLETE');
  });

  it('reads segments and their usage from one GET /v1/segments when both are selected', async () => {
    const api = nock(API)
      .get('/v1/segments')
      .once()
      .reply(200, { segments: [segment(4, 1_700_000_000)] })
      .get('/v1/segments/4/used_by')
      .reply(200, { segment_id: 4, used_by: { campaigns: [], sent_newsletters: [], draft_newsletters: [] } });
    const result = await readStreams([{ definition: segments }, { definition: segmentUsage }]);
    api.done();
    expect(result.records('segments').map((r) => r.id)).toEqual([4]);
    expect(result.records('segment_usage').map((r) => r.segment_id)).toEqual([4]);
  });
});
