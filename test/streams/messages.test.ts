/** messages against nock: type partitions, 30-day windows, lookback, no next token kept in state, record shape. */
import nock from 'nock';
import { messages } from '../../src/customerio/streams/messages.js';
import { API, API_KEY, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

/** 2024-06-01T00:00:00Z, the harness's clock. */
const NOW = 1_717_200_000;
const DAY = 86_400;
const HOUR = 3600;

const delivery = (n: number, created: number, type = 'email', extra: Record<string, unknown> = {}) => ({
  id: `msg${n}`,
  deduplicate_id: `msg${n}:${created}`,
  created,
  customer_id: '7',
  customer_identifiers: { id: '7', email: 'p7@example.com', cio_id: 'a3000007' },
  recipient: 'p7@example.com',
  subject: 'Welcome',
  type,
  action_id: 12,
  parent_action_id: null,
  campaign_id: '5',
  broadcast_id: null,
  newsletter_id: null,
  content_id: null,
  transactional_id: null,
  trigger_event_id: '01HZEVENT',
  failure_message: null,
  forgotten: false,
  msg_template_id: 3,
  metrics: { created, sent: created + 2 },
  ...extra,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('messages', () => {
  it('reads GET /v1/messages with limit=1000 in 30-day windows from start_date, paging within a window', async () => {
    const start = NOW - 40 * DAY;
    // Each window asked from a second before it (the API's bounds may be exclusive), the asked span 30 days at most.
    const split = start + 30 * DAY - 1;
    const api = nock(API)
      .get('/v1/messages')
      .query({ limit: '1000', start_ts: String(start - 1), end_ts: String(split) })
      .matchHeader('authorization', `Bearer ${API_KEY}`)
      .reply(200, { messages: [delivery(1, start + 10)], next: 'djIwOjE=' })
      .get('/v1/messages')
      .query({ limit: '1000', start_ts: String(start - 1), end_ts: String(split), start: 'djIwOjE=' })
      .reply(200, { messages: [delivery(2, start + 20, 'push', { transactional_message_id: '4' })], next: '' })
      .get('/v1/messages')
      .query({ limit: '1000', start_ts: String(split - 1), end_ts: String(NOW) })
      .reply(200, { messages: [delivery(3, NOW - DAY, 'webhook', { message_template_id: 9, msg_template_id: undefined })] });
    const result = await readStreams([{ definition: messages }], { config: { start_date: new Date(start * 1000).toISOString() } });
    api.done();
    // Windows are read concurrently: records of different windows may come in either order.
    const records = result.records('messages').sort((a, b) => String(a.id).localeCompare(String(b.id)));
    expect(records.map((r) => r.id)).toEqual(['msg1', 'msg2', 'msg3']);
    expect(records[0]).toMatchObject({ campaign_id: 5, action_id: 12, metrics: { created: start + 10, sent: start + 12 } });
    expect(records[2].msg_template_id).toBe(9);
    // Undocumented, but in live answers (and in Airbyte's tables): kept, as an integer.
    expect(records[1].transactional_message_id).toBe(4);
    expectRecordsMatchSchema(messages, records);
  });

  /** Every window asked of GET /v1/messages (answered empty), as [start_ts, end_ts]. */
  function windowsAsked(times: number): Array<[number, number]> {
    const seen: Array<[number, number]> = [];
    nock(API)
      .get('/v1/messages')
      .query(true)
      .times(times)
      .reply(200, (uri) => {
        const query = new URL(uri, API).searchParams;
        seen.push([Number(query.get('start_ts')), Number(query.get('end_ts'))]);
        return { messages: [], next: '' };
      });
    return seen;
  }
  const SERVED = 184 * DAY;
  const servedWindows = Math.ceil(SERVED / (30 * DAY - 1));

  it('reads all the API serves (its last 6 months, 184 days at their longest) when start_date is not set, in windows of 30 days', async () => {
    const seen = windowsAsked(servedWindows);
    const result = await readStreams([{ definition: messages }]);
    expect(seen).toHaveLength(servedWindows);
    expect(seen[0][0]).toBe(NOW - SERVED - 1);
    expect(seen.at(-1)![1]).toBe(NOW);
    // Asked spans never longer than 30 days, each overlapping the one before by a second.
    seen.forEach(([s, e], i) => {
      expect(e - s).toBeLessThanOrEqual(30 * DAY);
      if (i > 0) expect(s).toBe(seen[i - 1][1] - 1);
    });
    expect(result.logs('WARN')).toEqual([]);
  });

  it('asks for no window older than the API serves when start_date is older, and says so once', async () => {
    const seen = windowsAsked(servedWindows);
    const result = await readStreams([{ definition: messages }], { config: { start_date: '2022-01-01T00:00:00Z' } });
    expect(seen).toHaveLength(servedWindows);
    expect(Math.min(...seen.map(([s]) => s))).toBe(NOW - SERVED - 1);
    expect(result.logs('WARN')).toEqual([
      'messages: start_date 2022-01-01T00:00:00Z is older than the 184 days GET /v1/messages serves: deliveries are read from 2023-11-30T00:00:00Z (the API answers older ranges with nothing)',
    ]);
    expect(result.statuses('messages')).toContain('COMPLETE');
  });

  it('resumes a saved cursor older than the API serves from what it serves, and says what can no longer be read', async () => {
    const seen = windowsAsked(servedWindows);
    const state = { partitions: { all: { created: NOW - 300 * DAY, full_lookback_read_at: NOW - 300 * DAY } } };
    const result = await readStreams([{ definition: messages, syncMode: 'incremental', state }]);
    expect(Math.min(...seen.map(([s]) => s))).toBe(NOW - SERVED - 1);
    expect(result.logs('WARN')).toEqual([
      'messages: the saved cursor 2023-08-06T00:00:00Z is older than the 184 days the API serves: read from 2023-11-30T00:00:00Z; what was created between the two can no longer be read (read more often than that to keep every record)',
    ]);
    expect(result.lastState('messages')).toMatchObject({ partitions: { all: { created: NOW } } });
  });

  it.each([
    ['with the token of its page 2 again', 'djIwOjE='],
    ['with a token of its own', 'djIwOjk5'],
  ])('fails the pass (transient) before printing a page the API gave before: an out-of-range token restarts GET /v1/messages at page 1 (%s)', async (_how, restartToken) => {
    const window = { limit: '1000', start_ts: String(NOW - 2 * DAY - 1), end_ts: String(NOW) };
    const page1 = [delivery(1, NOW - DAY), delivery(2, NOW - DAY)];
    nock(API)
      .get('/v1/messages')
      .query(window)
      .reply(200, { messages: page1, next: 'djIwOjE=' })
      .get('/v1/messages')
      .query({ ...window, start: 'djIwOjE=' })
      .reply(200, { messages: [delivery(3, NOW - DAY)], next: 'djIwOjI=' })
      // The list shrank under the positional token: the API answers page 1 again, as it does live.
      .get('/v1/messages')
      .query({ ...window, start: 'djIwOjI=' })
      .reply(200, { messages: page1, next: restartToken });
    const state = { partitions: { all: { created: NOW - DAY, full_lookback_read_at: NOW - HOUR } } };
    const result = await readStreams([{ definition: messages, syncMode: 'incremental', state }], { config: { messages_lookback_days: 1 } });
    expect(nock.isDone()).toBe(true);
    expect(result.records('messages').map((r) => r.id)).toEqual(['msg1', 'msg2', 'msg3']);
    expect(result.errors).toEqual([
      expect.objectContaining({
        failure_type: 'transient_error',
        message: expect.stringMatching(/^messages \(partition all, window .+\): page 3 repeats an earlier page of the same pass \(.+\): the API started the list over, as it does when a list shrinks while it is read\. Stopped rather than print the same records again or loop; run the sync again\.$/),
      }),
    ]);
    expect(result.statuses('messages')).toContain('INCOMPLETE');
    expect(result.lastState('messages')).toEqual(state);
  });

  it('reads one partition per listed message type, each with its own cursor and lookback', async () => {
    const api = nock(API)
      .get('/v1/messages')
      .query({ limit: '1000', type: 'email', start_ts: String(NOW - 10 * DAY - 7 * DAY - 1), end_ts: String(NOW) })
      .reply(200, { messages: [delivery(1, NOW - 12 * DAY)] })
      .get('/v1/messages')
      .query({ limit: '1000', type: 'in_app', start_ts: String(NOW - DAY - 7 * DAY - 1), end_ts: String(NOW) })
      .reply(200, { messages: [delivery(2, NOW - 2 * DAY, 'in_app')], next: 'djIwOjI=' })
      .get('/v1/messages')
      .query({ limit: '1000', type: 'in_app', start_ts: String(NOW - DAY - 7 * DAY - 1), end_ts: String(NOW), start: 'djIwOjI=' })
      .reply(200, { messages: [] });
    // States from before the recent lookback: each re-reads its full lookback at once.
    const state = { partitions: { 'type=email': { created: NOW - 10 * DAY }, 'type=in_app': { created: NOW - DAY } } };
    const result = await readStreams([{ definition: messages, syncMode: 'incremental', state }], {
      config: { message_types: ['email', 'in_app'], messages_lookback_days: 7 },
    });
    api.done();
    expect(result.records('messages').map((r) => r.id).sort()).toEqual(['msg1', 'msg2']);
    expect(result.lastState('messages')).toEqual({
      partitions: { 'type=email': { created: NOW, full_lookback_read_at: NOW }, 'type=in_app': { created: NOW, full_lookback_read_at: NOW } },
    });
  });

  it('never keeps a next token in any state, even when a read stops mid-window', async () => {
    nock(API)
      .get('/v1/messages')
      .query({ limit: '1000', start_ts: String(NOW - 3 * DAY - 1), end_ts: String(NOW) })
      .reply(200, { messages: [delivery(1, NOW - 2 * DAY)], next: 'djIwOjE=' })
      .get('/v1/messages')
      .query({ limit: '1000', start_ts: String(NOW - 3 * DAY - 1), end_ts: String(NOW), start: 'djIwOjE=' })
      .reply(400, { errors: [{ detail: 'invalid start', status: '400' }] });
    const state = { partitions: { all: { created: NOW - 2 * DAY } } };
    const result = await readStreams([{ definition: messages, syncMode: 'incremental', state }], { config: { messages_lookback_days: 1 } });
    const states = result.messages.filter((m) => m.type === 'STATE').map((m) => JSON.stringify(m.state.stream.stream_state));
    expect(states.length).toBeGreaterThan(0);
    for (const text of states) expect(text).not.toMatch(/djIwOjE=|next|"start"/);
    // The window was not finished: the cursor stays where it was, and the full re-read is not recorded as done.
    expect(result.lastState('messages')).toEqual(state);
    expect(result.statuses('messages')).toContain('INCOMPLETE');
  });
});

describe('messages: the recent lookback between full re-reads (hourly syncs)', () => {
  it('re-reads only the last 24 hours while the full lookback was re-read less than a day ago, and keeps when it was', async () => {
    const api = nock(API)
      .get('/v1/messages')
      .query({ limit: '1000', start_ts: String(NOW - 25 * HOUR - 1), end_ts: String(NOW) })
      .reply(200, { messages: [delivery(1, NOW - 20 * HOUR, 'email', { metrics: { created: NOW - 20 * HOUR, opened: NOW - 10 * HOUR } })] });
    const state = { partitions: { all: { created: NOW - HOUR, full_lookback_read_at: NOW - 5 * HOUR } } };
    const result = await readStreams([{ definition: messages, syncMode: 'incremental', state }]);
    api.done();
    expect(result.records('messages').map((r) => r.id)).toEqual(['msg1']);
    expect(result.lastState('messages')).toEqual({ partitions: { all: { created: NOW, full_lookback_read_at: NOW - 5 * HOUR } } });
    expect(result.logs('INFO')).toContain('messages: re-read 24 hours before the cursor of 1 partition; the full lookback of these is next due in about 18 hours');
  });

  it('re-reads the full 30 days once a day, back from the previous full re-read, and records it only once every window is read', async () => {
    const lastFull = NOW - 24 * HOUR;
    const from = lastFull - 30 * DAY;
    const edge = from + 30 * DAY - 1;
    const state = { partitions: { all: { created: NOW - HOUR, full_lookback_read_at: lastFull } } };
    const older = { limit: '1000', start_ts: String(from - 1), end_ts: String(edge) };
    const newer = { limit: '1000', start_ts: String(edge - 1), end_ts: String(NOW) };

    // The newer window fails: the read stops INCOMPLETE, the cursor does not move back, the re-read is not recorded.
    nock(API).get('/v1/messages').query(older).reply(200, { messages: [delivery(1, from + DAY)] }).get('/v1/messages').query(newer).reply(500, { errors: [{ detail: 'boom' }] });
    const failed = await readStreams([{ definition: messages, syncMode: 'incremental', state }]);
    expect(failed.statuses('messages')).toContain('INCOMPLETE');
    for (const saved of failed.messages.filter((m) => m.type === 'STATE').map((m) => m.state.stream.stream_state)) {
      expect(saved.partitions.all).toEqual({ created: NOW - HOUR, full_lookback_read_at: lastFull });
    }
    nock.cleanAll();

    // Read again from the same state: both windows this time, and the time of this full re-read is kept.
    const api = nock(API)
      .get('/v1/messages')
      .query(older)
      .reply(200, { messages: [delivery(1, from + DAY)] })
      .get('/v1/messages')
      .query(newer)
      .reply(200, { messages: [delivery(2, NOW - 2 * HOUR)] });
    const result = await readStreams([{ definition: messages, syncMode: 'incremental', state }]);
    api.done();
    expect(result.records('messages').map((r) => r.id).sort()).toEqual(['msg1', 'msg2']);
    expect(result.lastState('messages')).toEqual({ partitions: { all: { created: NOW, full_lookback_read_at: NOW } } });
    expect(result.logs('INFO')).toContain('messages: re-read the full lookback (30 days before the cursor) of 1 partition, due every 24 hours');
  });

  it('re-reads the full lookback every time with messages_full_lookback_every_hours 0, as before the setting', async () => {
    const api = nock(API)
      .get('/v1/messages')
      .query({ limit: '1000', start_ts: String(NOW - HOUR - 7 * DAY - 1), end_ts: String(NOW) })
      .reply(200, { messages: [] });
    const state = { partitions: { all: { created: NOW - HOUR, full_lookback_read_at: NOW - HOUR } } };
    const result = await readStreams([{ definition: messages, syncMode: 'incremental', state }], { config: { messages_lookback_days: 7, messages_full_lookback_every_hours: 0 } });
    api.done();
    expect(result.lastState('messages')).toEqual({ partitions: { all: { created: NOW, full_lookback_read_at: NOW } } });
  });
});
