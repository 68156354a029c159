/**
 * Campaigns and their actions. `campaigns` is also the parent of campaign_actions and campaign_metrics
 * (the metrics stream lives elsewhere and imports it from here).
 *
 * Neither endpoint filters by time: incremental reads list everything and keep records whose `updated` is
 * at or after the saved cursor. Actions keep one cursor per campaign, so a campaign edited long ago does
 * not hide the actions of one edited today.
 */
import { entityCursor } from '../../engine/incremental.js';
import { cursorPaginator, noPagination } from '../../engine/paginators.js';
import type { StreamDefinition } from '../../engine/types.js';
import { tagList, toInteger, withParentId } from './support.js';

export const campaigns = {
  name: 'campaigns',
  primaryKey: [['id']],
  // No pagination: the API answers every campaign at once.
  request: { path: '/campaigns' },
  records: '$.campaigns[*]',
  paginate: noPagination,
  transform: (record) => ({ ...record, id: toInteger(record.id), tags: tagList(record.tags) }),
  incremental: entityCursor('updated'),
  trackDeletes: true,
} satisfies StreamDefinition;

const actionsOf = withParentId('campaign_id');

export const campaignActions = {
  name: 'campaign_actions',
  primaryKey: [['id']],
  parent: { stream: campaigns, key: (campaign) => String(campaign.id) },
  request: { path: ({ partition }) => `/campaigns/${encodeURIComponent(String(partition.parent?.id))}/actions` },
  records: '$.actions[*]',
  // 10 actions a page, whatever `limit` says: follow `next`.
  paginate: cursorPaginator(),
  transform: actionsOf,
  incremental: entityCursor('updated', { perPartition: true }),
  // Actions of a deleted campaign/broadcast vanish with it (its 404 is skipped): both count as deletions.
  trackDeletes: true,
  // 404 (the campaign was deleted after the list was read) skips that campaign: the engine's default.
} satisfies StreamDefinition;
