/** The metrics calendar and reshaping (src/customerio/metrics.ts): pure functions, table tests. */
import {
  bucketStart,
  bucketsSpanned,
  configuredSteps,
  isoInNewYork,
  previousBucketLookback,
  seriesOf,
  shiftBucket,
  stepsFor,
  tidyMetrics,
} from '../../src/customerio/metrics.js';

const utc = (...parts: [number, number, number, number?, number?]) => Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0, parts[4] ?? 0) / 1000;

describe('bucketStart', () => {
  it.each([
    // 2024-06-01T00:00Z is still May 31 in New York (EDT, UTC−4).
    ['days', utc(2024, 6, 1), '2024-05-31T00:00:00-04:00'],
    ['days', utc(2024, 1, 15, 4, 59), '2024-01-14T00:00:00-05:00'],
    ['days', utc(2024, 1, 15, 5, 0), '2024-01-15T00:00:00-05:00'],
    ['hours', utc(2024, 6, 1, 13, 45), '2024-06-01T09:00:00-04:00'],
    // Weeks start on Sunday: Wednesday 2024-06-05 → Sunday 2024-06-02.
    ['weeks', utc(2024, 6, 5, 12), '2024-06-02T00:00:00-04:00'],
    ['weeks', utc(2024, 6, 2, 3), '2024-05-26T00:00:00-04:00'],
    ['months', utc(2024, 6, 1, 3), '2024-05-01T00:00:00-04:00'],
    ['months', utc(2024, 3, 15), '2024-03-01T00:00:00-05:00'],
  ] as const)('puts %s bucket of %i at %s in New York time', (period, unix, expected) => {
    expect(isoInNewYork(bucketStart(period, unix))).toBe(expected);
  });
});

describe('shiftBucket', () => {
  it('steps days across the spring DST change by calendar day, a 23-hour day included', () => {
    const march10 = bucketStart('days', utc(2024, 3, 10, 12));
    const march11 = shiftBucket('days', march10, 1);
    expect(isoInNewYork(march11)).toBe('2024-03-11T00:00:00-04:00');
    expect(march11 - march10).toBe(23 * 3600);
    expect(isoInNewYork(shiftBucket('days', march11, -2))).toBe('2024-03-09T00:00:00-05:00');
  });

  it('steps days across the autumn DST change, a 25-hour day included', () => {
    const nov3 = bucketStart('days', utc(2024, 11, 3, 15));
    expect(shiftBucket('days', nov3, 1) - nov3).toBe(25 * 3600);
  });

  it.each([
    ['hours', '2024-05-31T23:00:00-04:00', -3, '2024-05-31T20:00:00-04:00'],
    ['weeks', '2024-06-02T00:00:00-04:00', -2, '2024-05-19T00:00:00-04:00'],
    ['months', '2024-01-01T00:00:00-05:00', -1, '2023-12-01T00:00:00-05:00'],
    ['months', '2024-01-01T00:00:00-05:00', 5, '2024-06-01T00:00:00-04:00'],
  ] as const)('moves a %s bucket starting %s by %i to %s', (period, from, n, expected) => {
    expect(isoInNewYork(shiftBucket(period, Date.parse(from) / 1000, n))).toBe(expected);
  });
});

describe('bucketsSpanned', () => {
  it.each([
    ['days', utc(2024, 3, 9, 12), utc(2024, 3, 11, 12), 3],
    ['days', utc(2024, 6, 1, 3), utc(2024, 6, 1, 3), 1],
    ['hours', utc(2024, 6, 1, 0, 30), utc(2024, 6, 1, 5, 0), 6],
    ['weeks', utc(2024, 5, 1), utc(2024, 6, 5, 12), 6],
    ['months', utc(2023, 11, 20), utc(2024, 2, 10), 4],
    ['days', utc(2024, 6, 5), utc(2024, 6, 1), 0],
  ] as const)('counts %s buckets from %i to %i, both ends included, as %i', (period, from, to, expected) => {
    expect(bucketsSpanned(period, from, to)).toBe(expected);
  });
});

describe('steps', () => {
  it('defaults to the API maximum of the period', () => {
    expect([configuredSteps({ metricsPeriod: 'hours' }), configuredSteps({ metricsPeriod: 'days' }), configuredSteps({ metricsPeriod: 'weeks' }), configuredSteps({ metricsPeriod: 'months' })]).toEqual([24, 45, 12, 121]);
  });

  it('takes metrics_steps but never more than the API answers', () => {
    expect(configuredSteps({ metricsPeriod: 'days', metricsSteps: 7 })).toBe(7);
    expect(configuredSteps({ metricsPeriod: 'weeks', metricsSteps: 100 })).toBe(12);
  });

  it('asks an incremental read only for the buckets from its lower bound to now', () => {
    const now = utc(2024, 6, 1, 12);
    const since = bucketStart('days', utc(2024, 5, 30, 12));
    expect(stepsFor({ metricsPeriod: 'days' }, since, now)).toBe(3);
    expect(stepsFor({ metricsPeriod: 'days', metricsSteps: 2 }, since, now)).toBe(2);
    expect(stepsFor({ metricsPeriod: 'days' }, undefined, now)).toBe(45);
    expect(stepsFor({ metricsPeriod: 'days' }, utc(2020, 1, 1), now)).toBe(45);
  });

  it('re-reads from the start of the bucket before the saved one', () => {
    const saved = Date.parse('2024-03-11T00:00:00-04:00') / 1000;
    // March 10 is a 23-hour day in New York.
    expect(previousBucketLookback(saved, { metricsPeriod: 'days' })).toBe(23 * 3600);
    expect(previousBucketLookback(Date.parse('2024-03-01T00:00:00-05:00') / 1000, { metricsPeriod: 'months' })).toBe(29 * 86_400);
    expect(previousBucketLookback(utc(2024, 6, 1, 9), { metricsPeriod: 'hours' })).toBe(3600);
  });
});

describe('seriesOf', () => {
  it.each([
    ['the documented {metric:{series}}', { metric: { series: { sent: [1, 2] } } }],
    ['a flat {series}', { series: { sent: [1, 2] } }],
    ['a {metric} without series', { metric: { sent: [1, 2] } }],
  ])('reads %s', (_label, body) => {
    expect(seriesOf(body)).toEqual({ sent: [1, 2] });
  });

  it('answers nothing for an empty or odd body', () => {
    expect(seriesOf({})).toEqual({});
    expect(seriesOf(null)).toEqual({});
    expect(seriesOf({ metric: { series: { sent: null } } })).toEqual({});
  });
});

describe('tidyMetrics', () => {
  const nowSeconds = utc(2024, 6, 1, 12);

  it('makes one record per bucket, the last element being the current New York bucket', () => {
    const records = tidyMetrics({ sent: [5, 6, 7], opened: [1, 0, 2] }, { idField: 'campaign_id', id: 9, period: 'days', nowSeconds });
    expect(records).toEqual([
      { campaign_id: 9, period: 'days', period_start: '2024-05-30T00:00:00-04:00', sent: 5, opened: 1 },
      { campaign_id: 9, period: 'days', period_start: '2024-05-31T00:00:00-04:00', sent: 6, opened: 0 },
      { campaign_id: 9, period: 'days', period_start: '2024-06-01T00:00:00-04:00', sent: 7, opened: 2 },
    ]);
  });

  it('aligns a shorter series on its last element and fills its oldest buckets with null', () => {
    const records = tidyMetrics({ sent: [5, 6, 7], new_metric: [3] }, { idField: 'transactional_id', id: 2, period: 'hours', nowSeconds });
    expect(records.map((r) => r.new_metric)).toEqual([null, null, 3]);
    expect(records.map((r) => r.period_start)).toEqual(['2024-06-01T06:00:00-04:00', '2024-06-01T07:00:00-04:00', '2024-06-01T08:00:00-04:00']);
  });

  it('turns numeric strings into integers and anything else into null', () => {
    const [record] = tidyMetrics({ sent: ['12'], opened: [null], clicked: [2.0] }, { idField: 'broadcast_id', id: 4, period: 'months', nowSeconds });
    expect(record).toMatchObject({ sent: 12, opened: null, clicked: 2, period_start: '2024-06-01T00:00:00-04:00' });
  });

  it('makes no record from an empty series', () => {
    expect(tidyMetrics({}, { idField: 'campaign_id', id: 1, period: 'days', nowSeconds })).toEqual([]);
  });
});
