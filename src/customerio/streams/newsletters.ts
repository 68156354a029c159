/**
 * Newsletters (one-time sends) and their content variants (A/B tests and translations). `newsletters`
 * is also the parent of newsletter_metrics (defined elsewhere, imported from here).
 */
import { entityCursor } from '../../engine/incremental.js';
import { cursorPaginator } from '../../engine/paginators.js';
import type { StreamDefinition } from '../../engine/types.js';
import { integersIn, tagList, toInteger, withParentId } from './support.js';

export const newsletters = {
  name: 'newsletters',
  primaryKey: [['id']],
  request: { path: '/newsletters' },
  records: '$.newsletters[*]',
  // The API documents no maximum for `limit` [inferred: 100 is accepted]; `next` goes back as `start`.
  paginate: cursorPaginator({ limit: 100 }),
  transform: (record) => ({ ...integersIn(record, ['expires_after', 'scheduled_at', 'sent_at', 'subscription_topic_id']), id: toInteger(record.id), tags: tagList(record.tags) }),
  incremental: entityCursor('updated'),
  trackDeletes: true,
  // A newsletter a pass of several pages did not list is asked for on its own (GET /v1/newsletters/{id}, documented,
  // 404 when deleted) before it is reported deleted: the list is paged by position (engine/vanished.ts).
  lookup: { path: (newsletter) => `/newsletters/${encodeURIComponent(String(newsletter.id))}`, record: '$.newsletter' },
} satisfies StreamDefinition;

const withNewsletterId = withParentId('newsletter_id');

export const newsletterVariants = {
  name: 'newsletter_variants',
  primaryKey: [['newsletter_id'], ['id']],
  parent: { stream: newsletters, key: (newsletter) => String(newsletter.id) },
  request: { path: ({ partition }) => `/newsletters/${encodeURIComponent(String(partition.parent?.id))}/contents` },
  records: '$.contents[*]',
  // Documented without pagination; a `next`, should one appear, is followed all the same.
  paginate: cursorPaginator(),
  // Variants carry `newsletter_id` in the documented answer; set it from the parent when they do not.
  transform: (record, ctx) => withNewsletterId(integersIn(record, ['from_id', 'reply_to_id', 'test_group_id']), ctx),
} satisfies StreamDefinition;

/**
 * The A/B test groups of each newsletter, with the content ids of each group. One request per newsletter.
 * What a newsletter without an A/B test answers is not documented [inferred: an empty list, or a 404]: both
 * read as no groups, so a 404 here is not reported as a newsletter deleted during the sync.
 */
export const newsletterTestGroups = {
  name: 'newsletter_test_groups',
  primaryKey: [['newsletter_id'], ['id']],
  parent: { stream: newsletters, key: (newsletter) => String(newsletter.id) },
  request: { path: ({ partition }) => `/newsletters/${encodeURIComponent(String(partition.parent?.id))}/test_groups` },
  records: '$.test_groups[*]',
  // Documented without pagination; a `next`, should one appear, is followed all the same.
  paginate: cursorPaginator(),
  // Group ids start at 0 (documented): toInteger keeps 0, and a non-numeric id stays text.
  transform: withParentId('newsletter_id'),
  onStatus: { 404: 'empty' },
} satisfies StreamDefinition;
