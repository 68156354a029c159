/**
 * The metrics streams' shared shape: transactional, campaign, newsletter and broadcast metrics all answer
 * `{"metric":{"series":{"<name>":[counts…]}}}`, arrays oldest first whose last element is the current
 * bucket, buckets aligned to America/New_York. This module turns one such answer into one tidy record
 * per parent per bucket, sizes the request (`period`, `steps`) and owns the incremental rule: re-read the
 * current and the previous bucket, since both still change. One factory, four streams.
 *
 * Calendar arithmetic is done here, with Intl (no timezone library): buckets of hours follow UTC hours
 * (New York's offsets are whole hours), days/weeks/months follow New York's wall clock across DST.
 */
import { setOwn } from '../engine/own.js';
import type { MetricsPeriod, Config } from '../config.js';
import { clientSide } from '../engine/incremental.js';
import { noPagination } from '../engine/paginators.js';
import type { Partition, Record_, RecordContext, RequestContext, StreamDefinition } from '../engine/types.js';
import type { JsonObject } from '../protocol/messages.js';
import { toInteger } from './streams/support.js';

export const METRICS_TIME_ZONE = 'America/New_York';

/** The most buckets the API answers per period. */
export const MAX_STEPS: Record<MetricsPeriod, number> = { hours: 24, days: 45, weeks: 12, months: 121 };

/** Metric names the API documents; any other key it returns becomes a column too. */
export const METRIC_NAMES = [
  'attempted', 'bounced', 'clicked', 'converted', 'created', 'deferred', 'delivered', 'drafted', 'failed',
  'human_clicked', 'human_opened', 'link_untracked', 'machine_clicked', 'open_untracked', 'opened',
  'prefetch_opened', 'replied', 'sent', 'spammed', 'suppressed', 'topic_unsubscribed',
  'tracking_consent_denied', 'tracking_consent_granted', 'undeliverable', 'unsubscribed', 'untracked',
] as const;

/** Weeks start on Sunday, the US convention of the New York reports [inferred: the API does not say]. */
const WEEK_START_DAY = 0;

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: METRICS_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  weekday: 'short',
});

function localTime(unix: number): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(new Date(unix * 1000))) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday],
  };
}

/** New York's offset from UTC at `unix`, in seconds (−18000 in winter, −14400 in summer). */
function offsetAt(unix: number): number {
  const t = localTime(unix);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) / 1000 - unix;
}

/** Unix seconds of a New York wall-clock midnight; day and month may overflow (Date.UTC normalises them). */
function localMidnight(year: number, month: number, day: number): number {
  const wall = Date.UTC(year, month - 1, day) / 1000;
  // Two passes: the offset at the guess may differ from the offset at the answer across a DST change.
  const first = wall - offsetAt(wall);
  return wall - offsetAt(first);
}

/** Start (unix s) of the bucket holding `unix`. */
export function bucketStart(period: MetricsPeriod, unix: number): number {
  if (period === 'hours') return Math.floor(unix / 3600) * 3600;
  const t = localTime(unix);
  if (period === 'days') return localMidnight(t.year, t.month, t.day);
  if (period === 'weeks') return localMidnight(t.year, t.month, t.day - ((t.weekday - WEEK_START_DAY + 7) % 7));
  return localMidnight(t.year, t.month, 1);
}

/** Start of the bucket `n` buckets after the one starting at `start` (n < 0: before). */
export function shiftBucket(period: MetricsPeriod, start: number, n: number): number {
  if (period === 'hours') return start + n * 3600;
  const t = localTime(start);
  if (period === 'days') return localMidnight(t.year, t.month, t.day + n);
  if (period === 'weeks') return localMidnight(t.year, t.month, t.day + 7 * n);
  return localMidnight(t.year, t.month + n, 1);
}

/** How many buckets from the one holding `from` to the one holding `to`, both included. */
export function bucketsSpanned(period: MetricsPeriod, from: number, to: number): number {
  const a = bucketStart(period, from);
  const b = bucketStart(period, to);
  if (b < a) return 0;
  if (period === 'months') {
    const ta = localTime(a);
    const tb = localTime(b);
    return (tb.year - ta.year) * 12 + (tb.month - ta.month) + 1;
  }
  const size = period === 'hours' ? 3600 : period === 'days' ? 86_400 : 7 * 86_400;
  // Rounding absorbs the 23- and 25-hour days of DST changes.
  return Math.round((b - a) / size) + 1;
}

/** ISO-8601 with New York's offset, e.g. `2026-03-08T00:00:00-05:00`: the bucket's own wall-clock start. */
export function isoInNewYork(unix: number): string {
  const t = localTime(unix);
  const offset = offsetAt(unix);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}` +
    `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`
  );
}

/** Buckets the config asks for: `metrics_steps`, or the API maximum, never more than the maximum. */
export function configuredSteps(config: Pick<Config, 'metricsPeriod' | 'metricsSteps'>): number {
  const max = MAX_STEPS[config.metricsPeriod];
  return Math.max(1, Math.min(config.metricsSteps ?? max, max));
}

/** `steps` of a request: an incremental read asks only for the buckets from its lower bound to now. */
export function stepsFor(config: Pick<Config, 'metricsPeriod' | 'metricsSteps'>, since: number | undefined, nowSeconds: number): number {
  const steps = configuredSteps(config);
  if (since === undefined) return steps;
  return Math.max(1, Math.min(steps, bucketsSpanned(config.metricsPeriod, since, nowSeconds)));
}

/** Seconds between a saved bucket start and the start of the bucket before it: the re-read of the incremental rule. */
export function previousBucketLookback(cursorSeconds: number, config: Pick<Config, 'metricsPeriod'>): number {
  const start = bucketStart(config.metricsPeriod, cursorSeconds);
  return cursorSeconds - shiftBucket(config.metricsPeriod, start, -1);
}

/** The `series` object of a metrics answer: `{metric:{series}}` as documented, or `{series}` / `{metric}` flat. */
export function seriesOf(body: unknown): Record<string, unknown[]> {
  if (!body || typeof body !== 'object') return {};
  const outer = body as JsonObject;
  const metric = (outer.metric ?? outer.metrics ?? outer) as JsonObject | null;
  const series = (metric && typeof metric === 'object' ? (metric.series ?? metric) : {}) as JsonObject;
  const out: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(series ?? {})) if (Array.isArray(values)) out[name] = values;
  return out;
}

function count(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
  return null;
}

/**
 * One record per bucket: `{<idField>, period, period_start, <metric>: count…}`. Series are aligned on their
 * last element (the current bucket); a series shorter than the longest has nulls in its oldest buckets.
 */
export function tidyMetrics(
  series: Record<string, unknown[]>,
  options: { idField: string; id: unknown; period: MetricsPeriod; nowSeconds: number },
): Record_[] {
  const length = Math.max(0, ...Object.values(series).map((values) => values.length));
  const current = bucketStart(options.period, options.nowSeconds);
  const records: Record_[] = [];
  for (let i = 0; i < length; i++) {
    const start = shiftBucket(options.period, current, i - (length - 1));
    const record: Record_ = { [options.idField]: options.id, period: options.period, period_start: isoInNewYork(start) };
    for (const [name, values] of Object.entries(series)) {
      const index = i - (length - values.length);
      // A metric's name is the API's: set as a field whatever it is (own.ts).
      setOwn(record, name, index >= 0 ? count(values[index]) : null);
    }
    records.push(record);
  }
  return records;
}

/**
 * When a metrics answer was given, unix seconds: the series' last element is the API's current bucket, and which one
 * that is the API's clock says (the answer's Date header). The local clock read after the answer could already be in
 * the next bucket (an answer at 23:59:59 New York handled a second later would shift every bucket by a day); it is
 * only the fallback. Every metrics transform dates its buckets by this.
 */
export function answeredSeconds(ctx: Pick<RecordContext, 'answeredAt' | 'now'>): number {
  return Math.floor((ctx.answeredAt ?? ctx.now) / 1000);
}

/** The JSON schema of a metrics stream whose parent id column is `idField`. */
export function metricsSchema(idField: string): JsonObject {
  const counts = Object.fromEntries(METRIC_NAMES.map((name) => [name, { type: ['integer', 'null'] }]));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    // Metrics the API adds later arrive as extra integer columns.
    additionalProperties: { type: ['integer', 'null'] },
    required: [idField, 'period', 'period_start'],
    properties: {
      [idField]: { type: 'integer' },
      period: { type: 'string', enum: ['hours', 'days', 'weeks', 'months'] },
      period_start: { type: 'string', format: 'date-time' },
      ...counts,
    },
  };
}

export interface MetricsStreamOptions {
  name: string;
  /** Column naming the parent, e.g. `campaign_id`. */
  idField: string;
  parent: StreamDefinition;
  /** Path of one parent's metrics, e.g. `/campaigns/7/metrics`. */
  path: (parentId: string) => string;
}

/** A metrics stream: one request per parent, one record per bucket, incremental on `period_start`. */
export function metricsStream({ name, idField, parent, path }: MetricsStreamOptions): StreamDefinition {
  return {
    name,
    primaryKey: [[idField], ['period'], ['period_start']],
    jsonSchema: metricsSchema(idField),
    parent: { stream: parent, key: (record) => String(record.id) },
    request: {
      path: ({ partition }: RequestContext) => path(encodeURIComponent(partition.key)),
      query: ({ config, since, now }: RequestContext) => ({
        period: config.metricsPeriod,
        steps: stepsFor(config, since, Math.floor(now / 1000)),
      }),
    },
    // The whole answer is one "record": the transform fans it out into buckets.
    records: '$',
    paginate: noPagination,
    transform: (body: Record_, ctx: RecordContext) =>
      tidyMetrics(seriesOf(body), {
        idField,
        id: parentId(ctx.partition),
        period: ctx.config.metricsPeriod,
        nowSeconds: answeredSeconds(ctx),
      }),
    // The saved cursor is the last read's current bucket: re-read it and the one before, both still change.
    incremental: clientSide('period_start', { perPartition: true, lookback: previousBucketLookback }),
    notes: (config) =>
      config.metricsSteps !== undefined && config.metricsSteps > MAX_STEPS[config.metricsPeriod]
        ? [`metrics_steps ${config.metricsSteps} is more than the API answers for ${config.metricsPeriod} (${MAX_STEPS[config.metricsPeriod]}); reading ${MAX_STEPS[config.metricsPeriod]}`]
        : [],
  };
}

function parentId(partition: Partition): unknown {
  return toInteger(partition.parent?.id ?? partition.key);
}
