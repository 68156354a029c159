/**
 * Transactional messages (the templates sent through the transactional API) and their three children: the
 * per-bucket metrics of each template, its deliveries (`transactional_message_details`) and its content variants
 * (`transactional_message_contents`). The children
 * read the templates as their parent without emitting them unless `transactional_messages` is selected.
 */
import { entityCursor } from '../../engine/incremental.js';
import { cursorPaginator, noPagination } from '../../engine/paginators.js';
import type { StreamDefinition } from '../../engine/types.js';
import { deliveryWindows, normalizeDelivery, PER_PARENT_SERVED_SECONDS, startDateBeyondServed, windowQuery } from '../deliveries.js';
import { metricsStream } from '../metrics.js';
import { integersIn, toInteger, withParentId } from './support.js';

/** Seconds re-read before the saved `updated_at` of transactional messages. */
const TEMPLATE_LOOKBACK = 3600;

export const transactionalMessages = {
  name: 'transactional_messages',
  primaryKey: [['id']],
  // The list is answered whole, under `messages` (not `transactional`).
  request: { path: '/transactional' },
  records: '$.messages[*]',
  paginate: noPagination,
  transform: (record) => ({
    ...record,
    id: toInteger(record.id),
    created_at: toInteger(record.created_at),
    updated_at: toInteger(record.updated_at),
  }),
  // The list is small and read whole: an hour of re-read edits costs a few duplicate rows and covers an
  // edit saved while the previous sync was listing.
  incremental: entityCursor('updated_at', { lookback: TEMPLATE_LOOKBACK }),
  trackDeletes: true,
} satisfies StreamDefinition;

export const transactionalMetrics = metricsStream({
  name: 'transactional_metrics',
  idField: 'transactional_id',
  parent: transactionalMessages,
  path: (id) => `/transactional/${id}/metrics`,
});

/** Deliveries per page; the API's largest page [inferred from /v1/messages: the endpoint documents no maximum]. */
const DELIVERIES_PAGE = 1000;

export const transactionalMessageDetails = {
  name: 'transactional_message_details',
  primaryKey: [['id']],
  schema: 'deliveries.json',
  parent: { stream: transactionalMessages, key: (template) => String(template.id) },
  request: {
    path: ({ partition }) => `/transactional/${encodeURIComponent(partition.key)}/messages`,
    query: windowQuery,
  },
  records: '$.messages[*]',
  // `next` within one window only: the schema omits it but `start` uses it.
  paginate: cursorPaginator({ limit: DELIVERIES_PAGE }),
  transform: (record, ctx) => {
    const delivery = normalizeDelivery(record);
    // Deliveries name their template; set it from the parent when one does not.
    delivery.transactional_id ??= toInteger(ctx.partition.parent?.id);
    return delivery;
  },
  // Nothing is sent before the template exists: a first read without start_date starts at its creation, and none
  // further back than the route serves (12 months, documented for per-parent delivery routes: deliveries.ts).
  incremental: deliveryWindows((nowSeconds, { parent }) => {
    const created = Number(parent?.created_at);
    return Number.isFinite(created) && created > 0 && created <= nowSeconds ? created : nowSeconds - PER_PARENT_SERVED_SECONDS;
  }, PER_PARENT_SERVED_SECONDS),
  notes: (config, nowSeconds) => startDateBeyondServed(config, nowSeconds, PER_PARENT_SERVED_SECONDS, 'GET /v1/transactional/{id}/messages'),
} satisfies StreamDefinition;

const withTransactionalId = withParentId('transactional_id');

/**
 * The content of each template (one per language or A/B variant), from `GET /v1/transactional/{id}/contents`: shaped
 * like a newsletter's variants but naming no parent (seen live), so the template's id is set as `transactional_id`
 * and is part of the key. `recipient`, `bcc`, `cc` and `preheader_text` come as null rather than "" (kept as sent).
 * One request per template; a template deleted after the list was read (404) is skipped; a workspace without
 * transactional messages has no partitions and ends the stream with no records. Full refresh, as newsletter_variants.
 */
export const transactionalMessageContents = {
  name: 'transactional_message_contents',
  primaryKey: [['transactional_id'], ['id']],
  parent: { stream: transactionalMessages, key: (template) => String(template.id) },
  request: { path: ({ partition }) => `/transactional/${encodeURIComponent(partition.key)}/contents` },
  records: '$.contents[*]',
  // Documented without pagination; a `next`, should one appear, is followed all the same.
  paginate: cursorPaginator(),
  transform: (record, ctx) => withTransactionalId(integersIn(record, ['from_id', 'reply_to_id', 'test_group_id', 'created', 'updated']), ctx),
} satisfies StreamDefinition;
