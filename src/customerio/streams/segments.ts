/**
 * Segments and who is in them. Memberships are the largest list here (30 000 people a page); they have no
 * timestamps, so they are read in full each time.
 */
import { entityCursor } from '../../engine/incremental.js';
import { cursorPaginator, noPagination } from '../../engine/paginators.js';
import type { StreamDefinition } from '../../engine/types.js';
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
  transform: (record, { partition }) => ({
    segment_id: toInteger(partition.parent?.id),
    cio_id: record.cio_id ?? null,
    // Ids may come as numbers: strings, as everywhere else.
    id: record.id === undefined || record.id === null || record.id === '' ? null : String(record.id),
    email: record.email ?? null,
  }),
} satisfies StreamDefinition;
