/**
 * Activities: what happened to each person (events, attribute changes, messages sent, opened, clicked…).
 *
 * The API keeps 30 days, has no time filter and does not document its order [inferred: newest first]. An
 * incremental read pages until a whole page is older than `cursor − lookback` — only while the pass's pages
 * have come newest first; in any other order it reads the pass to its end, with one WARN — keeps only records
 * at or after that bound, and keeps the old cursor in every checkpoint until the pass is done (the engine's
 * `stopWhenOlder` client-side strategy): a read stopped after its first, newest pages must not skip the
 * older records of the pass on resume.
 *
 * `activity_types` lists the types to read (one request sequence per type, one cursor per type); with
 * `activity_parsing: per_type` each listed type is also its own stream, `activities_<type>`, whose `data`
 * is flattened into `data_<key>` columns.
 */
import type { Config } from '../../config.js';
import { clientSide, DAY } from '../../engine/incremental.js';
import { cursorPaginator } from '../../engine/paginators.js';
import type { Partition, Record_, RequestContext, StreamDefinition } from '../../engine/types.js';
import type { JsonObject } from '../../protocol/messages.js';
import { loadSchema } from '../../resources.js';
import { identifiersOf, idString } from '../people.js';
import { dataProperties, normalizeData } from './activity-data.js';
import { toInteger } from './support.js';

/** How long the API keeps activities. */
export const ACTIVITY_RETENTION_SECONDS = 30 * DAY;

/**
 * Re-read before the cursor (`activities_lookback_hours`): an activity carries the time it happened, which a
 * client sets, and can reach Customer.io hours later (an app's offline queue, a backfill).
 */
const activityLookback = (_cursorSeconds: number, config: Config) => config.activitiesLookbackHours * 3600;

/** One partition per listed type; `all` (no `type` parameter) when none is listed. */
function typePartitions(config: Config): Partition[] {
  if (config.activityTypes.length === 0) return [{ key: 'all' }];
  return config.activityTypes.map((type) => ({ key: `type=${type}`, values: { type } }));
}

function activityQuery({ config, partition }: RequestContext) {
  return {
    type: partition.values?.type as string | undefined,
    // Without it the API leaves out the activities of deleted people.
    deleted: config.activitiesIncludeDeleted ? true : undefined,
  };
}

/** An activity with one type per field: string ids, integer timestamp, `data` and identifiers as objects. */
export function normalizeActivity(record: Record_): Record_ {
  return {
    ...record,
    id: idString(record.id),
    customer_id: idString(record.customer_id),
    customer_identifiers: identifiersOf(record.customer_identifiers),
    delivery_id: idString(record.delivery_id),
    timestamp: toInteger(record.timestamp),
    data: dataObject(record.data),
  };
}

function dataObject(value: unknown): JsonObject | null {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
  if (value === null || value === undefined) return null;
  // Anything else (a bare value) is kept, wrapped, rather than dropped.
  return { value };
}

/** Said on a first read only: a read from state starts at its cursor, not at start_date. */
function retentionNote(config: Config, nowSeconds: number, read: { firstRead: boolean }): string[] {
  const oldest = nowSeconds - ACTIVITY_RETENTION_SECONDS;
  if (!read.firstRead || config.startDateSeconds === undefined || config.startDateSeconds >= oldest) return [];
  return [
    `start_date ${new Date(config.startDateSeconds * 1000).toISOString()} is older than the 30 days of activities ` +
      `the API keeps: nothing before ${new Date(oldest * 1000).toISOString()} can be read`,
  ];
}

export const activities = {
  name: 'activities',
  primaryKey: [['id']],
  request: { path: '/activities', query: activityQuery },
  records: '$.activities[*]',
  paginate: cursorPaginator({ limit: 100 }),
  partitions: typePartitions,
  transform: normalizeActivity,
  incremental: clientSide('timestamp', { perPartition: true, lookback: activityLookback, stopWhenOlder: true }),
  notes: (config, nowSeconds, read) => [
    ...retentionNote(config, nowSeconds, read),
    ...(config.activityParsing === 'per_type' && config.activityTypes.length === 0
      ? ['activity_parsing is per_type but activity_types is empty: list the types to get one activities_<type> stream each']
      : []),
  ],
} satisfies StreamDefinition;

/** `activities_<type>`: the type lower-cased, anything but letters, digits and `_` made `_`. */
export function perTypeStreamName(type: string): string {
  return `activities_${type.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

/**
 * An activity with `data` spread into `data_<key>` fields; nested values stay JSON (objects, lists). With its
 * stream's type, the keys known for that type are given their declared types (activity-data.ts).
 */
export function flattenActivity(record: Record_, type?: string): Record_ {
  const { data, ...rest } = normalizeActivity(record);
  const out: Record_ = { ...rest };
  const spread = type === undefined ? ((data as JsonObject | null) ?? {}) : normalizeData(type, (data as JsonObject | null) ?? {});
  for (const [key, value] of Object.entries(spread)) out[`data_${key}`] = value;
  return out;
}

/**
 * The schema of one type's stream: the activity's fields without `data`, the `data_<key>` fields known for the
 * type declared (typed destinations make columns of declared fields only), any other `data_<key>` allowed.
 */
export function perTypeSchema(type: string): JsonObject {
  const base = loadSchema('activities.json');
  const { data: _data, ...properties } = base.properties as JsonObject;
  void _data;
  return {
    ...base,
    description: `One activity of type ${type}, its data flattened into data_<key> fields (nested values stay JSON); keys not declared here (attribute names, an event's own properties) arrive too.`,
    properties: { ...properties, ...dataProperties(type) },
    additionalProperties: true,
  };
}

/** The per-type streams `activity_parsing: per_type` adds, one per listed type. */
export function perTypeActivityStreams(config: Config): StreamDefinition[] {
  if (config.activityParsing !== 'per_type') return [];
  // Two spellings of one type would make two streams of one name: keep the first.
  const byName = new Map<string, string>();
  for (const type of config.activityTypes) if (!byName.has(perTypeStreamName(type))) byName.set(perTypeStreamName(type), type);
  return [...byName].map(([name, type]) => ({
    name,
    primaryKey: [['id']],
    jsonSchema: perTypeSchema(type),
    request: { path: '/activities', query: activityQuery },
    records: '$.activities[*]',
    paginate: cursorPaginator({ limit: 100 }),
    partitions: () => [{ key: `type=${type}`, values: { type } }],
    transform: (record: Record_) => flattenActivity(record, type),
    incremental: clientSide('timestamp', { lookback: activityLookback, stopWhenOlder: true }),
    notes: retentionNote,
  }));
}
