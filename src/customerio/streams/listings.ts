/**
 * Workspace settings listed in one answer each: sender identities, subscription topics and channels, object types,
 * reporting webhooks, collections, snippets, exports. Small; most have no timestamp and are read in full.
 */
import { withoutCredentials } from '../../redact.js';
import { entityCursor } from '../../engine/incremental.js';
import { cursorPaginator, noPagination } from '../../engine/paginators.js';
import type { Record_, StreamDefinition } from '../../engine/types.js';
import { toInteger } from './support.js';

const integerId = (record: Record_): Record_ => ({ ...record, id: toInteger(record.id) });
/** An id as text: numbers become their decimal text (null stays null). */
const textId = (record: Record_): Record_ => ({ ...record, id: typeof record.id === 'number' ? String(record.id) : record.id });

export const senderIdentities = {
  name: 'sender_identities',
  primaryKey: [['id']],
  // `hidden=true` lists hidden senders only, and a list without it [inferred] the visible ones (Airbyte's connector
  // saw both live): read both lists, each sender kept from the list its own flag belongs to, so none is read twice
  // whatever the lists hold.
  partitions: () => [false, true].map((hidden) => ({ key: `hidden=${hidden}`, values: { hidden } })),
  request: { path: '/sender_identities', query: ({ partition }) => ({ hidden: partition.values?.hidden }) },
  records: '$.sender_identities[*]',
  // The only listing here with `start`/`next`; no documented maximum for `limit`, so none is sent.
  paginate: cursorPaginator(),
  // Positional tokens: a list of more than one page is read twice, for a sender a deletion moved past every page.
  rereadWhenPaged: true,
  transform: (record, { partition }) => ((record.hidden === true) === partition.values?.hidden ? integerId(record) : null),
} satisfies StreamDefinition;

export const subscriptionTopics = {
  name: 'subscription_topics',
  primaryKey: [['id']],
  request: { path: '/subscription_topics' },
  // The key is `topics`, not the path's name.
  records: '$.topics[*]',
  paginate: noPagination,
  transform: integerId,
} satisfies StreamDefinition;

/**
 * The channels of the subscription center (email, SMS, push…) people subscribe to or leave. The key is `channels`; no
 * paging (only `[]` was seen live: a workspace without channel options set up has none).
 */
export const subscriptionChannels = {
  name: 'subscription_channels',
  primaryKey: [['id']],
  request: { path: '/subscription_channels' },
  records: '$.channels[*]',
  paginate: noPagination,
  transform: integerId,
} satisfies StreamDefinition;

export const objectTypes = {
  name: 'object_types',
  primaryKey: [['id']],
  request: { path: '/object_types' },
  records: '$.types[*]',
  paginate: noPagination,
  // Documented as a string ("1") although it is an incrementing integer: kept as text, the documented type and the
  // one Airbyte's connector declares (its tables hold text).
  transform: textId,
} satisfies StreamDefinition;

export const reportingWebhooks = {
  name: 'reporting_webhooks',
  primaryKey: [['id']],
  request: { path: '/reporting_webhooks' },
  records: '$.reporting_webhooks[*]',
  paginate: noPagination,
  // Webhook URLs may embed basic-auth credentials: they must not reach the warehouse.
  transform: (record) => ({ ...integerId(record), endpoint: withoutCredentials(record.endpoint) }),
} satisfies StreamDefinition;

export const collections = {
  name: 'collections',
  primaryKey: [['id']],
  request: { path: '/collections' },
  records: '$.collections[*]',
  paginate: noPagination,
  transform: integerId,
  // Metadata only (names, sizes), incremental by updated_at as in Airbyte's connector. Whether replacing a
  // collection's contents moves updated_at is not documented: full refresh always has the current sizes.
  incremental: entityCursor('updated_at'),
  trackDeletes: true,
} satisfies StreamDefinition;

export const snippets = {
  name: 'snippets',
  // Snippets have no id: the name is unique in a workspace and is what messages reference.
  primaryKey: [['name']],
  request: { path: '/snippets' },
  records: '$.snippets[*]',
  paginate: noPagination,
  incremental: entityCursor('updated_at'),
  trackDeletes: true,
} satisfies StreamDefinition;

export const dataExports = {
  name: 'exports',
  primaryKey: [['id']],
  request: { path: '/exports' },
  // `{"exports": null}` when there are none: the selector reads null as an empty page.
  records: '$.exports[*]',
  paginate: noPagination,
  transform: integerId,
  incremental: entityCursor('updated_at'),
  trackDeletes: true,
} satisfies StreamDefinition;

export { withoutCredentials };
