/**
 * Segments, who is in them, and what uses them. Memberships are the largest list here (30 000 people a page);
 * they have no timestamps, so they are read in full each time, as is each segment's usage (one request per
 * segment, one record each).
 */
import { entityCursor } from '../../engine/incremental.js';
import { cursorPaginator, noPagination } from '../../engine/paginators.js';
import type { Record_, RecordContext, StreamDefinition } from '../../engine/types.js';
import { tagList, toInteger } from './support.js';

export const segments = {
  name: 'segments',
  primaryKey: [['id']],
  request: { path: '/segments' },
  records: '$.segments[*]',
  paginate: noPagination,
  transform: (record) => ({ ...record, id: toInteger(record.id), tags: tagList(record.tags) }),
  incremental: entityCursor('updated_at'),
  trackDeletes: true,
} satisfies StreamDefinition;

export const segmentMemberships = {
  name: 'segment_memberships',
  primaryKey: [['segment_id'], ['cio_id']],
  parent: { stream: segments, key: (segment) => String(segment.id) },
  request: { path: ({ partition }) => `/segments/${encodeURIComponent(String(partition.parent?.id))}/membership` },
  // `identifiers` ({id, email, cio_id}), not `ids`: `ids` holds "" for people without an id.
  records: '$.identifiers[*]',
  paginate: cursorPaginator({ limit: 30_000 }),
  // People leave segments all the time, and tokens are positional (`0:<n>`): one leaving from page 1 while page 2 is
  // asked for moves a member past every page. A segment of more than one page is read twice (engine/reread.ts): one
  // more request per 30,000 members.
  rereadWhenPaged: true,
  transform: (record, { partition }) => ({
    segment_id: toInteger(partition.parent?.id),
    cio_id: record.cio_id ?? null,
    // Ids may come as numbers: strings, as everywhere else.
    id: record.id === undefined || record.id === null || record.id === '' ? null : String(record.id),
    email: record.email ?? null,
  }),
} satisfies StreamDefinition;

/** The lists of ids a usage answer holds: documented campaigns, sent and draft newsletters; also read if sent, broadcasts and segments. */
const USAGE_LISTS = ['campaigns', 'sent_newsletters', 'draft_newsletters', 'broadcasts', 'referencing_segments'];

/**
 * One segment's usage as a record: the `used_by` object, keyed by the segment it was asked for. The documented
 * answer puts `segment_id` beside `used_by`, Airbyte's tests put it inside [inferred: either]; the id comes from
 * the request, so the key always matches the segment. Ids that come as numeric text become integers.
 */
export function usageRecord(body: Record_, { partition }: RecordContext): Record_ | null {
  const usage = body.used_by;
  if (!usage || typeof usage !== 'object' || Array.isArray(usage)) return null;
  const record: Record_ = { ...(usage as Record_), segment_id: toInteger(partition.parent?.id) };
  for (const list of USAGE_LISTS) {
    const ids = record[list];
    if (Array.isArray(ids)) record[list] = ids.map(toInteger);
  }
  return record;
}

export const segmentUsage = {
  name: 'segment_usage',
  primaryKey: [['segment_id']],
  parent: { stream: segments, key: (segment) => String(segment.id) },
  request: { path: ({ partition }) => `/segments/${encodeURIComponent(String(partition.parent?.id))}/used_by` },
  // The whole answer is one record (usageRecord picks `used_by` out of it).
  records: '$',
  paginate: noPagination,
  transform: usageRecord,
  // 404 (the segment was deleted after the list was read) skips that segment: the engine's default.
} satisfies StreamDefinition;
