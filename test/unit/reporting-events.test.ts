/**
 * reporting_events' pure parts: a stored event as a row, which receiver URLs are accepted, and reading a log after a
 * saved position (gaps, a replaced store, a position not of the store) with a LogReader made here.
 */
import { reportingEventRecord } from '../../src/customerio/reporting-events/record.js';
import { isLocalHost, receiverPartitions, receiverUrlProblem } from '../../src/customerio/reporting-events/receivers.js';
import { logBatches, LogPositionError, type LogPage, type LogReader } from '../../src/customerio/reporting-events/log.js';
import { encodeLine, type NewEvent } from '../../src/webhooks/store/format.js';
import { ConnectorError } from '../../src/errors.js';
import { futureCursors, positionCursor, stateProblems } from '../../src/engine/incremental.js';
import { Checkpoint } from '../../src/engine/checkpoint.js';

const stored = (body: string | undefined, fields: Partial<NewEvent> = {}) => ({ o: 0, at: 1_700_000_000_500, ts: 1_700_000_001, id: 'E1', f: [], ...(body === undefined ? {} : { b: body }), ...fields });

describe('a stored event as a row', () => {
  it('has the envelope, the common data fields typed, the whole data, and what the receiver knew', () => {
    const body = JSON.stringify({
      event_id: 'E1',
      object_type: 'email',
      metric: 'clicked',
      timestamp: 1613063089,
      data: { identifiers: { id: '42', email: 'a@example.com', cio_id: 'c1' }, customer_id: 42, delivery_id: 'RAEC', campaign_id: '7', action_id: 3, journey_id: 15, recipient: 'a@example.com', subject: 'Hi', href: 'https://example.com', link_id: 9, trigger_event_id: null },
      surprise: true,
    });
    expect(reportingEventRecord(stored(body), 400, 'store-1')).toEqual({
      event_id: 'E1',
      object_type: 'email',
      metric: 'clicked',
      timestamp: 1613063089,
      delivery_id: 'RAEC',
      identifiers: { id: '42', email: 'a@example.com', cio_id: 'c1' },
      customer_id: '42',
      campaign_id: 7,
      action_id: 3,
      broadcast_id: null,
      newsletter_id: null,
      transactional_message_id: null,
      journey_id: '15',
      recipient: 'a@example.com',
      subject: 'Hi',
      href: 'https://example.com',
      link_id: 9,
      failure_message: null,
      data: JSON.parse(body).data,
      extra: { surprise: true },
      body: null,
      flags: [],
      received_at: 1_700_000_000,
      sent_at: 1_700_000_001,
      receiver: 'store-1',
      position: 400,
    });
  });

  it.each([
    ['text that is not JSON', stored('hello', { f: ['not_json', 'no_event_id'] }), 'hello'],
    ['an array', stored('[1]', { f: ['not_an_object', 'no_event_id'] }), '[1]'],
    ['a body cut at the size limit', stored('{"event_id":"E1","data":{"content":"xx', { f: ['too_large'], size: 99 }), '{"event_id":"E1","data":{"content":"xx'],
    ['a body that is not UTF-8 (base64)', stored(undefined, { b64: 'e/7+fQ==', f: ['not_utf8', 'no_event_id'] }), 'e/7+fQ=='],
  ])('keeps %s whole in body, with empty columns', (_what, event, body) => {
    const row = reportingEventRecord(event, 10, 's');
    expect([row.body, row.object_type, row.data, row.flags]).toEqual([body, null, null, event.f]);
  });

  it('reads object_type from the misspelt object_type_type of the vendor’s preferences schema', () => {
    expect(reportingEventRecord(stored('{"event_id":"E1","object_type_type":"customer","metric":"cio_subscription_preferences_changed"}'), 1, 's').object_type).toBe('customer');
  });
});

describe('receiver URLs', () => {
  it.each([
    ['https://webhooks.example.com', undefined],
    ['https://webhooks.example.com:8443/base', undefined],
    ['http://cio-webhooks:8080', undefined],
    ['http://cio-webhooks.data.svc.cluster.local:8080', undefined],
    ['http://127.0.0.1:8080', undefined],
    ['http://10.1.2.3', undefined],
    ['http://172.20.0.5', undefined],
    ['http://192.168.1.10', undefined],
    ['http://[::1]:8080', undefined],
    ['http://[fd00::5]:8080', undefined],
    ['http://receiver.internal', undefined],
    ['http://webhooks.example.com', /must use https/],
    ['http://8.8.8.8', /must use https/],
    ['http://172.32.0.1', /must use https/],
    ['ftp://cio-webhooks', /must start with https/],
    ['https://user:pass@webhooks.example.com', /user or password/],
    ['https://webhooks.example.com/?token=x', /query or fragment/],
    ['cio-webhooks:8080', /must start with https|is not a URL/],
  ])('%s: %s', (url, problem) => {
    const got = receiverUrlProblem(url);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(problem);
  });

  it('tells single-label and reserved names from public ones', () => {
    expect(['localhost', 'cio-webhooks', 'x.local', 'x.lan', 'x.home.arpa'].map(isLocalHost)).toEqual([true, true, true, true, true]);
    expect(['example.com', 'svc.example.com', '100.128.0.1'].map(isLocalHost)).toEqual([false, false, false]);
  });

  it('makes one partition per receiver and per folder', () => {
    expect(receiverPartitions({ receivers: ['http://a:1', 'http://b:1'], folders: ['/data/s'], acceptGaps: false }).map((p) => p.key)).toEqual(['http://a:1', 'http://b:1', 'folder:/data/s']);
  });
});

/** A log held in memory, answering pages as a receiver does. */
class MemoryLog implements LogReader {
  readonly name = 'http://log';
  lines: Buffer[] = [];
  first = 0;
  asked: Array<[number | undefined, number | undefined]> = [];
  constructor(
    public storeId = 'store-A',
    private readonly perPage = 2,
  ) {}
  get end() {
    return this.lines.reduce((n, l) => n + l.length + 1, 0);
  }
  add(id: string) {
    this.lines.push(encodeLine({ at: 1, ts: 1, id, f: [], b: `{"event_id":"${id}"}` }, this.end).subarray(0, -1));
  }
  async page(after: number | undefined, until: number | undefined): Promise<LogPage> {
    this.asked.push([after, until]);
    const from = after ?? this.first;
    if (from < this.first) throw new LogPositionError('gone', 'dropped', this.storeId, this.first);
    if (from > this.end) throw new LogPositionError('beyond', 'past the end', this.storeId);
    let at = 0;
    const page: Buffer[] = [];
    for (const line of this.lines) {
      if (at >= from && at < (until ?? this.end) && page.length < this.perPage) page.push(line);
      at += line.length + 1;
    }
    const next = from + page.reduce((n, l) => n + l.length + 1, 0);
    return { storeId: this.storeId, first: this.first, end: this.end, after: from, next, lines: page };
  }
}

async function read(log: LogReader, resume?: Record<string, unknown>, acceptGaps = false) {
  const warnings: string[] = [];
  const ids: string[] = [];
  let last: Record<string, unknown> | undefined;
  for await (const batch of logBatches(log, resume as never, acceptGaps, (m) => warnings.push(m))) {
    ids.push(...batch.map((r) => String(r.event_id)));
    last = batch.at(-1);
  }
  return { ids, warnings, resume: last && { position: last.position, receiver: last.receiver } };
}

describe('reading a log after a position', () => {
  it('reads everything kept, then only what came after the saved position, up to the end the read began with', async () => {
    const log = new MemoryLog();
    for (const id of ['a', 'b', 'c']) log.add(id);
    const first = await read(log);
    expect(first.ids).toEqual(['a', 'b', 'c']);
    log.add('d');
    const second = await read(log, first.resume);
    expect(second.ids).toEqual(['d']);
    expect((await read(log, second.resume)).ids).toEqual([]);
  });

  it('leaves events stored while it reads to the next read (it reads up to the end its first page reported)', async () => {
    const log = new MemoryLog();
    for (const id of ['a', 'b', 'c']) log.add(id);
    const end = log.end;
    const page = log.page.bind(log);
    log.page = async (after, until) => {
      const answer = await page(after, until);
      log.add(`late-${log.lines.length}`);
      return answer;
    };
    const first = await read(log);
    expect(first.ids).toEqual(['a', 'b', 'c']);
    expect(log.asked.slice(1).map(([, until]) => until)).toEqual([end]);
    expect((await read(log, first.resume)).ids).toEqual(['late-3', 'late-4']);
  });

  it('fails on a gap retention made, naming the fix, or goes on from the oldest kept with a WARN when told to', async () => {
    const log = new MemoryLog();
    for (const id of ['a', 'b', 'c']) log.add(id);
    const saved = (await read(log)).resume!;
    log.add('d');
    log.add('e');
    log.first = log.end - log.lines.at(-1)!.length - 1;
    const failed = await read(log, saved).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ConnectorError);
    expect(failed).toMatchObject({ failureType: 'config_error', message: expect.stringMatching(/no longer keeps the events after position \d+ .*reporting_events_accept_gaps/) });
    const accepted = await read(log, saved, true);
    expect(accepted.ids).toEqual(['e']);
    expect(accepted.warnings.join()).toMatch(/going on from/);
  });

  it('fails when the receiver now serves another store, or reads the new one from its start when told to', async () => {
    const log = new MemoryLog('store-B');
    for (const id of ['x', 'y']) log.add(id);
    const saved = { position: 0, receiver: 'store-A' };
    await expect(read(log, saved)).rejects.toMatchObject({ failureType: 'config_error', message: expect.stringMatching(/now serves store store-B, not store store-A/) });
    const beyond = { position: 10_000, receiver: 'store-A' };
    await expect(read(log, beyond)).rejects.toMatchObject({ message: expect.stringMatching(/now serves store store-B/) });
    const accepted = await read(log, beyond, true);
    expect(accepted.ids).toEqual(['x', 'y']);
    expect(accepted.warnings.join()).toMatch(/reading store store-B from its start/);
  });

  it('fails on a position past the end of the saved store', async () => {
    const log = new MemoryLog();
    log.add('a');
    await expect(read(log, { position: 10_000, receiver: 'store-A' })).rejects.toMatchObject({ message: expect.stringMatching(/cannot be read after the saved position 10000.*Reset the stream/) });
  });
});

describe('the position cursor', () => {
  const strategy = positionCursor('position', 'receiver');

  it.each([
    [{ partitions: { 'http://a:1': { position: 0, receiver: 'store-A' } } }, []],
    [{ partitions: { 'http://a:1': { position: 9_000_000_000_000, receiver: 'store-A' } } }, []],
    [{ partitions: { 'http://a:1': { position: -1 } } }, ['partitions["http://a:1"].position must be a position (a whole number of 0 or more), not -1']],
    [{ partitions: { 'http://a:1': { position: '2024-01-01' } } }, ['partitions["http://a:1"].position must be a position (a whole number of 0 or more), not "2024-01-01"']],
    [{ partitions: { 'http://a:1': { position: 1.5 } } }, ['partitions["http://a:1"].position must be a position (a whole number of 0 or more), not 1.5']],
    [{ partitions: { 'http://a:1': { position: 5, receiver: 7 } } }, ['partitions["http://a:1"].receiver must be text']],
  ])('checks a saved state %j: %j', (state, problems) => {
    expect(stateProblems(strategy, state as never)).toEqual(problems);
  });

  it('never takes a position for a time in the future', () => {
    expect(futureCursors(strategy, { partitions: { a: { position: 9_000_000_000_000 } } }, 1_700_000_000)).toEqual([]);
  });

  it('places a partition’s cursor and scope as given, even lower than before (a new store read from its start)', () => {
    const checkpoint = new Checkpoint(strategy, { partitions: { a: { position: 500, receiver: 'store-A' }, b: { position: 7, receiver: 'store-B' } } });
    checkpoint.place('a', { position: 120, receiver: 'store-C' });
    expect(checkpoint.take().state).toEqual({ partitions: { a: { position: 120, receiver: 'store-C' }, b: { position: 7, receiver: 'store-B' } } });
    expect(checkpoint.startCursor('a')).toBe(500);
    expect(checkpoint.startCursor('a', 'receiver')).toBe('store-A');
  });
});
