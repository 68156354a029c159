/** campaign_metrics, newsletter_metrics and broadcast_metrics against nock: one shared shape, three parents. */
import nock from 'nock';
import { broadcastMetrics, campaignMetrics, newsletterMetrics } from '../../src/customerio/streams/metrics-streams.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

/** 2024-06-01T00:00:00Z (the harness's clock) = 2024-05-31 20:00 in New York. */
const NOW = 1_717_200_000;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const cases: Array<[string, StreamDefinition, string, string, (id: number) => Record<string, unknown>, Record<string, string>]> = [
  ['campaign_metrics', campaignMetrics, 'campaigns', 'campaign_id', (id) => ({ id, name: `c${id}`, updated: NOW }), {}],
  ['newsletter_metrics', newsletterMetrics, 'newsletters', 'newsletter_id', (id) => ({ id, name: `n${id}`, updated: NOW }), { limit: '100' }],
  ['broadcast_metrics', broadcastMetrics, 'broadcasts', 'broadcast_id', (id) => ({ id: String(id), name: `b${id}`, updated: NOW }), {}],
];

describe.each(cases)('%s', (name, definition, parentPath, idField, parent, parentQuery) => {
  it(`reads every ${parentPath.slice(0, -1)}, then GET /v1/${parentPath}/{id}/metrics with period and steps, one record per bucket`, async () => {
    const api = nock(API)
      .get(`/v1/${parentPath}`)
      .query(parentQuery)
      .reply(200, { [parentPath]: [parent(1), parent(3)] })
      .get(`/v1/${parentPath}/1/metrics`)
      .query({ period: 'months', steps: '121' })
      .reply(200, { metric: { series: { sent: [3, 4], delivered: [2, 4], human_opened: [0, 1] } } })
      .get(`/v1/${parentPath}/3/metrics`)
      .query({ period: 'months', steps: '121' })
      .reply(200, { metric: { series: { sent: [8] } } });
    const result = await readStreams([{ definition }], { config: { metrics_period: 'months' } });
    api.done();
    const records = result.records(name);
    expect(records).toEqual(
      expect.arrayContaining([
        { [idField]: 1, period: 'months', period_start: '2024-04-01T00:00:00-04:00', sent: 3, delivered: 2, human_opened: 0 },
        { [idField]: 1, period: 'months', period_start: '2024-05-01T00:00:00-04:00', sent: 4, delivered: 4, human_opened: 1 },
        { [idField]: 3, period: 'months', period_start: '2024-05-01T00:00:00-04:00', sent: 8 },
      ]),
    );
    expect(records).toHaveLength(3);
    expect(definition.primaryKey).toEqual([[idField], ['period'], ['period_start']]);
    expectRecordsMatchSchema(definition, records);
    expect(result.records(parentPath)).toEqual([]);
  });

  it('re-reads the saved bucket and the one before it on an incremental read', async () => {
    nock(API)
      .get(`/v1/${parentPath}`)
      .query(parentQuery)
      .reply(200, { [parentPath]: [parent(1)] })
      .get(`/v1/${parentPath}/1/metrics`)
      // Saved: the week of May 19 → re-read from May 12: May 12, 19, 26 = 3 steps.
      .query({ period: 'weeks', steps: '3' })
      .reply(200, { metric: { series: { sent: [1, 2, 3] } } });
    const state = { partitions: { '1': { period_start: '2024-05-19T00:00:00-04:00' } } };
    const result = await readStreams([{ definition, syncMode: 'incremental', state }], { config: { metrics_period: 'weeks' } });
    expect(result.records(name).map((r) => r.period_start)).toEqual(['2024-05-12T00:00:00-04:00', '2024-05-19T00:00:00-04:00', '2024-05-26T00:00:00-04:00']);
    expect(result.lastState(name)).toEqual({ partitions: { '1': { period_start: '2024-05-26T00:00:00-04:00' } } });
  });
});

describe('metrics buckets on the API\'s clock', () => {
  // The API answered at 23:59:59 on May 31 in New York (its Date header); the connector handles the answer two
  // seconds later by its own clock, already June 1 there. The series' last element is the API's current bucket.
  const answeredAt = 'Sat, 01 Jun 2024 03:59:59 GMT';
  const handledAt = Date.UTC(2024, 5, 1, 4, 0, 1);
  const series = { metric: { series: { sent: [5, 6, 7] } } };

  it('dates the buckets by the answer\'s Date header, not by the local clock read after it', async () => {
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1, name: 'c1', updated: NOW }] })
      .get('/v1/campaigns/1/metrics')
      .query({ period: 'days', steps: '45' })
      .reply(200, series, { Date: answeredAt });
    const result = await readStreams([{ definition: campaignMetrics }], { now: handledAt });
    expect(result.records('campaign_metrics').map((r) => [r.period_start, r.sent])).toEqual([
      ['2024-05-29T00:00:00-04:00', 5],
      ['2024-05-30T00:00:00-04:00', 6],
      ['2024-05-31T00:00:00-04:00', 7],
    ]);
  });

  it('falls back on the local clock for an answer without a Date header', async () => {
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1, name: 'c1', updated: NOW }] })
      .get('/v1/campaigns/1/metrics')
      .query({ period: 'days', steps: '45' })
      .reply(200, series);
    const result = await readStreams([{ definition: campaignMetrics }], { now: handledAt });
    expect(result.records('campaign_metrics').map((r) => r.period_start).at(-1)).toBe('2024-06-01T00:00:00-04:00');
  });
});
