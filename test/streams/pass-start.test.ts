/**
 * A cursor of a list of things never passes the moment its pass began (entityCursor, passCeiling): an object edited
 * while the pass runs, after its page was read, is read again by the next read even when an object on a later page
 * was edited after it. Against nock, with the API's `Date` header on every answer (and without one).
 */
import nock from 'nock';
import { campaignActions, campaigns } from '../../src/customerio/streams/campaigns.js';
import { newsletters } from '../../src/customerio/streams/newsletters.js';
import { PASS_START_MARGIN } from '../../src/engine/incremental.js';
import { API, readStreams } from './listing-harness.js';

/** The run's clock, and the API's: 2024-06-01T00:00:00Z. */
const NOW_MS = Date.UTC(2024, 5, 1);
const T = NOW_MS / 1000 - 3600;
const dated = (seconds: number) => ({ Date: new Date(seconds * 1000).toUTCString() });

const newsletter = (id: number, updated: number) => ({ id, deduplicate_id: `${id}:${updated}`, name: `Weekly ${id}`, type: 'email', created: 1_700_000_000, updated, tags: [] });
const action = (id: number, updated: number) => ({ id, campaign_id: 1, deduplicate_id: `${id}:${updated}`, name: `Email ${id}`, type: 'email', created: 1_700_000_000, updated });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('a pass over a paginated list', () => {
  it('saves no cursor past its first answer, so an object edited on page 1 while page 2 was read is read by the next read', async () => {
    const saved = T - 86_400;
    // Page 1 at T: A (edited long ago) and C. Then A is edited at T+5 and B at T+15; page 2 is read at T+20 and has B.
    nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [newsletter(1, saved + 10), newsletter(3, saved + 20)], next: 'p2' }, dated(T))
      .get('/v1/newsletters')
      .query({ limit: '100', start: 'p2' })
      .reply(200, { newsletters: [newsletter(2, T + 15)], next: '' }, dated(T + 20));
    const first = await readStreams([{ definition: newsletters, syncMode: 'incremental', state: { updated: saved } }], { now: NOW_MS });
    expect(first.records('newsletters').map((r) => r.id)).toEqual([1, 3, 2]);
    const cursor = first.lastState('newsletters')!.updated as number;
    // Before: B's T+15 — and the next read dropped A's edit at T+5 for good.
    expect(cursor).toBeLessThanOrEqual(T - PASS_START_MARGIN);
    expect(cursor).toBeGreaterThan(T - PASS_START_MARGIN - 60);
    expect(Number.isInteger(cursor)).toBe(true);

    nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [newsletter(1, T + 5), newsletter(3, saved + 20), newsletter(2, T + 15)], next: '' }, dated(T + 600));
    const second = await readStreams([{ definition: newsletters, syncMode: 'incremental', state: first.lastState('newsletters') }], { now: NOW_MS });
    expect(second.records('newsletters').map((r) => [r.id, r.updated])).toEqual([
      [1, T + 5],
      // A cheap duplicate: B was printed already, its edit is within the margin of the last pass's start.
      [2, T + 15],
    ]);
  });

  it('keeps its newest cursor when nothing was edited since the pass began, and goes by this machine\'s clock, less the skew allowed, without a Date header', async () => {
    const saved = T - 86_400;
    nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [newsletter(1, saved + 10)], next: '' }, dated(T));
    const quiet = await readStreams([{ definition: newsletters, syncMode: 'incremental', state: { updated: saved } }], { now: NOW_MS });
    expect(quiet.lastState('newsletters')!.updated).toBe(saved + 10);

    nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [newsletter(1, NOW_MS / 1000 - 30)], next: '' });
    const undated = await readStreams([{ definition: newsletters, syncMode: 'incremental', state: { updated: saved } }], { now: NOW_MS });
    // The run's clock less the 5 minutes of skew the connector allows and the margin, on a whole minute.
    expect(undated.lastState('newsletters')!.updated).toBe(NOW_MS / 1000 - 300 - PASS_START_MARGIN);
  });
});

describe('a pass per parent (campaign_actions, 10 a page)', () => {
  it('holds each campaign\'s cursor at the start of that campaign\'s own pass', async () => {
    const saved = T - 86_400;
    const page1 = Array.from({ length: 10 }, (_, i) => action(1001 + i, saved + 100 + i));
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1, name: 'Onboarding', updated: saved, created: 1_700_000_000, actions: [] }] }, dated(T - 30))
      .get('/v1/campaigns/1/actions')
      .query(true)
      .reply(200, { actions: page1, next: 'p2' }, dated(T))
      .get('/v1/campaigns/1/actions')
      .query((q) => q.start === 'p2')
      .reply(200, { actions: [action(1011, T + 15)], next: '' }, dated(T + 20));
    const first = await readStreams([{ definition: campaignActions, syncMode: 'incremental', state: { partitions: { '1': { updated: saved } } } }], { now: NOW_MS });
    expect(first.records('campaign_actions')).toHaveLength(11);
    const cursor = first.lastState('campaign_actions')!.partitions['1'].updated as number;
    expect(cursor).toBeLessThanOrEqual(T - PASS_START_MARGIN);

    // Action 1001 was edited at T+5, after page 1 was read: the next read keeps it.
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1, name: 'Onboarding', updated: saved, created: 1_700_000_000, actions: [] }] }, dated(T + 600))
      .get('/v1/campaigns/1/actions')
      .query(true)
      .reply(200, { actions: [action(1001, T + 5), ...page1.slice(1)], next: 'p2' }, dated(T + 600))
      .get('/v1/campaigns/1/actions')
      .query((q) => q.start === 'p2')
      .reply(200, { actions: [action(1011, T + 15)], next: '' }, dated(T + 601));
    const second = await readStreams([{ definition: campaignActions, syncMode: 'incremental', state: first.lastState('campaign_actions') }], { now: NOW_MS });
    expect(second.records('campaign_actions').map((r) => r.id)).toEqual([1001, 1011]);
  });
});

describe('a list read in one request (campaigns)', () => {
  it('holds its cursor at the answer\'s Date less the margin too: an edit the answer could not see yet is read next time', async () => {
    const saved = T - 86_400;
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1, name: 'A', updated: T - 10, created: 1_700_000_000, actions: [] }] }, dated(T));
    const result = await readStreams([{ definition: campaigns, syncMode: 'incremental', state: { updated: saved } }], { now: NOW_MS });
    expect(result.lastState('campaigns')!.updated).toBe(Math.floor((T - PASS_START_MARGIN) / 60) * 60);
  });
});
