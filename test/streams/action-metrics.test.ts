/** campaign_action_metrics and broadcast_action_metrics against nock: lists, then actions, then one metrics request per action. */
import nock from 'nock';
import { actionSeries, broadcastActionMetrics, campaignActionMetrics } from '../../src/customerio/streams/action-metrics.js';
import { campaignActions } from '../../src/customerio/streams/campaigns.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

/** 2024-06-01T00:00:00Z (the harness's clock) = 2024-05-31 20:00 in New York. */
const NOW = 1_717_200_000;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('campaign_action_metrics', () => {
  it('reads campaigns, their actions (paged), then each action\'s metrics with version=1, period and steps', async () => {
    const api = nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1, updated: NOW }, { id: 3, updated: NOW }] })
      .get('/v1/campaigns/1/actions')
      .reply(200, { actions: [{ id: 1001, campaign_id: 1, type: 'email', updated: NOW }], next: 'YQ' })
      .get('/v1/campaigns/1/actions')
      .query({ start: 'YQ' })
      .reply(200, { actions: [{ id: '1002', type: 'webhook', updated: NOW }], next: '' })
      .get('/v1/campaigns/3/actions')
      .reply(200, { actions: [] })
      .get('/v1/campaigns/1/actions/1001/metrics')
      .query({ version: '1', period: 'days', steps: '45' })
      .reply(200, { metric: { series: { sent: [5, 7], opened: [1, 2] } } })
      .get('/v1/campaigns/1/actions/1002/metrics')
      .query({ version: '1', period: 'days', steps: '45' })
      .reply(200, { metric: { series: { attempted: [9], '2xx': [8], '5xx': [1] } } });
    const result = await readStreams([{ definition: campaignActionMetrics }]);
    api.done();
    const records = result.records('campaign_action_metrics');
    expect(records).toEqual(
      expect.arrayContaining([
        { campaign_id: 1, action_id: 1001, period: 'days', period_start: '2024-05-30T00:00:00-04:00', sent: 5, opened: 1 },
        { campaign_id: 1, action_id: 1001, period: 'days', period_start: '2024-05-31T00:00:00-04:00', sent: 7, opened: 2 },
        // A string action id becomes an integer, as in campaign_actions.
        { campaign_id: 1, action_id: 1002, period: 'days', period_start: '2024-05-31T00:00:00-04:00', attempted: 9, '2xx': 8, '5xx': 1 },
      ]),
    );
    expect(records).toHaveLength(3);
    expect(campaignActionMetrics.primaryKey).toEqual([['campaign_id'], ['action_id'], ['period'], ['period_start']]);
    expectRecordsMatchSchema(campaignActionMetrics, records);
    expect(result.records('campaigns')).toEqual([]);
    expect(result.records('campaign_actions')).toEqual([]);
  });

  it('keeps a cursor per action and re-reads the saved bucket and the one before', async () => {
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1 }] })
      .get('/v1/campaigns/1/actions')
      .reply(200, { actions: [{ id: 1001 }, { id: 1002 }] })
      // Saved: May 30 → from May 29: May 29, 30, 31 = 3 steps.
      .get('/v1/campaigns/1/actions/1001/metrics')
      .query({ version: '1', period: 'days', steps: '3' })
      .reply(200, { metric: { series: { sent: [1, 2, 3] } } })
      // No cursor yet for this action: the whole range.
      .get('/v1/campaigns/1/actions/1002/metrics')
      .query({ version: '1', period: 'days', steps: '45' })
      .reply(200, { metric: { series: { sent: [4] } } });
    const state = { partitions: { '1:1001': { period_start: '2024-05-30T00:00:00-04:00' } } };
    const result = await readStreams([{ definition: campaignActionMetrics, syncMode: 'incremental', state }]);
    expect(result.records('campaign_action_metrics').filter((r) => r.action_id === 1001).map((r) => r.period_start)).toEqual([
      '2024-05-29T00:00:00-04:00',
      '2024-05-30T00:00:00-04:00',
      '2024-05-31T00:00:00-04:00',
    ]);
    expect(result.lastState('campaign_action_metrics')).toEqual({
      partitions: { '1:1001': { period_start: '2024-05-31T00:00:00-04:00' }, '1:1002': { period_start: '2024-05-31T00:00:00-04:00' } },
    });
  });

  it("dates the buckets by the answer's Date header, as the other metrics streams do, not by the local clock read after it", async () => {
    // Answered at 23:59:59 on May 31 in New York; handled two seconds later, already June 1 there by the local clock.
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1 }] })
      .get('/v1/campaigns/1/actions')
      .reply(200, { actions: [{ id: 1001 }] })
      .get('/v1/campaigns/1/actions/1001/metrics')
      .query(true)
      .reply(200, { metric: { series: { sent: [6, 7] } } }, { Date: 'Sat, 01 Jun 2024 03:59:59 GMT' });
    const result = await readStreams([{ definition: campaignActionMetrics }], { now: Date.UTC(2024, 5, 1, 4, 0, 1) });
    expect(result.records('campaign_action_metrics').map((r) => [r.period_start, r.sent])).toEqual([
      ['2024-05-30T00:00:00-04:00', 6],
      ['2024-05-31T00:00:00-04:00', 7],
    ]);
  });

  it('asks each actions page once when campaign_actions is selected too', async () => {
    const api = nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1 }] })
      .get('/v1/campaigns/1/actions')
      .once()
      .reply(200, { actions: [{ id: 1001, updated: NOW }] })
      .get('/v1/campaigns/1/actions/1001/metrics')
      .query(true)
      .reply(200, { metric: { series: { sent: [1] } } });
    const result = await readStreams([{ definition: campaignActions }, { definition: campaignActionMetrics }]);
    api.done();
    expect(result.records('campaign_actions')).toHaveLength(1);
    expect(result.records('campaign_action_metrics')).toHaveLength(1);
  });

  it('skips an action deleted meanwhile (404) with a WARN, and ends only this stream on a 403', async () => {
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1 }] })
      .get('/v1/campaigns/1/actions')
      .reply(200, { actions: [{ id: 1001 }, { id: 1002 }] })
      .get('/v1/campaigns/1/actions/1001/metrics')
      .query(true)
      .reply(404, { errors: [{ detail: 'action not found' }] })
      .get('/v1/campaigns/1/actions/1002/metrics')
      .query(true)
      .reply(200, { metric: { series: { sent: [2] } } });
    const skipped = await readStreams([{ definition: campaignActionMetrics }]);
    expect(skipped.records('campaign_action_metrics').map((r) => r.action_id)).toEqual([1002]);
    expect(skipped.logs('WARN').some((w) => w.startsWith('campaign_action_metrics: skipped 1:1001 ('))).toBe(true);
    expect(skipped.statuses('campaign_action_metrics').at(-1)).toBe('COMPLETE');

    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1 }] })
      .get('/v1/campaigns/1/actions')
      .reply(200, { actions: [{ id: 1001 }] })
      .get('/v1/campaigns/1/actions/1001/metrics')
      .query(true)
      .reply(403, { errors: [{ detail: 'forbidden' }] });
    const refused = await readStreams([{ definition: campaignActionMetrics }, { definition: campaignActions }]);
    expect(refused.statuses('campaign_action_metrics').at(-1)).toBe('INCOMPLETE');
    expect(refused.statuses('campaign_actions').at(-1)).toBe('COMPLETE');
    expect(refused.errors.map((e) => e.failure_type)).toEqual(['config_error']);
  });
});

describe('broadcast_action_metrics', () => {
  it('reads each broadcast action\'s metrics with period and steps (the endpoint documents no version)', async () => {
    const api = nock(API)
      .get('/v1/broadcasts')
      .reply(200, { broadcasts: [{ id: 2 }] })
      .get('/v1/broadcasts/2/actions')
      .reply(200, { actions: [{ id: 2001, type: 'email' }] })
      .get('/v1/broadcasts/2/actions/2001/metrics')
      .query({ period: 'weeks', steps: '12' })
      .reply(200, { metric: { series: { sent: [10, 20], delivered: [9, 19] } } });
    const result = await readStreams([{ definition: broadcastActionMetrics }], { config: { metrics_period: 'weeks' } });
    api.done();
    const records = result.records('broadcast_action_metrics');
    expect(records).toEqual([
      { broadcast_id: 2, action_id: 2001, period: 'weeks', period_start: '2024-05-19T00:00:00-04:00', sent: 10, delivered: 9 },
      { broadcast_id: 2, action_id: 2001, period: 'weeks', period_start: '2024-05-26T00:00:00-04:00', sent: 20, delivered: 19 },
    ]);
    expectRecordsMatchSchema(broadcastActionMetrics, records);
  });
});

describe('actionSeries', () => {
  it.each([
    ['the documented {metric:{series}}', { metric: { series: { sent: [1, 2], opened: [0, 1] } } }],
    ['a flat {series}', { series: { sent: [1, 2], opened: [0, 1] } }],
    ['one object per bucket under series.series (ingestr\'s reading of version 2)', { series: { series: [{ sent: 1, opened: 0 }, { sent: 2, opened: 1 }] } }],
    ['one object per bucket under metric.series', { metric: { series: [{ sent: 1, opened: 0 }, { sent: 2, opened: 1 }] } }],
  ])('reads %s as one array per metric, oldest first', (_label, body) => {
    expect(actionSeries(body)).toEqual({ sent: [1, 2], opened: [0, 1] });
  });

  it('leaves a metric a bucket lacks as null there, and ignores nested values', () => {
    expect(actionSeries({ series: [{ sent: 1, links: { a: 1 } }, { opened: 3 }] })).toEqual({ sent: [1, null], opened: [null, 3] });
  });

  it('reads no series from an answer without one', () => {
    expect(actionSeries(null)).toEqual({});
    expect(actionSeries({ metric: {} })).toEqual({});
  });
});
