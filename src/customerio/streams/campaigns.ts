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
import { integersIn, tagList, toInteger, withParentId } from './support.js';

/** Integer fields of a campaign the API could send as numeric text. */
const CAMPAIGN_INTEGERS = ['object_type_id', 'webhook_id', 'scheduled_start', 'scheduled_stop'];

/** Integer fields of an action (campaign or broadcast) besides its id. */
export const ACTION_INTEGERS = ['parent_action_id', 'broadcast_id', 'from_id', 'reply_to_id', 'sender_identity_id', 'multi_language_branch_action_id', 'recipient_environment_id'];

export const campaigns = {
  name: 'campaigns',
  primaryKey: [['id']],
  // No pagination: the API answers every campaign at once.
  request: { path: '/campaigns' },
  records: '$.campaigns[*]',
  paginate: noPagination,
  transform: (record) => ({ ...integersIn(record, CAMPAIGN_INTEGERS), id: toInteger(record.id), tags: tagList(record.tags) }),
  incremental: entityCursor('updated'),
  trackDeletes: true,
} satisfies StreamDefinition;

const withCampaignId = withParentId('campaign_id');
const actionsOf: typeof withCampaignId = (record, ctx) => withCampaignId(integersIn(record, ACTION_INTEGERS), ctx);

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
  // An action a pass of several pages did not list is asked for on its own before it is reported deleted (a deletion
  // on page 1 moves the first action of page 2 onto page 1): GET /v1/campaigns/{id}/actions/{action_id}, documented,
  // 404 when the campaign or the action is gone. Its campaign is remembered with its id, for the path.
  lookup: {
    remember: ['campaign_id', 'id'],
    partition: (action) => (action.campaign_id === undefined || action.campaign_id === null ? undefined : String(action.campaign_id)),
    path: (action, { parent }) => `/campaigns/${encodeURIComponent(String(action.campaign_id ?? parent?.id))}/actions/${encodeURIComponent(String(action.id))}`,
    record: '$.action',
  },
  // 404 (the campaign was deleted after the list was read) skips that campaign: the engine's default.
} satisfies StreamDefinition;
