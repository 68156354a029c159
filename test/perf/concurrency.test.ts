/**
 * Concurrency under the one limiter: partitions of a stream, windows of a partition and the pages of an
 * enriched pass are read at once, so requests in flight fill the budget whatever the latency; the cursor of a
 * partition still moves only past windows read in full; and a deep pass goes ahead of queued new work.
 */
import nock from 'nock';
import { RateLimiter } from '../../src/engine/limiter.js';
import { messages } from '../../src/customerio/streams/messages.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { BASE, EVERY_PAGE, NOW_S, ReadRun } from '../unit/reader-harness.js';
import { isoSeconds, peakInFlight, readStreams, recordsOf } from './harness.js';

const DAY = 86_400;

describe('requests in flight', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 5, now: Math.floor(Date.now() / 1000) - 60, rateLimit: false, latencyMs: 250, sizes: { campaigns: 8, actionsPerCampaign: 25, messages: 500 } });
  });
  afterAll(() => sb.close());
  beforeEach(() => sb.resetStats());

  it('reads partitions concurrently: with 250 ms latency, 4 campaigns\' actions are in flight at once', async () => {
    const read = await readStreams(sb, ['campaign_actions']);
    expect(read.code).toBe(0);
    expect(peakInFlight(sb.stats().requests, (r) => r.endpoint === 'GET /v1/campaigns/{id}/actions')).toBe(4);
  });

  it('keeps more than one request in flight at 10 requests a second when each takes 250 ms', async () => {
    const read = await readStreams(sb, ['campaign_actions'], { requestsPerSecond: 10 });
    expect(read.code).toBe(0);
    expect(peakInFlight(sb.stats().requests)).toBeGreaterThanOrEqual(2);
    expect(sb.stats().peakPerSecond).toBeLessThanOrEqual(10);
  });

  it('reads the 30-day windows of a partition concurrently', async () => {
    const start = Math.floor(Date.now() / 1000) - 100 * DAY;
    const read = await readStreams(sb, ['messages'], { config: { start_date: isoSeconds(start) } });
    expect(read.code).toBe(0);
    expect(sb.stats().byEndpoint['GET /v1/messages']).toBe(4);
    expect(peakInFlight(sb.stats().requests, (r) => r.endpoint === 'GET /v1/messages')).toBe(4);
  });
});

describe('an enriched pass (customers)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 6, now: Math.floor(Date.now() / 1000) - 60, rateLimit: false, latencyMs: 100, sizes: { customers: 4_500 } });
  });
  afterAll(() => sb.close());

  it('asks for the next page while the attribute calls of the previous one are in flight, and prints pages in order', async () => {
    const read = await readStreams(sb, ['customers']);
    expect(read.code).toBe(0);
    expect(recordsOf(read.messages, 'customers').map((r) => r.cio_id)).toEqual(sb.expected.customerCioIds());
    const requests = sb.stats().requests;
    const searches = requests.filter((r) => r.endpoint === 'POST /v1/customers').slice(1);
    const calls = requests.filter((r) => r.endpoint === 'POST /v1/customers/attributes');
    const overlapping = searches.filter((s) => calls.some((a) => a.at < s.at && s.at < a.at + a.durationMs));
    expect(overlapping.length).toBeGreaterThan(0);
  });
});

describe('the cursor of a partition read in concurrent windows', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('moves only past windows that are all read: a slow first window holds it while later windows finish', async () => {
    const start = NOW_S - 70 * DAY;
    // Windows of 30 days less a second, each asked from a second before it.
    const ends = [start + 30 * DAY - 1, start + 60 * DAY - 2, NOW_S];
    const delivery = (id: string, created: number) => ({ id, created, type: 'email', metrics: {} });
    nock(BASE)
      .get('/messages')
      .query((q) => Number(q.start_ts) === start - 1)
      .delay(300)
      .reply(200, { messages: [delivery('first-window', start + 10)], next: '' })
      .get('/messages')
      .query((q) => Number(q.start_ts) === ends[0] - 1)
      .reply(200, { messages: [delivery('second-window', ends[0] + 10)], next: '' })
      .get('/messages')
      .query((q) => Number(q.start_ts) === ends[1] - 1)
      .reply(200, { messages: [delivery('third-window', ends[1] + 10)], next: '' });
    const run = new ReadRun({ start_date: new Date(start * 1000).toISOString() }, undefined, { checkpoints: EVERY_PAGE });
    await run.read([{ definition: messages, syncMode: 'incremental' }]);
    const sequence = run.of('messages').filter((m) => m.type === 'RECORD' || m.type === 'STATE');
    const cursors = sequence.map((m) => (m.type === 'RECORD' ? m.record.data.id : (m.state.stream.stream_state.partitions?.all?.created ?? null)));
    // The later windows print first and their STATEs keep no cursor; only once the first window is read in full
    // does the cursor move, past all three, in the next STATE.
    expect(cursors).toEqual(['second-window', null, 'third-window', null, 'first-window', null, NOW_S]);
  });
});

describe('the limiter queue', () => {
  it('lets the next page of a deep pass go ahead of new work already waiting', async () => {
    const limiter = new RateLimiter({ requestsPerSecond: 50 });
    // A 429's pause holds everything back while the queue fills: eight first pages, then one deep page.
    limiter.onRateLimited(200);
    const started: string[] = [];
    const task = (name: string) => async () => void started.push(name);
    const waiting = Array.from({ length: 8 }, (_, i) => limiter.schedule(task(`first page ${i}`), 0));
    const deep = limiter.schedule(task('page 40 of a pass'), 5);
    await Promise.all([...waiting, deep]);
    await limiter.stop();
    // At most the first page already holding the gate goes before it.
    expect(started.indexOf('page 40 of a pass')).toBeLessThanOrEqual(1);
  });
});
