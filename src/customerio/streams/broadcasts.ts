/**
 * API-triggered broadcasts and their actions. `broadcasts` is also the parent of broadcast_metrics
 * (defined elsewhere, imported from here). Like campaigns, nothing here filters by time on the server.
 */
import { entityCursor } from '../../engine/incremental.js';
import { cursorPaginator, noPagination } from '../../engine/paginators.js';
import type { StreamDefinition } from '../../engine/types.js';
import { tagList, toInteger, withParentId } from './support.js';

export const broadcasts = {
  name: 'broadcasts',
  primaryKey: [['id']],
  request: { path: '/broadcasts' },
  records: '$.broadcasts[*]',
  paginate: noPagination,
  transform: (record) => ({ ...record, id: toInteger(record.id), tags: tagList(record.tags) }),
  incremental: entityCursor('updated'),
  trackDeletes: true,
} satisfies StreamDefinition;

export const broadcastActions = {
  name: 'broadcast_actions',
  primaryKey: [['broadcast_id'], ['id']],
  parent: { stream: broadcasts, key: (broadcast) => String(broadcast.id) },
  request: { path: ({ partition }) => `/broadcasts/${encodeURIComponent(String(partition.parent?.id))}/actions` },
  records: '$.actions[*]',
  // Documented without `next` [inferred: pages like campaign actions]; following it costs nothing when absent.
  paginate: cursorPaginator(),
  transform: withParentId('broadcast_id'),
  incremental: entityCursor('updated', { perPartition: true }),
  // Actions of a deleted campaign/broadcast vanish with it (its 404 is skipped): both count as deletions.
  trackDeletes: true,
} satisfies StreamDefinition;
