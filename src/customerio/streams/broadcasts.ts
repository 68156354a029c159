/**
 * API-triggered broadcasts and their actions. `broadcasts` is also the parent of broadcast_metrics
 * (defined elsewhere, imported from here). Like campaigns, nothing here filters by time on the server.
 */
import { entityCursor } from '../../engine/incremental.js';
import { cursorPaginator, noPagination } from '../../engine/paginators.js';
import type { StreamDefinition } from '../../engine/types.js';
import { ACTION_INTEGERS } from './campaigns.js';
import { integersIn, tagList, toInteger, withParentId } from './support.js';

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

const withBroadcastId = withParentId('broadcast_id');

export const broadcastActions = {
  name: 'broadcast_actions',
  primaryKey: [['broadcast_id'], ['id']],
  parent: { stream: broadcasts, key: (broadcast) => String(broadcast.id) },
  request: { path: ({ partition }) => `/broadcasts/${encodeURIComponent(String(partition.parent?.id))}/actions` },
  records: '$.actions[*]',
  // Documented without `next` [inferred: pages like campaign actions]; following it costs nothing when absent.
  paginate: cursorPaginator(),
  transform: (record, ctx) => withBroadcastId(integersIn(record, ACTION_INTEGERS), ctx),
  incremental: entityCursor('updated', { perPartition: true }),
  // Actions of a deleted campaign/broadcast vanish with it (its 404 is skipped): both count as deletions.
  trackDeletes: true,
  // As campaign_actions: GET /v1/broadcasts/{id}/actions/{action_id} (documented) before a deletion is reported; the
  // key holds the broadcast already.
  lookup: {
    partition: (action) => String(action.broadcast_id),
    path: (action) => `/broadcasts/${encodeURIComponent(String(action.broadcast_id))}/actions/${encodeURIComponent(String(action.id))}`,
    record: '$.action',
  },
} satisfies StreamDefinition;
