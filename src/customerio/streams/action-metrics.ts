/**
 * Metrics of each action (each step of a journey): campaign_action_metrics and broadcast_action_metrics, one
 * request per action, one record per bucket. The parents are the actions streams (grand-children of the campaign
 * and broadcast lists, read in full and not emitted unless selected). Buckets, the request's size, the
 * incremental rule (the current and the previous bucket re-read, a cursor per action) and the record shape are
 * the other metrics streams' (../metrics.ts).
 *
 * Request: `period`/`steps` ("version 1"), the only form the broadcast endpoint documents. The campaign endpoint
 * also offers `version=2` (`res`, `tz`, `start`, `end`) and calls `version` required; version 1 is deprecated
 * there but documented bucket for bucket (oldest first, the last one the current, 00:00 EST), while version 2
 * does not say how its buckets line up with `start`/`end`. So campaigns send `version=1` explicitly.
 *
 * Answer: `{"metric":{"series":{"<metric>":[counts…]}}}` for both versions in the OpenAPI file (webhook actions
 * add `2xx`…`5xx`); ingestr reads version 2 as `{"series":{"series":[{<metric>: count}, …]}}`, one object per
 * bucket [unconfirmed]. Both are accepted (actionSeries).
 *
 * Cost: one request per action of every campaign (broadcast) each read; the actions lists come first
 * (10 actions a page).
 */
import type { MetricsPeriod } from '../../config.js';
import type { Partition, Record_, RecordContext, RequestContext, StreamDefinition } from '../../engine/types.js';
import type { JsonObject } from '../../protocol/messages.js';
import { answeredSeconds, metricsSchema, metricsStream, seriesOf, tidyMetrics } from '../metrics.js';
import { broadcastActions } from './broadcasts.js';
import { campaignActions } from './campaigns.js';
import { toInteger } from './support.js';

/** Counts the answer may hold beyond the common metric names (webhook responses by class; machine clicks). */
const ACTION_METRIC_NAMES = ['2xx', '3xx', '4xx', '5xx', 'prefetch_clicked'];

const isPlainObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A list of per-bucket objects (`[{sent: 3, opened: 1}, …]`) turned into one array per metric, oldest first. */
function pivot(buckets: unknown[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  buckets.forEach((bucket, i) => {
    if (!isPlainObject(bucket)) return;
    for (const [name, value] of Object.entries(bucket)) {
      if (typeof value === 'object' && value !== null) continue;
      (out[name] ??= new Array<unknown>(buckets.length).fill(null))[i] = value;
    }
  });
  return out;
}

/**
 * The series of an action metrics answer: `{metric:{series:{name:[…]}}}` (documented, both versions), or a list of
 * one object per bucket under `series.series`, `series` or `metric.series` (ingestr's reading of version 2).
 */
export function actionSeries(body: unknown): Record<string, unknown[]> {
  const outer = isPlainObject(body) ? body : {};
  const metric = isPlainObject(outer.metric) ? outer.metric : undefined;
  const series = isPlainObject(outer.series) ? outer.series : undefined;
  for (const candidate of [series?.series, outer.series, metric?.series]) {
    if (Array.isArray(candidate) && candidate.some(isPlainObject)) return pivot(candidate);
  }
  return seriesOf(body);
}

export interface ActionMetricsOptions {
  name: string;
  /** Column naming the campaign or broadcast, e.g. `campaign_id`; the actions stream's records carry it too. */
  parentField: string;
  actions: StreamDefinition;
  /** Path of one action's metrics, from the ids as they go in a path. */
  path: (parentId: string, actionId: string) => string;
  /** Query parameters besides period and steps. */
  query?: Record<string, string>;
}

/** `{<parentField>, action_id}` of the action a partition reads. */
function idsOf(partition: Partition, parentField: string): { parent: unknown; action: unknown } {
  const action = partition.parent ?? {};
  return { parent: toInteger(action[parentField]), action: toInteger(action.id) };
}

function actionSchema(parentField: string): JsonObject {
  const base = metricsSchema(parentField);
  const properties = base.properties as JsonObject;
  return {
    ...base,
    required: [parentField, 'action_id', 'period', 'period_start'],
    properties: {
      [parentField]: properties[parentField],
      // Action ids come as integers or strings (README): numeric strings become integers, anything else stays text.
      action_id: { type: ['integer', 'string'] },
      ...Object.fromEntries(Object.entries(properties).filter(([key]) => key !== parentField)),
      ...Object.fromEntries(ACTION_METRIC_NAMES.map((name) => [name, { type: ['integer', 'null'] }])),
    },
  };
}

/** A metrics stream over the actions of a campaign or broadcast list. */
export function actionMetricsStream({ name, parentField, actions, path, query = {} }: ActionMetricsOptions): StreamDefinition {
  // Steps, lookback, notes: a metrics stream's own; only the keys, the request and the record differ.
  const base = metricsStream({ name, idField: parentField, parent: actions, path: () => '' });
  const baseQuery = base.request.query!;
  return {
    ...base,
    primaryKey: [[parentField], ['action_id'], ['period'], ['period_start']],
    jsonSchema: actionSchema(parentField),
    // Both ids: an action id is unique in a workspace [inferred], the pair certainly is.
    parent: { stream: actions, key: (action) => `${String(action[parentField])}:${String(action.id)}` },
    request: {
      path: ({ partition }: RequestContext) => {
        const action = partition.parent ?? {};
        return path(encodeURIComponent(String(action[parentField])), encodeURIComponent(String(action.id)));
      },
      query: (ctx: RequestContext) => ({ ...query, ...baseQuery(ctx) }),
    },
    transform: (body: Record_, ctx: RecordContext) => {
      const ids = idsOf(ctx.partition, parentField);
      const period: MetricsPeriod = ctx.config.metricsPeriod;
      return tidyMetrics(actionSeries(body), { idField: parentField, id: ids.parent, period, nowSeconds: answeredSeconds(ctx) }).map(
        (record) => ({ [parentField]: record[parentField], action_id: ids.action, ...record }),
      );
    },
  };
}

export const campaignActionMetrics = actionMetricsStream({
  name: 'campaign_action_metrics',
  parentField: 'campaign_id',
  actions: campaignActions,
  path: (campaignId, actionId) => `/campaigns/${campaignId}/actions/${actionId}/metrics`,
  query: { version: '1' },
});

export const broadcastActionMetrics = actionMetricsStream({
  name: 'broadcast_action_metrics',
  parentField: 'broadcast_id',
  actions: broadcastActions,
  path: (broadcastId, actionId) => `/broadcasts/${broadcastId}/actions/${actionId}/metrics`,
});
