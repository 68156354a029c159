/**
 * The read loop (engine/read.ts) against nock, with small inline stream definitions in the API's shapes:
 * statuses, STATEs by the checkpoint policy, incremental checkpoints, parents, and how refusals end a stream.
 */
import { Writable } from 'node:stream';
import nock from 'nock';
import { clientSide, serverWindows, stateProblems } from '../../src/engine/incremental.js';
import { cursorPaginator, noPagination } from '../../src/engine/paginators.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { BASE, EVERY_PAGE, NOW_MS, NOW_S, ReadRun } from './reader-harness.js';
import { DAY, HOUR, MAY_1 } from './fixtures.js';

const activity = (id: string, timestamp: number) => ({
  id,
  type: 'event',
  name: 'purchase',
  timestamp,
  customer_id: '42',
  customer_identifiers: { id: '42', email: 'person@example.com', cio_id: 'a3000001' },
  delivery_id: null,
  delivery_type: null,
  data: { price: 12 },
});
const campaign = (id: number, updated: number) => ({ id, deduplicate_id: `${id}:${updated}`, name: `Campaign ${id}`, created: MAY_1 - 30 * DAY, updated, active: true, state: 'running', actions: [], tags: [] });
const action = (id: number, campaignId: number, updated: number) => ({ id, campaign_id: campaignId, parent_action_id: null, deduplicate_id: `${id}:${updated}`, name: `Email ${id}`, type: 'email', created: MAY_1 - 20 * DAY, updated });
const delivery = (id: string, created: number) => ({ id, deduplicate_id: `${id}:${created}`, created, customer_id: '42', recipient: 'person@example.com', subject: 'Hi', type: 'email', metrics: { sent: created + 5 }, forgotten: false });

const activities = {
  name: 'activities',
  primaryKey: [['id']],
  request: { path: '/activities' },
  records: '$.activities[*]',
  paginate: cursorPaginator({ limit: 2 }),
  incremental: clientSide('timestamp', { stopWhenOlder: true }),
} satisfies StreamDefinition;

const campaigns = {
  name: 'campaigns',
  primaryKey: [['id']],
  request: { path: '/campaigns' },
  records: '$.campaigns[*]',
  paginate: noPagination,
  incremental: clientSide('updated'),
  trackDeletes: true,
} satisfies StreamDefinition;

const campaignActions = {
  name: 'campaign_actions',
  primaryKey: [['id']],
  parent: { stream: campaigns, key: (c) => String(c.id) },
  request: { path: ({ partition }) => `/campaigns/${String(partition.parent?.id)}/actions` },
  records: '$.actions[*]',
  paginate: cursorPaginator(),
  transform: (record, ctx) => ({ ...record, campaign_id: record.campaign_id ?? ctx.partition.parent?.id }),
  incremental: clientSide('updated', { perPartition: true }),
  concurrency: 1,
} satisfies StreamDefinition;

const messages = {
  name: 'messages',
  primaryKey: [['id']],
  request: { path: '/messages', query: ({ window }) => ({ start_ts: window?.start, end_ts: window?.end }) },
  records: '$.messages[*]',
  paginate: cursorPaginator({ limit: 1000 }),
  incremental: serverWindows('created', { windowSeconds: DAY, defaultStart: (now) => now - 2 * DAY }),
} satisfies StreamDefinition;

const segments = {
  name: 'segments',
  primaryKey: [['id']],
  request: { path: '/segments' },
  records: '$.segments[*]',
  paginate: noPagination,
} satisfies StreamDefinition;

const segment = (id: number) => ({ id, deduplicate_id: `${id}:${MAY_1}`, name: `Segment ${id}`, description: '', state: 'finished', progress: null, type: 'dynamic', tags: null, created_at: MAY_1, updated_at: MAY_1 });

const streamState = (run: ReadRun, name: string) => run.states(name).at(-1);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('Reader: pages, statuses and checkpoints', () => {
  const threePages = (asked: string[]) =>
    nock(BASE)
      .get('/activities')
      .query(true)
      .times(3)
      .reply(function (uri) {
        asked.push(uri);
        const start = new URL(uri, BASE).searchParams.get('start');
        if (!start) return [200, { activities: [activity('01HV3', MAY_1 + 3), activity('01HV2', MAY_1 + 2)], next: 'djIwOjI=' }];
        if (start === 'djIwOjI=') return [200, { activities: [activity('01HV1', MAY_1 + 1), activity('01HV0', MAY_1)], next: 'djIwOjQ=' }];
        return [200, { activities: [activity('01HUZ', MAY_1 - 1)], next: '' }];
      });

  it('says STARTED, RUNNING and COMPLETE, and prints the pages\' records with one STATE at the end that counts them all, when no STATE is due before', async () => {
    const asked: string[] = [];
    threePages(asked);
    const run = new ReadRun();
    const [outcome] = await run.read([{ definition: activities, syncMode: 'full_refresh' }]);
    expect(outcome).toEqual({ stream: 'activities', records: 5 });
    expect(asked).toEqual(['/v1/activities?limit=2', '/v1/activities?limit=2&start=djIwOjI%3D', '/v1/activities?limit=2&start=djIwOjQ%3D']);
    expect(run.sequence('activities')).toEqual(['STARTED', 'RUNNING', 'RECORD', 'RECORD', 'RECORD', 'RECORD', 'RECORD', 'STATE 5', 'COMPLETE']);
    expect(run.records('activities').map((r) => r.id)).toEqual(['01HV3', '01HV2', '01HV1', '01HV0', '01HUZ']);
    // Full refresh keeps no cursor, and every message carries the run's clock in ms.
    expect(run.states('activities').every((s) => Object.keys(s).length === 0)).toBe(true);
    const stamps = run.of('activities').map((m) => m.record?.emitted_at ?? m.trace?.emitted_at).filter((t) => t !== undefined);
    expect(new Set(stamps)).toEqual(new Set([NOW_MS]));
  });

  it('prints a STATE after a page once one is due, counting the records since the previous STATE, and none after a page with nothing new', async () => {
    threePages([]);
    // Due after 3 records: after the second page (4 since the start), then only the stream's end (1 more).
    const run = new ReadRun({}, undefined, { checkpoints: { ...EVERY_PAGE, records: 3, seconds: 3600 } });
    await run.read([{ definition: activities, syncMode: 'full_refresh' }]);
    expect(run.sequence('activities')).toEqual(['STARTED', 'RUNNING', 'RECORD', 'RECORD', 'RECORD', 'RECORD', 'STATE 4', 'RECORD', 'STATE 1', 'COMPLETE']);
  });

  it('goes RUNNING and COMPLETE for a stream that has no records at all', async () => {
    nock(BASE).get('/segments').reply(200, { segments: [] });
    const run = new ReadRun();
    await run.read([{ definition: segments, syncMode: 'full_refresh' }]);
    expect(run.sequence('segments')).toEqual(['STARTED', 'RUNNING', 'STATE 0', 'COMPLETE']);
  });

  it('reads an answer whose list is null as an empty page', async () => {
    nock(BASE).get('/segments').reply(200, { segments: null });
    const run = new ReadRun();
    const [outcome] = await run.read([{ definition: segments, syncMode: 'full_refresh' }]);
    expect(outcome.records).toBe(0);
    expect(run.statuses('segments')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  it('applies transform to every record and drops those it returns null for', async () => {
    nock(BASE).get('/segments').reply(200, { segments: [segment(1), segment(2), segment(3)] });
    // (Transformed ids stay integers: a record whose key does not fit the schema is skipped, see engine/conform.ts.)
    const definition = { ...segments, transform: (r: Record<string, unknown>) => (r.id === 2 ? null : { ...r, id: Number(r.id) * 10 }) } satisfies StreamDefinition;
    const run = new ReadRun();
    await run.read([{ definition, syncMode: 'full_refresh' }]);
    expect(run.records('segments').map((r) => r.id)).toEqual([10, 30]);
  });

  it('tells the user the stream\'s notes as WARN logs', async () => {
    nock(BASE).get('/segments').reply(200, { segments: [] });
    const definition = { ...segments, notes: () => ['only the last 30 days are kept'] } satisfies StreamDefinition;
    const run = new ReadRun();
    await run.read([{ definition, syncMode: 'full_refresh' }]);
    expect(run.logs('WARN')).toEqual(['segments: only the last 30 days are kept']);
  });
});

describe('Reader: client-side incremental', () => {
  it('keeps the old cursor in every mid-pass checkpoint of a newest-first list and promotes the newest value only at the end', async () => {
    const saved = MAY_1 + 5 * DAY;
    const pages: Record<string, object> = {
      first: { activities: [activity('a9', MAY_1 + 9 * DAY), activity('a8', MAY_1 + 8 * DAY)], next: 'p2' },
      p2: { activities: [activity('a6', MAY_1 + 6 * DAY), activity('a4', MAY_1 + 4 * DAY)], next: 'p3' },
      p3: { activities: [activity('a3', MAY_1 + 3 * DAY), activity('a2', MAY_1 + 2 * DAY)], next: 'p4' },
      p4: { activities: [activity('a1', MAY_1 + DAY)], next: '' },
    };
    const served: string[] = [];
    nock(BASE)
      .get('/activities')
      .query(true)
      .times(4)
      .reply((uri) => {
        const start = new URL(uri, BASE).searchParams.get('start') ?? 'first';
        served.push(start);
        return [200, pages[start]];
      });
    const run = new ReadRun({}, undefined, { checkpoints: EVERY_PAGE });
    await run.read([{ definition: activities, syncMode: 'incremental', state: { timestamp: saved } }]);
    // Page p3 is older than the cursor throughout: the pass stops there and never asks for p4.
    expect(served).toEqual(['first', 'p2', 'p3']);
    expect(run.records('activities').map((r) => r.id)).toEqual(['a9', 'a8', 'a6']);
    // p3 prints nothing and moves nothing: no STATE after it.
    expect(run.sequence('activities')).toEqual(['STARTED', 'RUNNING', 'RECORD', 'RECORD', 'STATE 2', 'RECORD', 'STATE 1', 'STATE 0', 'COMPLETE']);
    expect(run.states('activities')).toEqual([{ timestamp: saved }, { timestamp: saved }, { timestamp: MAY_1 + 9 * DAY }]);
  });

  it('re-reads the lookback before the saved cursor', async () => {
    nock(BASE)
      .get('/activities')
      .query(true)
      .reply(200, { activities: [activity('new', MAY_1 + 2 * HOUR), activity('in-lookback', MAY_1 - 30 * 60), activity('too-old', MAY_1 - 2 * HOUR)], next: '' });
    const definition = { ...activities, incremental: clientSide('timestamp', { lookback: HOUR }) } satisfies StreamDefinition;
    const run = new ReadRun();
    await run.read([{ definition, syncMode: 'incremental', state: { timestamp: MAY_1 } }]);
    expect(run.records('activities').map((r) => r.id)).toEqual(['new', 'in-lookback']);
    expect(streamState(run, 'activities')).toEqual({ timestamp: MAY_1 + 2 * HOUR });
  });

  it('keeps nothing older than start_date on a first read', async () => {
    nock(BASE).get('/campaigns').reply(200, { campaigns: [campaign(1, MAY_1 - DAY), campaign(2, MAY_1), campaign(3, MAY_1 + DAY)] });
    const run = new ReadRun({ start_date: '2024-05-01T00:00:00Z' });
    await run.read([{ definition: campaigns, syncMode: 'incremental' }]);
    expect(run.records('campaigns').map((r) => r.id)).toEqual([2, 3]);
    expect(streamState(run, 'campaigns')).toMatchObject({ updated: MAY_1 + DAY });
  });

  it('never moves the cursor backwards when the pass finds nothing newer', async () => {
    nock(BASE).get('/campaigns').reply(200, { campaigns: [campaign(1, MAY_1 - DAY)] });
    const run = new ReadRun();
    await run.read([{ definition: campaigns, syncMode: 'incremental', state: { updated: MAY_1 } }]);
    expect(run.records('campaigns')).toEqual([]);
    expect(streamState(run, 'campaigns')).toMatchObject({ updated: MAY_1 });
  });

  it('takes "now" from the run\'s clock only: a record more than a day ahead of it never becomes the cursor, whatever the machine\'s date', async () => {
    // The run's clock is 2024-05-11; the machine's is years later. A mix of the two (the later of both) would take
    // this record for the past and save it as the cursor, skipping everything before it on the next read.
    const ahead = NOW_S + 25 * HOUR;
    expect(ahead * 1000).toBeLessThan(Date.now());
    nock(BASE).get('/campaigns').reply(200, { campaigns: [campaign(1, ahead), campaign(2, MAY_1 + DAY)] });
    const run = new ReadRun();
    await run.read([{ definition: campaigns, syncMode: 'incremental', state: { updated: MAY_1 } }]);
    expect(run.records('campaigns').map((r) => r.id)).toEqual([1, 2]);
    expect(streamState(run, 'campaigns')).toMatchObject({ updated: MAY_1 + DAY });
  });

  it('prints an activity dated 20 h ahead of the clock but never saves it as the cursor, and counts such records in one WARN', async () => {
    const clientClock = NOW_S + 20 * HOUR;
    nock(BASE)
      .get('/activities')
      .query(true)
      .reply(200, { activities: [activity('wrong-clock', clientClock), activity('also-ahead', NOW_S + HOUR), activity('slightly-ahead', NOW_S + 60), activity('real', NOW_S - HOUR)], next: '' });
    const first = new ReadRun();
    await first.read([{ definition: activities, syncMode: 'incremental', state: { timestamp: NOW_S - DAY } }]);
    expect(first.records('activities').map((r) => r.id)).toEqual(['wrong-clock', 'also-ahead', 'slightly-ahead', 'real']);
    // A minute ahead is clock skew: it may be the cursor. Hours ahead is a client's clock: it may not.
    const saved = streamState(first, 'activities')!;
    expect(saved).toEqual({ timestamp: NOW_S + 60 });
    expect(first.logs('WARN')).toEqual([
      `activities: 2 records whose timestamp is more than 5 minutes ahead of the connector's clock (the first: ${clientClock}) were emitted, but did not move the cursor; such timestamps come from clients with a wrong clock or from backfills`,
    ]);
    // The next read still gets an activity that arrived late, dated before the 20 h one.
    nock(BASE)
      .get('/activities')
      .query(true)
      .reply(200, { activities: [activity('wrong-clock', clientClock), activity('late', NOW_S + 2 * 60)], next: '' });
    const next = new ReadRun();
    await next.read([{ definition: activities, syncMode: 'incremental', state: saved }]);
    expect(next.records('activities').map((r) => r.id)).toEqual(['wrong-clock', 'late']);
  });

  it('says once for the run, not once per stream, when records are ahead of its clock but not of the API\'s (its answers\' Date)', async () => {
    // The API's clock 3 hours ahead of the connector's: records dated up to then are its present, not a client's error.
    const apiNow = NOW_S + 3 * HOUR;
    const dated = { Date: new Date(apiNow * 1000).toUTCString() };
    nock(BASE).get('/activities').query(true).reply(200, { activities: [activity('api-now', apiNow - 60), activity('real', NOW_S - HOUR)], next: '' }, dated);
    nock(BASE).get('/campaigns').reply(200, { campaigns: [campaign(1, apiNow - 120), campaign(2, NOW_S + 30 * HOUR)] }, dated);
    const run = new ReadRun();
    await run.read([
      { definition: activities, syncMode: 'incremental', state: { timestamp: NOW_S - DAY } },
      { definition: campaigns, syncMode: 'incremental', state: { updated: MAY_1 } },
    ]);
    // Still never the cursor: this machine's clock decides how far a cursor moves.
    expect(streamState(run, 'activities')).toEqual({ timestamp: NOW_S - HOUR });
    expect(run.logs('WARN')).toEqual([
      // A day beyond the API's clock too: a client's wrong clock, said per stream as before.
      `campaigns: 1 record whose updated is more than 5 minutes ahead of the connector's clock (the first: ${NOW_S + 30 * HOUR}) was emitted, but did not move the cursor; such timestamps come from clients with a wrong clock or from backfills`,
    ]);
    expect(run.reader.skewWarning()).toBe(
      "The API's clock (the Date of its answers) is 3 hours ahead of this machine's: 2 records dated after this machine's time (activities 1, campaigns 1) were printed but moved no cursor, " +
        "so the next read prints them again (duplicates, never a loss), and time windows end at this machine's time. To line the clocks up, set this machine's clock right (NTP).",
    );
  });

  it('never tells of a record ahead of the clock that it did not print (older than the read\'s start)', async () => {
    nock(BASE).get('/activities').query(true).reply(200, { activities: [activity('ahead-but-old', NOW_S + 2 * HOUR)], next: '' });
    const run = new ReadRun();
    // A saved cursor past the record: the record is filtered out, so nothing "was emitted".
    await run.read([{ definition: activities, syncMode: 'incremental', state: { timestamp: NOW_S + 5 * HOUR } }]);
    expect(run.records('activities')).toEqual([]);
    expect(run.logs('WARN').filter((w) => /ahead of the connector's clock/.test(w))).toEqual([]);
  });

  it('reads everything in full refresh, ignoring the state and the filter', async () => {
    nock(BASE).get('/campaigns').reply(200, { campaigns: [campaign(1, MAY_1 - DAY), campaign(2, MAY_1 + DAY)] });
    const run = new ReadRun();
    await run.read([{ definition: campaigns, syncMode: 'full_refresh', state: { updated: MAY_1 } }]);
    expect(run.records('campaigns').map((r) => r.id)).toEqual([1, 2]);
    expect(streamState(run, 'campaigns')).toEqual({});
  });
});

describe('Reader: record cursors that are not times', () => {
  // No schema file: the records are printed as the API sends them, whatever type their cursor has.
  const events = {
    name: 'events',
    primaryKey: [['id']],
    jsonSchema: { type: 'object' },
    request: { path: '/events' },
    records: '$.events[*]',
    paginate: noPagination,
    incremental: clientSide('updated'),
  } satisfies StreamDefinition;
  const event = (id: number, updated: unknown) => ({ id, updated });
  const page = {
    events: [
      event(1, MAY_1 + DAY),
      // Date.parse would read this as 2001-03-07: older than the saved cursor, so the record would be dropped.
      event(2, 'March 7'),
      // ... and this as the day before the run: the newest value, saved as the cursor in a form no state accepts.
      event(3, 'Fri, 10 May 2024 00:00:00 GMT'),
      event(4, null),
      event(5, MAY_1 + 2 * DAY),
      event(6, { at: MAY_1 }),
    ],
  };

  it('emits every record, moves the cursor only by values that are times, and says how many were not, once', async () => {
    nock(BASE).get('/events').reply(200, page);
    const run = new ReadRun();
    await run.read([{ definition: events, syncMode: 'incremental', state: { updated: MAY_1 } }]);
    expect(run.records('events').map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    const final = streamState(run, 'events')!;
    expect(final).toEqual({ updated: MAY_1 + 2 * DAY });
    expect(stateProblems(events.incremental, final)).toEqual([]);
    expect(run.logs('WARN')).toEqual([
      'events: 3 records whose updated is not a unix timestamp or an ISO-8601 date-time (the first: "March 7") were emitted, but did not move the cursor',
    ]);
    expect(run.statuses('events')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  it('keeps the saved cursor when no value of the pass is a time', async () => {
    nock(BASE).get('/events').reply(200, { events: [event(1, 'March 7'), event(2, 'Fri, 10 May 2024 00:00:00 GMT')] });
    const run = new ReadRun();
    await run.read([{ definition: events, syncMode: 'incremental', state: { updated: MAY_1 } }]);
    expect(run.records('events').map((r) => r.id)).toEqual([1, 2]);
    expect(streamState(run, 'events')).toEqual({ updated: MAY_1 });
    expect(run.logs('WARN')).toHaveLength(1);
  });

  it('says nothing about cursors in a full refresh, which does not use them', async () => {
    nock(BASE).get('/events').reply(200, page);
    const run = new ReadRun();
    await run.read([{ definition: events, syncMode: 'full_refresh' }]);
    expect(run.records('events')).toHaveLength(6);
    expect(run.logs('WARN')).toEqual([]);
  });

  it('keeps a record of a server-side window whose cursor is not a time, and counts it', async () => {
    const saved = NOW_S - 6 * HOUR;
    nock(BASE)
      .get('/messages')
      .query(true)
      .reply(200, { messages: [delivery('ok', saved + 60), { ...delivery('odd', 0), created: 'yesterday' }], next: '' });
    const definition = { ...messages, name: 'deliveries', jsonSchema: { type: 'object' } } satisfies StreamDefinition;
    const run = new ReadRun();
    await run.read([{ definition, syncMode: 'incremental', state: { created: saved } }]);
    expect(run.records('deliveries').map((r) => r.id)).toEqual(['ok', 'odd']);
    expect(streamState(run, 'deliveries')).toEqual({ created: NOW_S });
    expect(run.logs('WARN')).toEqual([expect.stringMatching(/^deliveries: 1 record whose created is not a unix timestamp .*"yesterday"\) was emitted, but did not move the cursor$/)]);
  });
});

describe('Reader: server-side windows', () => {
  it('walks day windows oldest first from the saved cursor and moves the cursor to each window\'s end', async () => {
    const saved = NOW_S - 2 * DAY - 6 * HOUR;
    const windows: Array<[number, number]> = [];
    nock(BASE)
      .get('/messages')
      .query(true)
      .times(3)
      .reply((uri) => {
        const params = new URL(uri, BASE).searchParams;
        const start = Number(params.get('start_ts'));
        windows.push([start, Number(params.get('end_ts'))]);
        expect(params.get('limit')).toBe('1000');
        return [200, { messages: [delivery(`d${windows.length}`, start + 60)], next: '' }];
      });
    const run = new ReadRun({}, undefined, { checkpoints: EVERY_PAGE });
    await run.read([{ definition: messages, syncMode: 'incremental', state: { created: saved } }]);
    // Windows of a day less a second, each asked from a second before it (the API's bounds may be exclusive).
    const W = DAY - 1;
    expect(windows).toEqual([
      [saved - 1, saved + W],
      [saved + W - 1, saved + 2 * W],
      [saved + 2 * W - 1, NOW_S],
    ]);
    expect(run.records('messages').map((r) => r.id)).toEqual(['d1', 'd2', 'd3']);
    // Each window's end is saved once it is read, so the states climb window by window up to now.
    const cursors = run.states('messages').map((s) => s.created);
    expect(cursors).toEqual([saved, saved + W, saved + 2 * W, NOW_S]);
    expect(run.sequence('messages').filter((m) => m.startsWith('STATE'))).toEqual(['STATE 1', 'STATE 1', 'STATE 1', 'STATE 0']);
  });

  it('starts a first read at the definition\'s default start, and at start_date when one is set', async () => {
    const seen: number[] = [];
    nock(BASE)
      .get('/messages')
      .query(true)
      .times(10)
      .reply((uri) => {
        seen.push(Number(new URL(uri, BASE).searchParams.get('start_ts')));
        return [200, { messages: [], next: '' }];
      });
    await new ReadRun().read([{ definition: messages, syncMode: 'incremental' }]);
    // Each request from a second before its window; windows a second shorter than a day (the last one 2 s long).
    const W = DAY - 1;
    expect(seen).toEqual([NOW_S - 2 * DAY - 1, NOW_S - 2 * DAY + W - 1, NOW_S - 2 * DAY + 2 * W - 1]);
    seen.length = 0;
    await new ReadRun({ start_date: '2024-05-08T00:00:00Z' }).read([{ definition: messages, syncMode: 'full_refresh' }]);
    expect(seen).toEqual([0, 1, 2, 3].map((i) => NOW_S - 3 * DAY + i * W - 1));
  });
});

describe('Reader: window boundaries', () => {
  it.each<[string, (t: number, start: number, end: number) => boolean]>([
    ['start_ts exclusive, end_ts inclusive', (t, start, end) => t > start && t <= end],
    ['start_ts inclusive, end_ts exclusive', (t, start, end) => t >= start && t < end],
    ['both inclusive', (t, start, end) => t >= start && t <= end],
    ['both exclusive', (t, start, end) => t > start && t < end],
  ])('prints a delivery created exactly at a window boundary once, never losing it, when the API reads its window as %s', async (_reading, returns) => {
    const saved = NOW_S - DAY - 6 * HOUR;
    // The edge the two windows share (windows are a day less a second: each is asked from a second before it).
    const boundary = saved + DAY - 1;
    const all = [delivery('first-second', saved), delivery('before', boundary - 60), delivery('at-boundary', boundary), delivery('after', boundary + 60)];
    nock(BASE)
      .get('/messages')
      .query(true)
      .times(2)
      .reply((uri) => {
        const params = new URL(uri, BASE).searchParams;
        const [start, end] = [Number(params.get('start_ts')), Number(params.get('end_ts'))];
        return [200, { messages: all.filter((d) => returns(d.created, start, end)), next: '' }];
      });
    const run = new ReadRun();
    await run.read([{ definition: messages, syncMode: 'incremental', state: { created: saved } }]);
    expect(run.records('messages').map((r) => r.id).sort()).toEqual(['after', 'at-boundary', 'before', 'first-second']);
  });
});

describe('Reader: windows with a lookback', () => {
  it('re-reads the lookback in windows but never saves a cursor older than the one it started from', async () => {
    const saved = NOW_S - 6 * HOUR;
    const starts: number[] = [];
    nock(BASE)
      .get('/messages')
      .query(true)
      .times(5)
      .reply((uri) => {
        starts.push(Number(new URL(uri, BASE).searchParams.get('start_ts')));
        return [200, { messages: [], next: '' }];
      });
    const definition = { ...messages, incremental: serverWindows('created', { windowSeconds: DAY, lookback: () => 2 * DAY, defaultStart: (now) => now - DAY }) } satisfies StreamDefinition;
    const run = new ReadRun({}, undefined, { checkpoints: EVERY_PAGE });
    await run.read([{ definition, syncMode: 'incremental', state: { created: saved } }]);
    const W = DAY - 1;
    expect(starts).toEqual([saved - 2 * DAY - 1, saved - 2 * DAY + W - 1, saved - 2 * DAY + 2 * W - 1]);
    // The windows print nothing; the cursor moves once the last window is read (the lookback's end at `saved`).
    expect(run.states('messages').map((s) => s.created)).toEqual([NOW_S]);
  });
});

describe('Reader: backpressure', () => {
  it('asks for no next page while the output has not drained', async () => {
    // Each write completes only when the test releases it.
    let pending: Array<() => void> = [];
    let lines = 0;
    const slow = new Writable({
      highWaterMark: 64,
      write(_chunk, _encoding, done) {
        lines++;
        pending.push(done);
      },
    });
    const release = () => {
      const callbacks = pending;
      pending = [];
      for (const done of callbacks) done();
    };
    const asked: string[] = [];
    nock(BASE)
      .get('/activities')
      .query(true)
      .times(2)
      .reply((uri) => {
        const start = new URL(uri, BASE).searchParams.get('start');
        asked.push(start ?? 'first');
        return [200, start ? { activities: [activity('a0', MAY_1)], next: '' } : { activities: [activity('a2', MAY_1 + 2), activity('a1', MAY_1 + 1)], next: 'p2' }];
      });
    const run = new ReadRun({}, slow);
    const reading = run.read([{ definition: activities, syncMode: 'full_refresh' }]);
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await settle();
    // The first page is printed (into a full sink) and the reader waits for it to drain.
    expect(asked).toEqual(['first']);
    await settle();
    expect(asked).toEqual(['first']);
    // Let the sink take everything: the read goes on to the second page and completes.
    let done = false;
    void reading.then(() => (done = true));
    while (!done) {
      release();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(asked).toEqual(['first', 'p2']);
    expect(lines).toBeGreaterThan(5);
  });
});

describe('Reader: parents and per-partition cursors', () => {
  it('reads the parent once for all its children, never emits it, and keeps one cursor per parent', async () => {
    const parents = nock(BASE).get('/campaigns').once().reply(200, { campaigns: [campaign(1, MAY_1), campaign(2, MAY_1)] });
    const actions = nock(BASE)
      .get('/campaigns/1/actions')
      .reply(200, { actions: [action(11, 1, MAY_1 + DAY), action(12, 1, MAY_1 - DAY)], next: 'djIwOjI=' })
      .get('/campaigns/1/actions')
      .query({ start: 'djIwOjI=' })
      .reply(200, { actions: [action(13, 1, MAY_1 + 2 * DAY)], next: '' })
      .get('/campaigns/2/actions')
      .reply(200, { actions: [action(21, 2, MAY_1 - DAY)], next: '' });
    const metrics = nock(BASE)
      .get('/campaigns/1/metrics')
      .query({ period: 'days', steps: '2' })
      .reply(200, { metric: { series: { sent: [3, 4], opened: [1, 2] } } })
      .get('/campaigns/2/metrics')
      .query({ period: 'days', steps: '2' })
      .reply(200, { metric: { series: { sent: [0, 1], opened: [0, 0] } } });
    const campaignMetrics = {
      name: 'campaign_metrics',
      primaryKey: [['campaign_id']],
      parent: { stream: campaigns, key: (c) => String(c.id) },
      request: { path: ({ partition }) => `/campaigns/${String(partition.parent?.id)}/metrics`, query: () => ({ period: 'days', steps: 2 }) },
      records: '$.metric',
      paginate: noPagination,
      transform: (record, ctx) => ({ campaign_id: ctx.partition.parent?.id, ...record }),
    } satisfies StreamDefinition;
    const run = new ReadRun();
    await run.read([
      { definition: campaignActions, syncMode: 'incremental', state: { partitions: { '1': { updated: MAY_1 } } } },
      { definition: campaignMetrics, syncMode: 'full_refresh' },
    ]);
    expect(parents.isDone()).toBe(true);
    expect(actions.isDone()).toBe(true);
    expect(metrics.isDone()).toBe(true);
    expect(run.records('campaign_metrics')).toEqual([
      { campaign_id: 1, series: { sent: [3, 4], opened: [1, 2] } },
      { campaign_id: 2, series: { sent: [0, 1], opened: [0, 0] } },
    ]);
    expect(run.records('campaigns')).toEqual([]);
    // Campaign 1 had a cursor: its action 12 is older and dropped. Campaign 2 had none: all of it is read.
    expect(run.records('campaign_actions').map((r) => [r.id, r.campaign_id])).toEqual([[11, 1], [13, 1], [21, 2]]);
    expect(streamState(run, 'campaign_actions')).toEqual({ partitions: { '1': { updated: MAY_1 + 2 * DAY }, '2': { updated: MAY_1 - DAY } } });
    expect(run.statuses('campaign_actions')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(run.statuses('campaign_metrics')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  it('logs a WARN and goes on when a parent\'s partition answers 404 (deleted during the sync)', async () => {
    nock(BASE)
      .get('/campaigns')
      .reply(200, { campaigns: [campaign(1, MAY_1), campaign(2, MAY_1), campaign(3, MAY_1)] })
      .get('/campaigns/1/actions')
      .reply(200, { actions: [action(11, 1, MAY_1)], next: '' })
      .get('/campaigns/2/actions')
      .reply(404, { errors: [{ detail: 'campaign not found', status: '404' }] })
      .get('/campaigns/3/actions')
      .reply(200, { actions: [action(31, 3, MAY_1)], next: '' });
    const run = new ReadRun();
    const [outcome] = await run.read([{ definition: campaignActions, syncMode: 'full_refresh' }]);
    expect(outcome.error).toBeUndefined();
    expect(run.records('campaign_actions').map((r) => r.id)).toEqual([11, 31]);
    expect(run.statuses('campaign_actions')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(run.logs('WARN')).toHaveLength(1);
    expect(run.logs('WARN')[0]).toMatch(/campaign_actions: skipped 2 \(GET \/campaigns\/2\/actions answered 404: campaign not found\)/);
    expect(run.errors).toEqual([]);
  });
});

describe('Reader: refusals', () => {
  it('ends a stream answered 403 INCOMPLETE with a config_error naming it, while the other streams complete', async () => {
    nock(BASE)
      .get('/segments')
      .reply(403, { meta: { error: 'Segments are not available on your plan' } })
      .get('/campaigns')
      .reply(200, { campaigns: [campaign(1, MAY_1)] });
    const run = new ReadRun();
    const outcomes = await run.read([
      { definition: segments, syncMode: 'full_refresh' },
      { definition: campaigns, syncMode: 'full_refresh' },
    ]);
    expect(run.statuses('segments')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    expect(run.statuses('campaigns')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(run.records('campaigns')).toHaveLength(1);
    expect(run.errors).toEqual([
      expect.objectContaining({
        failure_type: 'config_error',
        stream_descriptor: { name: 'segments' },
        message: expect.stringMatching(/Stream segments is not available to this App API key \(403: Segments are not available on your plan\).*deselect the stream/),
      }),
    ]);
    expect(outcomes.map((o) => [o.stream, o.error?.failureType])).toEqual([['segments', 'config_error'], ['campaigns', undefined]]);
    expect(run.signal.aborted).toBe(false);
  });

  it('stops the whole run on a 401: config_error about the key, and the other streams stop before their next page', async () => {
    nock(BASE)
      .get('/segments')
      .reply(401, { errors: [{ detail: 'invalid credentials', status: '401', code: 'invalid_credentials' }] })
      .get('/activities')
      .query({ limit: '2' })
      .delay(100)
      .reply(200, { activities: [activity('a1', MAY_1), activity('a0', MAY_1 - 1)], next: 'djIwOjI=' });
    const nextPage = nock(BASE).get('/activities').query({ limit: '2', start: 'djIwOjI=' }).reply(200, { activities: [], next: '' });
    const run = new ReadRun();
    const outcomes = await run.read([
      { definition: segments, syncMode: 'full_refresh' },
      { definition: activities, syncMode: 'full_refresh' },
    ]);
    expect(run.signal.aborted).toBe(true);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatchObject({ failure_type: 'config_error', message: expect.stringMatching(/rejected the App API key \(401: invalid credentials\)/) });
    expect(run.statuses('segments')).toEqual(['STARTED', 'INCOMPLETE']);
    expect(run.statuses('activities')).toEqual(['STARTED', 'INCOMPLETE']);
    expect(run.records('activities')).toEqual([]);
    expect(nextPage.isDone()).toBe(false);
    expect(outcomes[1].error).toBe(run.signal.reason);
  });

  it('ends a stream whose retries run out with a transient_error, after the last good STATE', async () => {
    nock(BASE)
      .get('/activities')
      .query({ limit: '2' })
      .reply(200, { activities: [activity('a1', MAY_1), activity('a0', MAY_1 - 1)], next: 'djIwOjI=' })
      .get('/activities')
      .query({ limit: '2', start: 'djIwOjI=' })
      .times(2)
      .reply(502, '<html>Bad Gateway</html>');
    const run = new ReadRun();
    const [outcome] = await run.read([{ definition: activities, syncMode: 'full_refresh' }]);
    expect(outcome.error?.failureType).toBe('transient_error');
    expect(run.sequence('activities')).toEqual(['STARTED', 'RUNNING', 'RECORD', 'RECORD', 'STATE 2', 'ERROR transient_error', 'INCOMPLETE']);
    expect(run.errors[0].message).toMatch(/after 2 attempts \(last: answered 502 \(<html>Bad Gateway<\/html>\)\)/);
    expect(run.signal.aborted).toBe(false);
  });

  it('ends a stream answered 400 with a system_error that quotes the API\'s detail', async () => {
    nock(BASE).get('/segments').reply(400, { errors: [{ detail: 'limit must be at most 100', status: '400' }] });
    const run = new ReadRun();
    await run.read([{ definition: segments, syncMode: 'full_refresh' }]);
    expect(run.errors).toEqual([expect.objectContaining({ failure_type: 'system_error', stream_descriptor: { name: 'segments' }, message: 'Stream segments: GET /segments answered 400: limit must be at most 100' })]);
    expect(run.statuses('segments')).toEqual(['STARTED', 'INCOMPLETE']);
  });

  it('honours a definition\'s own status table: "empty" reads a 404 as no records', async () => {
    nock(BASE).get('/segments').reply(404, { errors: [{ detail: 'not found', status: '404' }] });
    const definition = { ...segments, onStatus: { 404: 'empty' } } satisfies StreamDefinition;
    const run = new ReadRun();
    const [outcome] = await run.read([{ definition, syncMode: 'full_refresh' }]);
    expect(outcome.error).toBeUndefined();
    expect(run.statuses('segments')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });
});

describe('Reader: deletions', () => {
  it('emits _ab_cdc_deleted_at records, with the deletion time as the cursor, for ids of the last state that vanished, and saves the ids seen', async () => {
    nock(BASE).get('/campaigns').reply(200, { campaigns: [campaign(1, MAY_1), campaign(3, MAY_1 + DAY)] });
    const run = new ReadRun();
    await run.read([{ definition: campaigns, syncMode: 'incremental', state: { updated: MAY_1 + DAY, ids: [1, 2, 3] } }]);
    expect(run.records('campaigns')).toEqual([
      expect.objectContaining({ id: 3 }),
      { id: 2, updated: NOW_S, _ab_cdc_deleted_at: new Date(NOW_MS).toISOString() },
    ]);
    // The deletion comes with the stream's final STATE, which holds the new memory.
    expect(run.sequence('campaigns')).toEqual(['STARTED', 'RUNNING', 'RECORD', 'RECORD', 'STATE 2', 'COMPLETE']);
    expect(streamState(run, 'campaigns')).toEqual({ updated: MAY_1 + DAY, ids: [1, 3], ids_cursor: MAY_1 + DAY });
  });

  it('reports no deletion on the first read, which only starts remembering ids', async () => {
    nock(BASE).get('/campaigns').reply(200, { campaigns: [campaign(1, MAY_1), campaign(2, MAY_1)] });
    const run = new ReadRun();
    await run.read([{ definition: campaigns, syncMode: 'incremental' }]);
    expect(run.records('campaigns').filter((r) => '_ab_cdc_deleted_at' in r)).toEqual([]);
    expect(streamState(run, 'campaigns')).toEqual({ updated: MAY_1, ids: [1, 2], ids_cursor: MAY_1 });
  });
});

describe('Reader: partitions read concurrently', () => {
  const byType = {
    name: 'activities',
    primaryKey: [['id']],
    request: { path: '/activities', query: ({ partition }) => ({ type: partition.values?.type as string }) },
    records: '$.activities[*]',
    paginate: cursorPaginator({ limit: 2 }),
    partitions: () => ['event', 'page', 'sent_email'].map((type) => ({ key: `type=${type}`, values: { type } })),
    incremental: clientSide('timestamp', { perPartition: true }),
    concurrency: 3,
  } satisfies StreamDefinition;

  it('prints nothing for a stream after its INCOMPLETE status, even from partitions still in flight when another failed', async () => {
    nock(BASE)
      .get('/activities')
      .query({ type: 'event', limit: '2' })
      .reply(400, { errors: [{ detail: 'unknown type', status: '400' }] })
      .get('/activities')
      .query({ type: 'page', limit: '2' })
      .delay(80)
      .reply(200, { activities: [activity('p1', MAY_1)], next: '' })
      .get('/activities')
      .query({ type: 'sent_email', limit: '2' })
      .delay(80)
      .reply(200, { activities: [activity('s1', MAY_1)], next: '' });
    const run = new ReadRun();
    await run.read([{ definition: byType, syncMode: 'incremental' }]);
    // Give the partitions that were in flight time to answer (and print, if they still could).
    await new Promise((resolve) => setTimeout(resolve, 250));
    const sequence = run.sequence('activities');
    expect(sequence.at(-1)).toBe('INCOMPLETE');
    expect(sequence.filter((m) => m === 'INCOMPLETE' || m === 'COMPLETE')).toHaveLength(1);
    expect(run.errors).toHaveLength(1);
  });

  it('keeps each partition\'s own cursor and reads every partition', async () => {
    nock(BASE)
      .get('/activities')
      .query({ type: 'event', limit: '2' })
      .reply(200, { activities: [activity('e1', MAY_1 + DAY), activity('e0', MAY_1 - DAY)], next: '' })
      .get('/activities')
      .query({ type: 'page', limit: '2' })
      .reply(200, { activities: [activity('p1', MAY_1 - 2 * DAY)], next: '' })
      .get('/activities')
      .query({ type: 'sent_email', limit: '2' })
      .reply(200, { activities: [], next: '' });
    const run = new ReadRun();
    await run.read([{ definition: byType, syncMode: 'incremental', state: { partitions: { 'type=event': { timestamp: MAY_1 } } } }]);
    expect(run.records('activities').map((r) => r.id).sort()).toEqual(['e1', 'p1']);
    expect(streamState(run, 'activities')).toEqual({ partitions: { 'type=event': { timestamp: MAY_1 + DAY }, 'type=page': { timestamp: MAY_1 - 2 * DAY } } });
  });
});

describe('Reader: partitions that share one cursor', () => {
  const shared = {
    name: 'activities',
    primaryKey: [['id']],
    request: { path: '/activities', query: ({ partition }) => ({ type: partition.values?.type as string }) },
    records: '$.activities[*]',
    paginate: cursorPaginator({ limit: 2 }),
    partitions: () => ['event', 'page'].map((type) => ({ key: `type=${type}`, values: { type } })),
    incremental: clientSide('timestamp'),
    concurrency: 2,
  } satisfies StreamDefinition;

  it('moves the stream cursor only when every partition is done, so no STATE skips a slower partition\'s records', async () => {
    nock(BASE)
      .get('/activities')
      .query({ type: 'event', limit: '2' })
      .reply(200, { activities: [activity('e9', MAY_1 + 9 * DAY)], next: '' })
      .get('/activities')
      .query({ type: 'page', limit: '2' })
      .delay(50)
      .reply(200, { activities: [activity('p3', MAY_1 + 3 * DAY), activity('p2', MAY_1 + 2 * DAY)], next: 'n2' })
      .get('/activities')
      .query({ type: 'page', limit: '2', start: 'n2' })
      .delay(50)
      .reply(200, { activities: [activity('p1', MAY_1 + DAY)], next: '' });
    const run = new ReadRun();
    await run.read([{ definition: shared, syncMode: 'incremental', state: { timestamp: MAY_1 } }]);
    expect(run.records('activities').map((r) => r.id).sort()).toEqual(['e9', 'p1', 'p2', 'p3']);
    const states = run.states('activities');
    // Every mid-run checkpoint keeps the starting cursor; only the last one has the newest value of all partitions.
    expect(states.slice(0, -1).every((s) => s.timestamp === MAY_1)).toBe(true);
    expect(states.at(-1)).toEqual({ timestamp: MAY_1 + 9 * DAY });
  });
});

describe('Reader: a parent that cannot be read', () => {
  it('ends the child INCOMPLETE with a config_error naming the child when the parent listing answers 403', async () => {
    nock(BASE).get('/campaigns').reply(403, { errors: [{ detail: 'restricted key', status: '403' }] });
    const run = new ReadRun();
    const [outcome] = await run.read([{ definition: campaignActions, syncMode: 'full_refresh' }]);
    expect(outcome.error?.failureType).toBe('config_error');
    expect(run.statuses('campaign_actions')).toEqual(['STARTED', 'INCOMPLETE']);
    expect(run.errors).toEqual([
      expect.objectContaining({ failure_type: 'config_error', stream_descriptor: { name: 'campaign_actions' }, message: expect.stringMatching(/campaigns.*403: restricted key/) }),
    ]);
  });

  it('ends the child INCOMPLETE naming the child when the parent listing fails otherwise', async () => {
    nock(BASE).get('/campaigns').reply(400, { errors: [{ detail: 'bad request', status: '400' }] });
    const run = new ReadRun();
    await run.read([{ definition: campaignActions, syncMode: 'full_refresh' }]);
    expect(run.statuses('campaign_actions')).toEqual(['STARTED', 'INCOMPLETE']);
    expect(run.errors).toEqual([expect.objectContaining({ failure_type: 'system_error', stream_descriptor: { name: 'campaign_actions' } })]);
  });
});
