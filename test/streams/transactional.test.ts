/** transactional_messages, transactional_metrics, transactional_message_details and transactional_message_contents against nock. */
import nock from 'nock';
import { transactionalMessageContents, transactionalMessages, transactionalMessageDetails, transactionalMetrics } from '../../src/customerio/streams/transactional.js';
import { API, API_KEY, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

/** 2024-06-01T00:00:00Z (the harness's clock) = 2024-05-31 20:00 in New York. */
const NOW = 1_717_200_000;
const DAY = 86_400;

const template = (id: number | string, updatedAt: number | string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `template ${id}`,
  description: 'password reset',
  send_to_unsubscribed: true,
  link_tracking: true,
  open_tracking: true,
  hide_message_body: false,
  queue_drafts: false,
  created_at: NOW - 45 * DAY,
  updated_at: updatedAt,
  ...extra,
});

const delivery = (n: number, created: number, extra: Record<string, unknown> = {}) => ({
  id: `dlv${n}`,
  deduplicate_id: `dlv${n}:${created}`,
  created,
  customer_id: '42',
  customer_identifiers: { id: '42', email: 'p42@example.com', cio_id: 'a3000042' },
  recipient: 'p42@example.com',
  subject: 'Reset your password',
  type: 'email',
  action_id: null,
  parent_action_id: null,
  campaign_id: null,
  broadcast_id: null,
  newsletter_id: null,
  content_id: null,
  transactional_id: 2,
  trigger_event_id: null,
  failure_message: null,
  forgotten: false,
  msg_template_id: 77,
  metrics: { sent: created + 1, delivered: created + 5, opened: created + 600 },
  ...extra,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('transactional_messages', () => {
  it('reads GET /v1/transactional once and emits the list found under messages', async () => {
    const api = nock(API)
      .get('/v1/transactional')
      .query({})
      .matchHeader('authorization', `Bearer ${API_KEY}`)
      .reply(200, { messages: [template(2, NOW - DAY), template('3', String(NOW - 2 * DAY))] });
    const result = await readStreams([{ definition: transactionalMessages }]);
    api.done();
    const records = result.records('transactional_messages');
    expect(records.map((r) => [r.id, r.updated_at])).toEqual([
      [2, NOW - DAY],
      [3, NOW - 2 * DAY],
    ]);
    expectRecordsMatchSchema(transactionalMessages, records);
  });

  it('keeps templates updated at or after cursor − 1 hour and reports the ones that vanished', async () => {
    nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW - 10 * DAY), template(3, NOW - DAY - 1800), template(4, NOW)] });
    const state = { updated_at: NOW - DAY, ids: [2, 3, 4, 5] };
    const result = await readStreams([{ definition: transactionalMessages, syncMode: 'incremental', state }]);
    const records = result.records('transactional_messages');
    expect(records.filter((r) => !r._ab_cdc_deleted_at).map((r) => r.id)).toEqual([3, 4]);
    expect(records.filter((r) => r._ab_cdc_deleted_at)).toEqual([{ id: 5, updated_at: NOW, _ab_cdc_deleted_at: new Date(NOW * 1000).toISOString() }]);
    expectRecordsMatchSchema(transactionalMessages, records);
    // The cursor stays before the pass began (no Date header here: the run's clock less 5 minutes of skew and the
    // 5-minute margin); ids_cursor is the newest a destination holds.
    expect(result.lastState('transactional_messages')).toEqual({ updated_at: NOW - 600, ids: [2, 3, 4], ids_cursor: NOW });
  });
});

describe('transactional_metrics', () => {
  const series = (n: number, base: number) => Array.from({ length: n }, (_, i) => base + i);

  it('asks each template for period=days&steps=45 and emits one record per template per New York day', async () => {
    const api = nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW), template(5, NOW)] })
      .get('/v1/transactional/2/metrics')
      .query({ period: 'days', steps: '45' })
      .reply(200, { metric: { series: { sent: series(45, 100), opened: series(45, 10), tracking_consent_granted: series(45, 0), brand_new: series(45, 1) } } })
      .get('/v1/transactional/5/metrics')
      .query({ period: 'days', steps: '45' })
      .reply(200, { metric: { series: { sent: series(3, 7) } } });
    const result = await readStreams([{ definition: transactionalMetrics }]);
    api.done();
    const records = result.records('transactional_metrics');
    const ofTwo = records.filter((r) => r.transactional_id === 2);
    expect(ofTwo).toHaveLength(45);
    // The harness's clock is 2024-05-31 20:00 in New York: that day is the current (last) bucket.
    expect(ofTwo.at(-1)).toEqual({ transactional_id: 2, period: 'days', period_start: '2024-05-31T00:00:00-04:00', sent: 144, opened: 54, tracking_consent_granted: 44, brand_new: 45 });
    expect(ofTwo[0].period_start).toBe('2024-04-17T00:00:00-04:00');
    expect(records.filter((r) => r.transactional_id === 5).map((r) => [r.period_start, r.sent])).toEqual([
      ['2024-05-29T00:00:00-04:00', 7],
      ['2024-05-30T00:00:00-04:00', 8],
      ['2024-05-31T00:00:00-04:00', 9],
    ]);
    expectRecordsMatchSchema(transactionalMetrics, records);
    // The templates are read as partitions only.
    expect(result.records('transactional_messages')).toEqual([]);
  });

  it('uses metrics_period and metrics_steps, and reads no more than the API maximum, saying so', async () => {
    const api = nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW)] })
      .get('/v1/transactional/2/metrics')
      .query({ period: 'hours', steps: '6' })
      .reply(200, { metric: { series: { sent: series(6, 0) } } });
    const hourly = await readStreams([{ definition: transactionalMetrics }], { config: { metrics_period: 'hours', metrics_steps: 6 } });
    api.done();
    expect(hourly.records('transactional_metrics').map((r) => r.period_start)).toEqual([
      '2024-05-31T15:00:00-04:00',
      '2024-05-31T16:00:00-04:00',
      '2024-05-31T17:00:00-04:00',
      '2024-05-31T18:00:00-04:00',
      '2024-05-31T19:00:00-04:00',
      '2024-05-31T20:00:00-04:00',
    ]);

    const capped = nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW)] })
      .get('/v1/transactional/2/metrics')
      .query({ period: 'weeks', steps: '12' })
      .reply(200, { metric: { series: { sent: [1] } } });
    const weekly = await readStreams([{ definition: transactionalMetrics }], { config: { metrics_period: 'weeks', metrics_steps: 50 } });
    capped.done();
    expect(weekly.records('transactional_metrics')[0]).toMatchObject({ period: 'weeks', period_start: '2024-05-26T00:00:00-04:00', sent: 1 });
    expect(weekly.logs('WARN').join('\n')).toMatch(/metrics_steps 50 is more than the API answers for weeks \(12\)/);
  });

  it('re-reads only the saved bucket and the one before it on an incremental read, per template', async () => {
    const api = nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW), template(5, NOW)] })
      // Saved: May 30 → re-read from May 29: May 29, 30, 31 = 3 steps.
      .get('/v1/transactional/2/metrics')
      .query({ period: 'days', steps: '3' })
      .reply(200, { metric: { series: { sent: [1, 2, 3] } } })
      // Saved: May 31 (today) → May 30 and 31.
      .get('/v1/transactional/5/metrics')
      .query({ period: 'days', steps: '2' })
      // An API that answers more buckets than asked: the older ones are dropped by the cursor filter.
      .reply(200, { metric: { series: { sent: [9, 8, 7, 6] } } });
    const state = {
      partitions: {
        '2': { period_start: '2024-05-30T00:00:00-04:00' },
        '5': { period_start: '2024-05-31T00:00:00-04:00' },
      },
    };
    const result = await readStreams([{ definition: transactionalMetrics, syncMode: 'incremental', state }]);
    api.done();
    const records = result.records('transactional_metrics');
    expect(records.filter((r) => r.transactional_id === 2).map((r) => r.period_start)).toEqual(['2024-05-29T00:00:00-04:00', '2024-05-30T00:00:00-04:00', '2024-05-31T00:00:00-04:00']);
    expect(records.filter((r) => r.transactional_id === 5).map((r) => [r.period_start, r.sent])).toEqual([
      ['2024-05-30T00:00:00-04:00', 7],
      ['2024-05-31T00:00:00-04:00', 6],
    ]);
    expect(result.lastState('transactional_metrics')).toEqual({
      partitions: { '2': { period_start: '2024-05-31T00:00:00-04:00' }, '5': { period_start: '2024-05-31T00:00:00-04:00' } },
    });
  });

  it('skips a template deleted between the list and its metrics (404) and goes on', async () => {
    nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW), template(3, NOW)] })
      .get('/v1/transactional/2/metrics')
      .query(true)
      .reply(404, { errors: [{ detail: 'not found', status: '404' }] })
      .get('/v1/transactional/3/metrics')
      .query(true)
      .reply(200, { metric: { series: { sent: [4] } } });
    const result = await readStreams([{ definition: transactionalMetrics }]);
    expect(result.records('transactional_metrics').map((r) => r.transactional_id)).toEqual([3]);
    expect(result.statuses('transactional_metrics')).toContain('COMPLETE');
  });
});

describe('transactional_message_details', () => {
  it('reads each template\'s deliveries in 30-day start_ts/end_ts windows from its creation, following next within a window', async () => {
    const created = NOW - 45 * DAY;
    // Each window asked from a second before it, the asked span 30 days at most.
    const split = created + 30 * DAY - 1;
    const api = nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW, { created_at: created })] })
      .get('/v1/transactional/2/messages')
      .query({ limit: '1000', start_ts: String(created - 1), end_ts: String(split) })
      .reply(200, { messages: [delivery(1, created + 100)], next: 'djIwOjE=' })
      .get('/v1/transactional/2/messages')
      .query({ limit: '1000', start_ts: String(created - 1), end_ts: String(split), start: 'djIwOjE=' })
      .reply(200, { messages: [delivery(2, created + 200, { msg_template_id: undefined, message_template_id: 78 })] })
      .get('/v1/transactional/2/messages')
      .query({ limit: '1000', start_ts: String(split - 1), end_ts: String(NOW) })
      .reply(200, { messages: [delivery(3, NOW - DAY, { transactional_id: '2', metrics: {}, customer_identifiers: { id: 42, email: null, cio_id: 'a3000042' } })] });
    const result = await readStreams([{ definition: transactionalMessageDetails }]);
    api.done();
    // Windows are read concurrently: records of different windows may come in either order.
    const records = result.records('transactional_message_details').sort((a, b) => String(a.id).localeCompare(String(b.id)));
    expect(records.map((r) => r.id)).toEqual(['dlv1', 'dlv2', 'dlv3']);
    expect(records[1].msg_template_id).toBe(78);
    expect(records[1]).not.toHaveProperty('message_template_id');
    expect(records[2]).toMatchObject({ transactional_id: 2, metrics: {}, customer_identifiers: { id: '42' } });
    expect(records[0].metrics).toEqual({ sent: created + 101, delivered: created + 105, opened: created + 700 });
    expectRecordsMatchSchema(transactionalMessageDetails, records);
  });

  it('re-reads the full messages_lookback_days before a template\'s cursor when due, the recent hours otherwise, and moves each cursor to the end of its last window', async () => {
    const HOUR = 3600;
    const api = nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW), template(3, NOW)] })
      // Never re-read in full (no time in its state): the 2 days before its cursor.
      .get('/v1/transactional/2/messages')
      .query({ limit: '1000', start_ts: String(NOW - 12 * DAY - 1), end_ts: String(NOW) })
      .reply(200, { messages: [delivery(1, NOW - 11 * DAY)] })
      // Re-read in full 3 hours ago: the 24 hours before its cursor.
      .get('/v1/transactional/3/messages')
      .query({ limit: '1000', start_ts: String(NOW - 26 * HOUR - 1), end_ts: String(NOW) })
      .reply(200, { messages: [delivery(2, NOW - DAY, { transactional_id: 3 })] });
    const state = { partitions: { '2': { created: NOW - 10 * DAY }, '3': { created: NOW - 2 * HOUR, full_lookback_read_at: NOW - 3 * HOUR } } };
    const result = await readStreams([{ definition: transactionalMessageDetails, syncMode: 'incremental', state }], { config: { messages_lookback_days: 2 } });
    api.done();
    expect(result.records('transactional_message_details').map((r) => r.id).sort()).toEqual(['dlv1', 'dlv2']);
    const final = result.lastState('transactional_message_details');
    expect(final).toEqual({ partitions: { '2': { created: NOW, full_lookback_read_at: NOW }, '3': { created: NOW, full_lookback_read_at: NOW - 3 * HOUR } } });
    expect(JSON.stringify(final)).not.toMatch(/next|start"/);
    expect(result.logs('INFO')).toContain(
      'transactional_message_details: re-read the full lookback (2 days before the cursor) of 1 partition, due every 24 hours, and 24 hours before the cursor of 1; the full lookback of the others is next due in about 19 hours',
    );
  });

  it('starts a first incremental read at start_date when it is later than the template\'s creation', async () => {
    const api = nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW)] })
      .get('/v1/transactional/2/messages')
      .query({ limit: '1000', start_ts: String(NOW - 5 * DAY - 1), end_ts: String(NOW) })
      .reply(200, { messages: [] });
    const start = new Date((NOW - 5 * DAY) * 1000).toISOString();
    const result = await readStreams([{ definition: transactionalMessageDetails, syncMode: 'incremental' }], { config: { start_date: start } });
    api.done();
    // A first read covers the whole lookback too: the next full re-read is due a day later.
    expect(result.lastState('transactional_message_details')).toEqual({ partitions: { '2': { created: NOW, full_lookback_read_at: NOW } } });
  });
});

/** A template's content as seen live: a newsletter variant without a parent id or deduplicate_id, null for the empty fields. */
const content = (id: number, language = '') => ({
  id,
  name: language ? `Translation ${language}` : 'Default',
  type: 'email',
  language,
  subject: 'Reset your password',
  preheader_text: null,
  body: '<p>Click {{trigger.link}}</p>',
  body_plain: 'Click {{trigger.link}}',
  body_amp: '',
  layout: '<html><body>{{content}}</body></html>',
  preprocessor: 'none',
  from: 'Support <support@example.com>',
  from_id: 3,
  reply_to: '',
  reply_to_id: null,
  recipient: null,
  bcc: null,
  cc: null,
  fake_bcc: false,
  headers: '[]',
  created: NOW - 40 * DAY,
  updated: NOW - DAY,
});

describe('transactional_message_contents', () => {
  it('reads each template\'s contents, naming the template as transactional_id (part of the key), nulls kept as sent', async () => {
    const api = nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW), template('5', NOW)] })
      .get('/v1/transactional/2/contents')
      .reply(200, { contents: [content(21), content(22, 'de')] })
      .get('/v1/transactional/5/contents')
      .reply(200, { contents: [content(51)] });
    const result = await readStreams([{ definition: transactionalMessageContents }]);
    api.done();
    const records = result.records('transactional_message_contents');
    expect(records.map((r) => [r.transactional_id, r.id]).sort()).toEqual([
      [2, 21],
      [2, 22],
      [5, 51],
    ]);
    expect(records.find((r) => r.id === 22)).toEqual({ ...content(22, 'de'), transactional_id: 2 });
    expect(transactionalMessageContents.primaryKey).toEqual([['transactional_id'], ['id']]);
    expectRecordsMatchSchema(transactionalMessageContents, records);
    expect(result.records('transactional_messages')).toEqual([]);
  });

  it('skips a template deleted between the list and its contents (404), and completes empty when there are no templates', async () => {
    nock(API)
      .get('/v1/transactional')
      .reply(200, { messages: [template(2, NOW), template(3, NOW)] })
      .get('/v1/transactional/2/contents')
      .reply(404, { errors: [{ detail: 'transactional message not found', status: '404' }] })
      .get('/v1/transactional/3/contents')
      .reply(200, { contents: [content(31)] });
    const skipped = await readStreams([{ definition: transactionalMessageContents }]);
    expect(skipped.records('transactional_message_contents').map((r) => r.id)).toEqual([31]);
    expect(skipped.logs('WARN').join('\n')).toMatch(/transactional_message_contents: skipped 2/);
    expect(skipped.statuses('transactional_message_contents').at(-1)).toBe('COMPLETE');

    nock(API).get('/v1/transactional').reply(200, { messages: [] });
    const none = await readStreams([{ definition: transactionalMessageContents }]);
    expect(none.records('transactional_message_contents')).toEqual([]);
    expect(none.statuses('transactional_message_contents').at(-1)).toBe('COMPLETE');
  });
});
