/**
 * Metrics series (`/v1/{campaigns|newsletters|broadcasts|transactional}/{id}/metrics`): integer
 * arrays, oldest first, one element per period bucket aligned to America/New_York (the API says
 * "EST"); the last element is the bucket holding `now` and grows as the clock moves. Values are a
 * function of (object, bucket start), so re-reading a past bucket gives the same number.
 */
import { ApiError } from '../http.js';
import { hash, tagOf, unit } from '../hash.js';

export type Period = 'hours' | 'days' | 'weeks' | 'months';

export const MAX_STEPS: Record<Period, number> = { hours: 24, days: 45, weeks: 12, months: 121 };
/** [inferred] default steps when none is given: the maximum, except 12 for months. */
export const DEFAULT_STEPS: Record<Period, number> = { hours: 24, days: 45, weeks: 12, months: 12 };

export const METRIC_KEYS = [
  'attempted', 'bounced', 'clicked', 'converted', 'created', 'deferred', 'delivered', 'drafted', 'failed', 'human_clicked',
  'human_opened', 'link_untracked', 'machine_clicked', 'open_untracked', 'opened', 'prefetch_opened', 'replied', 'sent',
  'spammed', 'suppressed', 'topic_unsubscribed', 'tracking_consent_denied', 'tracking_consent_granted', 'undeliverable',
  'unsubscribed', 'untracked',
] as const;

/** Share of `sent` for each key (converted from opens and clicks where that is how they arise). */
const RATIO: Record<(typeof METRIC_KEYS)[number], number> = {
  attempted: 1.01, bounced: 0.02, clicked: 0.08, converted: 0.015, created: 1.02, deferred: 0.01, delivered: 0.96,
  drafted: 0.005, failed: 0.004, human_clicked: 0.07, human_opened: 0.36, link_untracked: 0.003, machine_clicked: 0.01,
  open_untracked: 0.02, opened: 0.42, prefetch_opened: 0.06, replied: 0.002, sent: 1, spammed: 0.001, suppressed: 0.003,
  topic_unsubscribed: 0.002, tracking_consent_denied: 0.001, tracking_consent_granted: 0.01, undeliverable: 0.005,
  unsubscribed: 0.004, untracked: 0.02,
};

const fmt = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
}

function local(t: number): LocalParts & { offset: number } {
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(t * 1000))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) / 1000;
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, offset: asUtc - t };
}

/** The unix time of New York local midnight on a (possibly overflowing) calendar date. */
function localMidnight(year: number, month: number, day: number): number {
  const naive = Date.UTC(year, month - 1, day) / 1000;
  let t = naive - local(naive).offset;
  t = naive - local(t).offset; // second pass settles DST-change days
  return t;
}

/** Bucket starts for `steps` periods ending with the one that holds `now`, oldest first. */
export function bucketStarts(period: Period, steps: number, now: number): number[] {
  const out: number[] = [];
  const p = local(now);
  for (let i = steps - 1; i >= 0; i--) {
    if (period === 'hours') out.push(Math.floor(now / 3600) * 3600 - i * 3600); // New York offsets are whole hours
    else if (period === 'days') out.push(localMidnight(p.year, p.month, p.day - i));
    else if (period === 'weeks') {
      const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay(); // weeks start on Sunday [inferred]
      out.push(localMidnight(p.year, p.month, p.day - weekday - 7 * i));
    } else out.push(localMidnight(p.year, p.month - i, 1));
  }
  return out;
}

function bucketEnd(period: Period, start: number): number {
  if (period === 'hours') return start + 3600;
  const p = local(start + 7200); // inside the bucket, clear of DST jumps at midnight
  if (period === 'days') return localMidnight(p.year, p.month, p.day + 1);
  if (period === 'weeks') return localMidnight(p.year, p.month, p.day + 7);
  return localMidnight(p.year, p.month + 1, 1);
}

export function parsePeriod(query: URLSearchParams): { period: Period; steps: number } {
  const period = (query.get('period') ?? 'days') as Period;
  if (!(period in MAX_STEPS)) {
    throw new ApiError(400, 'period must be one of hours, days, weeks, months', { parameter: 'period' });
  }
  const raw = query.get('steps');
  let steps = DEFAULT_STEPS[period];
  if (raw !== null && raw !== '') {
    steps = Number(raw);
    if (!Number.isInteger(steps) || steps < 1) throw new ApiError(400, 'steps must be a positive integer', { parameter: 'steps' });
  }
  return { period, steps: Math.min(steps, MAX_STEPS[period]) }; // above the maximum: clamped
}

export interface MetricSubject {
  seed: number;
  kind: string;
  id: number;
  created: number;
  /** Typical messages sent per day. */
  perDay: number;
}

/** `{"metric":{"series":{key: number[]}}}` for one object. */
export function metricSeries(subject: MetricSubject, period: Period, steps: number, now: number): { metric: { series: Record<string, number[]> } } {
  const tag = tagOf(subject.kind);
  const starts = bucketStarts(period, steps, now);
  const sent = starts.map((start) => {
    const end = bucketEnd(period, start);
    const from = Math.max(start, subject.created);
    const to = Math.min(end, now);
    if (to <= from) return 0;
    const noise = 0.6 + 0.8 * unit(hash(subject.seed, tag, subject.id, start));
    return subject.perDay * noise * ((to - from) / 86_400);
  });
  const series: Record<string, number[]> = {};
  for (const key of METRIC_KEYS) series[key] = sent.map((value) => Math.floor(value * RATIO[key]));
  return { metric: { series } };
}

const RESOLUTIONS: Record<string, Period> = { hours: 'hours', hourly: 'hours', days: 'days', daily: 'days', weeks: 'weeks', weekly: 'weeks', months: 'months', monthly: 'months' };

/** Most buckets a version-2 answer holds [inferred: the docs only limit `end` to 10 years after `start`]. */
const MAX_V2_BUCKETS = 10_000;

/**
 * The buckets of a version-2 request (`res`, `start`, `end`, unix seconds): from the bucket holding `start` to the
 * one holding `end` (default now; `start` defaults to 30 buckets before). `tz` other than New York is not modelled.
 */
export function parseResolution(query: URLSearchParams, now: number): { period: Period; steps: number; end: number } {
  const res = query.get('res');
  const period = res === null ? undefined : RESOLUTIONS[res];
  if (!period) throw new ApiError(400, `res must be one of ${Object.keys(RESOLUTIONS).join(', ')}`, { parameter: 'res' });
  const seconds = (name: string, fallback: number) => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new ApiError(400, `${name} must be a unix timestamp`, { parameter: name });
    return value;
  };
  const end = Math.min(seconds('end', now), now);
  const start = seconds('start', bucketStarts(period, 30, end)[0]);
  if (start > end) throw new ApiError(400, 'start must be before end', { parameter: 'start' });
  const size = { hours: 3600, days: 86_400, weeks: 7 * 86_400, months: 30 * 86_400 }[period];
  let steps = Math.max(1, Math.floor((end - start) / size));
  if (steps > MAX_V2_BUCKETS) throw new ApiError(400, `the range holds more than ${MAX_V2_BUCKETS} buckets of ${res}`, { parameter: 'start' });
  // Settle on the fewest buckets whose oldest holds `start`.
  while (bucketStarts(period, steps, end)[0] > start) steps++;
  while (steps > 1 && bucketStarts(period, steps - 1, end)[0] <= start) steps--;
  return { period, steps, end };
}

/** An action's series: a message's, plus webhook responses by class (`2xx`…`5xx`) for webhook actions. */
export function actionMetricSeries(subject: MetricSubject, webhook: boolean, period: Period, steps: number, now: number): { metric: { series: Record<string, number[]> } } {
  const answer = metricSeries(subject, period, steps, now);
  if (webhook) {
    const sent = answer.metric.series.sent;
    const shares: Record<string, number> = { '2xx': 0.93, '3xx': 0.01, '4xx': 0.04, '5xx': 0.02 };
    for (const [key, share] of Object.entries(shares)) answer.metric.series[key] = sent.map((value) => Math.floor(value * share));
  }
  return answer;
}
