/** activities and activities_<type> against nock: requests, paging, options, newest-first checkpoints, record shape. */
import nock from 'nock';
import { parseConfig } from '../../src/config.js';
import { activities, perTypeActivityStreams } from '../../src/customerio/streams/activities.js';
import { streamsFor } from '../../src/customerio/streams/index.js';
import { API, API_KEY, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

/** 2024-06-01T00:00:00Z, the harness's clock, in unix seconds. */
const NOW = 1_717_200_000;
const HOUR = 3600;

const activity = (n: number, timestamp: number, extra: Record<string, unknown> = {}) => ({
  id: `01HZ${String(n).padStart(6, '0')}`,
  type: 'event',
  name: 'purchase',
  timestamp,
  customer_id: '42',
  customer_identifiers: { id: '42', email: 'p42@example.com', cio_id: 'a3000042' },
  delivery_id: null,
  delivery_type: null,
  url: null,
  data: { amount: 12, items: [{ sku: 'x' }] },
  ...extra,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('activities', () => {
  it('pages GET /v1/activities with limit=100, sending next back as start, and emits every activity', async () => {
    const api = nock(API)
      .get('/v1/activities')
      .query({ limit: '100', deleted: 'true' })
      .matchHeader('authorization', `Bearer ${API_KEY}`)
      .reply(200, { activities: [activity(3, NOW - 10), activity(2, NOW - 20)], next: 'djIwOjI=' })
      .get('/v1/activities')
      .query({ limit: '100', start: 'djIwOjI=', deleted: 'true' })
      .reply(200, { activities: [activity(1, NOW - 30)], next: '' });
    const result = await readStreams([{ definition: activities }]);
    api.done();
    const records = result.records('activities');
    expect(records.map((r) => r.id)).toEqual(['01HZ000003', '01HZ000002', '01HZ000001']);
    expect(records[0]).toMatchObject({ data: { amount: 12, items: [{ sku: 'x' }] }, customer_identifiers: { cio_id: 'a3000042' } });
    expectRecordsMatchSchema(activities, records);
    expect(result.statuses('activities')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  it('leaves deleted out of every request when activities_include_deleted is off', async () => {
    const api = nock(API).get('/v1/activities').query({ limit: '100' }).reply(200, { activities: [activity(1, NOW - 10)] });
    const result = await readStreams([{ definition: activities }], { config: { activities_include_deleted: false } });
    api.done();
    expect(result.records('activities')).toHaveLength(1);
  });

  it('reads one request sequence per listed type, with deleted=true when activities_include_deleted is on', async () => {
    const api = nock(API)
      .get('/v1/activities')
      .query({ limit: '100', type: 'event', deleted: 'true' })
      .reply(200, { activities: [activity(1, NOW - 10)] })
      .get('/v1/activities')
      .query({ limit: '100', type: 'sent_email', deleted: 'true' })
      .reply(200, { activities: [activity(2, NOW - 10, { type: 'sent_email', delivery_id: 'dlv1', delivery_type: 'email' })] });
    const result = await readStreams([{ definition: activities }], {
      config: { activity_types: ['event', 'sent_email'], activities_include_deleted: true },
    });
    api.done();
    expect(result.records('activities').map((r) => r.type).sort()).toEqual(['event', 'sent_email']);
  });

  it('gives every field one type: numeric ids as strings, a string timestamp as an integer, a bare data value wrapped', async () => {
    nock(API)
      .get('/v1/activities')
      .query(true)
      .reply(200, {
        activities: [
          activity(1, NOW - 10, { customer_id: 42, timestamp: String(NOW - 10), customer_identifiers: { id: 42, email: null, cio_id: 'a1' }, data: 'text' }),
          activity(2, NOW - 20, { data: null, customer_identifiers: null }),
        ],
      });
    const records = (await readStreams([{ definition: activities }])).records('activities');
    expect(records[0]).toMatchObject({ customer_id: '42', timestamp: NOW - 10, customer_identifiers: { id: '42', email: null, cio_id: 'a1' }, data: { value: 'text' } });
    expect(records[1]).toMatchObject({ data: null, customer_identifiers: null });
    expectRecordsMatchSchema(activities, records);
  });

  it('treats {"activities": null} as an empty page and ends the pass even when next is set', async () => {
    const api = nock(API).get('/v1/activities').query(true).reply(200, { activities: null, next: 'djIwOjk=' });
    const result = await readStreams([{ definition: activities }]);
    api.done();
    expect(result.records('activities')).toEqual([]);
    expect(result.statuses('activities')).toContain('COMPLETE');
  });

  it('stops paging once a whole page is older than cursor − 1 hour and keeps only records at or after that bound', async () => {
    const cursor = NOW - 10 * HOUR;
    const api = nock(API)
      .get('/v1/activities')
      .query({ limit: '100', deleted: 'true' })
      // A page with a record older than the bound and one inside it does not end the pass.
      .reply(200, { activities: [activity(5, NOW - HOUR), activity(3, cursor - HOUR / 2), activity(4, cursor - 2 * HOUR)], next: 'p2' })
      .get('/v1/activities')
      .query({ limit: '100', start: 'p2', deleted: 'true' })
      .reply(200, { activities: [activity(2, cursor - 2 * HOUR), activity(1, cursor - 3 * HOUR)], next: 'p3' });
    // No p3 is defined: asking for it would fail the stream.
    const result = await readStreams([{ definition: activities, syncMode: 'incremental', state: { partitions: { all: { timestamp: cursor } } } }]);
    api.done();
    expect(result.records('activities').map((r) => r.id)).toEqual(['01HZ000005', '01HZ000003']);
    expect(result.statuses('activities')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(result.lastState('activities')).toEqual({ partitions: { all: { timestamp: NOW - HOUR } } });
  });

  it.each<[string, number[][]]>([
    // Oldest first: the first page is wholly older than the bound, yet the newer activities come after it.
    ['oldest first', [[-5, -4], [-3, -2], [2, 3]]],
    ['in no order', [[2, -5], [-4, -3], [3, -2]]],
    ['newest first within pages, but a later page newer', [[5, -2], [6, 4], [-3, -4]]],
  ])('reads a pass listed %s to its end, saying once that the order was not newest first', async (_order, pages) => {
    const cursor = NOW - 10 * HOUR;
    const at = (h: number) => cursor + h * HOUR;
    const scope = nock(API);
    pages.forEach((hours, i) => {
      scope
        .get('/v1/activities')
        .query(i === 0 ? { limit: '100', deleted: 'true' } : { limit: '100', start: `p${i}`, deleted: 'true' })
        .reply(200, { activities: hours.map((h) => activity(100 + h, at(h))), next: i < pages.length - 1 ? `p${i + 1}` : '' });
    });
    const result = await readStreams([{ definition: activities, syncMode: 'incremental', state: { partitions: { all: { timestamp: cursor } } } }]);
    scope.done();
    // Everything at or after cursor − 1 hour, wherever it was listed.
    const wanted = pages.flat().filter((h) => h >= -1);
    expect(result.records('activities').map((r) => r.timestamp).sort()).toEqual(wanted.map(at).sort());
    expect(result.lastState('activities')).toEqual({ partitions: { all: { timestamp: at(Math.max(...wanted)) } } });
    expect(result.logs('WARN')).toEqual([expect.stringMatching(/^activities: the API did not list activities newest first \(all: timestamp \d+ came after \d+\); passes out of that order are read to their end/)]);
  });

  it('stops early and says nothing of the order while a pass is listed newest first', async () => {
    const cursor = NOW - 10 * HOUR;
    nock(API)
      .get('/v1/activities')
      .query({ limit: '100', deleted: 'true' })
      .reply(200, { activities: [activity(3, cursor + 3 * HOUR), activity(2, cursor - 2 * HOUR)], next: 'p1' })
      .get('/v1/activities')
      .query({ limit: '100', start: 'p1', deleted: 'true' })
      .reply(200, { activities: [activity(1, cursor - 2 * HOUR), activity(0, cursor - 5 * HOUR)], next: 'p2' });
    // No p2: asking for it would fail the stream.
    const result = await readStreams([{ definition: activities, syncMode: 'incremental', state: { partitions: { all: { timestamp: cursor } } } }]);
    expect(result.statuses('activities').at(-1)).toBe('COMPLETE');
    expect(result.logs('WARN')).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['the default hour', {}, ['01HZ000003', '01HZ000002']],
    ['activities_lookback_hours: 6', { activities_lookback_hours: 6 }, ['01HZ000003', '01HZ000002', '01HZ000001']],
    ['activities_lookback_hours: 0', { activities_lookback_hours: 0 }, ['01HZ000003']],
  ])('re-reads %s before the cursor, for activities that reach Customer.io late', async (_what, options, ids) => {
    const cursor = NOW - 10 * HOUR;
    nock(API)
      .get('/v1/activities')
      .query({ limit: '100', deleted: 'true' })
      .reply(200, { activities: [activity(3, cursor + HOUR), activity(2, cursor - HOUR / 2), activity(1, cursor - 5 * HOUR)], next: '' });
    const result = await readStreams([{ definition: activities, syncMode: 'incremental', state: { partitions: { all: { timestamp: cursor } } } }], { config: options });
    expect(result.records('activities').map((r) => r.id)).toEqual(ids);
  });

  it('keeps the old cursor in every checkpoint until the pass is done, so a read that fails mid-pass resumes without a gap', async () => {
    const cursor = NOW - 10 * HOUR;
    const state = { partitions: { all: { timestamp: cursor } } };
    nock(API)
      .get('/v1/activities')
      .query({ limit: '100', deleted: 'true' })
      .reply(200, { activities: [activity(9, NOW - HOUR), activity(8, NOW - 2 * HOUR)], next: 'p2' })
      .get('/v1/activities')
      .query({ limit: '100', start: 'p2', deleted: 'true' })
      .reply(400, { errors: [{ detail: 'boom', status: '400' }] });
    const failed = await readStreams([{ definition: activities, syncMode: 'incremental', state }]);
    expect(failed.records('activities').map((r) => r.id)).toEqual(['01HZ000009', '01HZ000008']);
    expect(failed.statuses('activities')).toContain('INCOMPLETE');
    // The newest value seen (NOW − 1h) is not promoted: the older records of this pass were never read.
    expect(failed.lastState('activities')).toEqual(state);

    nock(API)
      .get('/v1/activities')
      .query({ limit: '100', deleted: 'true' })
      .reply(200, { activities: [activity(9, NOW - HOUR), activity(8, NOW - 2 * HOUR)], next: 'p2' })
      .get('/v1/activities')
      .query({ limit: '100', start: 'p2', deleted: 'true' })
      .reply(200, { activities: [activity(7, cursor + HOUR), activity(6, cursor - 5 * HOUR)] });
    const resumed = await readStreams([{ definition: activities, syncMode: 'incremental', state: failed.lastState('activities') }]);
    expect(resumed.records('activities').map((r) => r.id)).toContain('01HZ000007');
    expect(resumed.lastState('activities')).toEqual({ partitions: { all: { timestamp: NOW - HOUR } } });
  });

  it('keeps one cursor per listed type, so a busy type does not hide a quiet one', async () => {
    nock(API)
      .get('/v1/activities')
      .query({ limit: '100', type: 'event', deleted: 'true' })
      .reply(200, { activities: [activity(1, NOW - HOUR)] })
      .get('/v1/activities')
      .query({ limit: '100', type: 'page', deleted: 'true' })
      .reply(200, { activities: [activity(2, NOW - 30 * HOUR, { type: 'page' })] });
    const state = { partitions: { 'type=event': { timestamp: NOW - 2 * HOUR }, 'type=page': { timestamp: NOW - 40 * HOUR } } };
    const result = await readStreams([{ definition: activities, syncMode: 'incremental', state }], { config: { activity_types: ['event', 'page'] } });
    expect(result.records('activities').map((r) => r.id).sort()).toEqual(['01HZ000001', '01HZ000002']);
    expect(result.lastState('activities')).toEqual({ partitions: { 'type=event': { timestamp: NOW - HOUR }, 'type=page': { timestamp: NOW - 30 * HOUR } } });
  });

  it('starts a first incremental read at start_date and says when start_date is older than the 30 days the API keeps', async () => {
    nock(API)
      .get('/v1/activities')
      .query(true)
      .reply(200, { activities: [activity(2, NOW - 5 * 86_400), activity(1, NOW - 100 * 86_400)] });
    const result = await readStreams([{ definition: activities, syncMode: 'incremental' }], { config: { start_date: '2024-03-01T00:00:00Z' } });
    expect(result.records('activities').map((r) => r.id)).toEqual(['01HZ000002']);
    expect(result.logs('WARN').join('\n')).toMatch(/start_date 2024-03-01T00:00:00.000Z is older than the 30 days/);

    nock(API).get('/v1/activities').query(true).reply(200, { activities: [] });
    const recent = await readStreams([{ definition: activities, syncMode: 'incremental' }], { config: { start_date: '2024-05-20T00:00:00Z' } });
    expect(recent.logs('WARN').join('\n')).not.toMatch(/30 days/);
  });
});

describe('activities_<type> (activity_parsing: per_type)', () => {
  it('exists only with per_type, one stream per listed type, beside the single activities table', () => {
    const names = (raw: Record<string, unknown>) => streamsFor(parseConfig({ app_api_key: API_KEY, ...raw })).map((s) => s.name).filter((n) => n.startsWith('activities'));
    expect(names({ activity_types: ['event'] })).toEqual(['activities']);
    expect(names({ activity_parsing: 'per_type', activity_types: ['event', 'attribute_change', 'Event'] })).toEqual(['activities', 'activities_event', 'activities_attribute_change']);
  });

  it('flattens data into data_<key> columns, nested values kept as JSON', async () => {
    const config = parseConfig({ app_api_key: API_KEY, activity_parsing: 'per_type', activity_types: ['attribute_change'] });
    const [stream] = perTypeActivityStreams(config);
    const api = nock(API)
      .get('/v1/activities')
      .query({ limit: '100', type: 'attribute_change', deleted: 'true' })
      .reply(200, { activities: [activity(1, NOW - 10, { type: 'attribute_change', data: { plan: { from: 'free', to: 'pro' }, seats: 3 } })] });
    const result = await readStreams([{ definition: stream }], { config: { activity_parsing: 'per_type', activity_types: ['attribute_change'] } });
    api.done();
    const [record] = result.records('activities_attribute_change');
    expect(record.data_plan).toEqual({ from: 'free', to: 'pro' });
    expect(record.data_seats).toBe(3);
    expect(record).not.toHaveProperty('data');
    expectRecordsMatchSchema(stream, [record]);
    expect(stream.jsonSchema?.properties).not.toHaveProperty('data');
  });

  it('declares the data keys known for its type, so typed destinations make columns of them, and keeps the others', async () => {
    const config = { activity_parsing: 'per_type', activity_types: ['sent_email', 'attribute_change'] };
    const [sent, changes] = perTypeActivityStreams(parseConfig({ app_api_key: API_KEY, ...config }));
    expect(Object.keys(sent.jsonSchema?.properties as object).filter((k) => k.startsWith('data_'))).toEqual(['data_delivery_id', 'data_delivered', 'data_opened', 'data_sent']);
    expect(Object.keys(changes.jsonSchema?.properties as object).filter((k) => k.startsWith('data_'))).toEqual([]);
    expect(sent.jsonSchema?.additionalProperties).toBe(true);

    const api = nock(API)
      .get('/v1/activities')
      .query({ limit: '100', type: 'sent_email', deleted: 'true' })
      .reply(200, {
        activities: [
          // As our model answers (the time of the verb), and as the OpenAPI documents the message shape (opened a flag).
          activity(2, NOW - 10, { type: 'sent_email', data: { delivery_id: 'dlv-2', sent: NOW - 10, subject_line: 'Hi' } }),
          activity(1, NOW - 20, { type: 'sent_email', data: { delivery_id: 991, delivered: null, opened: false } }),
        ],
      });
    const result = await readStreams([{ definition: sent }], { config });
    api.done();
    expect(result.logs('WARN')).toEqual([]);
    const [model, documented] = result.records('activities_sent_email');
    expect(model).toMatchObject({ data_delivery_id: 'dlv-2', data_sent: NOW - 10, data_subject_line: 'Hi' });
    expect(documented).toMatchObject({ data_delivery_id: '991', data_delivered: null, data_opened: false });
    expectRecordsMatchSchema(sent, [model, documented]);
  });
});
