import { bucketStarts, metricSeries } from '../../src/sandbox/data/metrics.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { narrowWindow, Timeline } from '../../src/sandbox/timeline.js';
import { call } from './helpers.js';

const PATHS = ['/activities?limit=50', '/campaigns', '/campaigns/1/actions', '/newsletters', '/segments', '/messages?limit=20', '/transactional/2/messages', '/snippets', '/reporting_webhooks'];

describe('sandbox determinism', () => {
  const sandboxes: Sandbox[] = [];
  afterAll(() => Promise.all(sandboxes.map((s) => s.close())));

  it('serves identical pages from two sandboxes with the same seed, and different ones for another seed', async () => {
    const [a, b, c] = await Promise.all([startSandbox({ seed: 7 }), startSandbox({ seed: 7 }), startSandbox({ seed: 8 })]);
    sandboxes.push(a, b, c);
    for (const path of PATHS) {
      const [ra, rb, rc] = await Promise.all([call(a, path), call(b, path), call(c, path)]);
      expect(ra.status).toBe(200);
      expect(rb.text).toBe(ra.text);
      expect(rc.text).not.toBe(ra.text);
    }
    const everyone = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };
    const [sa, sc] = await Promise.all([call(a, '/customers', { body: everyone }), call(c, '/customers', { body: everyone })]);
    expect(sa.text).toBe((await call(b, '/customers', { body: everyone })).text);
    expect(sc.text).not.toBe(sa.text);
  });
});

describe('Timeline', () => {
  it.each([
    [1500, 0],
    [7, 0],
    [3_000_000, 0],
    [1000, 30 * 86_400],
  ])('inverts at() exactly for %i records (retention %i)', (count, retention) => {
    const start = 1_767_225_600;
    const t = new Timeline(count, start, retention || undefined);
    for (const probe of [start - 30 * 86_400 - 5, start - 12_345, start - 1, start, start + 999, start + 86_400]) {
      const last = t.lastAtOrBefore(probe);
      if (last >= 0) expect(t.at(last)).toBeLessThanOrEqual(probe);
      expect(t.at(last + 1)).toBeGreaterThan(probe);
      const first = t.firstAtOrAfter(probe);
      expect(t.at(first)).toBeGreaterThanOrEqual(probe);
      if (first > 0) expect(t.at(first - 1)).toBeLessThan(probe);
    }
  });

  it('holds exactly `count` records in the 30 days before the start clock', () => {
    const start = 1_767_225_600;
    const range = new Timeline(1500, start, 30 * 86_400).range(start);
    expect(range.last - range.first + 1).toBe(1500);
  });

  it('narrows start_ts/end_ts windows longer than 30 days to their last 30 days', () => {
    expect(narrowWindow(10_000_000, 0, 9_000_000)).toEqual({ from: 9_000_000 - 30 * 86_400, to: 9_000_000 });
    expect(narrowWindow(10_000_000, 9_500_000)).toEqual({ from: 9_500_000, to: undefined });
    expect(narrowWindow(10_000_000, undefined, 9_000_000)).toEqual({ to: 9_000_000 });
  });
});

describe('metrics series', () => {
  const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z = 2025-12-31 19:00 in New York

  it('aligns day buckets to New York midnight, the last one holding now', () => {
    const starts = bucketStarts('days', 3, NOW);
    expect(starts.map((s) => new Date(s * 1000).toISOString())).toEqual(['2025-12-29T05:00:00.000Z', '2025-12-30T05:00:00.000Z', '2025-12-31T05:00:00.000Z']);
  });

  it('keeps days aligned across the March DST change (a 23-hour day)', () => {
    const starts = bucketStarts('days', 3, Date.UTC(2026, 2, 9, 12) / 1000);
    expect(starts[1] - starts[0]).toBe(24 * 3600);
    expect(starts[2] - starts[1]).toBe(23 * 3600);
    expect(new Date(starts[2] * 1000).toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });

  it('starts weeks on Sunday and months on the 1st, New York time', () => {
    expect(new Date(bucketStarts('weeks', 1, NOW)[0] * 1000).toISOString()).toBe('2025-12-28T05:00:00.000Z');
    expect(bucketStarts('months', 2, NOW).map((s) => new Date(s * 1000).toISOString())).toEqual(['2025-11-01T04:00:00.000Z', '2025-12-01T05:00:00.000Z']);
  });

  it('grows only the current bucket as the clock moves', () => {
    const subject = { seed: 1, kind: 'campaigns', id: 1, created: NOW - 400 * 86_400, perDay: 1000 };
    const before = metricSeries(subject, 'hours', 24, NOW + 60).metric.series.sent;
    const after = metricSeries(subject, 'hours', 24, NOW + 1800).metric.series.sent;
    expect(after.slice(0, 23)).toEqual(before.slice(0, 23));
    expect(after[23]).toBeGreaterThan(before[23]);
  });

  it('serves every documented key, integers oldest first, steps clamped to the period maximum', async () => {
    const sandbox = await startSandbox({ rateLimit: false });
    try {
      const hours = await call(sandbox, '/campaigns/1/metrics?period=hours&steps=500');
      expect(hours.status).toBe(200);
      const series = hours.body.metric.series as Record<string, number[]>;
      expect(Object.keys(series)).toHaveLength(26);
      for (const values of Object.values(series)) {
        expect(values).toHaveLength(24);
        for (const v of values) expect(Number.isInteger(v)).toBe(true);
      }
      expect((await call(sandbox, '/newsletters/1/metrics?period=months&steps=200')).body.metric.series.sent).toHaveLength(121);
      expect((await call(sandbox, '/broadcasts/2/metrics?period=weeks')).body.metric.series.opened).toHaveLength(12);
      expect((await call(sandbox, '/transactional/1/metrics?period=days&steps=3')).body.metric.series.delivered).toHaveLength(3);
      expect((await call(sandbox, '/campaigns/1/metrics?period=years')).status).toBe(400);
      expect((await call(sandbox, '/campaigns/1/metrics?steps=0')).status).toBe(400);
    } finally {
      await sandbox.close();
    }
  });
});
